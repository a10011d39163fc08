"""JSON Lines reader: one interaction a line, streamed in binary for speed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from criterio.interactions.readers.base import RawRecord, RecordError

__all__ = ["read_jsonl"]

BOM = b"\xef\xbb\xbf"


def read_jsonl(path: Path, encoding: str = "utf-8") -> Iterator[RawRecord | RecordError]:
    """Yield each non-blank line as JSON bytes (UTF-8), with its line number."""
    source = str(path)
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if number == 1 and line.startswith(BOM):
                line = line[len(BOM) :]
            line = line.rstrip(b"\r\n")
            if not line.strip():
                continue
            if encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
                line = line.decode(encoding).encode("utf-8")
            else:
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError as exc:
                    bad = line[exc.start : exc.start + 1].hex()
                    yield RecordError(
                        source,
                        f"line {number}",
                        "(encoding)",
                        f"not valid UTF-8 (byte 0x{bad} at offset {exc.start}); if the file is "
                        "Latin-1 or Windows-1252, import it again with --encoding latin-1",
                    )
                    continue
            yield RawRecord(source, f"line {number}", line)
