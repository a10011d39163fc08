"""Parquet reader: nested columns (as Criterio exports them) or flat ``a.b`` columns."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from criterio.interactions.readers.base import RawRecord, RecordError, flat_to_nested

__all__ = ["read_parquet"]


def read_parquet(path: Path, batch_size: int = 10_000) -> Iterator[RawRecord | RecordError]:
    """Yield rows batch by batch (constant memory), with their row number."""
    source = str(path)
    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        yield RecordError(source, "file", "(file)", f"not a readable Parquet file: {exc}")
        return
    row_number = 0
    for batch in parquet.iter_batches(batch_size=batch_size):
        for row in batch.to_pylist():
            row_number += 1
            yield RawRecord(source, f"row {row_number}", _normalise(row))


def _normalise(row: dict[str, Any]) -> dict[str, Any]:
    record = flat_to_nested(row)
    for key in ("attributes", "labels"):
        value = record.get(key)
        if isinstance(value, list):  # Arrow maps come back as lists of (key, value) pairs
            record[key] = dict(value)
    turns = record.get("turns")
    if isinstance(turns, list):
        record["turns"] = [{k: v for k, v in t.items() if v is not None} for t in turns]
    outcome = record.get("outcome")
    if isinstance(outcome, dict):
        record["outcome"] = {k: v for k, v in outcome.items() if v is not None}
    return record
