"""PostgreSQL's binary COPY and one-statement import upsert against the statement path."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from criterio.db import is_sqlite, session_scope
from criterio.demo import DemoGenerator
from criterio.interactions._fast import decode_row, plain_row
from criterio.interactions.models import Interaction
from criterio.interactions.repository import InteractionRepository, _pg_upsert
from criterio.interactions.schemas import InteractionIn
from criterio.interactions.service import store_rows, to_row
from tests.factories import interaction

NOW = datetime(2026, 11, 23, 10, 0, 0, 123456, tzinfo=UTC)
COMPARED = [c.key for c in Interaction.__table__.columns if c.key not in ("pk", "tenant")]


@pytest.fixture(autouse=True)
def _postgres_only(engine: Engine) -> None:
    if is_sqlite(engine):
        pytest.skip("PostgreSQL's COPY path")


def _rows(tenant: str, records: list[dict[str, Any]], now: datetime = NOW) -> list[dict[str, Any]]:
    """Rows of both builders: the compiled decoder's (turns as JSON bytes) and pydantic's."""
    rows = []
    for i, record in enumerate(records):
        data = {**record, "tenant": tenant}
        fast = decode_row(orjson.dumps(data, default=str), None) if i % 2 else None
        row = fast or to_row(InteractionIn.model_validate(data), now=now, import_id=None)
        rows.append({**row, "import_id": "imp", "created_at": now, "updated_at": now})
    return rows


def _stored(session: Session, tenant: str) -> dict[str, tuple[Any, ...]]:
    rows = InteractionRepository(session, tenant).iter_all()
    return {r.external_id: tuple(getattr(r, c) for c in COMPARED) for r in rows}


def test_binary_copy_stores_what_the_statement_path_stores(session: Session) -> None:
    """Times, JSON (bytes or objects), booleans, small ints and NULLs survive binary COPY."""
    records = [
        *DemoGenerator(120, seed=4).records(),
        interaction(1, outcome=None, channel=None, labels={}, customer_id=None),
        {"id": "flat", "started_at": "2026-11-02T09:14:05.5+05:30", "text": 'hola "ñ" \\ 😡\n'},
    ]
    InteractionRepository(session, "copy").upsert(_rows("copy", records))
    session.execute(_pg_upsert(), [plain_row(r) for r in _rows("stmt", records)])
    copied = _stored(session, "copy")
    assert len(copied) == len(records) and copied == _stored(session, "stmt")


def _import(session: Session, records: list[dict[str, Any]], import_id: str, now: datetime) -> Any:
    return store_rows(session, _rows("acme", records, now), import_id=import_id, now=now)


def test_one_statement_tells_new_changed_unchanged_and_duplicate(session: Session) -> None:
    """The import upsert's answer and what it stores, chunk after chunk."""
    records = [interaction(i) for i in range(60)]
    first = _import(session, records, "imp-1", NOW)  # all new: copied into the table
    assert (first.inserted, first.updated, first.unchanged, first.duplicates) == (60, 0, 0, [])
    # The same import again (a later chunk repeating ids): duplicates, nothing written.
    later = NOW + timedelta(minutes=1)
    repeated = _import(session, [{**r, "language": "pt"} for r in records[:5]], "imp-1", later)
    assert (repeated.inserted, repeated.duplicates) == (0, [0, 1, 2, 3, 4])
    # Another import: unchanged, changed and new rows in one chunk (the upsert path).
    second_at = NOW + timedelta(hours=1)
    mixed = [*records[:50], *({**r, "language": "pt"} for r in records[50:]), interaction(99)]
    second = _import(session, mixed, "imp-2", second_at)
    assert (second.inserted, second.updated, second.unchanged) == (1, 10, 50)
    rows = {r.external_id: r for r in InteractionRepository(session, "acme").iter_all()}
    assert {r.import_id for r in rows.values()} == {"imp-2"}
    kept, changed, new = rows["c-000000"], rows["c-000055"], rows["c-000099"]
    assert kept.language == "en" and kept.updated_at == NOW and kept.created_at == NOW
    assert changed.language == "pt" and changed.updated_at == second_at
    assert changed.created_at == NOW and new.created_at == second_at


def test_a_row_stored_meanwhile_is_upserted_not_lost(
    session_factory: sessionmaker[Session],
) -> None:
    """Another writer storing one of the ids after the existence check: the COPY fails
    on the unique key, is undone to its savepoint, and the chunk goes through the upsert."""
    records = [interaction(i) for i in range(60)]
    with session_scope(session_factory) as other:
        store_rows(other, _rows("acme", records[:1]), import_id="other", now=NOW)
        # The other writer has not committed: the import's check does not see the row,
        # its COPY waits on it, then meets the unique key once the writer commits.
        commit = threading.Timer(1.0, other.commit)
        commit.start()
        later = NOW + timedelta(hours=1)
        with session_scope(session_factory) as session:
            result = store_rows(session, _rows("acme", records, later), import_id="imp", now=later)
        commit.join()
    assert (result.inserted, result.unchanged) == (59, 1)
    with session_scope(session_factory) as session:
        count = session.execute(
            text("SELECT count(*), count(DISTINCT import_id) FROM interactions")
        )
        assert tuple(count.one()) == (60, 1)
