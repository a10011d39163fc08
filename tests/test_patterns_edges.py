"""Detection on data as it comes: missing reasons, stray old records, edges of an export,
near-duplicate insights, and statements that hold at every size."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from criterio.cli import app
from criterio.config import get_settings
from criterio.patterns import Detection, detect_patterns, explain, prepare_frame, statement
from criterio.patterns._families import cap_families
from criterio.patterns.emerging import detect_emerging
from tests.cli_helpers import run_ingest
from tests.patterns_data import START, table


def _unlabelled_with_topics(seed: int = 11) -> pd.DataFrame:
    """Interactions with no intent label: a topic where one was assigned, none elsewhere."""
    frame = table(seed=seed)
    topics = frame.pop("labels.intent").map(
        {"double_charge": "charged twice · refund", "no_internet": "no internet · router"}
    )
    frame["topic"] = topics.astype("string")  # invoice_copy contacts: no topic (NA)
    frame["handled_by"] = "human"
    frame["resolution_code"] = "refund"
    return frame


def test_detection_on_interactions_without_an_intent_or_a_topic_does_not_crash() -> None:
    frame = _unlabelled_with_topics()
    assert frame["topic"].isna().any()
    detections = detect_patterns(frame)
    opportunities = [d for d in detections if d.type == "automation_opportunity"]
    # The topics are the reasons; contacts without one belong to neither.
    assert {d.segment_dict["topic"] for d in opportunities} == {
        "charged twice · refund",
        "no internet · router",
    }
    for found in opportunities:
        assert found.rows.dtype == bool
        assert int(found.rows.sum()) == found.figures["contacts"]


def _spike(observed: int, expected: float) -> Detection:
    return Detection(
        type="spike",
        segment=(("topic", "gift cards"),),
        start=date(2026, 11, 28),
        end=date(2026, 11, 28),
        impact=observed - expected,
        strength=6.0,
        magnitude=1.0,
        figures={"ratio": observed / expected, "observed": observed, "expected": expected},
    )


def test_a_spike_from_under_one_expected_contact_says_fewer_than_one() -> None:
    spike = _spike(13, 0.5)
    english, spanish = statement(spike, "en"), statement(spike, "es")
    assert "(13 vs fewer than 1 expected)" in english
    assert "(13 frente a menos de 1 esperado)" in spanish
    assert "vs 0 expected" not in english and "frente a 0" not in spanish
    # One or more expected contacts are written as a number, as before.
    assert "(13 vs 2 expected)" in statement(_spike(13, 2.0), "en")


def _with_stray_records(frame: pd.DataFrame, n: int = 40) -> pd.DataFrame:
    """``n`` records dated over the three years before the export, one every few weeks."""
    stamps = pd.Timestamp(START, tz="UTC") - pd.to_timedelta(
        np.linspace(3 * 365, 20, n).round() * 86400 + 36000, "s"
    )
    stray = frame.sample(n, random_state=0).assign(
        id=[f"old-{k}" for k in range(n)], started_at=stamps
    )
    return pd.concat([stray, frame], ignore_index=True)


def _tech_drop(d: int, queue: str, region: str, intent: str) -> float:
    return 0.2 if d in (45, 46) and queue == "tech" else 1.0


def test_stray_old_records_do_not_hide_a_drop() -> None:
    frame = _with_stray_records(table(seed=4, volume=_tech_drop))
    prepared = prepare_frame(frame)
    # The baseline comes from the weeks the export covers, not three mostly empty years.
    assert prepared.days[0].date() == START
    assert prepared.left_out == (40, 0)
    detections = detect_patterns(prepared)
    # The tech queue is the no_internet intent: the drop is named by the intent.
    (drop,) = [d for d in detections if d.type == "drop"]
    assert drop.segment_dict == {"intent": "no_internet"}
    assert drop.start == START + timedelta(days=45)
    # Two weekdays of ≈ 70 contacts each are expected, not a fraction of that.
    assert drop.figures["expected"] > 80
    notes = explain(prepared, detections)
    assert notes[0].startswith("Left out 40 before 7 September 2026")


def test_the_ramp_up_and_wind_down_of_an_export_are_not_drops() -> None:
    ramp = {0: 0.03, 1: 0.08, 2: 0.15, 61: 0.15, 62: 0.02}

    def volume(d: int, queue: str, region: str, intent: str) -> float:
        return ramp.get(d, 1.0)

    prepared = prepare_frame(table(seed=12, volume=volume))
    assert prepared.days[0].date() == START + timedelta(days=3)
    assert prepared.days[-1].date() == START + timedelta(days=60)
    drops = [d for d in detect_patterns(prepared) if d.type == "drop"]
    assert drops == [], [(d.segment, d.start, d.figures["expected"]) for d in drops]


def test_a_quiet_weekend_at_the_edges_is_kept() -> None:
    # Sundays hold a quarter of a Monday's contacts: a full day, not a ramp-up.
    frame = table(seed=13, days=62)  # 7 September (Monday) to 7 November (Saturday)
    frame = frame[frame["started_at"] >= pd.Timestamp(START, tz="UTC") + pd.Timedelta(days=6)]
    prepared = prepare_frame(frame)
    assert prepared.left_out == (0, 0)
    assert prepared.days[0].day_name() == "Sunday"


def test_when_nothing_is_found_the_run_says_why() -> None:
    short = table(seed=14, days=10)
    (note,) = explain(prepare_frame(short), [])
    assert note.startswith("Too short a period: 10 days of data")
    flat = table(seed=14)[["id", "started_at"]]
    notes = explain(prepare_frame(flat), [])
    assert any(n.startswith("No segments:") for n in notes)
    tiny = table(seed=14, days=20).head(25)
    assert any(
        n.startswith("Too little data: 25 interactions") for n in explain(prepare_frame(tiny), [])
    )
    calm = table(seed=2, noise=None)
    notes = explain(prepare_frame(calm), [])
    assert notes[-1].startswith("Nothing unusual: ") and "63 days" in notes[-1]


def test_the_cli_says_why_detection_found_nothing(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> None:
    short = table(seed=15, days=10)
    lines = [
        {"id": row.id, "tenant": "acme", "started_at": row.started_at.isoformat(), "text": "hola"}
        for row in short.iloc[::10].itertuples()
    ]
    path = tmp_path / "ten_days.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), "utf-8")
    assert run_ingest(monkeypatch, database_url, tmp_path, str(path)).exit_code == 0
    monkeypatch.setenv("CRITERIO_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["insights", "detect", "--tenant", "acme"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "acme: Too short a period: 10 days of data" in result.output


def _with_issue(seed: int, onset: int, stray: float = 0.05, rate: float = 25.0) -> pd.DataFrame:
    """A table plus an intent (gift_card) at ``stray`` a day, then ``rate`` from ``onset``."""
    frame = table(seed=seed)
    rng = np.random.default_rng(seed)
    means = np.where(np.arange(63) < onset, stray, rate)
    days = np.repeat(np.arange(63), rng.poisson(means))
    stamps = pd.Timestamp(START, tz="UTC") + pd.to_timedelta(days, "D")
    issue = frame.sample(len(days), random_state=seed, replace=True).assign(
        id=[f"g-{k}" for k in range(len(days))],
        started_at=stamps + pd.to_timedelta(rng.integers(8, 20, len(days)), "h"),
        **{"labels.intent": "gift_card"},
    )
    return pd.concat([frame, issue], ignore_index=True)


def _emerging(frame: pd.DataFrame) -> Detection:
    (found,) = [
        d
        for d in detect_patterns(frame)
        if d.type == "emerging" and d.segment_dict == {"intent": "gift_card"}
    ]
    return found


def test_an_issue_rising_in_one_step_from_almost_nothing_starts_on_its_day() -> None:
    found = _emerging(_with_issue(21, onset=35))
    assert found.start == START + timedelta(days=35)
    assert found.figures["new"] is False  # a few contacts came before
    assert found.figures["share_before"] < 0.001 < 0.08 < found.figures["share_after"]
    assert statement(found, "en") == (
        "Contacts about gift card are nearly new since 12 October: from under 0.1% to "
        f"{100 * found.figures['share_after']:.0f}% of contacts."
    )
    assert "son casi nuevos desde el 12 de octubre: de menos del 0,1 % al" in statement(found, "es")
    assert "×" not in statement(found, "en") + statement(found, "es")


def test_a_new_issue_starts_when_it_starts_not_at_a_stray_contact() -> None:
    frame = _with_issue(22, onset=35, stray=0.0)
    early = frame[frame["labels.intent"] == "gift_card"].head(1)
    early = early.assign(id="g-early", started_at=early["started_at"] - pd.Timedelta(days=2))
    found = _emerging(pd.concat([frame, early], ignore_index=True))
    assert found.figures["new"] is True
    assert found.start == START + timedelta(days=35)


def test_a_moderate_growth_is_stated_as_shares_and_a_factor() -> None:
    found = Detection(
        type="emerging",
        segment=(("intent", "refund"),),
        start=date(2026, 10, 12),
        end=date(2026, 11, 8),
        impact=300.0,
        strength=5.0,
        magnitude=0.6,
        figures={"new": False, "growth": 2.5, "share_before": 0.04, "share_after": 0.1},
    )
    assert statement(found, "en") == (
        "Contacts about refund are growing faster than the rest since 12 October: "
        "from 4% to 10% of contacts (share ×2.5)."
    )
    assert statement(found, "es") == (
        "Los contactos sobre refund crecen más rápido que el resto desde el 12 de octubre: "
        "del 4 % al 10 % de los contactos (peso ×2,5)."
    )


def test_near_duplicate_topics_are_one_topic() -> None:
    frame = table(seed=16)
    labels = {
        "double_charge": "premium · family · plan · account",
        "invoice_copy": "login · password · reset · email",
        "no_internet": "family · plan · premium · price",
    }
    frame["topic"] = frame.pop("labels.intent").map(labels)
    prepared = prepare_frame(frame)
    kept = set(prepared.data["topic"].unique())
    assert len(kept) == 2 and "login · password · reset · email" in kept
    ((main, merged),) = prepared.merged_topics.items()
    assert {main, *merged} == {labels["double_charge"], labels["no_internet"]}
    # The more frequent label names the merged topic.
    sizes = frame["topic"].value_counts()
    assert sizes[main] >= sizes[merged[0]]


def test_drivers_of_one_outcome_are_one_insight_with_the_similar_segments() -> None:
    rates = {"invoice_copy": 0.45, "no_internet": 0.40}
    frame = table(seed=6, unresolved=lambda intent: rates.get(intent, 0.15))
    drivers = [
        d
        for d in detect_patterns(frame)
        if d.type == "driver"
        and d.figures["measure"] == "unresolved"
        and "intent" in d.segment_dict
    ]
    (driver,) = drivers
    (similar,) = driver.figures["similar_segments"]
    assert {driver.segment_dict["intent"], similar["segment"]["intent"]} == set(rates)
    assert " Similar: no internet (" in statement(driver, "en") or " Similar: invoice copy (" in (
        statement(driver, "en")
    )
    assert " Parecido en " in statement(driver, "es")


def _ranked(family: str, severities: list[float]) -> list[Detection]:
    return [
        Detection(
            type="spike",
            segment=((family, f"{family}-{k}"),),
            start=date(2026, 11, 2),
            end=date(2026, 11, 2),
            impact=50.0,
            strength=5.0,
            magnitude=0.5,
            severity=s,
        )
        for k, s in enumerate(severities)
    ]


def test_one_family_places_at_most_three_insights_in_the_top_ten() -> None:
    topics = _ranked("topic", [90, 89, 88, 87, 86, 85, 84])
    others = _ranked("queue", [60, 59]) + _ranked("region", [58, 57, 56, 55, 54, 53])
    others += _ranked("channel", [52, 51, 50])
    found = cap_families(sorted(topics + others, key=lambda d: -d.severity))
    top = found[:10]
    assert sum(d.segment[0][0] == "topic" for d in top) == 3
    assert sum(d.segment[0][0] == "region" for d in top) == 3
    assert [d.severity for d in top][:3] == [90, 89, 88]
    # The rest of the family follows the top ten, in its own order.
    assert [d.segment_dict.get("topic") for d in found[10:14]] == [
        "topic-3",
        "topic-4",
        "topic-5",
        "topic-6",
    ]
    assert all(d.severity < top[-1].severity for d in found[10:])


def test_a_region_that_triples_as_a_whole_does_not_make_its_intents_emerging() -> None:
    # Every intent of one region triples from day 40 (contacts moved there, as when a
    # channel takes over another's): the region's own pattern, not each intent's in it.
    frame = table(seed=5, volume=lambda d, q, r, i: 3.0 if r == "ES-CT" and d >= 40 else 1.0)
    prepared = prepare_frame(frame)
    found = detect_emerging(prepared, segments=list(prepared.segments(min_count=30)))
    assert not [d for d in found if d.segment_dict.get("region") == "ES-CT"]
