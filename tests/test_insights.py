"""Insights on the real stores: one insight per ongoing pattern, the review, the CLI."""

from __future__ import annotations

import json
import threading
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from criterio.cli import app
from criterio.config import get_settings
from criterio.db import session_scope
from criterio.errors import InvalidInputError, NotFoundError
from criterio.insights import (
    InsightStatus,
    ReviewIn,
    detect_insights,
    get_insight,
    list_insights,
    review_insight,
)
from criterio.insights.models import Insight
from criterio.insights.service import upsert_detections
from criterio.interactions.erasure import erase_customer
from criterio.interactions.ingest import ingest_records
from criterio.interactions.readers.base import RawRecord
from criterio.interactions.schemas import InteractionIn
from criterio.interactions.service import validate_record
from criterio.patterns import Detection
from criterio.patterns.scenarios import Event, generate
from tests.factories import interaction


def _spike(start: date, end: date, observed: int = 90) -> Detection:
    return Detection(
        type="spike",
        segment=(("intent", "double_charge"), ("region", "ES-CT")),
        start=start,
        end=end,
        impact=observed - 30,
        strength=8.0,
        magnitude=0.8,
        severity=70.0,
        figures={"ratio": observed / 30, "observed": observed, "expected": 30.0, "days": 1},
        examples=["c-1", "c-2"],
    )


def _count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Insight)) or 0)


def test_the_same_pattern_detected_twice_stays_one_insight(session: Session) -> None:
    first = upsert_detections(session, "acme", [_spike(date(2026, 11, 12), date(2026, 11, 12))])
    (insight,) = first.insights
    review_insight(session, "acme", insight.id, ReviewIn(status=InsightStatus.in_review))
    # The next run sees the spike go on one more day: the same insight, updated.
    again = upsert_detections(
        session, "acme", [_spike(date(2026, 11, 12), date(2026, 11, 13), 120)], language="es"
    )
    assert (again.created, again.updated) == (0, 1)
    assert _count(session) == 1
    stored = get_insight(session, "acme", insight.id)
    assert stored.detections == 2
    assert stored.period_end == date(2026, 11, 13)
    assert stored.status == "in_review"  # the review is kept
    assert stored.statement.startswith("Los contactos sobre double charge en región ES-CT")
    # A spike a month later in the same segment is another pattern.
    later = upsert_detections(session, "acme", [_spike(date(2026, 12, 20), date(2026, 12, 20))])
    assert later.created == 1
    assert _count(session) == 2


def test_review_workflow_and_illegal_transitions(session: Session) -> None:
    (insight,) = upsert_detections(
        session, "acme", [_spike(date(2026, 11, 12), date(2026, 11, 12))]
    ).insights
    with pytest.raises(
        InvalidInputError, match="is new: it cannot become confirmed; allowed next: in_review"
    ):
        review_insight(
            session,
            "acme",
            insight.id,
            ReviewIn(status=InsightStatus.confirmed, interpretation="x"),
        )
    review_insight(
        session, "acme", insight.id, ReviewIn(status=InsightStatus.in_review), actor="ana"
    )
    with pytest.raises(InvalidInputError, match="an interpretation is required"):
        review_insight(session, "acme", insight.id, ReviewIn(status=InsightStatus.confirmed))
    review_insight(
        session, "acme", insight.id,
        ReviewIn(status=InsightStatus.confirmed, interpretation="A billing run charged twice"),
    )  # fmt: skip
    with pytest.raises(InvalidInputError, match="a proposal and an owner are required"):
        review_insight(session, "acme", insight.id, ReviewIn(status=InsightStatus.actioned))
    done = review_insight(
        session, "acme", insight.id,
        ReviewIn(status=InsightStatus.actioned, proposal="Refund, fix the run", owner="ops"),
    )  # fmt: skip
    assert [(h["from"], h["to"]) for h in done.history] == [
        ("new", "in_review"),
        ("in_review", "confirmed"),
        ("confirmed", "actioned"),
    ]
    assert done.history[0]["by"] == "ana"
    with pytest.raises(InvalidInputError, match="allowed next: none"):
        review_insight(session, "acme", insight.id, ReviewIn(status=InsightStatus.in_review))
    # Another tenant sees nothing.
    with pytest.raises(NotFoundError):
        get_insight(session, "other", insight.id)
    assert list_insights(session, "other") == []


def _ingest(factory: sessionmaker[Session], records: list[dict[str, object]]) -> None:
    report = ingest_records(factory, (RawRecord("gen", str(i), r) for i, r in enumerate(records)))
    assert report.rejected == 0


def test_detect_on_the_store_finds_the_injected_events_once(
    session_factory: sessionmaker[Session],
) -> None:
    scenario = generate(
        3, days=49, daily_volume=250,
        events=[Event("driver", {"intent": "late_delivery"}, date(2026, 8, 31), 0.3),
                Event("spike", {"intent": "no_internet"}, date(2026, 10, 6), 3.0)],
    )  # fmt: skip
    _ingest(session_factory, scenario.records)
    with session_scope(session_factory) as s:
        summary = detect_insights(s, "bench")
    assert summary.created == len(summary.insights) > 0
    with session_scope(session_factory) as s:
        again = detect_insights(s, "bench")
        top = list_insights(s, "bench", limit=10)
        assert (again.created, again.updated) == (0, summary.created)
        assert _count(s) == summary.created
    found = {(i.type, json.dumps(i.segment, sort_keys=True), i.period_start) for i in top}
    assert ("spike", '{"intent": "no_internet"}', date(2026, 10, 6)) in found
    assert ("driver", '{"intent": "late_delivery"}', date(2026, 8, 31)) in found
    assert all(i.language == "es" for i in top)


def test_cli_list_json_shape_and_review(
    database_url: str, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "Hola, soy Ana García, mi teléfono es 612 345 678"
    record = interaction(1, id="c-1", turns=[{"role": "customer", "text": text}])
    _ingest(session_factory, [record])
    with session_scope(session_factory) as s:
        upsert_detections(s, "acme", [_spike(date(2026, 11, 12), date(2026, 11, 12))])
    monkeypatch.setenv("CRITERIO_DATABASE_URL", database_url)
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        result = runner.invoke(app, ["insights", "list", "--json"])
        assert result.exit_code == 0, result.output
        (item,) = json.loads(result.stdout)
        assert item["type"] == "spike"
        assert item["segment"] == {"intent": "double_charge", "region": "ES-CT"}
        assert item["period"] == {"start": "2026-11-12", "end": "2026-11-12"}
        assert item["status"] == "new" and isinstance(item["severity"], float)
        assert item["statement"].startswith("Contacts about double charge")
        assert item["evidence"]["examples"] == ["c-1", "c-2"]
        assert {"id", "evidence"} <= item.keys()
        bad = runner.invoke(app, ["insights", "review", str(item["id"]), "--status", "actioned"])
        assert bad.exit_code == 1
        assert "cannot become actioned" in bad.output
        ok = runner.invoke(
            app, ["insights", "review", str(item["id"]), "--status", "in_review", "--by", "ana"]
        )
        assert ok.exit_code == 0 and "is in_review" in ok.output
        listed = runner.invoke(app, ["insights", "list", "--status", "in_review", "--json"])
        assert [i["id"] for i in json.loads(listed.stdout)] == [item["id"]]
        shown = runner.invoke(app, ["insights", "show", str(item["id"])])
        assert "tripled on 12 November" in shown.output and "in_review" in shown.output
        # The example's text is shown with its personal data redacted.
        assert "c-1: Hola, soy [PERSON_1], mi teléfono es [PHONE_1]" in shown.output
        assert "612 345 678" not in shown.output
    finally:
        get_settings.cache_clear()


def test_scenario_records_are_valid_contract_records() -> None:
    scenario = generate(0, days=3, daily_volume=50)

    for i, record in enumerate(scenario.records[:200]):
        assert isinstance(validate_record(RawRecord("gen", str(i), record)), InteractionIn)


def test_erasing_a_customer_removes_their_ids_from_insight_examples(
    session_factory: sessionmaker[Session],
) -> None:
    records = [
        interaction(1, id="c-1", customer_id="k-ana"),
        interaction(2, id="c-2", customer_id="k-bob"),
        interaction(3, id="c-1", customer_id="k-ana", tenant="other"),
    ]
    _ingest(session_factory, records)
    with session_scope(session_factory) as s:
        for tenant in ("acme", "other"):
            upsert_detections(s, tenant, [_spike(date(2026, 11, 12), date(2026, 11, 12))])
    with session_scope(session_factory) as s:
        assert erase_customer(s, "acme", "k-ana", actor="test").deleted == 1
    with session_scope(session_factory) as s:
        (acme,) = list_insights(s, "acme")
        (other,) = list_insights(s, "other")
        assert acme.evidence["examples"] == ["c-2"]
        assert acme.evidence["figures"]["observed"] == 90  # the rest of the evidence stays
        # Another tenant's interaction with the same id is not this customer's.
        assert other.evidence["examples"] == ["c-1", "c-2"]


def test_patterns_no_longer_found_or_over_are_listed_as_ended(
    database_url: str, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    past, latest = (
        _spike(date(2026, 11, 12), date(2026, 11, 12)),
        _spike(date(2026, 11, 29), date(2026, 11, 30)),
    )
    with session_scope(session_factory) as s:
        first = upsert_detections(s, "acme", [past, latest], data_end=date(2026, 11, 30))
        old, new = first.insights
        assert (old.ongoing, new.ongoing) == (False, True)  # the 12 November spike is over
        review_insight(s, "acme", new.id, ReviewIn(status=InsightStatus.in_review))
        ids = old.id, new.id
    monkeypatch.setenv("CRITERIO_DATABASE_URL", database_url)
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        going = json.loads(runner.invoke(app, ["insights", "list", "--ongoing", "--json"]).stdout)
        assert [(i["id"], i["ongoing"]) for i in going] == [(ids[1], True)]
        # The next run no longer finds the late-November spike: it has ended, review kept.
        with session_scope(session_factory) as s:
            upsert_detections(s, "acme", [past], data_end=date(2026, 12, 7))
        ended = json.loads(runner.invoke(app, ["insights", "list", "--ended", "--json"]).stdout)
        assert sorted(i["id"] for i in ended) == sorted(ids)
        assert {i["id"]: i["status"] for i in ended}[ids[1]] == "in_review"
        assert (
            runner.invoke(app, ["insights", "list", "--ongoing", "--json"]).stdout.strip() == "[]"
        )
        table = runner.invoke(app, ["insights", "list"]).output
        assert "(ended)" in table
    finally:
        get_settings.cache_clear()


def test_two_cli_reviews_of_one_insight_apply_one_after_the_other(
    session_factory: sessionmaker[Session], database_url: str
) -> None:
    # review_insight takes the row lock itself, so `criterio insights review` (which
    # calls nothing else) cannot lose or double a status change either.
    if not database_url.startswith("postgresql"):
        pytest.skip("row locks are PostgreSQL's; SQLite lets one writer in at a time")
    with session_scope(session_factory) as s:
        found = upsert_detections(s, "acme", [_spike(date(2026, 11, 12), date(2026, 11, 12))])
        insight_id = found.insights[0].id
    errors: list[Exception] = []

    def second_review() -> None:
        try:
            with session_scope(session_factory) as s:
                change = ReviewIn(status=InsightStatus.in_review)
                review_insight(s, "acme", insight_id, change, actor="bob")
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)

    with session_scope(session_factory) as first:
        change = ReviewIn(status=InsightStatus.in_review)
        review_insight(first, "acme", insight_id, change, actor="ana")
        second = threading.Thread(target=second_review)
        second.start()
        second.join(timeout=1.0)
        assert second.is_alive()  # the second review waits for the first's commit
    second.join(timeout=30)
    assert not errors
    with session_scope(session_factory) as s:
        history = s.get(Insight, insight_id).history  # type: ignore[union-attr]
    # The second review saw in_review and changed nothing: one history line, not two.
    assert [(h["to"], h["by"]) for h in history] == [("in_review", "ana")]
