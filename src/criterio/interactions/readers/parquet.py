"""Parquet reader: nested columns (as Criterio exports them) or flat ``a.b`` columns."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from criterio.interactions.readers.base import RawRecord, RecordError, flat_to_nested

__all__ = ["batch_records", "parquet_batches", "read_parquet"]


def read_parquet(path: Path, batch_size: int = 10_000) -> Iterator[RawRecord | RecordError]:
    """Yield rows batch by batch (constant memory), with their row number."""
    for item in parquet_batches(path, batch_size):
        if isinstance(item, RecordError):
            yield item
        else:
            batch, first_row = item
            yield from batch_records(str(path), batch, first_row)


def parquet_batches(
    path: Path, batch_size: int = 10_000
) -> Iterator[tuple[pa.RecordBatch, int] | RecordError]:
    """The file's record batches with the number of each one's first row (from 1)."""
    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        yield RecordError(str(path), "file", "(file)", f"not a readable Parquet file: {exc}")
        return
    first_row = 1
    for batch in parquet.iter_batches(batch_size=batch_size):
        yield batch, first_row
        first_row += batch.num_rows


def batch_records(
    source: str, batch: pa.RecordBatch, first_row: int, only: list[int] | None = None
) -> Iterator[RawRecord]:
    """The batch's rows as raw records (``only``: just these positions in the batch)."""
    positions = range(batch.num_rows) if only is None else only
    if only is not None:
        batch = batch.take(pa.array(only, pa.int64()))
    naive, converted = _naive_times(batch)
    for position, row in zip(positions, naive.to_pylist(), strict=True):
        if converted:
            _attach_utc(row, converted)
        yield RawRecord(source, f"row {first_row + position}", _normalise(row))


def _naive_type(kind: pa.DataType) -> pa.DataType | None:
    # Nanosecond times become microseconds, the contract's precision, the extra digits
    # cut as pydantic cuts them from a JSON time: Arrow would otherwise hand pandas
    # Timestamps over, which the row's JSON encoder cannot write (the import failed).
    if pa.types.is_timestamp(kind) and kind.tz is not None:
        return pa.timestamp("us" if kind.unit == "ns" else kind.unit)
    return None


def _naive_times(batch: pa.RecordBatch) -> tuple[pa.RecordBatch, set[str]]:
    """The batch with its zoned times (top level, and the turns' ``at``) as naive UTC.

    Arrow turns a zoned timestamp into a Python datetime about three times slower than
    a naive one (the turns' times were the costliest part of reading a row); Arrow keeps
    the UTC instant when it drops the zone, and :func:`_attach_utc` puts UTC back.
    """
    columns = []
    converted: set[str] = set()
    for field, column in zip(batch.schema, batch.columns, strict=True):
        target = _naive_type(field.type)
        if target is None and field.name == "turns" and pa.types.is_list(field.type):
            item = field.type.value_type
            if pa.types.is_struct(item) and item.get_field_index("at") >= 0:
                at = _naive_type(item.field("at").type)
                if at is not None:
                    fields = [f.with_type(at) if f.name == "at" else f for f in item]
                    target = pa.list_(field.type.value_field.with_type(pa.struct(fields)))
        if target is not None:
            column = column.cast(target, safe=False)  # safe=False: cut nanoseconds
            converted.add(field.name)
        columns.append(column)
    if not converted:
        return batch, converted
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names), converted


def _attach_utc(row: dict[str, Any], converted: set[str]) -> None:
    for name in converted:
        value = row.get(name)
        if name == "turns" and isinstance(value, list):
            for turn in value:
                if isinstance(turn, dict) and turn.get("at") is not None:
                    turn["at"] = turn["at"].replace(tzinfo=UTC)
        elif value is not None:
            row[name] = value.replace(tzinfo=UTC)


def _normalise(row: dict[str, Any]) -> dict[str, Any]:
    record = flat_to_nested(row)
    for key in ("attributes", "labels"):
        value = record.get(key)
        if isinstance(value, list):  # Arrow maps come back as lists of (key, value) pairs
            record[key] = dict(value)
    turns = record.get("turns")
    if isinstance(turns, list):
        # A missing turn stays None: the contract then names it.
        record["turns"] = [
            {k: v for k, v in t.items() if v is not None} if isinstance(t, dict) else t
            for t in turns
        ]
    outcome = record.get("outcome")
    if isinstance(outcome, dict):
        record["outcome"] = {k: v for k, v in outcome.items() if v is not None}
    return record
