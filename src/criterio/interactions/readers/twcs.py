"""Customer Support on Twitter (TWCS, Kaggle): tweets threaded into conversations.

Columns (others, such as a pandas index, are ignored)::

    tweet_id, author_id, inbound, created_at ("Tue Oct 31 22:10:47 +0000 2017"),
    text, response_tweet_id, in_response_to_tweet_id

A conversation is a reply tree: a tweet whose ``in_response_to_tweet_id`` is absent
from the file is a thread's root, and every reply below it joins that thread. The
conversation's id is the root's ``tweet_id``; inbound tweets are the customer's turns,
the others the company's (agent turns); ``customer_id`` is the author of the first
customer tweet, ``attributes.company`` the author of the first company tweet; turns are
ordered by time and the channel is ``social``. Texts are HTML-unescaped (Twitter's API
sent ``&amp;``, ``&gt;`` and ``&lt;``), and a gzipped file is read as well (unpacked to
a temporary file, since the second pass jumps around in it).

Threads are scattered through the file, so the reader makes **two passes**. The first
parses and checks every row and keeps, per tweet, eight numbers in compact arrays
(id, parent id, time, byte range, line, inbound and usable flags: 50 bytes a tweet,
never the text), then threads them with numpy. The second pass emits one conversation
at a time, re-reading its tweets' rows by their byte offsets. Memory is therefore
proportional to the number of tweets, not to the size of their texts: with array
growth and numpy's sorting temporaries, ``bench/readers.py`` measured a peak of
about 30 MB for 200,000 tweets (about 150 bytes a tweet, some 0.4 GB for the full
2.8 million-tweet TWCS), against 192 MB for pandas holding the same file.

A row that cannot be read (wrong cell count, bad id, time or inbound flag, a text over
the contract's limit, a repeated ``tweet_id``) is reported on its line and left out of
its thread; the rest of the thread is still imported. Unquoted texts holding bare
carriage returns, as some re-saved TWCS subsets have, are read as text instead of as
broken rows.
"""

from __future__ import annotations

import codecs
import csv
import html
import re
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from criterio.interactions.readers._json import is_utf8, open_seekable
from criterio.interactions.readers.base import RawRecord, RecordError
from criterio.interactions.schemas import MAX_TEXT_CHARS

__all__ = ["COLUMNS", "read_twcs", "twitter_time"]

#: Columns the reader needs (``response_tweet_id`` is redundant with the parent links).
COLUMNS = ("tweet_id", "author_id", "inbound", "created_at", "text", "in_response_to_tweet_id")
BOM = b"\xef\xbb\xbf"
#: Stand-in for a bare CR inside a line while the csv module parses it (a Unicode
#: noncharacter, reserved for exactly this kind of internal use).
_CR = "\ufdd0"
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
_NO_PARENT = -1
_AFTER_LF = re.compile(r"(?<=\n)")


def twitter_time(value: str) -> datetime | None:
    """Parse Twitter's ``Tue Oct 31 22:10:47 +0000 2017`` (or ISO 8601 with a zone)."""
    parts = value.split()
    try:
        if len(parts) == 6:
            _, month, day, clock, zone, year = parts
            hour, minute, second = (int(p) for p in clock.split(":"))
            moment = datetime(int(year), _MONTHS[month], int(day), hour, minute, second, tzinfo=UTC)
            if len(zone) != 5 or zone[0] not in "+-":
                return None
            offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
            return moment - offset if zone[0] == "+" else moment + offset
        parsed = datetime.fromisoformat(value.strip())
    except (ValueError, KeyError):
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else None


@lru_cache(maxsize=4096)
def _day(year: int, month: int, day: int) -> datetime:
    # Tweets cluster on few days: building each day's datetime once saves most of the work.
    return datetime(year, month, day, tzinfo=UTC)


@dataclass
class _Cursor:
    """Where the line feeder is: next byte offset and line number, and a decoding error."""

    offset: int
    line: int
    #: (line, byte offset of the line, error) of the first undecodable line of a record.
    bad: tuple[int, int, UnicodeDecodeError] | None = None


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    start: int
    end: int
    cells: list[str]


@dataclass
class _Tweets:
    """Per-tweet numbers of the first pass (compact arrays, no text)."""

    ids: array[int] = field(default_factory=lambda: array("q"))
    parents: array[int] = field(default_factory=lambda: array("q"))
    times: array[int] = field(default_factory=lambda: array("q"))
    starts: array[int] = field(default_factory=lambda: array("q"))
    ends: array[int] = field(default_factory=lambda: array("q"))
    lines: array[int] = field(default_factory=lambda: array("q"))
    inbound: array[int] = field(default_factory=lambda: array("b"))
    usable: array[int] = field(default_factory=lambda: array("b"))

    def column(self, name: str) -> npt.NDArray[np.int64]:
        """One of the 64-bit arrays as numpy, without a copy."""
        return np.frombuffer(getattr(self, name), dtype=np.int64)


def read_twcs(
    path: Path, encoding: str = "utf-8", options: Mapping[str, str] | None = None
) -> Iterator[RawRecord | RecordError]:
    """Stream the conversations of a TWCS CSV file (two passes, see the module)."""
    source = str(path)
    try:
        codecs.lookup(encoding)
    except LookupError:
        yield RecordError(source, "file", "(encoding)", f"unknown encoding {encoding!r}")
        return
    try:
        with open_seekable(path) as handle:
            yield from _read(handle, source, encoding)
    except (OSError, EOFError) as exc:  # a damaged gzip stream, a file gone mid-read
        yield RecordError(source, "file", "(file)", f"cannot read the file: {exc}")


def _read(handle: IO[bytes], source: str, encoding: str) -> Iterator[RawRecord | RecordError]:
    tweets = _Tweets()
    columns: dict[str, int] | None = None
    for item in _rows(handle, encoding, source):
        if isinstance(item, RecordError):
            yield item
        elif columns is None:
            header = [c.strip() for c in item.cells]
            missing = [c for c in COLUMNS if c not in header]
            if missing:
                yield RecordError(
                    source,
                    f"line {item.line}",
                    "(header)",
                    f"not a TWCS file: missing column(s) {', '.join(missing)}",
                )
                return
            columns = {name: header.index(name) for name in COLUMNS}
            columns["(width)"] = len(header)
        else:
            problem = _scan(item, columns, tweets)
            if problem is not None:
                yield RecordError(source, f"line {item.line}", *problem)
    if columns is None:
        yield RecordError(source, "line 1", "(header)", "the file is empty")
        return
    yield from _emit(handle, source, encoding, columns, tweets)


def _emit(
    handle: IO[bytes], source: str, encoding: str, columns: dict[str, int], tweets: _Tweets
) -> Iterator[RawRecord | RecordError]:
    ids, lines = tweets.column("ids"), tweets.column("lines")
    usable = np.frombuffer(tweets.usable, dtype=np.int8).astype(bool)
    for index in _duplicates(ids):
        usable[index] = False
        yield RecordError(
            source,
            f"line {lines[index]}",
            "tweet_id",
            f"duplicate tweet_id {ids[index]}; the first row with it was kept",
            str(ids[index]),
        )
    roots = _roots(ids, tweets.column("parents"))
    # Per-tweet reads below go to the plain arrays: indexing them gives Python ints at
    # a fraction of the cost of numpy scalars.
    times, starts, ends, inbound = tweets.times, tweets.starts, tweets.ends, tweets.inbound
    for members in _threads(roots, tweets.column("times"), ids, usable):
        root = int(roots[members[0]])
        turns: list[dict[str, Any]] = []
        customer = company = None
        for i in members.tolist():
            cells = _reread(handle, encoding, starts[i], ends[i])
            if cells is None or len(cells) != columns["(width)"]:
                continue  # the file changed between the passes
            author = cells[columns["author_id"]].strip()
            if inbound[i]:
                customer = customer or author
            else:
                company = company or author
            turns.append(
                {
                    "role": "customer" if inbound[i] else "agent",
                    # Twitter's API escaped &, < and > in tweet texts.
                    "text": html.unescape(cells[columns["text"]]),
                    "at": datetime.fromtimestamp(times[i], UTC),
                }
            )
        if not turns:
            continue
        record: dict[str, Any] = {
            "id": str(tweets.ids[root]),
            "channel": "social",
            "started_at": turns[0]["at"],
            "ended_at": turns[-1]["at"],
            "turns": turns,
        }
        if customer:
            record["customer_id"] = customer
        if company:
            record["attributes"] = {"company": company}
        location = f"line {lines[root]} (thread of {len(turns)} tweet(s))"
        yield RawRecord(source, location, record)


def _rows(
    handle: IO[bytes], encoding: str, source: str, start: int = 0, line: int = 1
) -> Iterator[_Row | RecordError]:
    """Parse CSV records from binary lines, knowing each record's byte range and line."""
    cursor = _Cursor(start, line)
    reader = csv.reader(_lines(handle, encoding, cursor))
    record_start, record_line = start, line
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield RecordError(source, f"line {record_line}", "(row)", f"not valid CSV: {exc}")
            cells = None
        if cursor.bad is not None:
            number, offset, problem = cursor.bad
            cursor.bad = None
            bad = problem.object[problem.start : problem.start + 1].hex()
            yield RecordError(
                source,
                f"line {number}",
                "(encoding)",
                f"byte 0x{bad} at byte {offset + problem.start:,} of the file is not valid "
                f"{encoding}; this tweet was skipped. If the file is Latin-1 or "
                "Windows-1252, import it again with --encoding latin-1",
            )
        elif cells:
            restored = [c.replace(_CR, "\r") if _CR in c else c for c in cells]
            yield _Row(record_line, record_start, cursor.offset, restored)
        record_start, record_line = cursor.offset, cursor.line


def _lines(handle: IO[bytes], encoding: str, cursor: _Cursor) -> Iterator[str]:
    # Binary iteration splits on LF only; a bare CR inside a line is hidden from the
    # csv module (which would end an unquoted field there) and restored afterwards.
    utf8 = is_utf8(encoding)
    codec = "utf-8" if utf8 else encoding
    for raw in handle:
        number, start = cursor.line, cursor.offset
        cursor.line += 1
        cursor.offset += len(raw)
        if utf8 and start == 0 and raw.startswith(BOM):
            raw, start = raw[len(BOM) :], len(BOM)
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError as exc:
            cursor.bad = cursor.bad or (number, start, exc)
            text = raw.decode(codec, "replace")
        yield _hide_cr(text)


def _hide_cr(line: str) -> str:
    """Replace the CRs inside a line (not its line ending) by the stand-in character."""
    body = line.rstrip("\r\n")
    if "\r" not in body:
        return line
    return body.replace("\r", _CR) + line[len(body) :]


def _scan(
    row: _Row, columns: dict[str, int], tweets: _Tweets
) -> tuple[str, str, str | None] | None:
    """Check one row and record its numbers; returns ``(field, message, id)`` if bad."""
    cells = row.cells
    if len(cells) != columns["(width)"]:
        return "(row)", f"{len(cells)} cells for {columns['(width)']} columns", None
    raw_id = cells[columns["tweet_id"]].strip()
    tweet_id = _integer(raw_id)
    if tweet_id is None or tweet_id < 0:
        return "tweet_id", f"not a tweet id: {raw_id[:40]!r}", None
    raw_parent = cells[columns["in_response_to_tweet_id"]].strip()
    parent = _integer(raw_parent) if raw_parent else _NO_PARENT
    if parent is None:
        return "in_response_to_tweet_id", f"not a tweet id: {raw_parent[:40]!r}", raw_id
    moment = twitter_time(cells[columns["created_at"]])
    problem = _problem(cells, columns, moment)
    tweets.ids.append(tweet_id)
    tweets.parents.append(parent)
    tweets.times.append(int(moment.timestamp()) if moment else 0)
    tweets.starts.append(row.start)
    tweets.ends.append(row.end)
    tweets.lines.append(row.line)
    tweets.inbound.append(cells[columns["inbound"]].strip().lower() in ("true", "1"))
    # A tweet with a bad field stays in the reply tree (its replies keep their thread)
    # but gives no turn.
    tweets.usable.append(problem is None)
    return (*problem, raw_id) if problem else None


def _problem(
    cells: list[str], columns: dict[str, int], moment: datetime | None
) -> tuple[str, str] | None:
    if not cells[columns["author_id"]].strip():
        return "author_id", "missing"
    if cells[columns["inbound"]].strip().lower() not in ("true", "false", "1", "0"):
        return "inbound", f"expected True or False, got {cells[columns['inbound']][:20]!r}"
    if moment is None:
        created = cells[columns["created_at"]]
        return (
            "created_at",
            f"not a timestamp like 'Tue Oct 31 22:10:47 +0000 2017': {created[:40]!r}",
        )
    text = cells[columns["text"]]
    if len(text) > MAX_TEXT_CHARS:
        return "text", f"{len(text):,} characters; at most {MAX_TEXT_CHARS:,} are accepted"
    return None


def _integer(value: str) -> int | None:
    # pandas re-saves integer columns with gaps as floats: "3.0"
    head, dot, tail = value.partition(".")
    if not head.isdigit() or (dot and tail.strip("0")) or len(head) > 18:
        return None
    return int(head)


def _duplicates(ids: npt.NDArray[np.int64]) -> list[int]:
    """Positions of the rows whose id appeared on an earlier row."""
    order = np.argsort(ids, kind="stable")
    ordered = ids[order]
    repeated = np.nonzero(ordered[1:] == ordered[:-1])[0] + 1
    return sorted(int(i) for i in order[repeated])


def _roots(ids: npt.NDArray[np.int64], parents: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """For each tweet, the index of its thread's root (pointer jumping over parents)."""
    count = len(ids)
    own = np.arange(count, dtype=np.int64)
    if count == 0:
        return own
    order = np.argsort(ids, kind="stable")
    ordered = ids[order]
    at = np.minimum(np.searchsorted(ordered, parents), count - 1)
    found = (parents != _NO_PARENT) & (ordered[at] == parents)
    parent_index = np.where(found, order[at], own)
    roots = parent_index
    for _ in range(64):  # each round doubles the distance covered
        following = roots[roots]
        if np.array_equal(following, roots):
            return roots
        roots = following
    return _break_cycles(parent_index, roots)


def _break_cycles(
    parent_index: npt.NDArray[np.int64], roots: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    # Only corrupt files get here: replies that loop back. Each loop becomes one
    # thread rooted at its first row.
    roots = roots.copy()
    settled = roots[roots] == roots
    for start in np.nonzero(~settled)[0].tolist():
        if settled[start]:
            continue
        path: list[int] = []
        seen: dict[int, int] = {}
        node = start
        while not settled[node] and node not in seen:
            seen[node] = len(path)
            path.append(node)
            node = int(parent_index[node])
        target = int(roots[node]) if settled[node] else min(path[seen[node] :])
        for member in path:
            roots[member] = target
            settled[member] = True
    return roots


def _threads(
    roots: npt.NDArray[np.int64],
    times: npt.NDArray[np.int64],
    ids: npt.NDArray[np.int64],
    usable: npt.NDArray[np.bool_],
) -> Iterator[npt.NDArray[np.int64]]:
    """Usable tweets grouped by thread (threads in file order), each in time order."""
    keep = np.nonzero(usable)[0]
    if len(keep) == 0:
        return
    order = keep[np.lexsort((ids[keep], times[keep], roots[keep]))]
    grouped = roots[order]
    cuts = np.nonzero(grouped[1:] != grouped[:-1])[0] + 1
    yield from np.split(order, cuts)


def _reread(handle: IO[bytes], encoding: str, start: int, end: int) -> list[str] | None:
    """The cells of the record stored at ``[start, end)`` (checked in the first pass)."""
    handle.seek(start)
    text = handle.read(end - start).decode("utf-8" if is_utf8(encoding) else encoding, "replace")
    lines = [_hide_cr(line) for line in _AFTER_LF.split(text)]
    try:
        cells = next(csv.reader(lines), None)
    except csv.Error:
        return None
    if cells and start == 0 and cells[0].startswith("\ufeff"):
        cells[0] = cells[0][1:]
    return [c.replace(_CR, "\r") if _CR in c else c for c in cells] if cells else None
