"""File import into the real store: counts, idempotency, updates, errors, round trips."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from criterio.db import session_scope
from criterio.interactions import ingest_files
from criterio.interactions.export import export_interactions
from criterio.interactions.models import Interaction
from criterio.interactions.repository import InteractionRepository
from criterio.interactions.stats import store_stats
from tests.factories import interaction, write_jsonl


def _count(factory: sessionmaker[Session]) -> int:
    with session_scope(factory) as session:
        return int(session.scalar(select(func.count()).select_from(Interaction)) or 0)


def test_jsonl_import_stores_every_good_record(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [interaction(i) for i in range(120)])
    report = ingest_files(session_factory, [path], chunk_size=50)
    assert (report.read, report.inserted, report.rejected) == (120, 120, 0)
    assert _count(session_factory) == 120
    with session_scope(session_factory) as session:
        stored = InteractionRepository(session, "acme").get("c-000007")
        assert stored is not None
        assert stored.turns[0]["role"] == "customer"
        assert stored.csat == 3 and stored.attributes["queue"] == "tech"
        assert stored.started_at.tzinfo is not None


def test_reimport_changes_nothing_and_new_content_updates(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    records = [interaction(i) for i in range(30)]
    path = write_jsonl(tmp_path / "a.jsonl", records)
    ingest_files(session_factory, [path], chunk_size=7)
    again = ingest_files(session_factory, [path], chunk_size=7)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 30)
    records[3]["outcome"] = {"handled_by": "bot", "csat": 5}
    write_jsonl(path, records)
    third = ingest_files(session_factory, [path], chunk_size=7)
    assert (third.inserted, third.updated, third.unchanged) == (0, 1, 29)
    assert _count(session_factory) == 30
    with session_scope(session_factory) as session:
        row = InteractionRepository(session, "acme").get("c-000003")
        assert row is not None and row.handled_by == "bot" and row.csat == 5


def test_bad_records_are_reported_and_good_ones_kept(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = tmp_path / "mixed.jsonl"
    lines = [
        '{"id": "ok-1", "started_at": "2026-11-02T09:14:05Z", "text": "hola"}',
        '{"id": "no-time", "text": "hola"}',
        '{"id": "bad-csat", "started_at": "2026-11-02T09:14:05Z", "text": "x", '
        '"outcome": {"csat": 9}}',
        '{"id": "ok-2", "started_at": "2026-11-02T09:14:05+01:00", "text": "hello"}',
        '{"id": "ok-1", "started_at": "2026-11-02T09:14:05Z", "text": "again"}',
        '{"id": "trunc", "started_at": "2026-11-02T09',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = ingest_files(session_factory, [path], chunk_size=2)
    assert report.inserted == 2
    by_line = {e.location: e for e in report.errors}
    assert by_line["line 2"].field == "started_at" and by_line["line 2"].record_id == "no-time"
    assert by_line["line 3"].field == "outcome.csat"
    assert by_line["line 5"].field == "id" and "duplicate" in by_line["line 5"].message
    assert by_line["line 6"].field == "(json)"
    assert _count(session_factory) == 2


def test_tenant_option_fills_and_guards(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    records = [interaction(1), {k: v for k, v in interaction(2).items() if k != "tenant"}]
    records[0]["tenant"] = "other"
    path = write_jsonl(tmp_path / "t.jsonl", records)
    report = ingest_files(session_factory, [path], tenant="acme")
    assert report.inserted == 1
    assert report.errors[0].field == "tenant" and "other" in report.errors[0].message
    with session_scope(session_factory) as session:
        assert InteractionRepository(session, "acme").get("c-000002") is not None
        assert InteractionRepository(session, "other").count() == 0


def test_csv_import_maps_nested_columns(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = tmp_path / "a.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "id",
                "started_at",
                "channel",
                "text",
                "attributes.queue",
                "outcome.csat",
                "outcome.resolved",
                "labels.intent",
            ]
        )
        writer.writerow(
            [
                "r1",
                "2026-11-02T09:00:00Z",
                "email",
                "No funciona, ayuda",
                "tech",
                "2",
                "false",
                "outage",
            ]
        )
        writer.writerow(["r2", "2026-11-02T10:00:00Z", "chat", "Thanks!", "", "", "", ""])
    report = ingest_files(session_factory, [path], tenant="acme")
    assert (report.inserted, report.rejected) == (2, 0)
    with session_scope(session_factory) as session:
        row = InteractionRepository(session, "acme").get("r1")
        assert row is not None
        assert (row.csat, row.resolved, row.attributes, row.labels) == (
            2,
            False,
            {"queue": "tech"},
            {"intent": "outage"},
        )


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_export_then_import_gives_the_same_interactions(
    session_factory: sessionmaker[Session], tmp_path: Path, fmt: str
) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [interaction(i) for i in range(40)])
    ingest_files(session_factory, [path])
    out = tmp_path / f"export.{fmt}"
    with session_scope(session_factory) as session:
        assert export_interactions(session, ["acme"], out, fmt) == 40
    # Importing the export into the same store must find every record unchanged.
    again = ingest_files(session_factory, [out])
    assert (again.read, again.unchanged, again.rejected) == (40, 40, 0)


def test_stats_counts_by_tenant_and_segment(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [interaction(i) for i in range(10)])
    ingest_files(session_factory, [path])
    with session_scope(session_factory) as session:
        stats = store_stats(session)
    acme = stats["tenants"]["acme"]
    assert stats["total"] == 10 and acme["total"] == 10
    assert acme["by_language"] == {"es": 5, "en": 5}
    assert sum(acme["by_day"].values()) == 10


def test_a_timestamp_out_of_range_is_refused_by_name(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = tmp_path / "old.jsonl"
    path.write_text(
        '{"id": "y1", "started_at": "0001-01-01T00:00:00+01:00", "text": "hola"}\n'
        '{"id": "ok", "started_at": "2026-11-02T09:00:00Z", "text": "hola"}\n',
        encoding="utf-8",
    )
    report = ingest_files(session_factory, [path])
    assert report.inserted == 1
    [error] = report.errors
    assert (error.location, error.field, error.record_id) == ("line 1", "started_at", "y1")
    assert "out of range" in error.message
