"""Erasure leaves no trace: not in SQLite's files, not as a guessable reference; by id too."""

from __future__ import annotations

import hashlib
import hmac
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from criterio.analysis.pipeline import build_pipeline
from criterio.annotations.runner import analyze_store
from criterio.annotations.service import get_result
from criterio.auth.models import AuditEvent, Tenant
from criterio.auth.roles import Role
from criterio.cli import app as cli
from criterio.config import Settings, get_settings
from criterio.db import make_engine, session_scope
from criterio.engines import LocalEngine
from criterio.insights import list_insights
from criterio.insights.service import upsert_detections
from criterio.interactions import ingest_files
from criterio.web import create_app
from tests import api_support
from tests.api_support import Api, seed
from tests.factories import interaction, write_jsonl
from tests.insight_data import spike_detection

api = api_support.api

#: Erased texts: ASCII, so their bytes are the same in the JSON column and the file.
LONG = "ERASE-ME-LONG " + "the customer told us everything about the account " * 120
SHORT = "ERASE-ME-SHORT my card number is on the letter"
ANONYMOUS = "ERASE-ME-ANON a message without a customer id"
KEPT = "KEEP-ME a message that stays"


def _record(i: int, body: str, customer_id: str | None) -> dict[str, object]:
    record = interaction(i, turns=[{"role": "customer", "text": body}])
    if customer_id is None:
        del record["customer_id"]
    else:
        record["customer_id"] = customer_id
    return record


@pytest.fixture
def sqlite_api(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[Api, Path]]:
    """The real app on a SQLite file of its own, and that file's path."""
    database = tmp_path / "criterio.db"
    shutil.copy(sqlite_template, database)
    app = create_app(Settings(database_url=f"sqlite:///{database}"))
    with TestClient(app) as client:
        from criterio.db import make_session_factory

        factory = make_session_factory(app.state.engine)
        yield Api(app, client, factory, seed(factory)), database


def test_sqlite_files_hold_no_erased_bytes(sqlite_api: tuple[Api, Path]) -> None:
    api, database = sqlite_api
    records = [
        _record(1, LONG, "k-gone"),
        _record(2, SHORT, "k-gone"),
        _record(3, ANONYMOUS, None),
        _record(4, KEPT, "k-stays"),
    ]
    h = api.headers()
    assert api.client.post("/api/v1/interactions/batch", json=records, headers=h).status_code == 200
    # Part of the data reaches the database file itself, the rest stays in the log.
    with api.app.state.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
    api.client.get("/api/v1/interactions/c-000002", headers=h)  # more writes: audit events
    wal = database.with_name(database.name + "-wal")
    before = database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert b"ERASE-ME-LONG" in before and b"ERASE-ME-ANON" in before

    assert api.client.delete("/api/v1/customers/k-gone", headers=h).json()["deleted"] == 2
    assert api.client.delete("/api/v1/interactions/c-000003", headers=h).json()["deleted"] == 1

    files = {"db": database.read_bytes(), "wal": wal.read_bytes() if wal.exists() else b""}
    for name, content in files.items():
        for needle in (b"ERASE-ME", b"the customer told us everything", b"k-gone"):
            assert needle not in content, (name, needle)
    assert b"KEEP-ME" in files["db"]  # what was not erased is still there, readable
    assert files["wal"] == b""  # the log was emptied (TRUNCATE), not only copied


def test_every_sqlite_connection_overwrites_deleted_content(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    engine.dispose()


def _tenant_key(factory: sessionmaker[Session], tenant: str) -> bytes:
    with session_scope(factory) as session:
        key = session.scalar(select(Tenant.erasure_key).where(Tenant.name == tenant))
    assert key is not None and len(key) == 64
    return bytes.fromhex(key)


def test_customer_reference_is_keyed_per_tenant(api: Api) -> None:
    for tenant in ("acme", "globex"):
        api.client.post(
            "/api/v1/interactions",
            json=interaction(1, tenant=tenant, customer_id="k-7"),
            headers=api.headers(tenant),
        )
    acme = api.client.delete("/api/v1/customers/k-7", headers=api.headers("acme")).json()
    globex = api.client.delete("/api/v1/customers/k-7", headers=api.headers("globex")).json()
    assert acme["deleted"] == globex["deleted"] == 1
    unkeyed = "sha256:" + hashlib.sha256(b"acme\x00k-7").hexdigest()[:32]
    assert acme["reference"] != unkeyed  # a guess of the id can no longer be checked
    assert acme["reference"] != globex["reference"]
    expected = hmac.new(_tenant_key(api.factory, "acme"), b"acme\x00k-7", hashlib.sha256)
    assert acme["reference"] == "hmac-sha256:" + expected.hexdigest()[:32]
    again = api.client.delete("/api/v1/customers/k-7", headers=api.headers("acme")).json()
    assert again == {"deleted": 0, "reference": acme["reference"]}  # stable per customer
    events = api.client.get(
        "/api/v1/audit", params={"action": "erase"}, headers=api.headers()
    ).json()["items"]
    assert [e["resource_id"] for e in events] == [acme["reference"]] * 2
    assert _tenant_key(api.factory, "acme") != _tenant_key(api.factory, "globex")


def test_interaction_without_customer_is_erased_by_id(api: Api) -> None:
    h = api.headers()
    records = [_record(1, ANONYMOUS, None), _record(2, KEPT, None)]
    assert api.client.post("/api/v1/interactions/batch", json=records, headers=h).status_code == 200
    with LocalEngine(workers=1) as engine:
        analyze_store(api.factory, ["acme"], engine=engine, pipeline=build_pipeline(["pii"]))
    with session_scope(api.factory) as session:
        upsert_detections(session, "acme", [spike_detection(examples=("c-000001", "c-000002"))])

    denied = api.client.delete(
        "/api/v1/interactions/c-000001", headers=api.headers("acme", Role.lead)
    )
    assert denied.status_code == 403
    other = api.client.delete("/api/v1/interactions/c-000001", headers=api.headers("globex"))
    assert other.status_code == 404  # another tenant's interaction is not found
    response = api.client.delete("/api/v1/interactions/c-000001", headers=h)
    assert response.status_code == 200
    assert response.json() == {"deleted": 1, "reference": "c-000001"}

    assert api.client.get("/api/v1/interactions/c-000001", headers=h).status_code == 404
    assert api.client.get("/api/v1/interactions/c-000002", headers=h).status_code == 200
    with session_scope(api.factory) as session:
        assert get_result(session, "acme", external_id="c-000002") is not None
        (insight,) = list_insights(session, "acme")
        assert insight.evidence["examples"] == ["c-000002"]
        analysed = session.execute(
            text("SELECT count(*) FROM analysis_results WHERE analysis_results.tenant = 'acme'")
        ).scalar()
    assert analysed == 1
    missing = api.client.delete("/api/v1/interactions/c-000001", headers=h)
    assert missing.status_code == 404
    events = api.client.get("/api/v1/audit", params={"action": "erase"}, headers=h).json()["items"]
    assert [(e["resource_type"], e["resource_id"], e["outcome"]) for e in events] == [
        ("interaction", "c-000001", "not_found"),
        ("interaction", "c-000001", "success"),
    ]


def test_cli_erases_a_customer_and_an_interaction(
    database_url: str,
    session_factory: sessionmaker[Session],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    records = [_record(1, SHORT, "k-gone"), _record(2, ANONYMOUS, None), _record(3, KEPT, None)]
    ingest_files(session_factory, [write_jsonl(tmp_path / "a.jsonl", records)])
    monkeypatch.setenv("CRITERIO_DATABASE_URL", database_url)
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        gone = runner.invoke(cli, ["erase", "customer", "k-gone", "--tenant", "acme"])
        one = runner.invoke(cli, ["erase", "interaction", "c-000002", "-t", "acme"])
        none = runner.invoke(cli, ["erase", "interaction", "c-000002", "-t", "acme"])
    finally:
        get_settings.cache_clear()
    assert gone.exit_code == 0, gone.output
    assert "1 interaction(s) erased; audit reference hmac-sha256:" in gone.output
    assert one.exit_code == 0 and "erased" in one.output
    assert none.exit_code == 1 and "has no interaction 'c-000002'" in none.output
    with session_scope(session_factory) as session:
        left = session.execute(
            text("SELECT external_id FROM interactions WHERE tenant = 'acme'")
        ).scalars()
        assert list(left) == ["c-000003"]
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.tenant == "acme").order_by(AuditEvent.pk)
        ).all()
    assert [(e.resource_type, e.outcome) for e in events] == [
        ("customer", "success"),
        ("interaction", "success"),
        ("interaction", "not_found"),
    ]
    assert all(e.actor.startswith("cli") and e.action == "erase" for e in events)
    assert "k-gone" not in {e.resource_id for e in events}
