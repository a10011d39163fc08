"""Candidate against champion on the same held-out human decisions.

Both models answer the held-out slice: accuracy, McNemar's exact test (statsmodels) on
the pairs where one is right and the other wrong, the same test on the pairs where one
would automate a right answer and the other would not (what triage delivers), and the
realised precision of what each would automate under its triage calibration;
:func:`verdict` says whether the candidate replaces the champion, and why, in one
sentence.
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
    #: Pairs where the candidate would automate a right answer and the champion not,
    #: and the other way round; McNemar's exact p on them.
    candidate_only_automated: int = 0
    champion_only_automated: int = 0
    automation_p_value: float | None = None

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
    result.candidate_only, result.champion_only, result.p_value = _paired(right, old_right)
    (
        result.candidate_only_automated,
        result.champion_only_automated,
        result.automation_p_value,
    ) = _paired(right & mask, old_right & old_mask)
    return result


def _paired(mine: np.ndarray[Any, Any], theirs: np.ndarray[Any, Any]) -> tuple[int, int, float]:
    """(pairs only ``mine`` has, pairs only ``theirs`` has, McNemar's exact p)."""
    from statsmodels.stats.contingency_tables import mcnemar

    won, lost = int((mine & ~theirs).sum()), int((~mine & theirs).sum())
    table = [[int((mine & theirs).sum()), won], [lost, int((~mine & ~theirs).sum())]]
    return won, lost, float(mcnemar(table, exact=True).pvalue)


def verdict(result: Comparison, alpha: float, target: float) -> tuple[bool, str]:
    """Whether the candidate replaces the champion, and why (one sentence).

    Better means a significant paired win (McNemar, ``p < alpha``) on the held-out
    decisions, either in accuracy, or in right answers triage would automate while the
    candidate wins at least as many accuracy pairs as it loses (a model that automates
    more of what people decided, without answering worse); and in both cases a realised
    automation precision no worse than the champion's (or the target when that is lower).
    """
    p = result.p_value if result.p_value is not None else 1.0
    p_auto = result.automation_p_value if result.automation_p_value is not None else 1.0
    won, lost = result.candidate_only, result.champion_only
    auto_won, auto_lost = result.candidate_only_automated, result.champion_only_automated
    by_accuracy = won > lost and p < alpha
    by_automation = auto_won > auto_lost and p_auto < alpha and won >= lost
    if not (by_accuracy or by_automation):
        return False, (
            f"not better on {result.n} held-out decisions: right where the champion was "
            f"wrong {won}, the reverse {lost}, McNemar p = {p:.3g}; right and automated "
            f"where the champion was not {auto_won}, the reverse {auto_lost}, "
            f"p = {p_auto:.3g} (needs < {alpha})"
        )
    mine, theirs = result.candidate_precision, result.champion_precision
    bar = None if theirs is None else min(theirs, target)
    if bar is not None and (mine if mine is not None else 1.0) < bar:
        return False, (
            f"better (p = {min(p, p_auto):.3g}) but its realised automation precision "
            f"{mine:.3f} is under {bar:.3f} (the champion's, or the target when that is "
            "lower)"
        )
    how = (
        f"{won} won, {lost} lost, McNemar p = {p:.3g}"
        if by_accuracy
        else f"right and automated where the champion was not {auto_won}, the reverse "
        f"{auto_lost}, McNemar p = {p_auto:.3g}; accuracy pairs {won} won, {lost} lost"
    )
    return True, (
        f"better on {result.n} held-out decisions ({how}); realised automation "
        f"precision {'n/a' if mine is None else f'{mine:.3f}'}"
    )
