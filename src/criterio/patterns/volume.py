"""Volume spikes and drops: daily counts against a weekday-seasonal, robust baseline.

For each segment the expected count of a day is a level (median of the de-seasonalised
counts of the previous four weeks, so earlier spikes do not raise it) times a weekday
factor (the tenant's weekly profile, blended with the segment's own when it has the
volume to estimate it). Counts are judged under a negative binomial whose dispersion
is estimated robustly per segment (real contact volumes are overdispersed, more so
than a Poisson at every size); p-values of every (segment, day) are controlled
together with Benjamini–Hochberg. Consecutive flagged days form one event with its start,
end, peak ratio and excess contacts.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
from scipy.stats import nbinom, norm
from statsmodels.stats.multitest import multipletests

from criterio.patterns._frame import PreparedFrame, Segment
from criterio.patterns._types import Detection
from criterio.patterns._window import weekday_factors

__all__ = [
    "DailyModel",
    "VolumeConfig",
    "credible_ratio",
    "daily_counts",
    "daily_model",
    "detect_volume",
    "flag_unusual",
    "is_new",
    "weekday_factors",
]

CHI2_MEDIAN = 0.4549
MIN_DISPERSION = 0.01
#: Contacts added to both sides of a ratio before it counts as the size of an event:
#: 30 against 10 is less sure a tripling than 300 against 100, and ranks below it.
RATIO_PRIOR = 10.0


def credible_ratio(observed: float, expected: float) -> float:
    """Observed over expected, pulled towards 1 the fewer contacts it rests on."""
    return (observed + RATIO_PRIOR) / (expected + RATIO_PRIOR)


@dataclass(frozen=True)
class VolumeConfig:
    """Thresholds of the volume detector."""

    alpha: float = 0.05
    min_ratio: float = 1.5
    max_drop_ratio: float = 0.5
    min_excess: float = 8.0
    min_count: int = 60
    baseline_days: int = 28
    min_history: int = 14
    #: An edge day is tested only when it can hold this share of a usual day's contacts.
    min_day_coverage: float = 0.9
    #: A day next to a flagged day joins its event at this (unadjusted) p-value and ratio.
    neighbour_p: float = 0.01
    neighbour_ratio: float = 1.25


def daily_counts(
    prepared: PreparedFrame, masks: list[np.ndarray[Any, Any]]
) -> np.ndarray[Any, Any]:
    """Segments × days matrix of interaction counts."""
    day_idx = ((prepared.data["day"] - prepared.days[0]).dt.days).to_numpy()
    out = np.zeros((len(masks), prepared.n_days))
    for i, mask in enumerate(masks):
        out[i] = np.bincount(day_idx[mask], minlength=prepared.n_days)
    return out


def _expected(
    counts: np.ndarray[Any, Any],
    factors: np.ndarray[Any, Any],
    weekdays: np.ndarray[Any, Any],
    config: VolumeConfig,
) -> np.ndarray[Any, Any]:
    season = factors[:, weekdays]
    deseason = pd.DataFrame((counts / season).T)
    level = (
        deseason.rolling(config.baseline_days, min_periods=config.min_history)
        .median()
        .shift(1)
        .to_numpy()
        .T
    )
    # Warm-up days (too little history before them) get the robust level of the first
    # ``min_history`` days: a month-long export is analysed retrospectively, and an
    # event in its first fortnight must still be testable. The median of that window
    # is not moved by the event day itself.
    level = level.copy()
    warmup = deseason.iloc[: config.min_history].median().to_numpy()
    head = level[:, : config.min_history]
    level[:, : config.min_history] = np.where(np.isnan(head), warmup[:, None], head)
    return level * season  # type: ignore[no-any-return]


@dataclass
class DailyModel:
    """Segments × days: counts, expected counts, which days are tested, and dispersion."""

    counts: np.ndarray[Any, Any]
    expected: np.ndarray[Any, Any]
    valid: np.ndarray[Any, Any]
    dispersion: np.ndarray[Any, Any]


def daily_model(
    prepared: PreparedFrame, masks: list[np.ndarray[Any, Any]], config: VolumeConfig
) -> DailyModel:
    """Each segment's daily counts against its weekday-seasonal, robust baseline."""
    counts = daily_counts(prepared, masks)
    weekdays = prepared.days.day_of_week.to_numpy()
    tenant = weekday_factors(counts[:1].sum(axis=0, keepdims=True), weekdays)
    own = weekday_factors(counts, weekdays)
    # The segment's own weekly profile counts as far as its volume can estimate it.
    weight = np.clip(counts.mean(axis=1, keepdims=True) / 30.0, 0.0, 1.0)
    factors = weight * own + (1 - weight) * tenant
    expected = _expected(counts, factors, weekdays, config)
    valid = ~np.isnan(expected)
    # Partial edge days (the data starts or stops mid-day) would read as drops.
    first_share, last_share = prepared.day_coverage()
    valid[:, 0] &= first_share >= config.min_day_coverage
    valid[:, -1] &= last_share >= config.min_day_coverage
    safe = np.where(valid, np.maximum(expected, 0.5), 1.0)
    return DailyModel(counts, safe, valid, _dispersion(counts, safe, valid))


def detect_volume(
    prepared: PreparedFrame,
    config: VolumeConfig | None = None,
    segments: list[tuple[Segment, np.ndarray[Any, Any]]] | None = None,
) -> list[Detection]:
    """Spikes and drops in daily volume, one detection per run of flagged days."""
    config = config or VolumeConfig()
    if prepared.n_days < config.min_history + 1:
        return []
    segments = tested_segments(prepared, segments, config.min_count)
    if not segments:
        return []
    model = daily_model(prepared, [m for _, m in segments], config)
    counts, safe, valid = model.counts, model.expected, model.valid
    p_up, p_down = _tails(counts, safe, model.dispersion)
    flagged = flag_unusual(counts, safe, valid, p_up, p_down, config)
    if flagged is None:
        return []
    ratio = counts / safe
    # A flagged day's neighbour that is clearly out of line too belongs to the same
    # event (a two-day event whose first day alone would not pass the strict test).
    spike = _grow(
        flagged.spike, valid & (p_up < config.neighbour_p) & (ratio >= config.neighbour_ratio)
    )
    drop = _grow(
        flagged.drop, valid & (p_down < config.neighbour_p) & (ratio <= 1 / config.neighbour_ratio)
    )
    q_up, q_down = flagged.q_up, flagged.q_down
    found: list[Detection] = []
    for kind, flags, q in (("spike", spike, q_up), ("drop", drop, q_down)):
        for row in np.flatnonzero(flags.any(axis=1)):
            for start, end in _runs(flags[row]):
                if is_new(counts[row], start):
                    continue
                found.append(
                    _detection(
                        kind,
                        prepared,
                        segments[row],
                        counts[row],
                        safe[row],
                        valid[row],
                        q[row],
                        start,
                        end,
                        config,
                    )
                )
    return found


class Limits(Protocol):
    """The thresholds a spike or drop must pass (VolumeConfig and HourlyConfig have them)."""

    @property
    def alpha(self) -> float: ...
    @property
    def min_ratio(self) -> float: ...
    @property
    def max_drop_ratio(self) -> float: ...
    @property
    def min_excess(self) -> float: ...


@dataclass(frozen=True)
class Flags:
    """Cells flagged as spikes and drops, and the FDR-adjusted tail of every cell."""

    spike: np.ndarray[Any, Any]
    drop: np.ndarray[Any, Any]
    q_up: np.ndarray[Any, Any]
    q_down: np.ndarray[Any, Any]


def tested_segments(
    prepared: PreparedFrame,
    segments: list[tuple[Segment, np.ndarray[Any, Any]]] | None,
    min_count: int,
) -> list[tuple[Segment, np.ndarray[Any, Any]]]:
    """The given segments (default: every segment of the frame) with enough contacts."""
    if segments is None:
        segments = list(prepared.segments(min_count=min_count))
    return [s for s in segments if int(s[1].sum()) >= min_count]


def flag_unusual(
    counts: np.ndarray[Any, Any],
    expected: np.ndarray[Any, Any],
    valid: np.ndarray[Any, Any],
    p_up: np.ndarray[Any, Any],
    p_down: np.ndarray[Any, Any],
    limits: Limits,
) -> Flags | None:
    """Spikes and drops among the valid cells: both tails of every cell are adjusted
    together (Benjamini–Hochberg), and a flag also needs the ratio and the excess of
    ``limits``. ``None`` when no cell can be tested."""
    n = int(valid.sum())
    if n == 0:
        return None
    q_all = multipletests(np.concatenate([p_up[valid], p_down[valid]]), method="fdr_bh")[1]
    q_up, q_down = np.ones_like(expected), np.ones_like(expected)
    q_up[valid], q_down[valid] = q_all[:n], q_all[n:]
    ratio = counts / expected
    spike = valid & (q_up < limits.alpha) & (ratio >= limits.min_ratio)
    spike &= counts - expected >= limits.min_excess
    drop = valid & (q_down < limits.alpha) & (ratio <= limits.max_drop_ratio)
    drop &= expected - counts >= limits.min_excess
    return Flags(spike, drop, q_up, q_down)


def is_new(counts: np.ndarray[Any, Any], start: int) -> bool:
    """Whether a segment had contacts on fewer than half of the days before ``start``.

    Such a segment is new (an issue that did not exist), not spiking: that is the
    emerging detector's finding, and a ratio against a baseline of nothing means nothing.
    """
    return start > 0 and bool((counts[:start] > 0).mean() < 0.5)


def _grow(flags: np.ndarray[Any, Any], lenient: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Flags extended by one day on each side where the lenient test holds."""
    before = np.zeros_like(flags)
    before[:, :-1] = flags[:, 1:]
    after = np.zeros_like(flags)
    after[:, 1:] = flags[:, :-1]
    return flags | (lenient & (before | after))


def _dispersion(
    counts: np.ndarray[Any, Any], expected: np.ndarray[Any, Any], valid: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """Per-segment negative-binomial dispersion α (variance = μ + αμ²), robustly.

    α is set so that the median of (count − μ)² / (μ + αμ²) is 0.455, the median of a
    χ²₁ variable: a median, so the spikes being looked for do not inflate it.
    """
    sq = np.where(valid, (counts - expected) ** 2, np.nan)
    low, high = np.zeros(len(counts)), np.full(len(counts), 4.0)
    for _ in range(40):  # bisection on α, all segments at once
        mid = (low + high) / 2
        var = expected + mid[:, None] * expected**2
        with warnings.catch_warnings():  # a segment with no usable cell: NaN, floored below
            warnings.simplefilter("ignore", RuntimeWarning)
            med = np.nanmedian(sq / var, axis=1)
        too_small = np.nan_to_num(med, nan=0.0) > CHI2_MEDIAN
        low, high = np.where(too_small, mid, low), np.where(too_small, high, mid)
    # The floor stands for the error of the baseline itself (a median of four weeks).
    return np.asarray(np.maximum(high, MIN_DISPERSION))


def _tails(
    counts: np.ndarray[Any, Any], expected: np.ndarray[Any, Any], alpha: np.ndarray[Any, Any]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Upper and lower tail p-values of each count under NB(μ = expected, α)."""
    size = 1.0 / alpha[:, None]
    prob = size / (size + expected)
    return nbinom.sf(counts - 1, size, prob), nbinom.cdf(counts, size, prob)


def _runs(flags: np.ndarray[Any, Any]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    start = None
    for i, flag in enumerate(flags):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append((start, i - 1))
            start = None
    if start is not None:
        runs.append((start, len(flags) - 1))
    return runs


def _detection(
    kind: str,
    prepared: PreparedFrame,
    segment: tuple[Segment, np.ndarray[Any, Any]],
    counts: np.ndarray[Any, Any],
    expected: np.ndarray[Any, Any],
    history: np.ndarray[Any, Any],
    q: np.ndarray[Any, Any],
    start: int,
    end: int,
    config: VolumeConfig,
) -> Detection:
    key, mask = segment
    span = slice(start, end + 1)
    observed, baseline = float(counts[span].sum()), float(expected[span].sum())
    ratios = counts[span] / expected[span]
    peak = float(ratios.max() if kind == "spike" else ratios.min())
    strength = float(min(40.0, norm.isf(max(float(q[span].min()), 1e-300))))
    credible = credible_ratio(observed, baseline)
    size = math.log2(credible) if kind == "spike" else -math.log2(max(credible, 1 / 16))
    first, last = prepared.days[start], prepared.days[end]
    in_period = mask & (prepared.data["day"] >= first).to_numpy()
    in_period &= (prepared.data["day"] <= last).to_numpy()
    return Detection(
        type=kind,
        segment=key,
        start=first.date(),
        end=last.date(),
        impact=abs(observed - baseline),
        strength=strength,
        magnitude=size / 2.0,
        figures={
            "observed": int(observed),
            "expected": round(baseline, 1),
            "ratio": round(peak, 2),
            "peak_day": prepared.days[
                start + int(np.argmax(np.abs(np.log(np.maximum(ratios, 1e-9)))))
            ]
            .date()
            .isoformat(),
            "days": end - start + 1,
            "q_value": float(q[span].min()),
            # Days of data before the event (below min_history: a warm-up baseline).
            "baseline_days": min(start, config.baseline_days),
        },
        chart={
            "kind": "daily_volume",
            "x": [d.date().isoformat() for d in prepared.days],
            "observed": [int(c) for c in counts],
            "expected": [
                round(float(e), 1) if h else None for e, h in zip(expected, history, strict=True)
            ],
        },
        examples=prepared.data.loc[in_period, "id"].head(5).tolist(),
        volume=float(counts[:start].sum()),
        rows=mask,
    )
