"""CSV reader: one interaction a row, nested fields as ``attributes.*`` / ``outcome.*`` columns."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from criterio.interactions.readers.base import RawRecord, RecordError, flat_to_nested

__all__ = ["read_csv"]

REQUIRED = ("id", "started_at")
TOP_LEVEL = {
    "id",
    "tenant",
    "channel",
    "started_at",
    "ended_at",
    "customer_id",
    "language",
    "text",
    "turns",
}
PREFIXES = ("attributes.", "outcome.", "labels.")


def read_csv(path: Path, encoding: str = "utf-8") -> Iterator[RawRecord | RecordError]:
    """Yield each row as a nested mapping; a wrong header is one error for the whole file."""
    source = str(path)
    # utf-8-sig drops a byte-order mark that spreadsheet programs like to add.
    enc = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    csv.field_size_limit(16 * 1024 * 1024)
    try:
        with path.open("r", encoding=enc, newline="") as handle:
            reader = csv.DictReader(handle)
            try:
                header = [h.strip() for h in (reader.fieldnames or [])]
            except csv.Error as exc:
                yield RecordError(source, "line 1", "(header)", f"not valid CSV: {exc}")
                return
            problem = _check_header(header)
            if problem:
                yield RecordError(source, "line 1", "(header)", problem)
                return
            reader.fieldnames = header
            rows = iter(reader)
            while True:
                try:
                    row = next(rows)
                except StopIteration:
                    break
                except csv.Error as exc:
                    # e.g. a cell over the field size limit: skip that row, keep reading
                    # (the csv module resumes at the next line).
                    where = f"line {reader.line_num + 1}"
                    yield RecordError(source, where, "(row)", f"not valid CSV: {exc}")
                    continue
                location = f"line {reader.line_num}"
                if None in row:
                    yield RecordError(
                        source,
                        location,
                        "(row)",
                        f"{len(header) + len(row[None])} cells for {len(header)} columns",
                        row.get("id"),
                    )
                    continue
                record = flat_to_nested(row)
                turns = record.get("turns")
                if isinstance(turns, str):
                    try:
                        record["turns"] = json.loads(turns)
                    except json.JSONDecodeError as exc:
                        yield RecordError(
                            source,
                            location,
                            "turns",
                            f"not a JSON list of turns: {exc}",
                            row.get("id"),
                        )
                        continue
                yield RawRecord(source, location, record)
    except UnicodeDecodeError as exc:
        yield RecordError(
            source,
            f"byte {exc.start}",
            "(encoding)",
            f"not valid {encoding}; if the file is Latin-1 or Windows-1252, import it again with "
            "--encoding latin-1 (rows before this point were read)",
        )


def _check_header(header: list[str]) -> str | None:
    if not header:
        return "the file is empty or has no header row"
    missing = [c for c in REQUIRED if c not in header]
    if "text" not in header and "turns" not in header:
        missing.append("text (or turns)")
    unknown = [h for h in header if h not in TOP_LEVEL and not h.startswith(PREFIXES)]
    if missing:
        hint = f"; unexpected columns: {', '.join(unknown[:10])}" if unknown else ""
        return f"missing required column(s): {', '.join(missing)}{hint}"
    if unknown:
        return (
            f"unknown column(s): {', '.join(unknown[:10])}; segment columns must be named "
            "attributes.NAME (and outcome.*, labels.* for those objects)"
        )
    if len(set(header)) != len(header):
        return "the header repeats a column name"
    return None
