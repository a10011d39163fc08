"""CSV reader: one interaction a row, nested fields as ``attributes.*`` / ``outcome.*`` columns."""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from criterio.interactions.readers._json import BOM, open_raw
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
    """Yield each row as a nested mapping; a wrong header is one error for the whole file.

    The file is read as bytes (gunzipped when gzipped) and decoded line by line, so a
    byte that is not valid in ``encoding`` rejects only the row holding it.
    """
    source = str(path)
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        yield RecordError(source, "file", "(encoding)", f"unknown encoding {encoding!r}")
        return
    csv.field_size_limit(16 * 1024 * 1024)
    feed = _Feed()
    try:
        with open_raw(path) as handle:
            yield from _rows(source, csv.reader(_lines(handle, codec, feed)), feed, encoding)
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        # A damaged gzip stream, or bad text in a UTF-16/32 file (decoded as one stream).
        field = "(encoding)" if isinstance(exc, UnicodeDecodeError) else "(file)"
        yield RecordError(
            source,
            f"line {feed.line + 1}",
            field,
            f"cannot read the file past this point: {exc}; the rows before it were read",
        )


@dataclass
class _Feed:
    """Where the line feeder is, and the first undecodable byte of the current row."""

    line: int = 0
    offset: int = 0
    #: (line, offset in the file, byte in hex) of a byte that is not valid text.
    bad: tuple[int, int, str] | None = None


def _lines(handle: IO[bytes], codec: str, feed: _Feed) -> Iterator[str]:
    # Lines are split on bytes (LF, CR LF or a bare CR, as the csv module expects) and
    # decoded one by one, so a bad byte is caught on its own line with its offset.
    if "\n".encode(codec) != b"\n":  # UTF-16 or UTF-32: lines cannot be split as bytes
        for line in io.TextIOWrapper(handle, codec, newline=""):
            feed.line += 1
            yield line
        return
    utf8 = codec == "utf-8"
    for chunk in handle:
        for raw in chunk.splitlines(keepends=True):
            feed.line += 1
            start = feed.offset
            feed.offset += len(raw)
            if utf8 and start == 0 and raw.startswith(BOM):
                raw, start = raw[len(BOM) :], len(BOM)  # spreadsheet programs add a BOM
            try:
                yield raw.decode(codec)
            except UnicodeDecodeError as exc:
                if feed.bad is None:
                    byte = raw[exc.start : exc.start + 1].hex()
                    feed.bad = (feed.line, start + exc.start, byte)
                yield raw.decode(codec, "replace")


def _rows(
    source: str, reader: Iterator[list[str]], feed: _Feed, encoding: str
) -> Iterator[RawRecord | RecordError]:
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as exc:
        yield RecordError(source, "line 1", "(header)", f"not valid CSV: {exc}")
        return
    problem = _encoding_problem(feed, encoding) or _check_header(header)
    if problem:
        yield RecordError(source, "line 1", "(header)", problem)
        return
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # e.g. a cell over the field size limit: skip that row, keep reading (the
            # csv module resumes at the next line).
            feed.bad = None
            yield RecordError(source, f"line {feed.line}", "(row)", f"not valid CSV: {exc}")
            continue
        if feed.bad is not None:
            line = feed.bad[0]
            message = _encoding_problem(feed, encoding)
            yield RecordError(source, f"line {line}", "(encoding)", str(message))
            continue
        if not cells:
            continue  # a blank line
        yield _record(source, f"line {feed.line}", header, cells)


def _encoding_problem(feed: _Feed, encoding: str) -> str | None:
    """The message for the bad byte of the row just read (and forget it), if any."""
    if feed.bad is None:
        return None
    _, offset, byte = feed.bad
    feed.bad = None
    return (
        f"byte 0x{byte} at byte {offset:,} of the file is not valid {encoding}; this row was "
        "skipped and the others were read. If the file is Latin-1 or Windows-1252, import it "
        "again with --encoding latin-1"
    )


def _record(
    source: str, location: str, header: list[str], cells: list[str]
) -> RawRecord | RecordError:
    """One row as a contract record, or the problem with its shape."""
    row = dict(zip(header, cells, strict=False))  # missing trailing cells are empty
    if len(cells) > len(header):
        return RecordError(
            source,
            location,
            "(row)",
            f"{len(cells)} cells for {len(header)} columns",
            row.get("id"),
        )
    record = flat_to_nested(row)
    turns = record.get("turns")
    if isinstance(turns, str):
        try:
            record["turns"] = json.loads(turns)
        except json.JSONDecodeError as exc:
            return RecordError(
                source, location, "turns", f"not a JSON list of turns: {exc}", row.get("id")
            )
    return RawRecord(source, location, record)


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
