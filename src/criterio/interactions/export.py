"""Export stored interactions as JSON Lines or Parquet, in the contract's own shape."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.orm import Session

from criterio.interactions.models import Interaction
from criterio.interactions.repository import InteractionRepository

__all__ = ["PARQUET_SCHEMA", "export_interactions", "to_contract"]

_TS = pa.timestamp("us", tz="UTC")
PARQUET_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("tenant", pa.string()),
        ("channel", pa.string()),
        ("started_at", _TS),
        ("ended_at", _TS),
        ("customer_id", pa.string()),
        ("language", pa.string()),
        ("attributes", pa.map_(pa.string(), pa.string())),
        ("turns", pa.list_(pa.struct([("role", pa.string()), ("text", pa.string()), ("at", _TS)]))),
        (
            "outcome",
            pa.struct(
                [
                    ("handled_by", pa.string()),
                    ("agent_id", pa.string()),
                    ("resolved", pa.bool_()),
                    ("csat", pa.int8()),
                    ("escalated", pa.bool_()),
                    ("resolution_code", pa.string()),
                ]
            ),
        ),
        ("labels", pa.map_(pa.string(), pa.string())),
    ]
)
_OUTCOME_FIELDS = ("handled_by", "agent_id", "resolved", "csat", "escalated", "resolution_code")


def to_contract(row: Interaction) -> dict[str, Any]:
    """A stored interaction as a contract object (what ``criterio ingest`` reads back)."""
    outcome = {f: getattr(row, f) for f in _OUTCOME_FIELDS if getattr(row, f) is not None}
    record: dict[str, Any] = {
        "id": row.external_id,
        "tenant": row.tenant,
        "channel": row.channel,
        "started_at": row.started_at,
        "ended_at": row.ended_at,
        "customer_id": row.customer_id,
        "language": row.language,
        "attributes": row.attributes or {},
        "turns": row.turns,
        "outcome": outcome or None,
        "labels": row.labels or {},
    }
    return record


def export_interactions(
    session: Session, tenants: list[str], out: Path, fmt: str, batch_size: int = 5000
) -> int:
    """Write every interaction of ``tenants`` to ``out``; returns how many were written."""
    rows = (
        to_contract(r)
        for t in tenants
        for r in InteractionRepository(session, t).iter_all(batch_size)
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "jsonl":
        return _write_jsonl(rows, out)
    if fmt == "parquet":
        return _write_parquet(rows, out, batch_size)
    raise ValueError(f"unknown export format {fmt!r}; choose jsonl or parquet")


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _write_jsonl(rows: Iterator[dict[str, Any]], out: Path) -> int:
    count = 0
    with out.open("wb") as handle:
        for record in rows:
            clean = {k: v for k, v in record.items() if v is not None}
            handle.write(orjson.dumps(clean, option=orjson.OPT_UTC_Z) + b"\n")
            count += 1
    return count


def _write_parquet(rows: Iterator[dict[str, Any]], out: Path, batch_size: int) -> int:
    count = 0
    with pq.ParquetWriter(out, PARQUET_SCHEMA, compression="zstd") as writer:
        batch: list[dict[str, Any]] = []
        for record in rows:
            record["attributes"] = list(record["attributes"].items())
            record["labels"] = list(record["labels"].items())
            record["turns"] = [{**t, "at": _parse_time(t.get("at"))} for t in record["turns"]]
            batch.append(record)
            if len(batch) >= batch_size:
                writer.write_table(pa.Table.from_pylist(batch, schema=PARQUET_SCHEMA))
                count += len(batch)
                batch = []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=PARQUET_SCHEMA))
            count += len(batch)
    return count
