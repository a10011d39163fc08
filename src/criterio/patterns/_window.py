"""The period an export really covers: where its days hold contacts at their usual rate.

Exports carry stray records dated long before the rest (a thread quoting a tweet from
2013), a ramp-up while collection starts and a wind-down while it stops. None of these
days is comparable with a full day of the operation: a baseline made of them expects
a fraction of the real level (every later day reads as a spike, or nothing can be
tested), and the ramp-up itself reads as a drop. The active window leaves them out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["active_window", "weekday_factors"]

#: First, days before the first (after the last) day holding ``RAW_SHARE`` of a usual
#: day are left out (years of stray records, a trickle before collection starts); then
#: a leading or trailing day holding less than ``SEASONAL_SHARE`` of the level the
#: operation reaches within ``HORIZON`` days of it, counts divided by the weekly
#: profile (a quiet Sunday at the edge is not a ramp-up).
RAW_SHARE = 0.1
SEASONAL_SHARE = 0.25
HORIZON = 28


def weekday_factors(
    counts: np.ndarray[Any, Any], weekdays: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """Per-row weekly profile (7 factors averaging 1): count over centred 7-day mean."""
    frame = pd.DataFrame(counts.T)
    smooth = frame.rolling(7, center=True, min_periods=4).mean().to_numpy().T
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(smooth > 0, counts / smooth, np.nan)
    factors = np.ones((counts.shape[0], 7))
    for w in range(7):
        cols = weekdays == w
        if cols.any():
            factors[:, w] = np.nan_to_num(np.nanmedian(ratio[:, cols], axis=1), nan=1.0)
    factors = np.clip(factors, 0.05, None)
    return factors / factors.mean(axis=1, keepdims=True)  # type: ignore[no-any-return]


def _edges(level: np.ndarray[Any, Any], share: float) -> tuple[int, int]:
    """First and last day whose level reaches ``share`` of the usual level near them.

    The usual level near a day is the highest 7-day median within ``HORIZON`` days
    ahead of it (for the start) or behind it (for the end): a day of the ramp-up is
    compared with the full days that follow it, not with the trickle around it.
    """
    n = len(level)
    typical = pd.Series(level).rolling(7, center=True, min_periods=4).median().fillna(0.0)
    values = typical.to_numpy()
    ahead = pd.Series(values[::-1]).rolling(HORIZON, min_periods=1).max().to_numpy()[::-1]
    behind = pd.Series(values).rolling(HORIZON, min_periods=1).max().to_numpy()
    first = next((i for i in range(n) if ahead[i] > 0 and level[i] >= share * ahead[i]), 0)
    last = next(
        (i for i in range(n - 1, first - 1, -1) if behind[i] > 0 and level[i] >= share * behind[i]),
        n - 1,
    )
    return first, last


def active_window(counts: np.ndarray[Any, Any], weekdays: np.ndarray[Any, Any]) -> tuple[int, int]:
    """Indices of the first and last day of the period the daily ``counts`` really cover."""
    if len(counts) < 2:
        return 0, len(counts) - 1
    # The usual day as the contacts see it (half of them fall on days at least this
    # busy): stray records, however many days they span, do not move it.
    order = np.sort(counts)
    typical = float(order[np.searchsorted(np.cumsum(order), order.sum() / 2)])
    busy = np.flatnonzero(counts >= RAW_SHARE * typical)
    first, last = int(busy[0]), int(busy[-1])
    inside = counts[first : last + 1].astype(float)
    days = weekdays[first : last + 1]
    factors = weekday_factors(inside[None, :], days)[0]
    lo, hi = _edges(inside / factors[days], SEASONAL_SHARE)
    return first + lo, first + hi
