"""Pattern detectors over analysed interactions: volume (daily and hourly), emerging
reasons, shifts, drivers.

Detectors are pure functions of a table of interactions (a pandas DataFrame with
``id``, ``started_at`` and whatever optional columns exist: ``attributes.*``,
``channel``, ``intent`` or ``labels.intent``, ``topic``, ``sentiment``, ``csat``,
``resolved``, ``escalated``, ``customer_id``, ``handled_by``, ``resolution_code``).
"""

from criterio.patterns._frame import PreparedFrame, Segment, prepare_frame, segment_key
from criterio.patterns._types import INSIGHT_TYPES, Detection, severity_score
from criterio.patterns.automation import AutomationConfig, detect_automation
from criterio.patterns.detect import DetectConfig, consolidate, detect_patterns, explain
from criterio.patterns.drivers import DriverConfig, detect_drivers, outcome_flags
from criterio.patterns.emerging import EmergingConfig, detect_emerging
from criterio.patterns.hourly import HourlyConfig, detect_hourly
from criterio.patterns.shifts import ShiftConfig, detect_shifts
from criterio.patterns.statements import segment_phrase, statement
from criterio.patterns.volume import VolumeConfig, detect_volume

__all__ = [
    "INSIGHT_TYPES",
    "AutomationConfig",
    "DetectConfig",
    "Detection",
    "DriverConfig",
    "EmergingConfig",
    "HourlyConfig",
    "PreparedFrame",
    "Segment",
    "ShiftConfig",
    "VolumeConfig",
    "consolidate",
    "detect_automation",
    "detect_drivers",
    "detect_emerging",
    "detect_hourly",
    "detect_patterns",
    "detect_shifts",
    "detect_volume",
    "explain",
    "outcome_flags",
    "prepare_frame",
    "segment_key",
    "segment_phrase",
    "severity_score",
    "statement",
]
