"""Sharing the out-of-scope budget between intents (``calibrate(oos_budget="per_intent")``).

A single out-of-scope floor is set by the most confusable unseen intents and costs
every intent. The unseen-intent rows also say which known intent took each of them,
so the budget (how many of those rows may be automated, from the Clopper–Pearson upper
bound of their share) can be spent where it buys the most coverage, as per-intent
(Mondrian) floors: each intent starts at its lowest cut and, while the unseen rows let
through exceed the budget, the intent whose raise removes the most unseen rows per
verified row lost is raised to that cut (or stops being automated). With one bound per
intent the cuts are its valid thresholds (precision bound at the target,
:func:`allocate`); with the pooled bound they are its verified confidences, and the
pooled thresholds are then chosen above those floors (:func:`intent_floors`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.stats import beta

if TYPE_CHECKING:
    from criterio.triage.calibration import Evidence

__all__ = ["allocate", "allowed_unseen", "checked_floors", "intent_floors"]


def allowed_unseen(n: int, max_share: float, confidence_level: float) -> int:
    """How many of ``n`` unseen rows may pass: the most whose share's upper bound ≤ max_share.

    -1 when not even zero passing shows it (too few rows): nothing may be automated.
    """
    if n == 0:
        return -1
    passed = np.arange(0, n)
    upper = beta.ppf(confidence_level, passed + 1, n - passed)
    ok = np.flatnonzero(upper <= max_share)
    return int(ok[-1]) if len(ok) else -1


def allocate(
    cuts: dict[str, tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]],
    unseen: Sequence[float] | np.ndarray[Any, Any],
    unseen_predicted: Sequence[str] | np.ndarray[Any, Any],
    budget: int,
) -> dict[str, int | None]:
    """The chosen cut index per intent (None: not automated) keeping unseen passes ≤ budget.

    ``cuts[intent]`` = (thresholds ascending, rows selected at each); index 0 is the
    lowest threshold (most coverage).
    """
    if budget < 0:
        # Too few unseen rows to show any share is small: as with one floor, nothing.
        return dict.fromkeys(cuts)
    conf = np.asarray(unseen, dtype=float)
    taken = np.asarray(unseen_predicted, dtype=object)
    # Per intent and cut: unseen rows let through, with a final "not automated" entry.
    cost: dict[str, np.ndarray[Any, Any]] = {}
    gain: dict[str, np.ndarray[Any, Any]] = {}
    for intent, (thresholds, selected) in cuts.items():
        mine = np.sort(conf[taken == intent])
        through = len(mine) - np.searchsorted(mine, thresholds, side="left")
        cost[intent] = np.r_[through, 0]
        gain[intent] = np.r_[np.asarray(selected, dtype=float), 0.0]
    chosen = {intent: 0 for intent in cuts if len(cuts[intent][0])}
    total = sum(int(cost[k][i]) for k, i in chosen.items())
    while total > budget:
        best: tuple[float, str, int] | None = None
        for intent, i in chosen.items():
            removed = cost[intent][i] - cost[intent][i + 1 :]
            lost = gain[intent][i] - gain[intent][i + 1 :]
            if not (removed > 0).any():
                continue
            ratio = np.where(removed > 0, removed / np.maximum(lost, 1e-9), -1.0)
            j = int(ratio.argmax())
            if best is None or ratio[j] > best[0]:
                best = (float(ratio[j]), intent, i + 1 + j)
        if best is None:
            break  # only intents that let nothing through remain
        _, intent, j = best
        total -= int(cost[intent][chosen[intent]] - cost[intent][j])
        if j == len(cost[intent]) - 1:
            del chosen[intent]
        else:
            chosen[intent] = j
    return {intent: chosen.get(intent) for intent in cuts}


def intent_floors(
    intents: Sequence[str],
    conf: np.ndarray[Any, Any],
    predicted: np.ndarray[Any, Any],
    floor: float,
    unseen: np.ndarray[Any, Any],
    taken: np.ndarray[Any, Any],
    budget: int,
) -> dict[str, float | None]:
    """Per-intent out-of-scope floors (None: not automated) for the pooled rule.

    Each intent's candidate floors are its verified confidences at or above ``floor``
    (the lowest first, keeping all of them); :func:`allocate` raises the floors of the
    intents unseen traffic (``unseen``, each ``taken`` for a known intent) is taken for
    until at most ``budget`` unseen rows pass, each time where it loses the fewest
    verified rows per unseen row kept out.
    """
    cuts: dict[str, tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]] = {}
    for intent in intents:
        mine = np.sort(conf[(predicted == intent) & (conf >= floor)])
        levels = np.unique(mine)
        cuts[intent] = (levels, len(mine) - np.searchsorted(mine, levels, side="left"))
    chosen = allocate(cuts, unseen, taken, budget)
    return {
        intent: None if index is None else float(cuts[intent][0][index])
        for intent, index in chosen.items()
    }


def checked_floors(
    evidence: Evidence,
    conf: np.ndarray[Any, Any],
    predicted: np.ndarray[Any, Any],
    floor: float,
    max_share: float,
    confidence_level: float,
) -> tuple[dict[str, float | None] | None, dict[str, Any]]:
    """Per-intent floors that also hold for unseen intents they were not chosen on.

    The allocation follows the simulated unseen intents, and real ones may land on other
    intents. So it is checked by leaving out one group of unseen intents at a time
    (``evidence.unseen_group``): floors allocated on the other groups (their share of
    the budget) are applied to the left-out group's rows, and the Clopper–Pearson upper
    bound of the share of all rows let through that way must stay under ``max_share``.
    The budget is halved (down to none) until it does; when even none fails, None: the
    caller keeps one floor for all. Returns the floors and what the check found.
    """
    n = len(evidence.unseen)
    unseen = np.asarray(evidence.unseen, dtype=float)
    taken = np.asarray(evidence.unseen_predicted, dtype=object)
    full = allowed_unseen(n, max_share, confidence_level)
    groups = np.asarray(evidence.unseen_group, dtype=int)
    if len(groups) != n or len(np.unique(groups)) < 2:
        floors = intent_floors(evidence.intents, conf, predicted, floor, unseen, taken, full)
        return floors, {"budget": full, "checked": False}
    budgets = sorted({full, full // 2, full // 4, full // 8, 0}, reverse=True) if full >= 0 else []
    passed = n
    for budget in budgets:
        passed = 0
        for group in np.unique(groups):
            rest = groups != group
            share = int(budget * rest.sum() / n)
            floors = intent_floors(
                evidence.intents, conf, predicted, floor, unseen[rest], taken[rest], share
            )
            for c, k in zip(unseen[~rest], taken[~rest], strict=True):
                level = floors.get(str(k))
                passed += int(level is not None and c >= level)
        upper = 1.0 if passed >= n else float(beta.ppf(confidence_level, passed + 1, n - passed))
        if upper <= max_share:
            floors = intent_floors(evidence.intents, conf, predicted, floor, unseen, taken, budget)
            found = {"budget": budget, "checked": True, "held_out_passed": passed, "n": n}
            return floors, found
    return None, {"budget": None, "checked": True, "held_out_passed": passed, "n": n}
