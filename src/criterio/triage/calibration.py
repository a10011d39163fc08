"""Per-intent automation thresholds with a proven lower bound on their precision.

The evidence is one row per verified example the model did not learn from (the
cross-validated predictions on its training data, later the human decisions): the
intent the model predicted, its confidence, and whether that was right. For each
intent the threshold is the lowest confidence at which the Clopper–Pearson lower
bound (one-sided, ``confidence_level``) of the precision of that intent's predictions
at or above it still reaches the target. Why a bound and not the observed precision:
30 right answers out of 30 is a precision of 1.0, yet it does not show 0.95 (its
lower bound is 0.905); the bound grows only with verified data, so an intent with
too little of it is never automated, whatever its observed precision. By default
(``pooling="pooled"``, ``criterio.triage._pooled``) the bound is over all automated
intents' predictions together, each intent held to its own evidence; ``"per_intent"``
is the rule above, one bound per intent.

Out-of-scope traffic (intents the training data never saw) cannot show up in those
rows, and a model is often sure of itself on it (a "set a reminder" message looks
much like "cancel a reminder" to a model that never saw the first). So the evidence
also holds unseen-intent rows: each group of intents is left out of a fit, and the
confidence the model then gives its examples is what out-of-scope traffic looks like.
The out-of-scope floor is the lowest score at which the Clopper–Pearson upper
bound of the share of those rows still automated stays under ``max_oos_share``; no
intent is automated under it, nor under ``floor`` or the classifier's own threshold.
The score is, when the evidence has it, the *margin*: the best intent's probability
minus the next best's (an unseen request often sits between two known intents, so the
two best are close even where the best alone looks sure); else the confidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from scipy.stats import beta

from criterio.triage.rows import Evidence

__all__ = [
    "Calibration",
    "Evidence",
    "IntentThreshold",
    "calibrate",
    "clopper_pearson_lower",
    "intent_threshold",
    "oos_floor",
]


def _num(value: float) -> str:
    """A threshold in a reason: two decimals, four near 1 (where 0.9964 is not 1.00)."""
    return f"{value:.2f}" if value < 0.995 else f"{value:.4f}"


def clopper_pearson_lower(correct: int, n: int, confidence_level: float = 0.95) -> float:
    """One-sided Clopper–Pearson lower bound of a proportion (``correct`` of ``n``)."""
    if n <= 0 or correct <= 0:
        return 0.0
    return float(beta.ppf(1.0 - confidence_level, correct, n - correct + 1))


@dataclass(frozen=True)
class IntentThreshold:
    """An intent's automation threshold (None: never automated) and the evidence for it."""

    intent: str
    threshold: float | None
    n_verified: int
    n_selected: int
    n_correct: int
    precision: float | None
    lower_bound: float
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class Calibration:
    """Thresholds of every intent for one target precision."""

    target: float
    confidence_level: float
    #: The effective floor: the larger of the given floor and the out-of-scope floor.
    floor: float
    min_support: int
    intents: dict[str, IntentThreshold] = field(default_factory=dict)
    oos_floor: float | None = None
    max_oos_share: float | None = None
    #: ``pooled`` (one bound over all automated intents) or ``per_intent`` (a bound each).
    pooling: str = "per_intent"
    #: The pooled selection (threshold, selected, right, lower bound) when pooled.
    pooled: dict[str, Any] | None = None
    #: Per-intent out-of-scope floors: the budget used and their check on left-out
    #: unseen intents (``criterio.triage._budget.checked_floors``).
    oos_check: dict[str, Any] | None = None
    #: The out-of-scope floor on the margin (best minus next best probability), when the
    #: out-of-scope score is the margin; ``oos_floor`` is then None.
    margin_floor: float | None = None

    def automatable(self) -> list[str]:
        """Intents that have a threshold (may be automated)."""
        return sorted(k for k, v in self.intents.items() if v.threshold is not None)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "target": self.target,
            "confidence_level": self.confidence_level,
            "floor": self.floor,
            "min_support": self.min_support,
            "oos_floor": self.oos_floor,
            "max_oos_share": self.max_oos_share,
            "pooling": self.pooling,
            "pooled": self.pooled,
            "oos_check": self.oos_check,
            "margin_floor": self.margin_floor,
            "intents": {k: v.to_dict() for k, v in sorted(self.intents.items())},
        }


def intent_threshold(
    confidence: Sequence[float],
    correct: Sequence[bool],
    *,
    target: float,
    confidence_level: float = 0.95,
    floor: float = 0.0,
    min_support: int = 30,
) -> tuple[float | None, int, int, float]:
    """The lowest confidence threshold whose precision lower bound reaches ``target``.

    Returns (threshold or None, rows selected, rows right, lower bound). Only
    thresholds at or above ``floor`` that select at least ``min_support`` rows count;
    a threshold sits at an observed confidence, so ties are all in or all out. When none
    qualifies, the lower bound returned is the best one seen (to say how far it fell).
    """
    cuts, best = _cuts(confidence, correct, target, confidence_level, floor, min_support)
    if len(cuts[0]) == 0:
        return None, 0, 0, best
    return float(cuts[0][0]), int(cuts[1][0]), int(cuts[2][0]), float(cuts[3][0])


Cuts = tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]


def _cuts(
    confidence: Sequence[float],
    correct: Sequence[bool],
    target: float,
    confidence_level: float,
    floor: float,
    min_support: int,
) -> tuple[Cuts, float]:
    """Every valid cut, lowest threshold first: (thresholds, selected, right, bounds), and
    the best lower bound seen among all cuts (valid or not)."""
    conf = np.asarray(confidence, dtype=float)
    ok = np.asarray(correct, dtype=bool)
    keep = conf >= floor
    conf, ok = conf[keep], ok[keep]
    empty = np.zeros(0)
    if len(conf) == 0:
        return (empty, empty, empty, empty), 0.0
    order = np.argsort(-conf, kind="stable")
    conf, ok = conf[order], ok[order]
    n = np.arange(1, len(conf) + 1)
    c = np.cumsum(ok)
    with np.errstate(invalid="ignore"):
        bounds = np.where(c > 0, beta.ppf(1.0 - confidence_level, np.maximum(c, 1), n - c + 1), 0.0)
    # A cut is only possible where the next confidence is strictly lower (end of a tie group).
    ends = np.r_[conf[1:] < conf[:-1], True]
    valid = np.flatnonzero(ends & (n >= min_support) & (bounds >= target))[::-1]
    best = float(bounds[ends].max())
    return (conf[valid], n[valid], c[valid], bounds[valid]), best


def oos_floor(unseen: Sequence[float], max_share: float, confidence_level: float = 0.95) -> float:
    """The lowest confidence that lets through at most ``max_share`` of unseen-intent traffic.

    At most, with ``confidence_level``: the Clopper–Pearson upper bound of the share of
    ``unseen`` rows at or above it is at most ``max_share``; above every row when there
    are too few of them to show that; 1.0 without rows.
    """
    conf = np.sort(np.asarray(unseen, dtype=float))[::-1]
    n = len(conf)
    if n == 0:
        return 1.0
    above = np.arange(0, n + 1)  # rows strictly above a cut placed after the first k
    upper = beta.ppf(confidence_level, above + 1, np.maximum(n - above, 1))
    upper = np.where(above >= n, 1.0, upper)
    allowed = np.flatnonzero(upper <= max_share)
    if len(allowed) == 0:
        # Too few rows to show even "none passes" keeps the share down: above them all.
        return float(np.nextafter(conf[0], np.inf))
    k = int(allowed[-1])  # this many rows may stay above the floor
    # Just above the (k+1)-th highest unseen confidence: it and everything under it fall out.
    return float(np.nextafter(conf[k], np.inf)) if k < n else 0.0


def calibrate(
    evidence: Evidence,
    *,
    target: float = 0.95,
    confidence_level: float = 0.95,
    floor: float = 0.5,
    min_support: int = 30,
    max_oos_share: float | None = 0.02,
    oos_budget: str = "global",
    pooling: str = "pooled",
    oos_score: str | None = None,
) -> Calibration:
    """Thresholds of every intent of ``evidence.intents`` for precision ``target``.

    ``pooling="pooled"`` (the default) bounds the precision of all automated intents'
    predictions together, each intent held to its own evidence
    (``criterio.triage._pooled``); ``"per_intent"`` needs each intent's own bound to
    reach the target.

    With ``max_oos_share`` and unseen-intent rows in the evidence, out-of-scope traffic
    is held to that share: ``oos_budget="global"`` (the default) raises the floor of
    every intent to the out-of-scope floor (:func:`oos_floor`); ``"per_intent"``
    (Mondrian) raises the floors (pooled) or thresholds (per-intent bound) of the
    intents that take unseen traffic, where it costs least coverage
    (``criterio.triage._budget``): more coverage, but the allocation follows the
    simulated unseen intents and on BANKING77 let real ones through
    (docs/benchmarks.md). None leaves out-of-scope to ``floor`` alone.

    ``oos_score``: what the one floor is set on, ``"margin"`` (best minus next-best
    probability) or ``"confidence"``; None: the margin when the evidence has it
    (:meth:`Evidence.has_margins`). Per-intent budgets use the confidence.
    """
    from criterio.triage._budget import allocate, allowed_unseen, checked_floors

    if not 0.0 < target < 1.0:
        raise ValueError(f"target precision {target}: must be between 0 and 1 (exclusive)")
    if not 0.5 <= confidence_level < 1.0:
        raise ValueError(f"confidence level {confidence_level}: must be in [0.5, 1)")
    if oos_budget not in ("global", "per_intent"):
        raise ValueError(f"oos_budget {oos_budget!r}: choose global or per_intent")
    if pooling not in ("pooled", "per_intent"):
        raise ValueError(f"pooling {pooling!r}: choose pooled or per_intent")
    per_intent = (
        oos_budget == "per_intent"
        and max_oos_share is not None
        and len(evidence.unseen_predicted) == len(evidence.unseen) > 0
    )
    if oos_score not in (None, "margin", "confidence"):
        raise ValueError(f"oos_score {oos_score!r}: choose margin or confidence")
    by_margin = (
        max_oos_share is not None
        and not per_intent
        and oos_score != "confidence"
        and evidence.has_margins()
    )
    if oos_score == "margin" and not by_margin and max_oos_share is not None:
        raise ValueError("oos_score margin: the evidence has no margins (or per-intent budget)")
    unseen_floor = margin_floor = None
    conf = np.asarray(evidence.confidence, dtype=float)
    if by_margin:
        assert max_oos_share is not None
        margin_floor = oos_floor(evidence.unseen_margin, max_oos_share, confidence_level)
        # Verified rows under the out-of-scope margin are never automated: they take no
        # part in the thresholds (a score under every floor).
        conf = np.where(np.asarray(evidence.margin) >= margin_floor, conf, -np.inf)
    elif max_oos_share is not None and evidence.unseen and not per_intent:
        unseen_floor = oos_floor(evidence.unseen, max_oos_share, confidence_level)
        floor = max(floor, unseen_floor)
    predicted = np.asarray(evidence.predicted, dtype=object)
    ok = np.asarray(evidence.correct, dtype=bool)
    if pooling == "pooled":
        from criterio.triage._pooled import pooled_calibration

        floors, check = None, None
        if per_intent:
            assert max_oos_share is not None
            floors, check = checked_floors(
                evidence, conf, predicted, floor, max_oos_share, confidence_level
            )
            if floors is None:  # they do not hold on left-out unseen intents: one floor
                unseen_floor = oos_floor(evidence.unseen, max_oos_share, confidence_level)
                floor = max(floor, unseen_floor)
        calibration = pooled_calibration(
            evidence,
            conf,
            ok,
            predicted,
            floor,
            unseen_floor,
            max_oos_share,
            floors=floors,
            target=target,
            confidence_level=confidence_level,
            min_support=min_support,
        )
        return replace(calibration, oos_check=check, margin_floor=margin_floor)
    cuts: dict[str, Cuts] = {}
    best: dict[str, float] = {}
    for intent in evidence.intents:
        mask = predicted == intent
        cuts[intent], best[intent] = _cuts(
            conf[mask], ok[mask], target, confidence_level, floor, min_support
        )
    chosen: dict[str, int | None] = {k: (0 if len(v[0]) else None) for k, v in cuts.items()}
    if per_intent:
        assert max_oos_share is not None
        budget = allowed_unseen(len(evidence.unseen), max_oos_share, confidence_level)
        chosen = allocate(
            {k: (v[0], v[1]) for k, v in cuts.items()},
            evidence.unseen,
            evidence.unseen_predicted,
            budget,
        )
    result: dict[str, IntentThreshold] = {}
    for intent in evidence.intents:
        mask = predicted == intent
        index = chosen[intent]
        result[intent] = _entry(
            intent,
            cuts[intent],
            index,
            best[intent],
            int(mask.sum()),
            conf[mask],
            floor,
            target=target,
            min_support=min_support,
        )
    return Calibration(
        target,
        confidence_level,
        floor,
        min_support,
        result,
        unseen_floor,
        max_oos_share,
        margin_floor=margin_floor,
    )


def _entry(
    intent: str,
    cuts: Cuts,
    index: int | None,
    best: float,
    n_verified: int,
    conf: np.ndarray[Any, Any],
    floor: float,
    *,
    target: float,
    min_support: int,
) -> IntentThreshold:
    """One intent's threshold (cut ``index``; None: not automated) and the reason."""
    if index is not None:
        threshold, n_sel, n_ok, bound = (
            float(cuts[0][index]),
            int(cuts[1][index]),
            int(cuts[2][index]),
            float(cuts[3][index]),
        )
        reason = (
            f"{n_ok} of {n_sel} held-out predictions right at or above {_num(threshold)} "
            f"(lower bound {bound:.3f} ≥ target {target})"
        )
        return IntentThreshold(
            intent, threshold, n_verified, n_sel, n_ok, n_ok / n_sel, bound, reason
        )
    if len(cuts[0]):
        reason = (
            "held back to keep out-of-scope traffic under its limit (unseen intents are "
            "taken for this one): never automated"
        )
    elif n_verified >= min_support and not (conf >= floor).any():
        reason = (
            f"none of its {n_verified} verified predictions clears the out-of-scope floor "
            "(traffic of unseen intents reaches as high): never automated"
        )
    elif n_verified < min_support:
        reason = (
            f"only {n_verified} verified predictions (at least {min_support} needed): "
            "never automated"
        )
    else:
        reason = (
            f"its precision cannot be shown to reach {target} on {n_verified} verified "
            f"predictions (best lower bound {best:.3f}): never automated"
        )
    return IntentThreshold(intent, None, n_verified, 0, 0, None, best, reason)
