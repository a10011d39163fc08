"""One detection per pattern: overlapping segments that show the same pattern are merged.

Two detections of the same kind whose segments share interactions are compared by
*explaining away*: the pattern of A is recomputed on A's interactions outside B; if
less than ``EXPLAINED`` of it remains, B explains A. When each explains the other (a
segment and its sub-segment, an intent and the queue it lives in), the more
concentrated one (larger magnitude; on a near tie, fewer attributes) is kept. A spike
or drop inside a segment that is emerging is explained by the emergence, and a
segment's low-CSAT driver by a CSAT drop in that same segment. Drivers of one segment
with several outcomes (unresolved contacts that also escalate) are one insight: the
strongest, with the other outcomes among its figures.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from criterio.patterns._frame import PreparedFrame, Segment
from criterio.patterns._types import Detection

__all__ = ["consolidate"]

EXPLAINED = 0.4
#: A much more concentrated sub-segment carrying this share of its parent's pattern is
#: its core, and both are kept (contacts without an intent label still count in the
#: parent: the sub-segment is then the part of the event that can be named).
CORE_SHARE = 0.3
EPISODIC = {"spike", "drop"}
Mask = np.ndarray[Any, np.dtype[np.bool_]]


def _same_kind(a: Detection, b: Detection) -> bool:
    if a.type != b.type or a.figures.get("measure") != b.figures.get("measure"):
        return False
    if a.type not in EPISODIC:
        return True
    slack = timedelta(days=1)
    return a.start <= b.end + slack and b.start <= a.end + slack


class _Effects:
    """The size of a detection's pattern on any subset of its rows."""

    def __init__(self, prepared: PreparedFrame) -> None:
        self.prepared = prepared
        data = prepared.data
        self.day = ((data["day"] - prepared.days[0]).dt.days).to_numpy()
        self.hour = self.day * 24 + data["started_at"].dt.hour.to_numpy()
        self.total = np.bincount(self.day, minlength=prepared.n_days).astype(float)

    def _index(self, when: date) -> int:
        return (when - self.prepared.days[0].date()).days

    def _hour(self, stamp: str) -> int:
        return int((pd.Timestamp(stamp) - self.prepared.days[0]) / pd.Timedelta(hours=1))

    def effect(self, d: Detection, rows: Mask) -> float:
        """The pattern's size (signed) measured on ``rows``."""
        start, end = self._index(d.start), self._index(d.end)
        if d.type in EPISODIC:
            clock, week = self.day, 7
            if "start_time" in d.figures and d.figures.get("granularity") == "hour":
                clock, week = self.hour, 7 * 24
                start, end = self._hour(d.figures["start_time"]), self._hour(d.figures["end_time"])
                end -= 1
            span = (clock >= start) & (clock <= end)
            observed = float((rows & span).sum())
            baseline = 0.0
            for k in range(1, 5):  # the same weekdays (and hours) of the four weeks before
                baseline += float(
                    (rows & (clock >= start - week * k) & (clock <= end - week * k)).sum()
                )
            return observed - baseline / 4
        if d.type == "emerging":
            before, after = rows & (self.day < start), rows & (self.day >= start)
            share_before = before.sum() / max(self.total[:start].sum(), 1.0)
            return float(after.sum() - share_before * self.total[start:].sum())
        if d.type in ("csat_shift", "sentiment_shift"):
            values = self.prepared.data[d.figures["measure"]].to_numpy(dtype=float, na_value=np.nan)
            scored = rows & ~np.isnan(values)
            before, after = scored & (self.day < start), scored & (self.day >= start)
            if before.sum() < 20 or after.sum() < 20:
                return 0.0
            return float(values[after].mean() - values[before].mean())
        if d.type == "driver":
            from criterio.patterns.drivers import outcome_flags

            flags = outcome_flags(self.prepared)[d.figures["measure"]]
            known = rows & flags.notna().to_numpy()
            bad = flags.fillna(False).to_numpy(dtype=bool)
            return float((known & bad).sum() - known.sum() * d.figures["rate_rest"])
        return float(rows.sum())

    def remaining(self, a: Detection, b: Detection) -> float:
        """Share of A's pattern left on A's interactions outside B."""
        full = self.effect(a, a.rows)
        if full == 0:
            return 1.0
        return self.effect(a, a.rows & ~b.rows) / full


def _explains_emerging(effects: _Effects, spike: Detection, emerging: Detection) -> bool:
    """Whether a spike after an emergence is mostly (half or more) the emerging contacts."""
    if spike.start < emerging.start or not (spike.rows & emerging.rows).any():
        return False
    return effects.remaining(spike, emerging) <= 0.5


def _low_csat_of_shift(driver: Detection, shift: Detection) -> bool:
    """A segment's low-CSAT driver is the same pattern as the CSAT drop in that segment."""
    return (
        driver.type == "driver"
        and driver.figures.get("measure") == "low_csat"
        and shift.type == "csat_shift"
        and shift.figures.get("delta", 0) < 0
        and driver.segment == shift.segment
    )


def consolidate(found: list[Detection], prepared: PreparedFrame) -> list[Detection]:
    """The detections left once every pattern is named by one segment only."""
    effects = _Effects(prepared)
    dropped: set[int] = set()
    for i, a in enumerate(found):
        for j in range(i + 1, len(found)):
            b = found[j]
            if a.rows is None or b.rows is None or not (a.rows & b.rows).any():
                continue
            if a.type in EPISODIC and b.type == "emerging" and _explains_emerging(effects, a, b):
                dropped.add(i)
                continue
            if b.type in EPISODIC and a.type == "emerging" and _explains_emerging(effects, b, a):
                dropped.add(j)
                continue
            if _low_csat_of_shift(a, b):
                dropped.add(i)
                continue
            if _low_csat_of_shift(b, a):
                dropped.add(j)
                continue
            if not _same_kind(a, b):
                continue
            if a.segment == b.segment:
                dropped.add(j if a.severity >= b.severity else i)
                continue
            left_a, left_b = effects.remaining(a, b), effects.remaining(b, a)
            a_by_b, b_by_a = left_a < EXPLAINED, left_b < EXPLAINED
            if a_by_b and b_by_a:
                dropped.add(j if _more_concentrated(a, b) else i)
            elif a_by_b and not _core_of(a, b, left_b):
                dropped.add(i)
            elif b_by_a and not _core_of(b, a, left_a):
                dropped.add(j)
    return _one_driver_per_segment([d for k, d in enumerate(found) if k not in dropped])


def _one_driver_per_segment(found: list[Detection]) -> list[Detection]:
    """Drivers of the same segment merged into the most severe, the others as figures."""
    main: dict[Segment, Detection] = {}
    for d in sorted((d for d in found if d.type == "driver"), key=lambda d: -d.severity):
        if d.segment not in main:
            main[d.segment] = d
            continue
        also = main[d.segment].figures.setdefault("other_outcomes", [])
        also.append({k: d.figures[k] for k in ("measure", "rate", "rate_rest", "difference")})
    return [d for d in found if d.type != "driver" or main[d.segment] is d]


def _core_of(a: Detection, b: Detection, left_b: float) -> bool:
    """Whether A, inside B, is the concentrated core of B's pattern (both are kept then).

    An intent that tripled inside a queue that rose by 80% carries most of the queue's
    rise, but not all of it: the queue is its own statement and so is the intent.
    """
    return a.magnitude > 1.3 * b.magnitude and left_b <= 1 - CORE_SHARE


def _more_concentrated(a: Detection, b: Detection) -> bool:
    """Whether A names the pattern better than B."""
    if abs(a.magnitude - b.magnitude) > 0.1 * max(abs(a.magnitude), abs(b.magnitude)):
        return a.magnitude > b.magnitude
    if len(a.segment) != len(b.segment):
        return len(a.segment) < len(b.segment)
    return a.severity >= b.severity
