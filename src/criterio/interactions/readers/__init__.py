"""Readers turn files into raw records; each format is one function ``(path, encoding)``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from criterio.interactions.readers.base import RawRecord, RecordError
from criterio.interactions.readers.csv_reader import read_csv
from criterio.interactions.readers.jsonl import read_jsonl
from criterio.interactions.readers.parquet import read_parquet

__all__ = ["FORMATS", "RawRecord", "RecordError", "detect_format", "read_file"]

Reader = Callable[[Path, str], Iterator[RawRecord | RecordError]]

#: Format name → reader. ``auto`` picks one with :func:`detect_format`.
FORMATS: dict[str, Reader] = {
    "jsonl": read_jsonl,
    "csv": read_csv,
    "parquet": lambda path, _encoding: read_parquet(path),
}


def detect_format(path: Path) -> str:
    """Guess a file's format from its name and first bytes."""
    suffixes = [s.lower() for s in path.suffixes]
    if ".parquet" in suffixes or ".pq" in suffixes:
        return "parquet"
    if suffixes and suffixes[-1] in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffixes and suffixes[-1] == ".csv":
        return "csv"
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"{"):
        return "jsonl"
    raise ValueError(
        f"{path}: cannot tell the format; pass --format ({', '.join(sorted(FORMATS))})"
    )


def read_file(
    path: Path, fmt: str = "auto", encoding: str = "utf-8"
) -> Iterator[RawRecord | RecordError]:
    """Stream one file's records in the given (or detected) format."""
    name = detect_format(path) if fmt == "auto" else fmt
    try:
        reader = FORMATS[name]
    except KeyError:
        raise ValueError(
            f"unknown format {name!r}; choose from {', '.join(sorted(FORMATS))}"
        ) from None
    return reader(path, encoding)
