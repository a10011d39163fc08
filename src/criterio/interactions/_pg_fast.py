"""PostgreSQL upserts through the driver: binary COPY into a staging table, one statement.

Big batches (an import's chunk, an API batch of :data:`SMALL_UPSERT` rows or more) are
written with a binary ``COPY`` into a temporary staging table (no text escaping of the
JSON and no time formatting on the client; the JSON is the bytes the decoder already
serialised) and one ``INSERT ... SELECT ... ON CONFLICT`` into the table. An import's
statement also decides, row by row and under the row's lock, whether a stored row is a
duplicate of this import, unchanged, or changed: no lookup query before it.

Small batches (an API POST is often one row) are one multi-row ``INSERT ... ON
CONFLICT`` with values as given: SQLAlchemy's Core statement spends more on compiling
parameters and serialising JSON than PostgreSQL spends on the insert. JSON columns are
sent as text, which PostgreSQL casts to ``jsonb``. Tests compare these paths with Core.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any, Literal

import orjson
from psycopg import Connection, Cursor
from psycopg.errors import UniqueViolation
from psycopg.types.json import set_json_dumps
from sqlalchemy.orm import Session

from criterio.interactions._fast import TURNS_JSON
from criterio.interactions.models import INSERT_COLUMNS, UPSERT_COLUMNS

__all__ = [
    "SMALL_UPSERT",
    "Outcome",
    "upsert_changed_pg_fast",
    "upsert_imported_pg",
    "upsert_staged_pg",
]

#: Below this many rows a PostgreSQL upsert is one plain INSERT ... ON CONFLICT: the COPY
#: through a staging table pays off only for bigger batches.
SMALL_UPSERT = 50

_JSON_COLUMNS = frozenset({"attributes", "turns", "labels"})
_INSERT = ", ".join(INSERT_COLUMNS)

#: What an import's upsert did to one row; a row it left alone (not returned) was
#: already written by the same import: a duplicate.
Outcome = Literal["inserted", "updated", "unchanged"]

# -- small batches: one multi-row statement ---------------------------------------------


@lru_cache(maxsize=64)
def _changed_sql(count: int) -> str:
    # Built from the table's constant column names and a row count, never from input.
    row = f"({', '.join('%s' for _ in INSERT_COLUMNS)})"
    return (
        f"INSERT INTO interactions ({_INSERT}) "  # noqa: S608
        f"VALUES {', '.join(row for _ in range(count))} "
        "ON CONFLICT (tenant, external_id) DO UPDATE SET "
        + ", ".join(f"{c} = excluded.{c}" for c in UPSERT_COLUMNS)
        + " WHERE interactions.content_hash != excluded.content_hash"
        " RETURNING external_id, created_at"
    )


def _value(row: dict[str, Any], column: str) -> Any:
    if column not in _JSON_COLUMNS:
        return row[column]
    if column == "turns" and TURNS_JSON in row:
        return row[TURNS_JSON].decode()
    return orjson.dumps(row[column]).decode()


def _driver(session: Session) -> Connection[Any]:
    raw = session.connection().connection.driver_connection
    assert isinstance(raw, Connection)  # a live psycopg connection in the transaction
    return raw


def upsert_changed_pg_fast(session: Session, rows: list[dict[str, Any]]) -> dict[str, datetime]:
    """``upsert_changed`` for a few rows in one statement: ``id -> created_at`` of those written."""
    values = [_value(row, column) for row in rows for column in INSERT_COLUMNS]
    with _driver(session).cursor() as cursor:
        cursor.execute(_changed_sql(len(rows)), values)
        return {external_id: created for external_id, created in cursor.fetchall()}


# -- big batches: binary COPY into a staging table, then one statement ------------------

#: PostgreSQL type of each column, in INSERT_COLUMNS order: binary COPY sends values in
#: the column's own binary format, so these must be the table's types exactly.
_TYPES = {
    "tenant": "varchar",
    "external_id": "varchar",
    "created_at": "timestamptz",
    "channel": "varchar",
    "started_at": "timestamptz",
    "ended_at": "timestamptz",
    "customer_id": "varchar",
    "language": "varchar",
    "attributes": "jsonb",
    "turns": "jsonb",
    "handled_by": "varchar",
    "agent_id": "varchar",
    "resolved": "bool",
    "csat": "int2",
    "escalated": "bool",
    "resolution_code": "varchar",
    "labels": "jsonb",
    "content_hash": "varchar",
    "import_id": "varchar",
    "updated_at": "timestamptz",
}
# One C-level call per row picks the values in column order. ``turns`` is the decoder's
# orjson.Fragment (its JSON bytes, written as they are) or a pydantic row's list: the
# jsonb dumper below serialises either with orjson.
_PICK = itemgetter(*INSERT_COLUMNS)
# Every column but the key, from the staged row only when its content changed; the
# import id always (an unchanged row is marked as seen by this import).
_KEPT_UNLESS_CHANGED = ", ".join(
    f"{c} = CASE WHEN i.content_hash <> excluded.content_hash THEN excluded.{c} ELSE i.{c} END"
    for c in UPSERT_COLUMNS
    if c != "import_id"
)
_STAGED = f"SELECT {_INSERT} FROM ingest_stage ORDER BY external_id"  # noqa: S608
_OVERWRITE = ", ".join(f"{c} = excluded.{c}" for c in UPSERT_COLUMNS)
_UPSERT_STAGED = (
    f"INSERT INTO interactions AS i ({_INSERT}) {_STAGED} "
    f"ON CONFLICT (tenant, external_id) DO UPDATE SET {_OVERWRITE}"
)
_UPSERT_STAGED_CHANGED = (
    _UPSERT_STAGED + " WHERE i.content_hash <> excluded.content_hash"
    " RETURNING i.external_id, i.created_at"
)
# A stored row this import already wrote is left alone (a duplicate, not returned).
# Rows are taken in id order, as every writer does, so concurrent imports queue on
# their common rows instead of deadlocking; ON CONFLICT locks each one it looks at.
_UPSERT_IMPORTED = (
    f"INSERT INTO interactions AS i ({_INSERT}) {_STAGED} "
    f"ON CONFLICT (tenant, external_id) DO UPDATE SET {_KEPT_UNLESS_CHANGED}, "
    "import_id = excluded.import_id "
    "WHERE i.import_id IS DISTINCT FROM excluded.import_id "
    "RETURNING i.external_id, i.created_at, i.updated_at"
)


def _copy(cursor: Cursor[Any], table: str, rows: list[dict[str, Any]]) -> None:
    set_json_dumps(orjson.dumps, context=cursor)
    with cursor.copy(f"COPY {table} ({_INSERT}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types([_TYPES[c] for c in INSERT_COLUMNS])
        for row in rows:
            copy.write_row(_PICK(row))


def _stage(session: Session, rows: list[dict[str, Any]]) -> Connection[Any]:
    """COPY the rows (binary) into this transaction's empty staging table."""
    raw = _driver(session)
    with raw.cursor() as cursor:
        # Rows vanish at commit; the DELETE after each use empties it for the next batch
        # of the same transaction (an import chunk can hold several tenants).
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS ingest_stage "
            "(LIKE interactions INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        _copy(cursor, "ingest_stage", rows)
    return raw


def _insert_new(session: Session, tenant: str, rows: list[dict[str, Any]]) -> bool:
    """COPY the rows straight into the table when none of their ids is stored: True.

    Most rows of a big import are new, and a plain COPY into the table costs the
    server much less than staging them and upserting (no second write, no speculative
    insertion). A row stored meanwhile by another writer makes the COPY fail on the
    unique key; it is then undone to its savepoint, and the caller upserts instead.
    """
    raw = _driver(session)
    with raw.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM interactions "
            "WHERE tenant = %s AND external_id = ANY(%s))",
            (tenant, [row["external_id"] for row in rows]),
        )
        found = cursor.fetchone()
        if found is None or found[0]:
            return False
        cursor.execute("SAVEPOINT ingest_new")
        try:
            _copy(cursor, "interactions", rows)
        except UniqueViolation:
            cursor.execute("ROLLBACK TO SAVEPOINT ingest_new")
            return False
        cursor.execute("RELEASE SAVEPOINT ingest_new")
    return True


def _run_staged(raw: Connection[Any], sql: str) -> list[tuple[Any, ...]]:
    with raw.cursor() as cursor:
        cursor.execute(sql)
        result = cursor.fetchall() if cursor.description is not None else []
        cursor.execute("DELETE FROM ingest_stage")
    return result


def upsert_staged_pg(
    session: Session, rows: list[dict[str, Any]], *, only_changed: bool
) -> dict[str, datetime]:
    """Insert or overwrite rows (``only_changed``: those whose content changed).

    Returns ``id -> created_at`` of the rows written when ``only_changed``, else ``{}``.
    """
    raw = _stage(session, rows)
    sql = _UPSERT_STAGED_CHANGED if only_changed else _UPSERT_STAGED
    return {external_id: created for external_id, created, *_ in _run_staged(raw, sql)}


def upsert_imported_pg(
    session: Session, rows: list[dict[str, Any]], now: datetime
) -> dict[str, Outcome]:
    """An import's upsert: what happened to each row, by id; ids missing are duplicates.

    ``rows`` carry the import's ``import_id`` and ``now`` as their writing times: a row
    returned with ``created_at == now`` is new, with ``updated_at == now`` changed,
    otherwise unchanged (its content and times kept, only its import id set).
    """
    if _insert_new(session, rows[0]["tenant"], rows):
        return dict.fromkeys((row["external_id"] for row in rows), "inserted")
    raw = _stage(session, rows)
    outcomes: dict[str, Outcome] = {}
    for external_id, created, updated in _run_staged(raw, _UPSERT_IMPORTED):
        if created == now:
            outcomes[external_id] = "inserted"
        elif updated == now:
            outcomes[external_id] = "updated"
        else:
            outcomes[external_id] = "unchanged"
    return outcomes
