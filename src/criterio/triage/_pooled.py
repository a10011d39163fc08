"""Thresholds from pooled evidence: one bound over every automated intent's predictions.

About a hundred verified predictions per intent cannot show a precision of 0.95 with a
Clopper–Pearson bound per intent (59 right out of 59 is the least that does, and only
when every one is right). Pooled, the same predictions can: the rule proves the
precision of *all* automated decisions together, and keeps each intent honest with its
own evidence:

1. one threshold ``t`` for every intent: the lowest confidence at which the one-sided
   Clopper–Pearson lower bound of the precision of all automated intents' predictions
   at or above their thresholds reaches the target; an intent is automated at ``t``
   only with at least ``min_support`` verified predictions at or above its threshold
   (too little verified data: never automated, and not counted in the bound);
2. an intent whose own predictions at or above its threshold contradict the target (the
   Clopper–Pearson *upper* bound of its precision is under it) gets a higher threshold
   of its own, the lowest at which its predictions no longer contradict the target and
   their observed precision reaches it; without one it is never automated;
3. steps 1 and 2 repeat until nothing changes (an intent's threshold only ever rises and
   an intent that leaves never comes back, so this ends). The bound is computed on the
   final selection, so what it proves is about exactly the decisions that are automated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import beta

from criterio.triage.calibration import Calibration, Evidence, IntentThreshold, _num

__all__ = ["Pooled", "pooled_calibration", "pooled_thresholds"]


@dataclass(frozen=True)
class Pooled:
    """The pooled rule's outcome: per intent (threshold or None, selected, right, why not)."""

    threshold: float | None
    n_selected: int
    n_correct: int
    lower_bound: float
    intents: dict[str, tuple[float | None, int, int, str]]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary of the pooled selection."""
        return {
            "threshold": self.threshold,
            "n_selected": self.n_selected,
            "n_correct": self.n_correct,
            "lower_bound": self.lower_bound,
        }


def _upper(correct: int, n: int, level: float) -> float:
    """One-sided Clopper–Pearson upper bound of a proportion."""
    return 1.0 if correct >= n else float(beta.ppf(level, correct + 1, n - correct))


def _lowest_cut(
    rows: dict[str, tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]],
    raised: dict[str, float],
    target: float,
    level: float,
    least: int,
) -> tuple[float, int, int, float] | None:
    """The lowest common cut ``t`` whose selection shows ``target``: (t, selected, right, bound).

    At a cut ``t`` an intent selects its rows at or above ``max(t, its raise)``, and takes
    part only when they are at least ``least`` (fewer: not automated at that cut).
    """
    if not rows:
        return None
    grid = np.unique(np.concatenate([np.zeros(0), *(conf for conf, _ in rows.values())]))
    selected = np.zeros(len(grid), dtype=np.int64)
    right = np.zeros(len(grid), dtype=np.int64)
    for intent, (conf, ok) in rows.items():
        order = np.argsort(conf, kind="stable")
        ascending = conf[order]
        prefix = np.r_[0, np.cumsum(ok[order])]
        at = np.searchsorted(ascending, np.maximum(grid, raised[intent]), side="left")
        n = len(conf) - at
        c = prefix[-1] - prefix[at]
        take = n >= least
        selected += np.where(take, n, 0)
        right += np.where(take, c, 0)
    bounds = np.where(
        right > 0, beta.ppf(1.0 - level, np.maximum(right, 1), selected - right + 1), 0.0
    )
    valid = np.flatnonzero((selected >= least) & (bounds >= target))
    if len(valid) == 0:
        return None
    k = int(valid[0])
    return float(grid[k]), int(selected[k]), int(right[k]), float(bounds[k])


def _own_raise(
    conf: np.ndarray[Any, Any], ok: np.ndarray[Any, Any], above: float, target: float, level: float
) -> float | None:
    """The lowest cut above ``above`` where an intent's rows no longer contradict ``target``."""
    for cut in np.unique(conf[conf > above]):
        sel = conf >= cut
        n, c = int(sel.sum()), int(ok[sel].sum())
        if c / n >= target and _upper(c, n, level) >= target:
            return float(cut)
    return None


def pooled_thresholds(
    rows: dict[str, tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]],
    *,
    target: float,
    confidence_level: float,
    min_support: int,
    floors: dict[str, float] | None = None,
) -> Pooled:
    """Thresholds of every intent of ``rows`` (intent → its confidences, whether right).

    The rows are those at or above the floor already; an intent's threshold is at least
    its own floor in ``floors`` (per-intent out-of-scope floors). See the module for the
    rule.
    """
    raised = {intent: (floors or {}).get(intent, -np.inf) for intent in rows}
    gone: dict[str, str] = {}
    while True:
        active = {i: v for i, v in rows.items() if i not in gone}
        cut = _lowest_cut(active, raised, target, confidence_level, min_support)
        changed = False
        for intent, (mine, right) in active.items():
            # Without a common cut yet, each intent is checked on all its rows: one bad
            # intent must not keep the others from a cut.
            level = max(cut[0] if cut is not None else -np.inf, raised[intent])
            sel = mine >= level
            n, c = int(sel.sum()), int(right[sel].sum())
            if n >= min_support and _upper(c, n, confidence_level) < target:
                higher = _own_raise(mine, right, level, target, confidence_level)
                if higher is None or int((mine >= higher).sum()) < min_support:
                    gone[intent] = (
                        f"its own predictions show a precision under {target} ({c} of {n} right "
                        f"at or above {_num(level)}): never automated"
                    )
                else:
                    raised[intent] = higher
                changed = True
        if cut is None and not changed:
            reason = (
                f"the predictions of all intents together cannot show {target}: never automated"
            )
            return Pooled(None, 0, 0, 0.0, {i: (None, 0, 0, gone.get(i, reason)) for i in rows})
        if not changed:
            break
    assert cut is not None
    result: dict[str, tuple[float | None, int, int, str]] = {}
    for intent, (mine, right) in rows.items():
        if intent in gone:
            result[intent] = (None, 0, 0, gone[intent])
            continue
        level = max(cut[0], raised[intent])
        sel = mine >= level
        n = int(sel.sum())
        if n < min_support:
            result[intent] = (
                None,
                0,
                0,
                f"only {n} verified predictions at or above {_num(level)} "
                f"(at least {min_support} needed): never automated",
            )
        else:
            result[intent] = (level, n, int(right[sel].sum()), "")
    return Pooled(cut[0], cut[1], cut[2], cut[3], result)


def pooled_calibration(
    evidence: Evidence,
    conf: np.ndarray[Any, Any],
    ok: np.ndarray[Any, Any],
    predicted: np.ndarray[Any, Any],
    floor: float,
    unseen_floor: float | None,
    max_oos_share: float | None,
    *,
    target: float,
    confidence_level: float,
    min_support: int,
    floors: dict[str, float | None] | None = None,
) -> Calibration:
    """The calibration of the pooled rule (thresholds from :func:`pooled_thresholds`).

    ``floors``: per-intent out-of-scope floors (``criterio.triage._budget``; None: the
    intent is held back to keep unseen traffic under its share).
    """
    above = conf >= floor
    masks = {intent: predicted == intent for intent in evidence.intents}
    held = {k for k, v in (floors or {}).items() if v is None}
    pooled = pooled_thresholds(
        {
            intent: (conf[m & above], ok[m & above])
            for intent, m in masks.items()
            if intent not in held
        },
        target=target,
        confidence_level=confidence_level,
        min_support=min_support,
        floors={k: v for k, v in (floors or {}).items() if v is not None},
    )
    result: dict[str, IntentThreshold] = {}
    for intent in sorted(held):
        why = (
            "held back to keep out-of-scope traffic under its limit (unseen intents are "
            "taken for this one): never automated"
        )
        result[intent] = IntentThreshold(
            intent, None, int(masks[intent].sum()), 0, 0, None, 0.0, why
        )
    for intent, (threshold, n_sel, n_ok, why) in pooled.intents.items():
        n_verified = int(masks[intent].sum())
        if threshold is None:
            if n_verified >= min_support and not (conf[masks[intent]] >= floor).any():
                why = (
                    f"none of its {n_verified} verified predictions clears the out-of-scope "
                    "floor (traffic of unseen intents reaches as high): never automated"
                )
            result[intent] = IntentThreshold(intent, None, n_verified, 0, 0, None, 0.0, why)
            continue
        why = (
            f"{n_ok} of its {n_sel} held-out predictions right at or above {_num(threshold)}; "
            f"all automated intents: {pooled.n_correct} of {pooled.n_selected} (lower bound "
            f"{pooled.lower_bound:.3f} ≥ target {target})"
        )
        result[intent] = IntentThreshold(
            intent, threshold, n_verified, n_sel, n_ok, n_ok / n_sel, pooled.lower_bound, why
        )
    return Calibration(
        target,
        confidence_level,
        floor,
        min_support,
        result,
        unseen_floor,
        max_oos_share,
        pooling="pooled",
        pooled=pooled.to_dict(),
    )
