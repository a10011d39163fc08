"""Drivers: segments that go with low CSAT, unresolved, escalated or repeat contacts.

Each segment's outcome rate is compared with the rate in the rest of the tenant
(a rate, so large segments do not win by volume alone): risk difference with a
Newcombe confidence interval, a two-proportion test, Benjamini–Hochberg across every
(segment, outcome). Overlapping segments are then explained away greedily: the one
with the surest effect (highest lower confidence bound) is kept, and a segment whose
excess outcomes mostly vanish once the kept segment's contacts are set aside is dropped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep

from criterio.patterns._frame import PreparedFrame, Segment
from criterio.patterns._types import Detection

__all__ = ["DriverConfig", "detect_drivers", "outcome_flags"]

REPEAT_WINDOW = pd.Timedelta(days=7)


@dataclass(frozen=True)
class DriverConfig:
    """Thresholds of the driver detector."""

    alpha: float = 0.001
    min_count: int = 60
    min_difference: float = 0.05
    min_ratio: float = 1.3
    explained: float = 0.4


def outcome_flags(prepared: PreparedFrame) -> dict[str, pd.Series]:
    """Per outcome, a nullable boolean per interaction (NA where it is unknown)."""
    data = prepared.data
    out: dict[str, pd.Series] = {}
    if prepared.has("csat"):
        out["low_csat"] = (data["csat"] <= 2).astype("boolean").where(data["csat"].notna())
    if prepared.has("resolved"):
        out["unresolved"] = ~data["resolved"]
    if prepared.has("escalated"):
        out["escalated"] = data["escalated"].copy()
    if prepared.has("customer_id"):
        ordered = (
            data[["customer_id", "started_at"]].dropna().sort_values(["customer_id", "started_at"])
        )
        following = ordered.groupby("customer_id")["started_at"].shift(-1)
        repeat = (following - ordered["started_at"]) <= REPEAT_WINDOW
        # Contacts in the last week of data cannot be judged yet: their follow-up is unseen.
        censored = ordered["started_at"] > data["started_at"].max() - REPEAT_WINDOW
        flags = pd.Series(pd.NA, index=data.index, dtype="boolean")
        flags.loc[ordered.index] = repeat.astype("boolean").where(~censored)
        out["repeat_contact"] = flags
    return out


def detect_drivers(
    prepared: PreparedFrame,
    config: DriverConfig | None = None,
    segments: list[tuple[Segment, np.ndarray[Any, Any]]] | None = None,
) -> list[Detection]:
    """Segments whose outcome rate is significantly and materially worse than the rest."""
    config = config or DriverConfig()
    if segments is None:
        segments = list(prepared.segments(min_count=config.min_count))
    segments = [s for s in segments if s[0]]
    found: list[Detection] = []
    for outcome, flags in outcome_flags(prepared).items():
        known = flags.notna().to_numpy()
        bad = flags.fillna(False).to_numpy(dtype=bool)
        masks = np.array([m & known for _, m in segments])
        if not len(masks):
            continue
        n1 = masks.sum(axis=1).astype(float)
        x1 = (masks & bad).sum(axis=1).astype(float)
        n2, x2 = known.sum() - n1, bad.sum() - x1
        usable = (n1 >= config.min_count) & (n2 >= config.min_count)
        if not usable.any():
            continue
        rows = np.flatnonzero(usable)
        test = test_proportions_2indep(
            x1[rows], n1[rows], x2[rows], n2[rows], method="wald", compare="diff"
        )
        p = np.nan_to_num(np.asarray(test.pvalue, dtype=float), nan=1.0)
        low, high = confint_proportions_2indep(
            x1[rows], n1[rows], x2[rows], n2[rows], method="newcomb", compare="diff"
        )
        q = multipletests(p, method="fdr_bh")[1]
        p1, p2 = x1[rows] / n1[rows], x2[rows] / np.maximum(n2[rows], 1)
        keep = (q < config.alpha) & (p1 - p2 >= config.min_difference)
        keep &= p1 >= config.min_ratio * np.maximum(p2, 1e-9)
        standing = [
            int(i)
            for i in np.flatnonzero(keep)
            if not _inherited(prepared, segments[int(rows[i])], known, bad, p2[i], config)
        ]
        chosen = _explain_away(standing, rows, masks, bad, p2, low, segments, config)
        for i in chosen:
            row = int(rows[i])
            key, mask = segments[row]
            excess = n1[row] * (p1[i] - p2[i])
            ratio = p1[i] / max(p2[i], 1e-9)
            examples = prepared.data.loc[mask & bad, "id"].head(5).tolist()
            found.append(
                Detection(
                    type="driver",
                    segment=key,
                    start=prepared.days[0].date(),
                    end=prepared.days[-1].date(),
                    impact=float(excess),
                    strength=float(min(40.0, norm.isf(max(float(q[i]), 1e-300)))),
                    magnitude=min(1.0, math.log2(max(ratio, 1.0)) / 2.0),
                    figures={
                        "measure": outcome,
                        "rate": round(float(p1[i]), 4),
                        "rate_rest": round(float(p2[i]), 4),
                        "difference": round(float(p1[i] - p2[i]), 4),
                        "ci_low": round(float(low[i]), 4),
                        "ci_high": round(float(high[i]), 4),
                        "ratio": round(float(ratio), 2),
                        "contacts": int(n1[row]),
                        "excess_outcomes": round(float(excess), 1),
                        "q_value": float(q[i]),
                    },
                    chart={
                        "kind": "rate_comparison",
                        "labels": ["segment", "rest"],
                        "rates": [round(float(p1[i]), 4), round(float(p2[i]), 4)],
                        "ci": [round(float(low[i]), 4), round(float(high[i]), 4)],
                    },
                    examples=examples,
                    volume=float(n1[row]),
                    rows=mask,
                )
            )
    return found


def _inherited(
    prepared: PreparedFrame,
    segment: tuple[Segment, np.ndarray[Any, Any]],
    known: np.ndarray[Any, Any],
    bad: np.ndarray[Any, Any],
    rest_rate: float,
    config: DriverConfig,
) -> bool:
    """Whether a pair segment only shows the outcome rate of one of its two parents.

    Voice contacts about late deliveries escalate more than the rest when late
    deliveries escalate more in every channel: the pair is then its parent's pattern,
    reported (or not, if it is too small) by the parent itself.
    """
    key, mask = segment
    if len(key) < 2:
        return False
    child = mask & known
    n = int(child.sum())
    excess = (child & bad).sum() - n * rest_rate
    for part in key:
        siblings = prepared.mask((part,)) & known & ~mask
        if int(siblings.sum()) < config.min_count:
            continue
        parent_rate = float(bad[siblings].mean())
        if (child & bad).sum() - n * parent_rate < config.explained * excess:
            return True
    return False


def _explain_away(
    candidates: list[int],
    rows: np.ndarray[Any, Any],
    masks: np.ndarray[Any, Any],
    bad: np.ndarray[Any, Any],
    rest_rate: np.ndarray[Any, Any],
    low: np.ndarray[Any, Any],
    segments: list[tuple[Segment, np.ndarray[Any, Any]]],
    config: DriverConfig,
) -> list[int]:
    """Greedy: keep the surest effect; drop candidates it explains (or that equal a parent)."""
    # A child covering most of a flagged parent is the same segment named twice.
    flagged = {segments[int(rows[i])][0]: i for i in candidates}
    volume = {i: masks[int(rows[i])].sum() for i in candidates}
    same: set[int] = set()
    for key, i in flagged.items():
        for parent, j in flagged.items():
            nested = len(parent) < len(key) and set(parent) <= set(key)
            if nested and volume[i] >= 0.8 * volume[j]:
                same.add(i)
    kept: list[int] = []
    for i in sorted((c for c in candidates if c not in same), key=lambda c: -low[c]):
        mask = masks[int(rows[i])]
        excess = (mask & bad).sum() - mask.sum() * rest_rate[i]
        explained = False
        for k in kept:
            rest = mask & ~masks[int(rows[k])]
            left = (rest & bad).sum() - rest.sum() * rest_rate[i]
            if left < config.explained * excess:
                explained = True
                break
        if not explained:
            kept.append(i)
    return kept
