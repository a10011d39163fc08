"""Readers turn files into raw records; each format is a function ``(path, encoding, options)``.

Export formats take options in the format name: ``abcd:epoch=2024-01-01T00:00:00Z``,
``zendesk:internal_notes=true`` (see :data:`FORMAT_OPTIONS`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from criterio.interactions.readers import abcd, ibm_cdp, zendesk
from criterio.interactions.readers.base import RawRecord, RecordError
from criterio.interactions.readers.csv_reader import read_csv
from criterio.interactions.readers.detect import detect_format
from criterio.interactions.readers.jsonl import read_jsonl

__all__ = [
    "FORMATS",
    "FORMAT_OPTIONS",
    "RawRecord",
    "RecordError",
    "detect_format",
    "parse_format",
    "read_file",
]

Reader = Callable[[Path, str, Mapping[str, str]], Iterator[RawRecord | RecordError]]


# The TWCS (numpy) and Parquet (pyarrow) readers are imported when a file of theirs
# is read: the CLI lists the formats at start-up, before any file is opened.
def _read_parquet(
    path: Path, _encoding: str, _options: Mapping[str, str]
) -> Iterator[RawRecord | RecordError]:
    from criterio.interactions.readers.parquet import read_parquet

    return read_parquet(path)


def _read_twcs(
    path: Path, encoding: str, options: Mapping[str, str]
) -> Iterator[RawRecord | RecordError]:
    from criterio.interactions.readers.twcs import read_twcs

    return read_twcs(path, encoding, options)


#: Format name → reader. ``auto`` picks one with :func:`detect_format`.
FORMATS: dict[str, Reader] = {
    "jsonl": lambda path, encoding, _options: read_jsonl(path, encoding),
    "csv": lambda path, encoding, _options: read_csv(path, encoding),
    "parquet": _read_parquet,
    "twcs": _read_twcs,
    "ibm-cdp": ibm_cdp.read_ibm_cdp,
    "abcd": abcd.read_abcd,
    "zendesk": zendesk.read_zendesk,
}

#: The options each format accepts after its name (``name:key=value,key=value``).
FORMAT_OPTIONS: dict[str, tuple[str, ...]] = {
    "ibm-cdp": ibm_cdp.OPTIONS,
    "abcd": abcd.OPTIONS,
    "zendesk": zendesk.OPTIONS,
}


def parse_format(spec: str) -> tuple[str, dict[str, str]]:
    """Split ``name:key=value,...`` into the format name and its options, checking both."""
    name, _, rest = spec.strip().partition(":")
    if name != "auto" and name not in FORMATS:
        raise ValueError(
            f"unknown format {name!r}; choose auto or one of {', '.join(sorted(FORMATS))}"
        )
    options: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in rest.split(","))):
        key, equals, value = part.partition("=")
        allowed = FORMAT_OPTIONS.get(name, ())
        if not equals or key.strip() not in allowed:
            known = ", ".join(allowed) or "none"
            raise ValueError(f"format {name!r} has no option {part!r} (options: {known})")
        options[key.strip()] = value.strip()
    if name == "auto" and options:
        raise ValueError("options need a named format, e.g. abcd:epoch=2024-01-01T00:00:00Z")
    return name, options


def read_file(
    path: Path, fmt: str = "auto", encoding: str = "utf-8"
) -> Iterator[RawRecord | RecordError]:
    """Stream one file's records in the given (or detected) format."""
    name, options = parse_format(fmt)
    if name == "auto":
        name = detect_format(path)
    return FORMATS[name](path, encoding, options)
