"""Shared plumbing of the export-format readers: opening, streaming JSON, field checks.

Export files (IBM, ABCD, Zendesk) are single JSON documents holding a long array, so
they are streamed with ijson (one element in memory at a time) rather than loaded.
"""

from __future__ import annotations

import codecs
import gzip
import itertools
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import ijson

from criterio.interactions.readers.base import RawRecord, RecordError

__all__ = [
    "MappingError",
    "is_utf8",
    "map_items",
    "open_bytes",
    "open_raw",
    "open_seekable",
    "parse_time",
    "require",
    "stream_items",
    "text_of",
]

BOM = b"\xef\xbb\xbf"
GZIP_MAGIC = b"\x1f\x8b"


class MappingError(ValueError):
    """A record that cannot be mapped to the contract: which source field, and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def is_utf8(encoding: str) -> bool:
    """Whether an encoding name means UTF-8."""
    return encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig")


@contextmanager
def open_raw(path: Path) -> Iterator[IO[bytes]]:
    """Open a file's bytes, gunzipped when it starts with gzip's magic bytes (any name)."""
    with path.open("rb") as raw:
        magic = raw.read(2)
        raw.seek(0)
        if magic != GZIP_MAGIC:
            yield raw
            return
        with gzip.GzipFile(fileobj=raw) as unzipped:
            yield unzipped  # type: ignore[misc]


@contextmanager
def open_seekable(path: Path) -> Iterator[IO[bytes]]:
    """The file's bytes, seekable: a gzipped file is unpacked to a temporary file first.

    The second pass jumps back to each tweet's byte range, which a gzip stream can only
    do by decompressing again from the start.
    """
    with path.open("rb") as raw:
        if raw.read(2) != GZIP_MAGIC:
            raw.seek(0)
            yield raw
            return
    with open_raw(path) as unzipped, tempfile.TemporaryFile() as copy:
        shutil.copyfileobj(unzipped, copy)
        copy.seek(0)
        yield copy


@contextmanager
def open_bytes(path: Path, encoding: str = "utf-8") -> Iterator[IO[bytes]]:
    """Open a file as UTF-8 bytes: gunzipped if gzipped, BOM skipped, recoded if needed."""
    with open_raw(path) as handle:
        if handle.read(3) != BOM:
            handle.seek(0)
        if not is_utf8(encoding):
            yield _Recoder(handle, encoding)  # type: ignore[misc]
        else:
            yield handle


class _Recoder:
    """A read-only byte stream giving UTF-8 for a file in another encoding.

    Only ``read``/``readline``/iteration/``seek(0)``: ijson prefers ``readinto`` when a
    stream has one, which would bypass the recoding (as ``codecs.StreamRecoder`` does).
    """

    def __init__(self, raw: IO[bytes], encoding: str) -> None:
        self._raw = raw
        self._encoding = encoding
        self._decoder = codecs.getincrementaldecoder(encoding)()

    def read(self, size: int = -1) -> bytes:
        """Up to about ``size`` bytes of UTF-8 (never splitting a character)."""
        data = self._raw.read(size)
        return self._decoder.decode(data, final=not data).encode("utf-8")

    def readline(self, size: int = -1) -> bytes:
        """One line, as UTF-8."""
        return self._decoder.decode(self._raw.readline(size)).encode("utf-8")

    def __iter__(self) -> Iterator[bytes]:
        for line in self._raw:
            yield self._decoder.decode(line).encode("utf-8")

    def seek(self, offset: int) -> int:
        """Rewind (only to the start)."""
        self._decoder.reset()
        return self._raw.seek(offset)


def _json_problem(exc: Exception, encoding: str) -> str:
    text = str(exc)
    if text.startswith(("b'", 'b"')):  # yajl hands some messages over as bytes' repr
        text = text[2:]
    first = text.replace("\\n", "\n").strip().splitlines()[0] if text.strip() else repr(exc)
    if "UTF8" in first or isinstance(exc, UnicodeDecodeError):
        return (
            f"not valid {encoding} ({first}); if the file is Latin-1 or Windows-1252, import "
            "it again with --encoding latin-1"
        )
    return f"not valid JSON: {first}"


def stream_items(
    path: Path,
    noun: str,
    encoding: str = "utf-8",
    keys: tuple[str, ...] = (),
    *,
    one_key: bool = False,
) -> Iterator[tuple[str, Any, str] | RecordError]:
    """Yield ``(location, element, key)`` for each element of the document, then any error.

    The elements are those of a top-level array (``key`` is ``""``) or, when ``keys`` are
    given and the top level is an object, of the arrays under those keys (``{"tickets":
    [...]}``, ``{"train": [...], "dev": [...]}``). A broken document ends the stream
    with one error naming the element being read: the elements before it have been
    yielded, the ones after cannot be found.
    """
    source = str(path)
    count = 0
    try:
        codecs.lookup(encoding)
    except LookupError:
        yield RecordError(source, "file", "(encoding)", f"unknown encoding {encoding!r}")
        return
    current = [""]
    try:
        with open_bytes(path, encoding) as handle:
            found = _first_key(handle, keys) if one_key else None
            if found is not None:
                current[0] = found
                elements = ijson.items(handle, f"{found}.item", use_float=True)
            elif keys:
                events = _under_keys(ijson.parse(handle, use_float=True), keys, current)
                elements = ijson.items(events, "item")
            else:  # the fast path: ijson's C backend builds the elements
                elements = ijson.items(handle, "item", use_float=True)
            for count, element in enumerate(elements, start=1):
                yield f"{noun} {count}", element, current[0]
    except (ijson.JSONError, UnicodeDecodeError, EOFError, gzip.BadGzipFile) as exc:
        yield RecordError(
            source,
            f"{noun} {count + 1}",
            "(json)",
            f"{_json_problem(exc, encoding)}; the {noun}s after this point could not be read",
        )
    except OSError as exc:
        yield RecordError(source, "file", "(file)", f"cannot read the file: {exc}")


def _first_key(handle: IO[bytes], keys: tuple[str, ...]) -> str | None:
    """The first top-level key among ``keys`` within the first events; rewinds the file."""
    found = None
    try:
        for prefix, event, value in itertools.islice(ijson.parse(handle), 10_000):
            if prefix == "" and event == "map_key" and value in keys:
                found = value
                break
    except ijson.JSONError:
        pass  # the full read below reports it
    handle.seek(0)
    if handle.read(3) != BOM:
        handle.seek(0)
    return found


def _under_keys(
    events: Iterator[tuple[str, str, Any]], keys: tuple[str, ...], current: list[str]
) -> Iterator[tuple[str, str, Any]]:
    # Rename "tickets.item…" to "item…" so one ijson.items() call finds the elements
    # of every wanted array in a single pass; ``current`` tells the caller which key.
    for prefix, event, value in events:
        if prefix == "" and event == "map_key":
            current[0] = value if value in keys else ""
        head = current[0]
        if head and (prefix == f"{head}.item" or prefix.startswith(f"{head}.item.")):
            prefix = prefix[len(head) + 1 :]
        yield prefix, event, value


def map_items(
    path: Path,
    items: Iterator[tuple[str, Any, str] | RecordError],
    mapper: Callable[[Any, str], dict[str, Any] | None],
    id_of: Callable[[Any], str | None],
) -> Iterator[RawRecord | RecordError]:
    """Map each element to a contract record, turning mapping problems into errors.

    ``mapper`` gets the element and the key of its array (see :func:`stream_items`) and
    returns None for an element that is deliberately skipped.
    """
    source = str(path)
    for item in items:
        if isinstance(item, RecordError):
            yield item
            continue
        location, element, key = item
        try:
            record = mapper(element, key)
        except MappingError as problem:
            yield RecordError(source, location, problem.field, problem.message, id_of(element))
            continue
        if record is not None:
            yield RawRecord(source, location, record)


def require(obj: Any, key: str, where: str = "") -> Any:
    """The value of ``obj[key]``, or a problem naming the missing field."""
    name = f"{where}{key}"
    if not isinstance(obj, dict):
        raise MappingError(where.rstrip(".") or "(record)", "expected a JSON object")
    value = obj.get(key)
    if value is None or value == "":
        raise MappingError(name, "missing")
    return value


def text_of(value: Any, field: str) -> str:
    """A field as text: strings as they are, numbers as digits, anything else refused."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MappingError(field, f"expected text, got {type(value).__name__}")
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def parse_time(value: Any, field: str) -> datetime:
    """An ISO 8601 timestamp with a zone (``Z`` allowed), or a problem naming the field."""
    if not isinstance(value, str) or not value.strip():
        raise MappingError(field, f"expected an ISO 8601 timestamp, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise MappingError(field, f"not an ISO 8601 timestamp: {value[:40]!r}") from None
    if parsed.tzinfo is None:
        raise MappingError(field, f"timestamp without a time zone: {value[:40]!r}")
    return parsed.astimezone(UTC)
