"""Hourly volume spikes and drops: hours against the day's baseline and the week's hours.

The expected count of hour h of day d in a segment is the segment's daily baseline
(:func:`criterio.patterns.volume.daily_model`: a robust level times a weekday factor)
times the share of that weekday's contacts the segment gets in hour h: its hour-of-week
profile. The profile is estimated without the day being tested (a burst does not raise
its own expectation), pulled towards the segment's hour-of-day profile, itself pulled
towards the tenant's hour-of-week profile, as far as the segment's volume calls for.
Counts are judged under a negative binomial with a robust per-segment dispersion, with
Benjamini–Hochberg over every (segment, hour); a run of flagged hours is one event.

An outage that triples one reason for three hours may add too few contacts to move its
whole day; here it is found, with its hours. Where the daily detector flags the same
segment that day, :func:`merge_hours` gives that event the hours instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from criterio.patterns._frame import PreparedFrame, Segment
from criterio.patterns._types import Detection
from criterio.patterns.volume import (
    VolumeConfig,
    _dispersion,
    _runs,
    _tails,
    credible_ratio,
    daily_model,
    flag_unusual,
    is_new,
    tested_segments,
)

__all__ = ["HourlyConfig", "detect_hourly", "merge_hours"]

HOURS = 24


@dataclass(frozen=True)
class HourlyConfig:
    """Thresholds of the hourly volume detector (stricter than the daily ones: an hour
    holds few contacts, and there are 24 times more of them to test)."""

    enabled: bool = True
    alpha: float = 0.01
    min_ratio: float = 2.0
    max_drop_ratio: float = 0.25
    min_excess: float = 10.0
    #: Contacts' worth of weight that pulls a segment's hour profile towards broader ones.
    prior: float = 200.0
    #: Hours expected to hold fewer contacts than this do not set the dispersion.
    min_expected: float = 1.0


def hourly_counts(
    prepared: PreparedFrame, masks: list[np.ndarray[Any, Any]]
) -> np.ndarray[Any, Any]:
    """Segments × days × 24 matrix of interaction counts (UTC hours)."""
    data = prepared.data
    day_idx = ((data["day"] - prepared.days[0]).dt.days).to_numpy()
    index = day_idx * HOURS + data["started_at"].dt.hour.to_numpy()
    size = prepared.n_days * HOURS
    out = np.zeros((len(masks), prepared.n_days, HOURS))
    for i, mask in enumerate(masks):
        out[i] = np.bincount(index[mask], minlength=size).reshape(prepared.n_days, HOURS)
    return out


def _profiles(
    counts: np.ndarray[Any, Any],
    everyone: np.ndarray[Any, Any],
    weekdays: np.ndarray[Any, Any],
    prior: float,
) -> np.ndarray[Any, Any]:
    """Per segment and day, the share of the day's contacts expected in each hour.

    ``everyone`` is the tenant's days × 24 counts. Leave-one-day-out sums: the day
    tested is not part of its own profile.
    """
    week = np.zeros((counts.shape[0], 7, HOURS))
    tenant = np.zeros((7, HOURS))
    for w in range(7):
        week[:, w] = counts[:, weekdays == w].sum(axis=1)
        tenant[w] = everyone[weekdays == w].sum(axis=0)
    tenant_share = tenant / np.maximum(tenant.sum(axis=1, keepdims=True), 1.0)  # 7 × 24
    own_week = week[:, weekdays] - counts  # S × D × 24, without the day itself
    own_day = counts.sum(axis=1, keepdims=True) - counts
    day_prior = (own_day + prior * tenant_share[weekdays][None]) / (
        own_day.sum(axis=2, keepdims=True) + prior
    )
    return (own_week + prior * day_prior) / (  # type: ignore[no-any-return]
        own_week.sum(axis=2, keepdims=True) + prior
    )


def detect_hourly(
    prepared: PreparedFrame,
    config: HourlyConfig | None = None,
    segments: list[tuple[Segment, np.ndarray[Any, Any]]] | None = None,
    volume: VolumeConfig | None = None,
) -> list[Detection]:
    """Spikes and drops in hourly volume, one detection per run of flagged hours."""
    config, volume = config or HourlyConfig(), volume or VolumeConfig()
    if not config.enabled or prepared.n_days < volume.min_history + 1:
        return []
    segments = tested_segments(prepared, segments, volume.min_count)
    if not segments:
        return []
    masks = [m for _, m in segments]
    daily = daily_model(prepared, masks, volume)
    counts = hourly_counts(prepared, masks)
    everyone = hourly_counts(prepared, [np.ones(len(prepared.data), dtype=bool)])[0]
    weekdays = prepared.days.day_of_week.to_numpy()
    profiles = _profiles(counts, everyone, weekdays, config.prior)
    expected = daily.expected[:, :, None] * profiles
    shape = (len(segments), prepared.n_days * HOURS)
    counts, expected = counts.reshape(shape), expected.reshape(shape)
    valid = np.repeat(daily.valid, HOURS, axis=1)
    safe = np.where(valid, np.maximum(expected, 0.05), 1.0)
    alpha = _dispersion(counts, safe, valid & (safe >= config.min_expected))
    p_up, p_down = _tails(counts, safe, alpha)
    flagged = flag_unusual(counts, safe, valid, p_up, p_down, config)
    if flagged is None:
        return []
    found: list[Detection] = []
    for kind, flags, q in (
        ("spike", flagged.spike, flagged.q_up),
        ("drop", flagged.drop, flagged.q_down),
    ):
        for row in np.flatnonzero(flags.any(axis=1)):
            for start, end in _runs(flags[row]):
                if is_new(daily.counts[row], start // HOURS):
                    continue
                found.append(
                    _detection(
                        kind,
                        prepared,
                        segments[row],
                        (counts[row], safe[row], q[row]),
                        (start, end),
                        volume,
                    )
                )
    return found


def _detection(
    kind: str,
    prepared: PreparedFrame,
    segment: tuple[Segment, np.ndarray[Any, Any]],
    series: tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]],
    run: tuple[int, int],
    volume: VolumeConfig,
) -> Detection:
    key, mask = segment
    counts, expected, q = series
    start, end = run
    span = slice(start, end + 1)
    observed, baseline = float(counts[span].sum()), float(expected[span].sum())
    credible = credible_ratio(observed, baseline)
    size = math.log2(credible) if kind == "spike" else -math.log2(max(credible, 1 / 16))
    origin = prepared.days[0]
    first = origin + pd.Timedelta(hours=start)
    last = origin + pd.Timedelta(hours=end + 1)
    first_day, last_day = first.date(), (last - timedelta(seconds=1)).date()
    stamps = prepared.data["started_at"]
    in_period = mask & (stamps >= first).to_numpy() & (stamps < last).to_numpy()
    # The chart shows the whole days the run falls on, hour by hour.
    lo, hi = (start // HOURS) * HOURS, (end // HOURS + 1) * HOURS
    return Detection(
        type=kind,
        segment=key,
        start=first_day,
        end=last_day,
        impact=abs(observed - baseline),
        strength=float(min(40.0, norm.isf(max(float(q[span].min()), 1e-300)))),
        magnitude=size / 2.0,
        figures={
            "observed": int(observed),
            "expected": round(baseline, 1),
            "ratio": round(observed / max(baseline, 1e-9), 2),
            "granularity": "hour",
            "start_time": first.isoformat(),
            "end_time": last.isoformat(),
            "hours": end - start + 1,
            "days": (last_day - first_day).days + 1,
            "q_value": float(q[span].min()),
            "baseline_days": min(start // HOURS, volume.baseline_days),
        },
        chart={
            "kind": "hourly_volume",
            "x": [(origin + pd.Timedelta(hours=h)).isoformat() for h in range(lo, hi)],
            "observed": [int(c) for c in counts[lo:hi]],
            "expected": [round(float(e), 2) for e in expected[lo:hi]],
            "highlight": [first.isoformat(), (last - pd.Timedelta(hours=1)).isoformat()],
        },
        examples=prepared.data.loc[in_period, "id"].head(5).tolist(),
        volume=float(counts[: (start // HOURS) * HOURS].sum()),
        rows=mask,
    )


def merge_hours(daily: list[Detection], hourly: list[Detection]) -> list[Detection]:
    """Hourly detections that a daily one of the same kind and segment already reports
    become that event's hours (``start_time``/``end_time``); the rest are returned."""
    left: list[Detection] = []
    for hour in hourly:
        same = [
            d
            for d in daily
            if d.type == hour.type
            and d.segment == hour.segment
            and d.start <= hour.end
            and hour.start <= d.end
        ]
        if not same:
            left.append(hour)
            continue
        for day in same:
            figures = day.figures
            start, end = hour.figures["start_time"], hour.figures["end_time"]
            figures["start_time"] = min(figures.get("start_time", start), start)
            figures["end_time"] = max(figures.get("end_time", end), end)
    return left
