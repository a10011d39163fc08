"""`criterio demo` end to end on a real SQLite file, then `criterio stats --json`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from criterio.cli import app
from criterio.config import get_settings
from criterio.db import make_engine, make_session_factory, session_scope
from criterio.interactions import ingest_files
from criterio.interactions.repository import InteractionRepository
from tests.factories import interaction, write_jsonl


@pytest.fixture
def store_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """CRITERIO_DATABASE_URL pointing at a SQLite file of this test's own."""
    url = f"sqlite:///{tmp_path / 'demo' / 'criterio-demo.db'}"
    monkeypatch.setenv("CRITERIO_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_demo_loads_the_store_and_says_what_to_do_next(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # keep Rich from wrapping the next steps
    runner = CliRunner()
    result = runner.invoke(app, ["demo", "--size", "500"])
    assert result.exit_code == 0, result.output
    assert "500 new" in result.output
    assert "What to look at next" in result.output and "criterio stats" in result.output
    assert "criterio report --tenant demo --from 2026-11-17 --to 2026-11-30" in result.output
    assert "spike 2026-11-10" in result.output and "region=ES-AN" in result.output
    assert "500 interactions analysed" in result.output  # the analysis pipeline ran
    # Intents were learned from the labelled part and topics discovered, beside the store.
    assert "intents learned from" in result.output and "topics discovered" in result.output
    # Both are the tenant's champions in the registry, their files beside the store.
    models = Path(store_url.removeprefix("sqlite:///")).parent / "models"
    listed = runner.invoke(app, ["models", "list", "--tenant", "demo", "--json"])
    champions = {m["kind"]: m for m in json.loads(listed.stdout) if m["status"] == "champion"}
    assert set(champions) == {"intent", "topics"}
    assert Path(champions["intent"]["path"]).parent.parent.parent == models.resolve()
    assert (Path(champions["intent"]["path"]) / "model.skops").is_file()
    topics = runner.invoke(app, ["topics", "show", "--tenant", "demo"])
    assert topics.exit_code == 0 and "topics (version 1)" in topics.output
    with session_scope(make_session_factory(make_engine(store_url))) as session:
        predicted = session.execute(
            text(
                "SELECT count(*) FROM analysis_results"
                " WHERE tenant = 'demo' AND intent_label IS NOT NULL"
            )
        ).scalar_one()
    assert predicted == 500
    # The month was triaged: every interaction has a decision, and routed ones wait as
    # open cases in their queues (the demo's policy, articles imported).
    assert "500 interactions triaged at a 0.95 target" in result.output
    with session_scope(make_session_factory(make_engine(store_url))) as session:
        decided, cases, articles = (
            session.execute(
                text(f"SELECT count(*) FROM {table} WHERE tenant = 'demo'")
            ).scalar_one()
            for table in ("triage_decisions", "cases", "articles")
        )
        automated = session.execute(
            text("SELECT count(*) FROM triage_decisions WHERE action = 'automate'")
        ).scalar_one()
    assert decided == 500 and cases == 500 - automated > 0
    # Simulated agents worked part of the cases: reused articles, resolved, maybe
    # captured an article for the reason the knowledge base lacks.
    assert "cases worked by 4 simulated agents" in result.output
    with session_scope(make_session_factory(make_engine(store_url))) as session:
        worked, reused = (
            session.execute(text(query)).scalar_one()
            for query in (
                "SELECT count(*) FROM cases WHERE tenant = 'demo' AND status = 'resolved'",
                "SELECT count(*) FROM article_links WHERE tenant = 'demo' AND kind = 'reused'",
            )
        )
        created = session.execute(
            text("SELECT count(*) FROM feedback_events WHERE kind = 'article_created'")
        ).scalar_one()
    assert worked > 0 and reused > 0 and articles == 16 + created
    stats = runner.invoke(app, ["stats", "--json"])
    assert stats.exit_code == 0, stats.output
    assert json.loads(stats.output)["tenants"]["demo"]["total"] == 500
    again = runner.invoke(app, ["demo", "--size", "500"])
    assert "500 unchanged" in again.output, "the same seed gives the same data"


def test_fresh_deletes_only_the_demo_when_other_tenants_share_the_store(store_url: str) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["demo", "--size", "200"]).exit_code == 0
    assert "200 new" in runner.invoke(app, ["demo", "--size", "200", "--fresh"]).output
    engine = make_engine(store_url)
    factory = make_session_factory(engine)
    ingest_files(
        factory, [write_jsonl(Path(store_url[10:]).with_suffix(".jsonl"), [interaction(1)])]
    )
    result = runner.invoke(app, ["demo", "--size", "150", "--fresh", "--seed", "9"])
    assert result.exit_code == 0 and "150 new" in result.output
    with session_scope(factory) as session:
        assert InteractionRepository(session, "acme").count() == 1
        assert InteractionRepository(session, "demo").count() == 150
    engine.dispose()


def test_a_tiny_demo_is_analysed_without_models(store_url: str) -> None:
    result = CliRunner().invoke(app, ["demo", "--size", "20"])
    assert result.exit_code == 0, result.output
    assert "models: not trained" in result.output and "are too few" in result.output
    assert "20 interactions analysed" in result.output


def test_out_writes_a_file_instead_of_a_store(tmp_path: Path) -> None:
    out = tmp_path / "month.jsonl"
    result = CliRunner().invoke(app, ["demo", "--size", "120", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 120 and json.loads(lines[0])["tenant"] == "demo"
    bad = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "month.csv")])
    assert bad.exit_code != 0 and ".jsonl or .parquet" in bad.output
