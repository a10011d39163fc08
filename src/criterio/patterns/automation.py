"""Automation opportunities: frequent, repetitive contact reasons people handle today.

A reason (intent, else topic) qualifies when it is a material share of all contacts,
mostly handled by people, and repetitive: most of its contacts close the same way (one
resolution code dominates) and get resolved. Its size is the human-handled volume per
30 days that a confident automation could take.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from criterio.patterns._frame import PreparedFrame
from criterio.patterns._types import Detection

__all__ = ["AutomationConfig", "detect_automation"]


@dataclass(frozen=True)
class AutomationConfig:
    """Thresholds of the automation-opportunity detector."""

    min_share: float = 0.03
    min_count: int = 50
    min_human_share: float = 0.5
    min_repetition: float = 0.6
    min_resolved: float = 0.7


def detect_automation(
    prepared: PreparedFrame, config: AutomationConfig | None = None
) -> list[Detection]:
    """One detection per frequent, repetitive, human-handled contact reason."""
    config = config or AutomationConfig()
    reason = "intent" if prepared.has("intent") else "topic" if prepared.has("topic") else None
    if reason is None or not len(prepared.data):
        return []
    data = prepared.data
    total = len(data)
    months = max(prepared.n_days / 30.0, 1 / 30.0)
    found: list[Detection] = []
    for value, group in data.groupby(reason, dropna=True):
        n = len(group)
        if n < config.min_count or n / total < config.min_share:
            continue
        handled = group["handled_by"].dropna() if "handled_by" in group else None
        human = 1.0 if handled is None or handled.empty else float((handled == "human").mean())
        if human < config.min_human_share:
            continue
        repetition, top_code = _repetition(group)
        resolved = group["resolved"].dropna() if "resolved" in group else None
        resolved_rate = None if resolved is None or resolved.empty else float(resolved.mean())
        if repetition is None and resolved_rate is None:
            continue
        if repetition is not None and repetition < config.min_repetition:
            continue
        if resolved_rate is not None and resolved_rate < config.min_resolved:
            continue
        per_month = n * human / months
        automatable = per_month * (repetition if repetition is not None else resolved_rate or 0.0)
        found.append(
            Detection(
                type="automation_opportunity",
                segment=((reason, str(value)),),
                start=prepared.days[0].date(),
                end=prepared.days[-1].date(),
                impact=automatable,
                strength=10.0,
                magnitude=0.6 * min(1.0, math.sqrt(n / total / 0.2)),
                figures={
                    "contacts": n,
                    "contacts_per_30_days": round(n / months, 1),
                    "human_share": round(human, 3),
                    "repetition": None if repetition is None else round(repetition, 3),
                    "top_resolution": top_code,
                    "resolved_rate": None if resolved_rate is None else round(resolved_rate, 3),
                    "automatable_per_30_days": round(automatable, 1),
                },
                chart={
                    "kind": "automation",
                    "labels": ["human", "bot"],
                    "values": [round(n * human), round(n * (1 - human))],
                },
                examples=group["id"].head(5).tolist(),
                volume=float(n),
                # An interaction without a reason (NA) is outside the segment, not unknown.
                rows=prepared.mask(((reason, str(value)),)),
            )
        )
    return found


def _repetition(group: pd.DataFrame) -> tuple[float | None, str | None]:
    """Share of the most common resolution code, and that code (None when unknown)."""
    if "resolution_code" not in group:
        return None, None
    codes = group["resolution_code"].dropna()
    if codes.empty:
        return None, None
    counts = codes.value_counts()
    return float(counts.iloc[0] / counts.sum()), str(counts.index[0])
