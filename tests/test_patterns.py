"""Detectors on synthetic series with known events; statements in Spanish and English."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from criterio.patterns import (
    Detection,
    detect_automation,
    detect_drivers,
    detect_patterns,
    detect_shifts,
    detect_volume,
    prepare_frame,
    statement,
)
from tests.patterns_data import START, table

ALARMS = {"spike", "drop", "emerging", "csat_shift", "sentiment_shift", "driver"}


def _found(detections: list[Detection], type_: str, segment: dict[str, str]) -> list[Detection]:
    return [d for d in detections if d.type == type_ and d.segment_dict == segment]


def test_a_clear_spike_is_found_with_its_start_and_magnitude() -> None:
    def volume(d: int, queue: str, region: str, intent: str) -> float:
        return 3.0 if d == 38 and region == "ES-CT" and intent == "double_charge" else 1.0

    detections = detect_patterns(table(seed=1, volume=volume))
    hits = _found(detections, "spike", {"region": "ES-CT", "intent": "double_charge"})
    assert len(hits) == 1
    spike = hits[0]
    assert spike.start == START + timedelta(days=38)
    assert 2.2 <= spike.figures["ratio"] <= 4.0
    # The parent segments (the region, the intent) are explained by it, not repeated.
    assert not _found(detections, "spike", {"intent": "double_charge"})
    assert not _found(detections, "spike", {"region": "ES-CT"})
    # It ranks among the top insights, and its evidence names example interactions.
    assert spike in detections[:5]
    assert len(spike.examples) == 5


def test_weekly_seasonality_alone_raises_no_alarm() -> None:
    for seed in (2, 3):
        detections = detect_patterns(table(seed=seed, noise=None))
        alarms = [d for d in detections if d.type in ALARMS]
        assert alarms == [], [(d.type, d.segment, d.start) for d in alarms]


def test_a_drop_is_found() -> None:
    def volume(d: int, queue: str, region: str, intent: str) -> float:
        return 0.2 if d in (45, 46) and queue == "tech" else 1.0

    hits = _found(
        detect_volume(prepare_frame(table(seed=4, volume=volume))), "drop", {"queue": "tech"}
    )
    assert [h.start for h in hits] == [START + timedelta(days=45)]


def test_a_csat_drop_in_one_queue_is_found() -> None:
    def shift(d: int, queue: str, region: str, intent: str) -> float:
        return -1.0 if d >= 35 and queue == "billing" else 0.0

    detections = detect_patterns(table(seed=5, csat_shift=shift))
    hits = _found(detections, "csat_shift", {"queue": "billing"})
    assert len(hits) == 1
    assert abs((hits[0].start - (START + timedelta(days=35))).days) <= 1
    assert hits[0].figures["delta"] < -0.6
    # Shifts of the queue's intents are the same pattern, named once.
    assert not _found(detections, "csat_shift", {"intent": "double_charge"})


def test_a_driver_has_an_effect_size_and_confidence_interval() -> None:
    frame = table(seed=6, unresolved=lambda intent: 0.45 if intent == "invoice_copy" else 0.15)
    hits = _found(detect_drivers(prepare_frame(frame)), "driver", {"intent": "invoice_copy"})
    (driver,) = [h for h in hits if h.figures["measure"] == "unresolved"]
    figures = driver.figures
    assert figures["ci_low"] < figures["difference"] < figures["ci_high"]
    assert 0.22 < figures["difference"] < 0.38
    assert figures["ci_low"] > 0.15


def test_a_new_intent_is_emerging_from_its_first_day() -> None:
    frame = table(seed=7)
    new = frame[
        (frame["labels.intent"] == "no_internet")
        & (frame["started_at"] >= pd.Timestamp(START + timedelta(days=30), tz="UTC"))
    ].copy()
    new["labels.intent"] = "app_login"
    new["id"] = "n-" + new["id"]
    frame = pd.concat([frame[frame["labels.intent"] != "app_login"], new.iloc[::3]])
    hits = _found(detect_patterns(frame), "emerging", {"intent": "app_login"})
    assert len(hits) == 1
    assert hits[0].figures["new"] is True
    assert abs((hits[0].start - (START + timedelta(days=30))).days) <= 1


def test_detectors_work_with_only_the_required_columns() -> None:
    frame = table(seed=8)[["id", "started_at", "attributes.queue"]]
    prepared = prepare_frame(frame)
    assert prepared.dimensions == ["queue"]
    assert detect_shifts(prepared) == []
    assert detect_drivers(prepared) == []
    assert detect_automation(prepared) == []
    assert isinstance(detect_patterns(frame), list)


def test_statements_in_spanish_and_english() -> None:
    spike = Detection(
        type="spike",
        segment=(("intent", "double_charge"), ("region", "ES-CT")),
        start=date(2026, 11, 12),
        end=date(2026, 11, 12),
        impact=60,
        strength=8,
        magnitude=0.8,
        figures={"ratio": 3.1, "observed": 90, "expected": 29.0, "days": 1},
    )
    assert statement(spike, "es") == (
        "Los contactos sobre double charge en región ES-CT se triplicaron el 12 de noviembre "
        "(90 frente a 29 esperados)."
    )
    assert statement(spike, "en") == (
        "Contacts about double charge in region ES-CT tripled on 12 November (90 vs 29 expected)."
    )


def test_a_partial_last_day_is_not_a_drop() -> None:
    # An export cut at noon on its last day (contacts run 08:00-20:00): not a drop.
    frame = table(seed=2, noise=None)
    last_day = frame["started_at"].dt.floor("D").max()
    cut = frame[frame["started_at"] < last_day + pd.Timedelta(hours=12)]
    assert (cut["started_at"] >= last_day).any()
    drops = [d for d in detect_volume(prepare_frame(cut)) if d.type == "drop"]
    assert drops == [], [(d.segment, d.start) for d in drops]


def test_a_spike_in_the_first_fortnight_is_found() -> None:
    # A month-long export is analysed after the fact: day 9 has too little history
    # before it for a trailing baseline, and must still be tested.
    def volume(d: int, queue: str, region: str, intent: str) -> float:
        return 4.0 if d == 9 and queue == "tech" else 1.0

    frame = table(seed=5, days=30, volume=volume)
    hits = _found(detect_volume(prepare_frame(frame)), "spike", {"queue": "tech"})
    assert [h.start for h in hits] == [START + timedelta(days=9)]


def test_a_three_hour_burst_is_found_with_its_hours() -> None:
    frame = table(seed=9)
    burst_day = pd.Timestamp(START + timedelta(days=38), tz="UTC")
    hours = frame["started_at"].between(
        burst_day + pd.Timedelta(hours=9), burst_day + pd.Timedelta(hours=12), inclusive="left"
    )
    # Billing's contacts triple from 09:00 to 12:00 (UTC) on one Thursday.
    burst = hours & (frame["attributes.queue"] == "billing")
    copies = [frame[burst].assign(id=lambda f, k=k: f"x{k}-" + f["id"]) for k in (1, 2)]
    detections = detect_patterns(pd.concat([frame, *copies], ignore_index=True))
    (found,) = _found(detections, "spike", {"queue": "billing"})
    assert found.start == burst_day.date()
    assert found.figures["start_time"] == "2026-10-15T09:00:00+00:00"
    assert found.figures["end_time"] == "2026-10-15T12:00:00+00:00"
    assert "15 October, 09:00–12:00 UTC" in statement(found, "en")
    assert "de 09:00 a 12:00 UTC" in statement(found, "es")


def test_one_driver_per_segment_with_its_other_outcomes() -> None:
    frame = table(seed=6, unresolved=lambda intent: 0.45 if intent == "invoice_copy" else 0.15)
    # Unresolved contacts escalate more: one cause seen through two outcomes.
    coin = np.random.default_rng(0).random(len(frame)) < 0.5
    frame["escalated"] = ~frame["resolved"] & coin
    drivers = [d for d in detect_patterns(frame) if d.type == "driver"]
    (driver,) = _found(drivers, "driver", {"intent": "invoice_copy"})
    (other,) = driver.figures["other_outcomes"]
    assert {driver.figures["measure"], other["measure"]} == {"unresolved", "escalated"}
    assert statement(driver, "en").count(" Also ") == 1
    assert statement(driver, "es").count(" También ") == 1
    # Its regions and channels only share the intent's rates: they are not drivers too.
    assert [d.segment_dict for d in drivers if "intent" in d.segment_dict] == [
        {"intent": "invoice_copy"}
    ]
