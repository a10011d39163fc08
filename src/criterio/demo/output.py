"""Write demo interactions to JSON Lines or Parquet, streaming in chunks (constant memory)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from criterio.interactions.export import PARQUET_SCHEMA

__all__ = ["file_format", "write_records"]


def file_format(path: Path) -> str:
    """``jsonl`` or ``parquet`` from the file name; anything else is refused."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise ValueError(f"{path}: name the file .jsonl or .parquet")


def write_records(
    records: Iterable[dict[str, Any]],
    path: Path,
    *,
    chunk_size: int = 10_000,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Write records in the contract's shape to ``path`` (format from its name)."""
    fmt = file_format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    chunk: list[dict[str, Any]] = []
    if fmt == "jsonl":
        with path.open("wb") as handle:
            for record in records:
                chunk.append(record)
                if len(chunk) >= chunk_size:
                    handle.write(b"".join(orjson.dumps(r) + b"\n" for r in chunk))
                    count += len(chunk)
                    if on_progress is not None:
                        on_progress(len(chunk))
                    chunk.clear()
            handle.write(b"".join(orjson.dumps(r) + b"\n" for r in chunk))
    else:
        with pq.ParquetWriter(path, PARQUET_SCHEMA, compression="zstd") as writer:
            for record in records:
                chunk.append(_arrow_row(record))
                if len(chunk) >= chunk_size:
                    writer.write_table(pa.Table.from_pylist(chunk, schema=PARQUET_SCHEMA))
                    count += len(chunk)
                    if on_progress is not None:
                        on_progress(len(chunk))
                    chunk.clear()
            if chunk:
                writer.write_table(pa.Table.from_pylist(chunk, schema=PARQUET_SCHEMA))
    count += len(chunk)
    if on_progress is not None and chunk:
        on_progress(len(chunk))
    return count


def _arrow_row(record: dict[str, Any]) -> dict[str, Any]:
    # Arrow wants datetimes for timestamp columns and (key, value) pairs for maps.
    parse = datetime.fromisoformat
    row = dict(record)
    row["started_at"] = parse(record["started_at"])
    row["ended_at"] = parse(record["ended_at"]) if record.get("ended_at") else None
    row["attributes"] = list(record.get("attributes", {}).items())
    row["labels"] = list(record.get("labels", {}).items())
    row["turns"] = [
        {"role": t["role"], "text": t["text"], "at": parse(t["at"]) if t.get("at") else None}
        for t in record["turns"]
    ]
    return row
