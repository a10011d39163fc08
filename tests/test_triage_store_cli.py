"""`criterio triage policy show|set` and `triage run` on a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from criterio.assist.models import Case
from criterio.cli import app
from criterio.config import get_settings
from criterio.db import make_engine
from criterio.learning.service import register_model
from criterio.triage.models import TriageDecision
from tests.cli_helpers import run_ingest
from tests.factories import interaction, write_jsonl
from tests.test_triage_api import CARD, calibrated_model

__all__ = ["calibrated_model"]


def test_policy_set_then_show_gives_the_new_version(cli: CliRunner, tmp_path: Path) -> None:
    file = tmp_path / "p.yaml"
    file.write_text("target_precision: 0.97\nmode: shadow\n", "utf-8")
    done = cli.invoke(app, ["triage", "policy", "set", str(file), "--tenant", "acme"])
    assert done.exit_code == 0, done.output
    assert "policy version 1 of tenant acme" in done.stderr
    shown = json.loads(cli.invoke(app, ["triage", "policy", "show", "--tenant", "acme"]).stdout)
    assert (shown["version"], shown["target_precision"], shown["mode"]) == (1, 0.97, "shadow")
    other = json.loads(cli.invoke(app, ["triage", "policy", "show", "--tenant", "globex"]).stdout)
    assert other["version"] is None and other["target_precision"] == 0.95


def test_a_bad_policy_file_is_refused_naming_the_field(cli: CliRunner, tmp_path: Path) -> None:
    file = tmp_path / "p.json"
    file.write_text('{"target_precision": 2}', "utf-8")
    done = cli.invoke(app, ["triage", "policy", "set", str(file), "--tenant", "acme"])
    assert done.exit_code == 1
    assert "field target_precision" in done.stderr


def test_run_decides_stored_interactions_and_stores_the_decisions(
    cli: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    tmp_path: Path,
    calibrated_model: Path,
) -> None:
    records = [
        interaction(1, turns=[{"role": "customer", "text": CARD}]),
        interaction(2, turns=[{"role": "customer", "text": "hola, quiero hablar con mi abogado"}]),
        interaction(3, started_at="2026-10-01T09:00:00Z"),
    ]
    assert (
        run_ingest(
            monkeypatch, database_url, tmp_path, str(write_jsonl(tmp_path / "i.jsonl", records))
        ).exit_code
        == 0
    )
    engine = make_engine(database_url)
    try:
        with Session(engine) as session, session.begin():
            register_model(
                session,
                "acme",
                kind="intent",
                version=1,
                directory=calibrated_model,
                training={},
                training_hash="0" * 64,
                metrics={},
                by="test",
            )
        monkeypatch.setenv("CRITERIO_DATABASE_URL", database_url)
        get_settings.cache_clear()
        done = cli.invoke(
            app,
            [
                "triage",
                "run",
                "--tenant",
                "acme",
                "--since",
                "2026-11-01",
                "--target-precision",
                "0.9",
            ],
        )
        assert done.exit_code == 0, done.output
        assert "tenant acme: 1 automate, 1 escalate" in done.stderr
        with Session(engine) as session:
            rows = session.scalars(
                select(TriageDecision).order_by(TriageDecision.interaction_id)
            ).all()
            got = [(r.tenant, r.interaction_id, r.action, r.intent) for r in rows]
            cases = [(c.interaction_id, c.status, c.queue) for c in session.scalars(select(Case))]
    finally:
        engine.dispose()
    assert got == [
        ("acme", "c-000001", "automate", "card_arrival"),
        ("acme", "c-000002", "escalate", got[1][3]),
    ]
    # The escalated interaction waits as an open case; the automated one has none.
    assert cases == [("c-000002", "open", "general")]


def test_calibrate_tenant_uses_the_stored_labels_and_decide_tenant_the_champion(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> None:
    from tests.test_triage_cli import _training_file

    rows = [json.loads(x) for x in _training_file(tmp_path / "t.jsonl").read_text().splitlines()]
    records = [
        interaction(
            i, turns=[{"role": "customer", "text": r["text"]}], labels={"intent": r["intent"]}
        )
        for i, r in enumerate(rows)
    ]
    file = write_jsonl(tmp_path / "i.jsonl", records)
    assert run_ingest(monkeypatch, database_url, tmp_path, str(file)).exit_code == 0
    monkeypatch.setenv("CRITERIO_DATABASE_URL", database_url)
    monkeypatch.setenv("CRITERIO_MODEL_DIR", str(tmp_path / "models"))
    get_settings.cache_clear()
    trained = cli.invoke(app, ["intents", "train", "--tenant", "acme"])
    assert trained.exit_code == 0, trained.output
    done = cli.invoke(app, ["triage", "calibrate", "--tenant", "acme", "--folds", "3"])
    assert done.exit_code == 0, done.output
    assert f"3-fold evidence on {len(rows)} examples" in done.stderr
    assert "triage model" in done.stderr and "version 1, champion" in done.stderr
    # The calibration is a registry entry of its own, beside (not inside) the intent model.
    listed = json.loads(cli.invoke(app, ["models", "list", "--tenant", "acme", "--json"]).stdout)
    entries = {(m["kind"], m["version"]): m for m in listed}
    first = entries[("triage", 1)]
    assert first["status"] == "champion"
    assert first["training"]["intent_model"]["id"] == entries[("intent", 1)]["id"]
    assert first["metrics"]["target"] == 0.95 and first["metrics"]["verified_rows"] == len(rows)
    assert Path(first["path"]).parent == tmp_path / "models" / "acme" / "triage"
    assert not (Path(entries[("intent", 1)]["path"]) / "triage.json").exists()
    _register_again(database_url, tmp_path, Path(first["path"]))
    back = cli.invoke(app, ["models", "rollback", "--tenant", "acme", "--kind", "triage"])
    assert back.exit_code == 0, back.output
    listed = json.loads(cli.invoke(app, ["models", "list", "--kind", "triage", "--json"]).stdout)
    assert sorted((m["version"], m["status"]) for m in listed) == [
        (1, "champion"),
        (2, "retired"),
    ]
    new = tmp_path / "new.jsonl"
    new.write_text(json.dumps({"id": "n1", "text": CARD}) + "\n", "utf-8")
    decided = cli.invoke(
        app, ["triage", "decide", str(new), "--tenant", "acme", "--target-precision", "0.9"]
    )
    assert decided.exit_code == 0, decided.output
    assert json.loads(decided.stdout)["intent"] == "card_arrival"
    missing = cli.invoke(app, ["triage", "decide", str(new), "--tenant", "globex"])
    assert missing.exit_code == 1
    assert "tenant 'globex' has no intent champion" in missing.stderr
    # The registered file is checked: an edited calibration is refused, not used.
    evidence_file = Path(first["path"]) / "triage.json"
    evidence_file.write_text(evidence_file.read_text("utf-8").replace('"n":', '"n": 1, "x":'))
    edited = cli.invoke(app, ["triage", "decide", str(new), "--tenant", "acme"])
    assert edited.exit_code == 1 and "changed since it was registered" in edited.stderr


def _register_again(database_url: str, tmp_path: Path, entry: Path) -> None:
    """A second calibration of the same intent model (its evidence re-registered: no CV)."""
    from criterio.learning.service import champion
    from criterio.triage.files import read_evidence
    from criterio.triage.registry import register_calibration

    engine = make_engine(database_url)
    try:
        with Session(engine) as session, session.begin():
            intent = champion(session, "acme", "intent")
            assert intent is not None
            row, promoted = register_calibration(
                session,
                "acme",
                read_evidence(entry / "triage.json", intent.sha256),
                intent_model=intent,
                target=0.9,
                folds=3,
                seconds=0.0,
                model_dir=tmp_path / "models",
                promote=True,
                by="test",
            )
            assert (row.version, promoted, row.metrics["target"]) == (2, True, 0.9)
    finally:
        engine.dispose()
