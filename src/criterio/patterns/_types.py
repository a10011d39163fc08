"""What a detector finds: one detection, before it becomes an insight."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from criterio.patterns._frame import Segment

__all__ = ["INSIGHT_TYPES", "Detection", "severity_score"]

INSIGHT_TYPES = (
    "spike",
    "drop",
    "emerging",
    "sentiment_shift",
    "csat_shift",
    "driver",
    "automation_opportunity",
)


@dataclass
class Detection:
    """A pattern found in one segment over one period, with its figures and evidence."""

    type: str
    segment: Segment
    start: date
    end: date
    #: Interactions the pattern involves (extra contacts, outcomes in excess, ...): what
    #: a parent segment and its child are compared by when one may explain the other.
    impact: float
    #: Normal-equivalent strength of the evidence (z of the adjusted p-value).
    strength: float
    #: Size of the change on a 0..1 scale (1 = a fourfold change, a full CSAT point, ...).
    magnitude: float
    figures: dict[str, Any] = field(default_factory=dict)
    chart: dict[str, Any] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)
    severity: float = 0.0
    #: Interactions in the segment in the baseline (tells a child from a renamed parent).
    volume: float = 0.0
    #: Row mask of the segment in the analysed table (not stored; used to consolidate).
    rows: Any = field(default=None, repr=False, compare=False)

    @property
    def segment_dict(self) -> dict[str, str]:
        """The segment as a JSON object."""
        return dict(self.segment)


def severity_score(detection: Detection, weekly_volume: float) -> float:
    """0..100: evidence strength, impact relative to the tenant's volume, and size."""
    strength = min(1.0, max(0.0, detection.strength) / 10.0)
    reference = max(weekly_volume / 10.0, 10.0)
    impact = min(1.0, math.log1p(max(detection.impact, 0.0)) / math.log1p(reference))
    magnitude = min(1.0, max(0.0, detection.magnitude))
    return round(100.0 * (0.3 * strength + 0.3 * impact + 0.4 * magnitude), 1)
