"""The demo generator: deterministic, valid, bilingual, with its injected events visible."""

from __future__ import annotations

import json
import random
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from statistics import mean
from typing import Any

import phonenumbers
import pytest
from sqlalchemy.orm import Session, sessionmaker
from stdnum import iban
from stdnum.es import dni, nie

from criterio.db import make_engine, make_session_factory, session_scope, upgrade_database
from criterio.demo import DemoGenerator
from criterio.demo._pii import PersonalData
from criterio.demo.output import write_records
from criterio.demo.runner import TOP_INSIGHTS, load_demo, run_available_analysis
from criterio.insights.service import list_insights
from criterio.interactions import ingest_files
from criterio.interactions.schemas import InteractionIn

SIZE = 6000


@pytest.fixture(scope="module")
def month() -> list[dict[str, Any]]:
    """One generated demo month (shared: generating is deterministic and read-only here)."""
    return list(DemoGenerator(SIZE, seed=11).records())


def _day(record: dict[str, Any]) -> str:
    return str(record["started_at"])[:10]  # local date of the contact


def test_same_seed_same_data_other_seed_other_data() -> None:
    first = list(DemoGenerator(300, seed=3).records())
    assert first == list(DemoGenerator(300, seed=3).records())
    assert first != list(DemoGenerator(300, seed=4).records())


def test_every_record_passes_the_contract(month: list[dict[str, Any]]) -> None:
    assert len(month) == SIZE
    assert len({r["id"] for r in month}) == SIZE
    for record in month:
        parsed = InteractionIn.model_validate(record)
        assert parsed.tenant == "demo" and parsed.turns
    days = [_day(r) for r in month]
    assert days == sorted(days), "records come day by day (each customer's local date)"


def test_bilingual_labelled_and_varied(month: list[dict[str, Any]]) -> None:
    languages = Counter(r["language"] for r in month)
    assert languages["es"] > 0.5 * SIZE and languages["en"] > 0.1 * SIZE
    labelled = sum(1 for r in month if "intent" in r.get("labels", {}))
    assert 0.55 * SIZE < labelled < 0.65 * SIZE
    firsts = [next(t["text"] for t in r["turns"] if t["role"] == "customer") for r in month]
    assert len(set(firsts)) > 0.95 * len(firsts), "first messages are not copies of each other"
    texts = [t["text"] for r in month for t in r["turns"] if t["role"] == "customer"]
    assert {r["channel"] for r in month} >= {"chat", "email", "voice", "social", "messaging"}
    assert len({r["attributes"]["queue"] for r in month}) >= 5
    assert len({r["attributes"]["region"] for r in month}) >= 6
    handled = Counter(r["outcome"]["handled_by"] for r in month)
    assert handled["bot"] > 0.05 * SIZE and handled["human"] > 0.5 * SIZE
    assert all(r["outcome"].get("agent_id") for r in month if r["outcome"]["handled_by"] == "human")
    assert any(t.isupper() for t in texts), "some customers shout"
    assert any(e in t for t in texts for e in ("😡", "🤬", "😤", "🙏", "👍"))


def test_personal_data_is_valid_where_it_appears(month: list[dict[str, Any]]) -> None:
    text = "\n".join(t["text"] for r in month for t in r["turns"])
    ibans = re.findall(r"\bES\d{2}(?: ?\d{4}){5}\b", text)
    ids = re.findall(r"\b(?:\d{8}|[XYZ]\d{7})[A-Z]\b", text)
    emails = re.findall(r"[\w.]+@[\w.]+\.\w+", text)
    assert len(ibans) > 5 and len(ids) > 5 and len(emails) > 20
    assert all(iban.is_valid(i) for i in ibans)
    assert all(dni.is_valid(i) or nie.is_valid(i) for i in ids)


def test_spanish_phones_are_valid_numbers() -> None:
    # A number the plan does not list ("770650119") is one no customer has.
    data = PersonalData(random.Random(3))
    for _ in range(300):
        phone = data.phone("ES")
        number = phonenumbers.parse(phone, "ES")
        assert phonenumbers.is_valid_number(number), phone


def test_spike_day_stands_out_in_its_segment(month: list[dict[str, Any]]) -> None:
    generator = DemoGenerator(SIZE, seed=11)
    spike = next(e for e in generator.events() if e.kind == "spike")
    per_day = Counter(
        _day(r)
        for r in month
        if r["attributes"]["region"] == spike.segment["region"]
        and r["attributes"]["queue"] == spike.segment["queue"]
    )
    usual = mean(n for d, n in per_day.items() if d != spike.start.isoformat())
    assert per_day[spike.start.isoformat()] > 4 * usual


def test_emerging_issue_appears_mid_month_and_grows(month: list[dict[str, Any]]) -> None:
    event = next(e for e in DemoGenerator(SIZE, seed=11).events() if e.kind == "emerging_issue")
    days = [_day(r) for r in month if r["attributes"]["queue"] == event.segment["queue"]]
    assert days and min(days) >= event.start.isoformat()
    first_week = sum(1 for d in days if d < (event.start + timedelta(days=7)).isoformat())
    last_week = sum(1 for d in days if d > (event.end - timedelta(days=7)).isoformat())
    assert last_week > 2 * first_week


def test_csat_drops_in_its_queue(month: list[dict[str, Any]]) -> None:
    event = next(e for e in DemoGenerator(SIZE, seed=11).events() if e.kind == "csat_drop")
    before, after, others_after = [], [], []
    for r in month:
        csat = r["outcome"].get("csat")
        if csat is None:
            continue
        late = _day(r) >= event.start.isoformat()
        if r["attributes"]["queue"] == event.segment["queue"]:
            (after if late else before).append(csat)
        elif late:
            others_after.append(csat)
    assert mean(before) - mean(after) > 1.0
    assert mean(others_after) - mean(after) > 1.0


def test_customers_contact_again_within_a_week(month: list[dict[str, Any]]) -> None:
    contacts: dict[str, list[datetime]] = defaultdict(list)
    for r in month:
        contacts[r["customer_id"]].append(datetime.fromisoformat(r["started_at"]))
    repeats = sum(
        1
        for times in contacts.values()
        for a, b in zip(sorted(times), sorted(times)[1:], strict=False)
        if b - a <= timedelta(days=7)
    )
    assert repeats > 0.08 * SIZE


def test_events_are_documented_ground_truth() -> None:
    events = DemoGenerator(1000, seed=1).events()
    assert [e.kind for e in events] == ["spike", "emerging_issue", "csat_drop"]
    assert events[0].start == date(2026, 11, 10)
    assert all(json.dumps(e.as_dict()) for e in events)


@pytest.mark.parametrize("suffix", ["jsonl", "parquet"])
def test_written_files_import_cleanly(
    session_factory: sessionmaker[Session], tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"demo.{suffix}"
    assert write_records(DemoGenerator(400, seed=2).records(), path, chunk_size=150) == 400
    report = ingest_files(session_factory, [path])
    assert (report.inserted, report.rejected) == (400, 0)
    assert ingest_files(session_factory, [path]).unchanged == 400


#: Each injected event and the insight that names it: type and exact segment.
EXPECTED_INSIGHTS = {
    "spike": ("spike", {"region": "ES-AN", "intent": "no_internet"}),
    "emerging_issue": ("emerging", {"intent": "esim_activation"}),
    "csat_drop": ("csat_shift", {"queue": "deliveries"}),
}


def test_the_injected_events_are_among_the_top_insights(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade_database(engine)
    factory = make_session_factory(engine)
    generator = DemoGenerator(SIZE, seed=11)
    assert load_demo(factory, generator).rejected == 0
    runs = run_available_analysis(factory, generator.tenant, tmp_path / "models", triage=False)
    with session_scope(factory) as session:
        top = [
            (i.type, i.segment, i.period_start, i.statement)
            for i in list_insights(session, generator.tenant, limit=TOP_INSIGHTS)
        ]
    engine.dispose()
    for event in generator.events():
        type_, segment = EXPECTED_INSIGHTS[event.kind]
        hits = [
            statement
            for t, s, start, statement in top
            if t == type_ and s == segment and abs((start - event.start).days) <= 1
        ]
        assert hits, (event.kind, [t[:3] for t in top])
    # `criterio demo` prints these ten, most severe first, with their statements.
    details = next(run for run in runs if run.name == "insights").details
    assert len(details) == len(top) <= TOP_INSIGHTS
    assert any("no internet en región ES-AN" in line for line in details)
