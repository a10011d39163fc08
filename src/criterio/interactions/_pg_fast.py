"""Small PostgreSQL upserts through the driver: one multi-row statement, values as given.

For the API's single POSTs and small batches (below ``SMALL_UPSERT`` rows; bigger ones go
through COPY): SQLAlchemy's Core statement spends more on compiling parameters and
serialising JSON (``turns`` decoded from the fast decoder's bytes, then encoded again)
than PostgreSQL spends on the insert. JSON columns are sent as text, which PostgreSQL
casts to ``jsonb`` (psycopg sends ``str`` untyped); tests compare this path with Core.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy.orm import Session

from criterio.interactions._fast import TURNS_JSON
from criterio.interactions.models import INSERT_COLUMNS, UPSERT_COLUMNS

__all__ = ["upsert_changed_pg_fast"]

_JSON_COLUMNS = frozenset({"attributes", "turns", "labels"})


@lru_cache(maxsize=64)
def _changed_sql(count: int) -> str:
    # Built from the table's constant column names and a row count, never from input.
    row = f"({', '.join('%s' for _ in INSERT_COLUMNS)})"
    return (
        f"INSERT INTO interactions ({', '.join(INSERT_COLUMNS)}) "  # noqa: S608
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


def upsert_changed_pg_fast(session: Session, rows: list[dict[str, Any]]) -> dict[str, datetime]:
    """``upsert_changed`` for a few rows in one statement: ``id -> created_at`` of those written."""
    raw = session.connection().connection.driver_connection
    assert raw is not None  # a live psycopg connection inside the session's transaction
    values = [_value(row, column) for row in rows for column in INSERT_COLUMNS]
    with raw.cursor() as cursor:
        cursor.execute(_changed_sql(len(rows)), values)
        return {external_id: created for external_id, created in cursor.fetchall()}
