"""Emerging intents, topics and terms: new ones, and ones whose share grows much faster.

Each segment's daily volume, divided by the tenant's weekday profile and by the day's
common factor (how far the rest of the traffic is above or below its own 15-day median:
busy and quiet days that move every segment are not the segment's trend), is fitted with
a hinge (flat, then a straight rise from an unknown day τ) by weighted least squares
over every τ; the F-test of the hinge against a flat level is Bonferroni-corrected for
the scan over τ and Benjamini–Hochberg across segments. "Growing faster than the
rest" is then the segment's growth divided by the growth of everything else. A pair
segment ("topic X in channel chat") is measured within its attribute (chat): its rest is
the attribute's other contacts, so a channel that grows as a whole does not make every
topic in it "emerging" (that is the channel's own pattern).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import f as f_dist
from scipy.stats import norm
from statsmodels.stats.multitest import multipletests

from criterio.patterns._frame import TERM, PreparedFrame, Segment
from criterio.patterns._types import Detection
from criterio.patterns.volume import daily_counts, weekday_factors

__all__ = ["EmergingConfig", "detect_emerging"]


@dataclass(frozen=True)
class EmergingConfig:
    """Thresholds of the emerging detector."""

    alpha: float = 0.001
    min_count: int = 30
    min_history: int = 14
    min_growth: float = 1.6
    min_extra: float = 40.0
    min_tail: int = 5


def _step(
    share: np.ndarray[Any, Any], weights: np.ndarray[Any, Any], taus: range
) -> tuple[int, float, float, float]:
    """Best rise in one step: (τ, weighted residual sum of squares, level before, after)."""
    cw, cx, cxx = (np.cumsum(weights * share**k) for k in (0, 1, 2))
    cut = np.arange(taus.start, taus.stop) - 1  # the last day before each τ
    if not len(cut):
        return taus.start, math.inf, 0.0, 0.0
    w0, x0, xx0 = cw[cut], cx[cut], cxx[cut]
    w1, x1, xx1 = cw[-1] - w0, cx[-1] - x0, cxx[-1] - xx0
    m0, m1 = x0 / w0, x1 / np.maximum(w1, 1e-12)
    rss = (xx0 - x0 * m0) + (xx1 - x1 * m1)
    rss = np.where(m1 > m0, rss, np.inf)
    i = int(np.argmin(rss))
    return taus.start + i, float(rss[i]), float(m0[i]), float(m1[i])


def _hinge(
    share: np.ndarray[Any, Any], weights: np.ndarray[Any, Any], taus: range
) -> tuple[int, float, float, float, float, float]:
    """Best hinge: (τ, F statistic, baseline share, slope, residual dof, residual sum of
    squares)."""
    t = np.arange(len(share), dtype=float)
    sw = weights.sum()
    mean = float((weights * share).sum() / sw)
    rss0 = float((weights * (share - mean) ** 2).sum())
    best = (taus.start, 0.0, mean, 0.0, float(len(share) - 2), rss0)
    for tau in taus:
        x = np.maximum(0.0, t - tau)
        xm = (weights * x).sum() / sw
        sxx = (weights * (x - xm) ** 2).sum()
        if sxx <= 0:
            continue
        slope = float((weights * (x - xm) * (share - mean)).sum() / sxx)
        intercept = mean - slope * xm
        rss1 = float((weights * (share - intercept - slope * x) ** 2).sum())
        dof = len(share) - 2
        stat = (rss0 - rss1) / max(rss1 / dof, 1e-12)
        if slope > 0 and stat > best[1]:
            best = (tau, stat, float(intercept), slope, float(dof), rss1)
    return best


def _onset(series: np.ndarray[Any, Any]) -> int:
    """The first day with contacts that the next day has contacts too, or that holds a
    fifth of a usual day of the week after it: a stray contact days before an issue
    starts is not its start, the first day of a slowly growing one is."""
    days = np.flatnonzero(series)
    for day in days:
        ahead = series[day : day + 8]
        if day + 1 < len(series) and series[day + 1] > 0:
            return int(day)
        if series[day] >= 0.2 * np.median(ahead[ahead > 0]):
            return int(day)
    return int(days[0])


def _within(
    prepared: PreparedFrame, keys: list[Segment], total: np.ndarray[Any, Any]
) -> list[np.ndarray[Any, Any]]:
    """Daily counts of what each segment is measured within: its attribute for a pair
    segment (attribute × intent or topic), everything for the others."""
    parents: dict[Segment, np.ndarray[Any, Any]] = {}
    out: list[np.ndarray[Any, Any]] = []
    for key in keys:
        parent = tuple((d, v) for d, v in key if d not in ("intent", "topic"))
        if not parent or len(parent) == len(key):
            out.append(total)
            continue
        if parent not in parents:
            parents[parent] = daily_counts(prepared, [prepared.mask(parent)])[0]
        out.append(parents[parent])
    return out


def detect_emerging(
    prepared: PreparedFrame,
    config: EmergingConfig | None = None,
    segments: list[tuple[Segment, np.ndarray[Any, Any]]] | None = None,
) -> list[Detection]:
    """New intents/topics, and intents/topics (overall or in a segment) growing fast."""
    config = config or EmergingConfig()
    if prepared.n_days < config.min_history + config.min_tail:
        return []
    if segments is None:
        segments = list(prepared.segments(min_count=config.min_count))
    segments = [s for s in segments if int(s[1].sum()) >= config.min_count]
    segments = [s for s in segments if any(d in ("intent", "topic", TERM) for d, _ in s[0])]
    if not segments:
        return []
    total = daily_counts(prepared, [np.ones(len(prepared.data), dtype=bool)])[0]
    counts = daily_counts(prepared, [m for _, m in segments])
    within = _within(prepared, [key for key, _ in segments], total)
    weekdays = prepared.days.day_of_week.to_numpy()
    season = weekday_factors(total[None, :], weekdays)[0][weekdays]
    weights = season  # var(count / season) ∝ level / season: weight ∝ season
    t = np.arange(prepared.n_days)
    taus = range(config.min_history, prepared.n_days - config.min_tail)
    candidates: list[tuple[int, float, dict[str, Any]]] = []
    p_values: list[float] = []
    for row, series in enumerate(counts):
        scope = within[row]
        first = _onset(series)
        if first >= config.min_history:
            candidates.append((row, 0.0, {"new": True, "tau": first}))
            p_values.append(0.0)
            continue
        others = (scope - series) / season
        trend = pd.Series(others).rolling(15, center=True, min_periods=5).median().to_numpy()
        common = np.clip(others / np.maximum(trend, 1e-9), 0.5, 2.0)
        level = series / season / common
        tau, stat, base, slope, dof, rss = _hinge(level, weights, taus)
        if stat <= 0:
            continue
        p = min(1.0, len(taus) * float(f_dist.sf(stat, 1, dof)))
        end_level = base + slope * (prepared.n_days - 1 - tau)
        rise = np.maximum(0, t - tau) * slope
        # A rise in one step (an issue that starts on a day) fits a step better than a
        # line: the line's start would come days too early. Its day and levels then.
        step_tau, step_rss, before, after = _step(level, weights, taus)
        if step_rss < rss:
            # The days of a short ramp before the step (a quarter of the way up and
            # more) are part of it: the issue started on the first of them.
            while step_tau > taus.start and level[step_tau - 1] >= before + (after - before) / 4:
                step_tau -= 1
            tau, base, end_level = step_tau, before, after
            rise = np.where(t >= tau, after - before, 0.0)
        # Faster than the rest: the segment's growth over the growth of everything else.
        rest = (scope - series) / season
        rest_growth = rest[-7:].mean() / max(rest[:tau].mean(), 1e-9)
        growth = end_level / max(base, 1e-9) / max(rest_growth, 1e-9)
        extra = float((rise * season).sum())
        info = {"new": False, "tau": tau, "growth": growth, "extra": extra, "base": base}
        candidates.append((row, p, info))
        p_values.append(p)
    if not candidates:
        return []
    q_values = multipletests(np.array(p_values), method="fdr_bh")[1]
    found: list[Detection] = []
    for (row, _, info), q in zip(candidates, q_values, strict=True):
        key, mask = segments[row]
        series = counts[row]
        tau = int(info["tau"])
        after = float(series[tau:].sum())
        if info["new"]:
            if after < config.min_count:
                continue
            growth, extra, magnitude = math.inf, after, 1.0
        else:
            growth, extra = float(info["growth"]), float(info["extra"])
            if q >= config.alpha or growth < config.min_growth or extra < config.min_extra:
                continue
            magnitude = math.log2(growth) / 2.0
        day = prepared.days[tau]
        in_period = mask & (prepared.data["day"] >= day).to_numpy()
        found.append(
            Detection(
                type="emerging",
                segment=key,
                start=day.date(),
                end=prepared.days[-1].date(),
                impact=extra,
                strength=float(min(40.0, norm.isf(max(float(q), 1e-300)))),
                magnitude=magnitude,
                figures={
                    "new": bool(info["new"]),
                    "growth": None if math.isinf(growth) else round(growth, 2),
                    "contacts_since_start": int(after),
                    "extra_contacts": round(extra, 1),
                    # Shares of all contacts before the start and in the last week: the
                    # statement's "from 0.1% to 9% of contacts" (a growth factor from a
                    # near-zero base says nothing).
                    "share_before": round(float(series[:tau].sum() / max(total[:tau].sum(), 1)), 5),
                    "share_after": round(float(series[-7:].sum() / max(total[-7:].sum(), 1)), 5),
                    "q_value": float(q),
                },
                chart={
                    "kind": "daily_share",
                    "x": [d.date().isoformat() for d in prepared.days],
                    "observed": [int(c) for c in series],
                    "share": [
                        round(float(c / max(n, 1.0)), 5) for c, n in zip(series, total, strict=True)
                    ],
                },
                examples=prepared.data.loc[in_period, "id"].head(5).tolist(),
                volume=float(series[:tau].sum()),
                rows=mask,
            )
        )
    return found
