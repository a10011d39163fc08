"""JSON Lines reader: one interaction a line, streamed in binary for speed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from criterio.interactions.readers._json import BOM, is_utf8, open_raw
from criterio.interactions.readers.base import RawRecord, RecordError

__all__ = ["read_jsonl"]


def read_jsonl(path: Path, encoding: str = "utf-8") -> Iterator[RawRecord | RecordError]:
    """Yield each non-blank line as JSON bytes (UTF-8), with its line number.

    A gzipped file is read through; a line that is not valid text in ``encoding`` is
    rejected on its own (with the offset of its bad byte) and the others are read.
    """
    source = str(path)
    utf8 = is_utf8(encoding)
    number = offset = 0
    try:
        with open_raw(path) as handle:
            for number, line in enumerate(handle, start=1):
                start, offset = offset, offset + len(line)
                if number == 1 and line.startswith(BOM):
                    line, start = line[len(BOM) :], len(BOM)
                line = line.rstrip(b"\r\n")
                if not line.strip():
                    continue
                try:
                    text = line.decode("utf-8" if utf8 else encoding)
                except UnicodeDecodeError as exc:
                    bad = line[exc.start : exc.start + 1].hex()
                    yield RecordError(
                        source,
                        f"line {number}",
                        "(encoding)",
                        f"byte 0x{bad} at byte {start + exc.start:,} of the file is not valid "
                        f"{encoding}; if the file is Latin-1 or Windows-1252, import it again "
                        "with --encoding latin-1",
                    )
                    continue
                yield RawRecord(source, f"line {number}", line if utf8 else text.encode("utf-8"))
    except (OSError, EOFError) as exc:  # a damaged gzip stream, a file gone mid-read
        yield RecordError(
            source,
            f"line {number + 1}",
            "(file)",
            f"cannot read the file past this point: {exc}; the lines before it were read",
        )
