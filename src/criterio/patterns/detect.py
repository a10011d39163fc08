"""Running every detector on a table of interactions, and consolidating what they find."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from criterio.patterns._consolidate import consolidate
from criterio.patterns._families import cap_families, group_drivers
from criterio.patterns._frame import PreparedFrame, prepare_frame
from criterio.patterns._types import Detection, severity_score
from criterio.patterns.automation import AutomationConfig, detect_automation
from criterio.patterns.drivers import DriverConfig, detect_drivers
from criterio.patterns.emerging import EmergingConfig, detect_emerging
from criterio.patterns.hourly import HourlyConfig, detect_hourly, merge_hours
from criterio.patterns.shifts import ShiftConfig, detect_shifts
from criterio.patterns.volume import VolumeConfig, detect_volume

__all__ = ["DetectConfig", "consolidate", "detect_patterns", "explain"]

#: Severity weight of an event tested against a warm-up baseline (the first days of
#: data, before ``min_history`` days exist): it rises to 1 as the history fills.
WARMUP_WEIGHT = 0.7


@dataclass(frozen=True)
class DetectConfig:
    """Settings of every detector, and the smallest segment looked at."""

    min_segment: int = 30
    volume: VolumeConfig = field(default_factory=VolumeConfig)
    hourly: HourlyConfig = field(default_factory=HourlyConfig)
    emerging: EmergingConfig = field(default_factory=EmergingConfig)
    shifts: ShiftConfig = field(default_factory=ShiftConfig)
    drivers: DriverConfig = field(default_factory=DriverConfig)
    automation: AutomationConfig = field(default_factory=AutomationConfig)


def detect_patterns(
    frame: pd.DataFrame | PreparedFrame, config: DetectConfig | None = None
) -> list[Detection]:
    """Every pattern in the interactions, consolidated, with severity, most severe first."""
    config = config or DetectConfig()
    prepared = frame if isinstance(frame, PreparedFrame) else prepare_frame(frame)
    if not len(prepared.data):
        return []
    segments = list(prepared.segments(min_count=config.min_segment))
    # Terms (words the texts mention) are tested for daily spikes and drops, growth and
    # sentiment like topics: an issue inside a topic, or spread over several, is seen
    # by its words.
    with_terms = segments + prepared.term_segments(min_count=config.min_segment)
    daily = detect_volume(prepared, config.volume, with_terms)
    hourly = detect_hourly(prepared, config.hourly, segments, config.volume)
    found = [
        *daily,
        *merge_hours(daily, hourly),
        *detect_emerging(prepared, config.emerging, with_terms),
        *detect_shifts(prepared, config.shifts, with_terms),
        *detect_drivers(prepared, config.drivers, segments),
        *detect_automation(prepared, config.automation),
    ]
    weekly = len(prepared.data) / max(prepared.n_days, 1) * 7
    for detection in found:
        detection.severity = severity_score(detection, weekly)
        if detection.type == "automation_opportunity":
            # An opportunity to weigh, not an alarm: it ranks below comparable alarms.
            detection.severity = round(0.5 * detection.severity, 1)
        history = detection.figures.get("baseline_days")
        if history is not None and history < config.volume.min_history:
            share = history / config.volume.min_history
            weight = WARMUP_WEIGHT + (1 - WARMUP_WEIGHT) * share
            detection.severity = round(weight * detection.severity, 1)
    kept = group_drivers(consolidate(found, prepared))
    for detection in kept:
        merged = [m for _, v in detection.segment for m in prepared.merged_topics.get(v, [])]
        if merged and "topic" in detection.segment_dict:
            detection.figures["merged_topics"] = merged
    return cap_families(sorted(kept, key=lambda d: -d.severity))


def explain(
    prepared: PreparedFrame, found: list[Detection], config: DetectConfig | None = None
) -> list[str]:
    """What a run could look at, in plain English: the interactions left out of the
    period analysed and, when nothing was found, why (too little data, too short a
    period, no segments, or nothing unusual)."""
    config = config or DetectConfig()
    notes: list[str] = []
    before, after = prepared.left_out
    if before or after:
        first, last = prepared.days[0].date(), prepared.days[-1].date()
        parts = [f"{before:,} before {first.day} {first:%B %Y}"] if before else []
        parts += [f"{after:,} after {last.day} {last:%B %Y}"] if after else []
        notes.append(
            f"Left out {' and '.join(parts)}: days with a small fraction of a usual day's "
            "contacts at the edges of the data (stray old records, the start or end of "
            "collection) are not comparable with full days."
        )
    if found:
        return notes
    n, days = len(prepared.data), prepared.n_days
    shortest = config.volume.min_history + 1
    if n == 0:
        notes.append("No interactions to analyse.")
        return notes
    period = f"{days} day{'s' if days != 1 else ''}"
    if n < config.volume.min_count:
        notes.append(
            f"Too little data: {n:,} interactions; a segment needs at least "
            f"{config.volume.min_count} for spikes and drops, {config.drivers.min_count} "
            "for drivers."
        )
    if days < shortest:
        notes.append(
            f"Too short a period: {period} of data; spikes and drops need at least "
            f"{shortest} days, emerging issues "
            f"{config.emerging.min_history + config.emerging.min_tail}."
        )
    if not prepared.dimensions:
        notes.append(
            "No segments: the interactions have no attributes, channel, intent or topic "
            "that takes more than one value, so only the whole volume is compared "
            "(criterio analyze assigns intents and topics)."
        )
    if len(notes) == (1 if before or after else 0):
        segments = sum(1 for _ in prepared.segments(min_count=config.min_segment))
        notes.append(
            f"Nothing unusual: {segments} segment{'s' if segments != 1 else ''} over "
            f"{period} ({prepared.days[0].date()} to {prepared.days[-1].date()})."
        )
    return notes
