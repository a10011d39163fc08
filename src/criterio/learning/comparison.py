"""Candidate against champion on the same held-out human decisions.

Both models answer the held-out slice: accuracy, McNemar's exact test (statsmodels) on
the pairs where one is right and the other wrong, and the realised precision of what
each would automate under its triage calibration; :func:`verdict` says whether the
candidate replaces the champion, and why, in one sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from criterio.learning.decisions import LabelledRow

__all__ = ["Comparison", "automated", "compare_models", "verdict"]


@dataclass
class Comparison:
    """Candidate against champion on the same held-out human decisions."""

    n: int
    candidate_accuracy: float
    champion_accuracy: float | None
    #: Pairs the candidate got right and the champion wrong, and the other way round.
    candidate_only: int = 0
    champion_only: int = 0
    p_value: float | None = None
    candidate_precision: float | None = None
    candidate_automated: int = 0
    champion_precision: float | None = None
    champion_automated: int = 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (rates rounded to 4 digits)."""
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in self.__dict__.items()}


def automated(
    model: Any, calibration: Any, texts: list[str], policy: Any = None
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """(predicted intents, which of them triage would automate) under ``calibration``: the
    model's part of a decision as triage takes it (``triage.scores.automatable``: floors,
    margin floor, intent thresholds), then the policy's intents."""
    from criterio.triage.scores import automatable

    predicted, mask = automatable(model, calibration, texts)
    if policy is not None:
        mask &= np.array([policy.may_automate(str(p)) for p in predicted], dtype=bool)
    return predicted, mask


def _precision(right: np.ndarray[Any, Any], mask: np.ndarray[Any, Any]) -> float | None:
    return float(right[mask].mean()) if mask.any() else None


def compare_models(
    candidate: tuple[Any, Any],
    incumbent: tuple[Any, Any] | None,
    held: list[LabelledRow],
    policy: Any,
) -> Comparison:
    """Both models on the held-out rows: accuracy, McNemar's exact p, realised precision."""
    from statsmodels.stats.contingency_tables import mcnemar

    texts = [r.text for r in held]
    truth = np.asarray([r.intent for r in held], dtype=object)
    predicted, mask = automated(candidate[0], candidate[1], texts, policy)
    right = predicted == truth
    result = Comparison(
        n=len(held),
        candidate_accuracy=float(right.mean()),
        champion_accuracy=None,
        candidate_precision=_precision(right, mask),
        candidate_automated=int(mask.sum()),
    )
    if incumbent is None:
        return result
    old_predicted, old_mask = automated(incumbent[0], incumbent[1], texts, policy)
    old_right = old_predicted == truth
    result.champion_accuracy = float(old_right.mean())
    result.champion_precision = _precision(old_right, old_mask)
    result.champion_automated = int(old_mask.sum())
    result.candidate_only = int((right & ~old_right).sum())
    result.champion_only = int((~right & old_right).sum())
    table = [
        [int((right & old_right).sum()), result.candidate_only],
        [result.champion_only, int((~right & ~old_right).sum())],
    ]
    result.p_value = float(mcnemar(table, exact=True).pvalue)
    return result


def verdict(result: Comparison, alpha: float, target: float) -> tuple[bool, str]:
    """Whether the candidate replaces the champion, and why (one sentence)."""
    p = result.p_value if result.p_value is not None else 1.0
    better = result.candidate_only > result.champion_only and p < alpha
    if not better:
        return False, (
            f"not better on {result.n} held-out decisions: right where the champion was "
            f"wrong {result.candidate_only}, the reverse {result.champion_only}, McNemar "
            f"p = {p:.3g} (needs < {alpha})"
        )
    mine, theirs = result.candidate_precision, result.champion_precision
    bar = None if theirs is None else min(theirs, target)
    if bar is not None and (mine if mine is not None else 1.0) < bar:
        return False, (
            f"better (p = {p:.3g}) but its realised automation precision {mine:.3f} is "
            f"under {bar:.3f} (the champion's, or the target when that is lower)"
        )
    return True, (
        f"better on {result.n} held-out decisions ({result.candidate_only} won, "
        f"{result.champion_only} lost, McNemar p = {p:.3g}); realised automation "
        f"precision {'n/a' if mine is None else f'{mine:.3f}'}"
    )
