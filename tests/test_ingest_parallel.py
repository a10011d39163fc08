"""Decoding in a second process stores exactly what the in-process import stores."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psutil
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from criterio.db import session_scope
from criterio.demo import DemoGenerator
from criterio.demo.output import write_records
from criterio.interactions import ingest_files
from criterio.interactions.ingest import IngestReport
from criterio.interactions.models import Interaction
from tests.factories import interaction

#: Columns that depend on when and by which import a row was written.
WRITING = ("pk", "import_id", "created_at", "updated_at")
COMPARED = [c for c in Interaction.__table__.columns if c.key not in WRITING]


def _stored(factory: sessionmaker[Session]) -> dict[tuple[str, str], tuple[Any, ...]]:
    with session_scope(factory) as session:
        return {
            (row.tenant, row.external_id): tuple(row) for row in session.execute(select(*COMPARED))
        }


def _wipe(factory: sessionmaker[Session]) -> None:
    with session_scope(factory) as session:
        session.execute(delete(Interaction))


def _summary(report: IngestReport) -> tuple[Any, ...]:
    return (
        report.read,
        report.inserted,
        report.updated,
        report.unchanged,
        report.rejected,
        [e.as_dict() for e in report.errors],
    )


def _mixed_jsonl(path: Path) -> Path:
    """Good, lax, bad, duplicate and undecodable lines, as a real export may hold."""
    good = [json.dumps(interaction(i), ensure_ascii=False) for i in range(40)]
    lines = [
        *good[:20],
        # Lax: csat as text and a padded id, which only the pydantic path accepts.
        json.dumps(interaction(100, id=" c-000100 ", outcome={"csat": "4"})),
        '{"id": "no-time", "text": "hola"}',
        json.dumps(interaction(101, outcome={"csat": 9})),
        good[3],  # a duplicate id within the import
        '{"id": "trunc", "started_at": "2026-11-02T09',
        json.dumps({"id": "flat", "started_at": "2026-11-02T09:14:05.5+05:30", "text": "ñandú"}),
        json.dumps(interaction(102, tenant="other")),
    ]
    raw = "\n".join(lines).encode() + b"\n" + b'{"id": "latin", "text": "caf\xe9"}\n'
    path.write_bytes(raw + "\n".join(good[20:]).encode() + b"\n")
    return path


def test_child_decoding_stores_the_same_rows_and_errors(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = _mixed_jsonl(tmp_path / "mixed.jsonl")
    inline = ingest_files(session_factory, [path], chunk_size=7, parallel=False)
    expected = _stored(session_factory)
    _wipe(session_factory)
    child = ingest_files(session_factory, [path], chunk_size=7, parallel=True)
    assert _summary(child) == _summary(inline)
    assert _stored(session_factory) == expected
    assert len(expected) == 43 and child.rejected == 5
    fields = {e.location: e.field for e in child.errors}
    assert fields["line 22"] == "started_at" and fields["line 24"] == "id"
    assert fields["line 28"] == "(encoding)"
    # A re-import through the child is idempotent: nothing written, same errors.
    again = ingest_files(session_factory, [path], chunk_size=7, parallel=True)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 43)
    assert _stored(session_factory) == expected


def test_child_decoding_of_parquet_and_demo_data_matches(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    jsonl = tmp_path / "demo.jsonl"
    write_records(DemoGenerator(300, seed=3).records(), jsonl)
    parquet = tmp_path / "demo.parquet"
    write_records(DemoGenerator(300, seed=4).records(), parquet)
    paths = [jsonl, parquet, tmp_path / "missing.jsonl"]
    inline = ingest_files(session_factory, paths, parallel=False)
    expected = _stored(session_factory)
    _wipe(session_factory)
    child = ingest_files(session_factory, paths, parallel=True)
    assert _summary(child) == _summary(inline)
    # The two demo files share their ids: the Parquet copies are duplicates.
    assert (child.inserted, child.rejected) == (300, 301)
    assert [e.field for e in child.errors if e.location == "file"] == ["(file)"]
    assert _stored(session_factory) == expected


def test_a_damaged_parquet_file_is_reported_by_the_child(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = tmp_path / "bad.parquet"
    pq.write_table(pa.table({"id": ["x"]}), path)
    path.write_bytes(path.read_bytes()[:-12])
    report = ingest_files(session_factory, [path], parallel=True)
    assert report.inserted == 0 and report.rejected == 1
    assert "Parquet" in report.errors[0].message


def test_a_failing_writer_stops_the_decoder_process(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """An import that fails midway leaves no decoder running, and whole chunks stored."""
    path = tmp_path / "big.jsonl"
    write_records(DemoGenerator(3000, seed=5).records(), path)

    def fail_after_first_chunk(count: int) -> None:
        raise KeyboardInterrupt  # what Ctrl-C in `criterio ingest` raises

    with pytest.raises(KeyboardInterrupt):
        ingest_files(
            session_factory,
            [path],
            chunk_size=500,
            parallel=True,
            on_progress=fail_after_first_chunk,
        )
    assert _decoders() == []
    assert len(_stored(session_factory)) == 500  # the first chunk was committed


def _decoders() -> list[psutil.Process]:
    return [
        child
        for child in psutil.Process().children(recursive=True)
        if "criterio.interactions._pipeline" in " ".join(child.cmdline())
    ]


def test_parquet_times_in_any_zone_store_as_their_jsonl_twins(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """Zoned Parquet times (read as naive UTC by Arrow, then made UTC) store the same
    rows as the same records written as JSON lines; nanosecond times too (they made
    the import fail with "Type is not JSON serializable: Timestamp")."""
    madrid, new_york = ZoneInfo("Europe/Madrid"), ZoneInfo("America/New_York")
    starts = [
        datetime(2026, 3, 29, 1, 59, 30, 123456, tzinfo=UTC) + timedelta(hours=h) for h in range(4)
    ]
    records = [
        {
            "id": f"z-{i}",
            "started_at": start.astimezone(madrid),
            "ended_at": None if i == 0 else (start + timedelta(minutes=3)).astimezone(madrid),
            "turns": [
                {"role": "customer", "text": "hola", "at": start.astimezone(new_york)},
                {"role": "agent", "text": "dígame", "at": None},
            ],
        }
        for i, start in enumerate(starts)
    ]
    turn = pa.struct(
        [
            ("role", pa.string()),
            ("text", pa.string()),
            ("at", pa.timestamp("us", tz="America/New_York")),
        ]
    )
    schema = pa.schema(
        [
            ("id", pa.string()),
            ("started_at", pa.timestamp("us", tz="Europe/Madrid")),
            ("ended_at", pa.timestamp("ns", tz="Europe/Madrid")),
            ("turns", pa.list_(turn)),
        ]
    )
    parquet = tmp_path / "zones.parquet"
    pq.write_table(pa.Table.from_pylist(records, schema=schema), parquet)
    jsonl = tmp_path / "zones.jsonl"
    jsonl.write_text(
        "".join(json.dumps(r, default=datetime.isoformat) + "\n" for r in records), encoding="utf-8"
    )
    from_jsonl = ingest_files(session_factory, [jsonl], parallel=False)
    expected = _stored(session_factory)
    _wipe(session_factory)
    from_parquet = ingest_files(session_factory, [parquet], parallel=False)
    assert (from_jsonl.inserted, from_parquet.inserted) == (4, 4)
    assert _stored(session_factory) == expected
