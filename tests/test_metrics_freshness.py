"""Figures are current right after the operations that change them, without a rebuild:
an import, an erasure, case actions and an article link recompute the days they touch."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from criterio.assist.models import Case
from criterio.assist.repository import CaseRepository
from criterio.assist.service import escalate_case, resolve_case
from criterio.cli import app
from criterio.config import get_settings
from criterio.db import make_engine, make_session_factory, session_scope
from criterio.knowledge.models import Article
from criterio.knowledge.schemas import LinkIn
from criterio.knowledge.service import link_article
from criterio.metrics import figures, freshness, refresh
from criterio.metrics.models import MetricSettings
from tests.factories import interaction, write_jsonl
from tests.metrics_data import _article, _interaction, at

PERIOD = ["--tenant", "acme", "--from", "2026-11-01", "--to", "2026-11-07", "--json"]


def _figures(cli: CliRunner) -> dict[str, object]:
    result = cli.invoke(app, ["metrics", *PERIOD])
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_import_then_erasure_show_in_metrics_without_a_rebuild(
    cli: CliRunner, tmp_path: Path
) -> None:
    human = {"handled_by": "human", "resolved": True}
    records = [
        interaction(0, started_at="2026-11-02T09:00:00Z", customer_id="k-a", outcome=human),
        interaction(1, started_at="2026-11-04T09:00:00Z", customer_id="k-a", outcome=human),
        interaction(
            2,
            started_at="2026-11-03T09:00:00Z",
            customer_id="k-b",
            outcome={"handled_by": "bot", "resolved": True},
        ),
    ]
    path = write_jsonl(tmp_path / "month.jsonl", records)
    assert cli.invoke(app, ["ingest", str(path), "--tenant", "acme"]).exit_code == 0
    data = _figures(cli)
    # k-a came back about the same intent two days later: one repeat of three contacts.
    assert data["contacts"] == 3 and data["automation_rate"] == 1 / 3
    assert data["repeat_contact_rate"] == 1 / 3
    erased = cli.invoke(app, ["erase", "customer", "k-a", "--tenant", "acme"])
    assert erased.exit_code == 0, erased.output
    data = _figures(cli)
    assert data["contacts"] == 1 and data["automation_rate"] == 1.0
    assert data["repeat_contact_rate"] == 0.0
    # Neither the worker's job nor a rebuild ran: the operations refreshed their days.
    engine = make_engine(get_settings().database_url)
    with Session(engine) as session:
        settings = session.query(MetricSettings).filter_by(tenant="acme").one()
        assert settings.refreshed_at is None
    engine.dispose()


def _open_case(key: str, day: int) -> Case:
    return Case(
        tenant="acme",
        interaction_id=key,
        queue="billing",
        intent="card",
        priority="normal",
        priority_rank=2,
        status="assigned",
        assignee="dan",
        reopen_count=0,
        opened_at=at(day, 10),
        due_at=at(day + 1, 10),
    )


@pytest.mark.parametrize("busy", [False, True], ids=["small day", "busy day"])
def test_case_actions_and_a_link_show_at_once(
    database_url: str, busy: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a day small enough the figures move at once; on a busy one the click does not
    wait on the day's recompute, and the worker's job brings the same figures."""
    if busy:
        monkeypatch.setattr(freshness, "INLINE_CONTACTS", 0)
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    with session_scope(factory) as session:
        session.add_all(
            [
                _interaction("c1", 2, "k1", "card", handled_by="human"),
                _interaction("c2", 3, "k2", "card", handled_by="human"),
                _open_case("c1", 2),
                _open_case("c2", 3),
                _article("kb-1", "Card blocked", at(1)),
            ]
        )
    with session_scope(factory) as session:
        before = figures(session, "acme", first=date(2026, 11, 1), last=date(2026, 11, 7))
        assert before["contacts"] == 0  # stored without any operation: nothing counted yet
    with session_scope(factory) as session:
        cases = {c.interaction_id: c.id for c in CaseRepository(session, "acme").find(limit=10)}
        article = session.query(Article).one()
        link_article(
            session,
            "acme",
            article.id,
            LinkIn(kind="reused", interaction_id="c1", via="suggested"),
            actor="dan",
            now=at(2, 10.5),
        )
        resolve_case(session, "acme", cases["c1"], code="done", by="dan")
        escalate_case(session, "acme", cases["c2"], reason="needs tier 2", by="dan")
    with session_scope(factory) as session:
        after = figures(session, "acme", first=date(2026, 11, 1), last=date(2026, 11, 7))
        if busy:
            assert after["contacts"] == 0, "left to the job"
            refresh(session, "acme")
            after = figures(session, "acme", first=date(2026, 11, 1), last=date(2026, 11, 7))
    engine.dispose()
    assert after["contacts"] == 2
    assert after["escalation_rate"] == 0.5 and after["links"] == 1
    assert after["resolution_rate"] == 0.5
