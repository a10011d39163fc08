"""Every metric of docs/metrics.md on a hand-built week with known answers, from the
records and from the daily aggregates, on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from criterio.interactions.models import Interaction
from criterio.metrics import ALL_AGENTS, figures, rebuild, refresh
from criterio.reports import build_report, render_html
from tests.metrics_data import EXPECTED, FIRST, LAST, T, at, build
from tests.scope_guard import scope_guard


def _close(got: Any, want: Any) -> bool:
    if isinstance(want, float):
        return got is not None and got == pytest.approx(want)
    if isinstance(want, dict):
        return set(got) == set(want) and all(_close(got[k], want[k]) for k in want)
    if isinstance(want, list):
        return len(got) == len(want) and all(_close(g, w) for g, w in zip(got, want, strict=True))
    return bool(got == want)


def _check(result: dict[str, Any]) -> None:
    wrong = {k: (result.get(k), v) for k, v in EXPECTED.items() if not _close(result.get(k), v)}
    assert wrong == {}


def test_every_figure_from_records_and_from_aggregates(session: Session) -> None:
    build(session)
    engine = session.get_bind()
    with scope_guard(engine) as violations:  # type: ignore[arg-type]
        direct = figures(session, T, first=FIRST, last=LAST, direct=True)
        _check(direct)
        assert direct["model_accuracy"][0]["accuracy"] == 0.91
        done = rebuild(session, T)
        assert done.rows > 0
        stored = figures(
            session, T, first=FIRST, last=LAST, by="day", cut="channel", agents=ALL_AGENTS
        )
    assert violations == []
    _check(stored)
    # Cuts: c7 is the only email contact; the days carry the week's contacts.
    email = next(s for s in stored["segments"] if s["channel"] == "email")
    assert email["contacts"] == 1 and email["link_rate"] == 1.0
    assert [d["contacts"] for d in stored["series"]] == [2, 1, 2, 1, 1, 0, 1]
    assert stored["series"][2]["links"] == 1 and stored["series"][0]["articles_created"] == 1
    filtered = figures(session, T, first=FIRST, last=LAST, filters={"queue": "cards"})
    assert filtered["contacts"] == 1 and filtered["time_to_resolution_p50_hours"] == 0.5
    # Per agent: contribution only (no contacts handled), as trends.
    agents = {a["agent"]: a for a in stored["agents"]}
    assert sorted(agents) == ["ana", "ben", "cid", "lea"]
    assert {k: agents["ben"][k] for k in ("links", "articles_created", "articles_improved")} == {
        "links": 1,
        "articles_created": 1,
        "articles_improved": 1,
    }
    assert "contacts" not in agents["ana"]
    # The client report's impact section: the same figures.
    page = render_html(build_report(session, T, FIRST, LAST, language="en"))
    section = page[page.index('<section id="impact">') :]
    assert "Impact and knowledge" in section and "Cobro duplicado" in section
    assert '<div class="label">Link rate</div><div class="value">75.0%</div>' in section
    own = figures(session, T, first=FIRST, last=LAST, agents="dan")["agents"]
    assert own == [
        {"agent": "dan", "links": 0, "articles_created": 0, "articles_improved": 0,
         "articles_validated": 0, "trend": []}
    ]  # fmt: skip


def test_a_refresh_recomputes_only_what_changed(session: Session) -> None:
    build(session)
    rebuild(session, T)
    assert refresh(session, T).days == 0
    # k2 writes again about card two days after c3: c3 is no longer contained.
    session.add(
        Interaction(
            tenant=T,
            external_id="c10",
            channel="chat",
            started_at=at(4),
            customer_id="k2",
            labels={"intent": "card"},
            attributes={},
            turns=[],
            content_hash="x",
            created_at=at(30),
            updated_at=at(30) + timedelta(days=400),
        )
    )
    session.flush()
    done = refresh(session, T)
    assert 0 < done.days <= 8 + 1
    after = figures(session, T, first=FIRST, last=LAST)
    assert after["contacts"] == 9 and after["containment_rate"] == 0.0
    assert after["repeat_contact_rate"] == pytest.approx(4 / 9)
    assert after == figures(session, T, first=FIRST, last=LAST, direct=True)


def test_periods_across_weeks_read_from_the_rollups_match_the_records(session: Session) -> None:
    # Whole weeks come from the weekly rollup, the days before and after from the daily
    # rows; the sums must be those of the records, by week, by day and per agent.
    build(session)
    rebuild(session, T)
    periods = ((FIRST - timedelta(days=4), LAST + timedelta(days=5)), (at(3).date(), at(12).date()))
    for first, last in periods:
        for by in ("week", "day"):
            kw: dict[str, Any] = {"first": first, "last": last, "by": by, "agents": ALL_AGENTS}
            stored = figures(session, T, **kw)
            assert stored == figures(session, T, **kw, direct=True)
            assert stored["links"] > 0 and stored["agents"]


@pytest.mark.parametrize(
    "name",
    [
        "aggregate",
        "api",
        "definitions",
        "gauges",
        "models",
        "pages",
        "record_queries",
        "records",
        "repository",
        "service",
        "sources",
        "view",
    ],
)
def test_metrics_modules_export_what_they_name(name: str) -> None:
    importlib.import_module("criterio.web")  # the routers load with the app, as in a server
    module = importlib.import_module(f"criterio.metrics.{name}")
    assert module.__all__ and all(hasattr(module, n) for n in module.__all__)
