"""Sentiment and CSAT shifts: the most likely change point of a segment's mean.

For every candidate day τ the mean before and from τ are compared with a two-sample
z statistic (pooled within-group variance of the individual scores); the best τ's
p-value is Bonferroni-corrected for the scan (a CUSUM-style single change point)
and Benjamini–Hochberg across segments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import norm
from statsmodels.stats.multitest import multipletests

from criterio.patterns._frame import PreparedFrame, Segment
from criterio.patterns._types import Detection

__all__ = ["ShiftConfig", "detect_shifts"]

#: Per measure: insight type, the change counted as a full-size shift, minimum change.
MEASURES = {
    "csat": ("csat_shift", 1.0, 0.3),
    "sentiment": ("sentiment_shift", 0.5, 0.15),
}


@dataclass(frozen=True)
class ShiftConfig:
    """Thresholds of the shift detector."""

    alpha: float = 0.001
    min_count: int = 60
    min_side: int = 30
    min_history: int = 7
    min_tail: int = 3


def _best_split(
    n: np.ndarray[Any, Any], s: np.ndarray[Any, Any], ss: np.ndarray[Any, Any], taus: range
) -> tuple[int, float, float, float]:
    """(τ, z, mean before, mean after) of the largest standardised mean change."""
    cn, cs = np.cumsum(n), np.cumsum(s)
    total_n, total_s, total_ss = cn[-1], cs[-1], ss.sum()
    idx = np.array(list(taus)) - 1
    n0, s0 = cn[idx], cs[idx]
    n1, s1 = total_n - n0, total_s - s0
    ok = (n0 > 1) & (n1 > 1)
    if not ok.any():
        return taus.start, 0.0, 0.0, 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        m0, m1 = s0 / n0, s1 / n1
        within = (total_ss - n0 * m0**2 - n1 * m1**2) / np.maximum(total_n - 2, 1)
        z = (m1 - m0) / np.sqrt(np.maximum(within, 1e-9) * (1 / n0 + 1 / n1))
    z = np.where(ok, z, 0.0)
    best = int(np.argmax(np.abs(z)))
    return int(idx[best] + 1), float(z[best]), float(m0[best]), float(m1[best])


def detect_shifts(
    prepared: PreparedFrame,
    config: ShiftConfig | None = None,
    segments: list[tuple[Segment, np.ndarray[Any, Any]]] | None = None,
) -> list[Detection]:
    """CSAT and sentiment change points in every segment with enough scores."""
    config = config or ShiftConfig()
    found: list[Detection] = []
    taus = range(config.min_history, prepared.n_days - config.min_tail + 1)
    if len(taus) < 1:
        return found
    if segments is None:
        segments = list(prepared.segments(min_count=config.min_count))
    day_idx = ((prepared.data["day"] - prepared.days[0]).dt.days).to_numpy()
    for measure, (kind, full, min_delta) in MEASURES.items():
        if not prepared.has(measure):
            continue
        values = prepared.data[measure].to_numpy(dtype=float, na_value=np.nan)
        scored = ~np.isnan(values)
        rows: list[
            tuple[int, int, float, float, float, np.ndarray[Any, Any], np.ndarray[Any, Any]]
        ] = []
        p_values: list[float] = []
        for row, (_, mask) in enumerate(segments):
            sel = mask & scored
            if int(sel.sum()) < config.min_count:
                continue
            d, v = day_idx[sel], values[sel]
            n = np.bincount(d, minlength=prepared.n_days).astype(float)
            s = np.bincount(d, weights=v, minlength=prepared.n_days)
            ss = np.bincount(d, weights=v * v, minlength=prepared.n_days)
            tau, z, m0, m1 = _best_split(n, s, ss, taus)
            p = min(1.0, len(taus) * 2 * float(norm.sf(abs(z))))
            rows.append((row, tau, z, m0, m1, n, s))
            p_values.append(p)
        if not rows:
            continue
        q_values = multipletests(np.array(p_values), method="fdr_bh")[1]
        for (row, tau, _z, m0, m1, n, s), q in zip(rows, q_values, strict=True):
            delta = m1 - m0
            n0, n1 = float(n[:tau].sum()), float(n[tau:].sum())
            if q >= config.alpha or abs(delta) < min_delta or min(n0, n1) < config.min_side:
                continue
            key, mask = segments[row]
            first = prepared.days[tau]
            after = mask & scored & (prepared.data["day"] >= first).to_numpy()
            # Examples on the side of the change: the lowest scores after a drop.
            order = np.argsort(values[after]) if delta < 0 else np.argsort(-values[after])
            ids = prepared.data.loc[after, "id"].to_numpy()[order][:5]
            with np.errstate(divide="ignore", invalid="ignore"):
                daily = np.where(n > 0, s / n, np.nan)
            found.append(
                Detection(
                    type=kind,
                    segment=key,
                    start=first.date(),
                    end=prepared.days[-1].date(),
                    impact=n1 * abs(delta) / full,
                    strength=float(min(40.0, norm.isf(max(float(q), 1e-300)))),
                    magnitude=abs(delta) / full,
                    figures={
                        "measure": measure,
                        "before": round(m0, 2),
                        "after": round(m1, 2),
                        "delta": round(delta, 2),
                        "scored_before": int(n0),
                        "scored_after": int(n1),
                        "q_value": float(q),
                    },
                    chart={
                        "kind": f"daily_{measure}",
                        "x": [d.date().isoformat() for d in prepared.days],
                        "mean": [None if np.isnan(x) else round(float(x), 3) for x in daily],
                        "count": [int(c) for c in n],
                    },
                    examples=[str(i) for i in ids],
                    volume=n0,
                    rows=mask,
                )
            )
    return found
