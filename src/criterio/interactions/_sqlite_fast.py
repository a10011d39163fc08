"""Fast SQLite upsert: one prepared statement, values serialised once, driver executemany.

SQLAlchemy's ORM bulk upsert spends most of its time per row in bind processing and
cache keys; the sqlite3 driver's ``executemany`` with plain values is several times
faster. Values are written exactly as SQLAlchemy's types store them (naive UTC
``YYYY-MM-DD HH:MM:SS.ffffff`` text for times, JSON text, 0/1 for booleans), so rows
read back through the ORM are the same; tests compare this path with the Core one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy.orm import Session

from criterio.interactions.models import INSERT_COLUMNS, UPSERT_COLUMNS

__all__ = ["upsert_changed_sqlite_fast", "upsert_sqlite_fast"]

# Built from the table's constant column names, never from input.
_SQL = (
    f"INSERT INTO interactions ({', '.join(INSERT_COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join('?' for _ in INSERT_COLUMNS)}) "
    "ON CONFLICT (tenant, external_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in UPSERT_COLUMNS)
)


def _time(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is UTC:  # the rows' times: "+00:00" cut, no conversion
        return value.isoformat(" ", "microseconds")[:-6]
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _values(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    stamps: dict[datetime, str | None] = {}  # created/updated are one `now` per chunk

    def stamp(value: datetime) -> str | None:
        if value not in stamps:
            stamps[value] = _time(value)
        return stamps[value]

    return [
        (
            row["tenant"],
            row["external_id"],
            stamp(row["created_at"]),
            row["channel"],
            _time(row["started_at"]),
            _time(row["ended_at"]),
            row["customer_id"],
            row["language"],
            _json(row["attributes"]),
            _json(row["turns"]),
            row["handled_by"],
            row["agent_id"],
            row["resolved"],
            row["csat"],
            row["escalated"],
            row["resolution_code"],
            _json(row["labels"]),
            row["content_hash"],
            row["import_id"],
            stamp(row["updated_at"]),
        )
        for row in rows
    ]


def upsert_sqlite_fast(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert or overwrite one tenant's ``rows`` inside the session's transaction."""
    values = _values(rows)
    # The ORM session's own connection, so the rows join the caller's transaction.
    raw = session.connection().connection.driver_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        # A bigger page cache for this connection (64 MB instead of 2 MB): with three
        # indexes, a big table otherwise rereads index pages on every chunk.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.executemany(_SQL, values)
    finally:
        cursor.close()


#: Rows per multi-row statement: 20 columns each stays far below SQLite's 32,766 bound
#: parameters (3.32+); a fixed size keeps the driver's statement cache small.
_CHANGED_ROWS = 500


@lru_cache(maxsize=8)
def _changed_sql(count: int) -> str:
    # Built from the table's constant column names and a row count, never from input.
    row = f"({', '.join('?' for _ in INSERT_COLUMNS)})"
    return (
        f"INSERT INTO interactions ({', '.join(INSERT_COLUMNS)}) "  # noqa: S608
        f"VALUES {', '.join(row for _ in range(count))} "
        "ON CONFLICT (tenant, external_id) DO UPDATE SET "
        + ", ".join(f"{c} = excluded.{c}" for c in UPSERT_COLUMNS)
        + " WHERE interactions.content_hash != excluded.content_hash"
        " RETURNING external_id, created_at"
    )


def upsert_changed_sqlite_fast(session: Session, rows: list[dict[str, Any]]) -> dict[str, datetime]:
    """``upsert_changed`` through the driver: ``id -> created_at`` of the rows written.

    Multi-row ``INSERT ... RETURNING`` statements (the driver's ``executemany`` returns no
    rows), as SQLAlchemy's "insertmanyvalues" does, without its per-row bind processing.
    """
    values = _values(rows)
    raw = session.connection().connection.driver_connection
    assert raw is not None
    written: dict[str, datetime] = {}
    cursor = raw.cursor()
    try:
        for start in range(0, len(values), _CHANGED_ROWS):
            part = values[start : start + _CHANGED_ROWS]
            flat = [value for row in part for value in row]
            for external_id, created in cursor.execute(_changed_sql(len(part)), flat):
                written[external_id] = datetime.fromisoformat(created).replace(tzinfo=UTC)
    finally:
        cursor.close()
    return written
