"""Decode in a second process: a reader/decoder child feeds table rows to the writer.

An import spends about as much CPU decoding and validating records as writing them.
Here a child process reads the files and turns each record into its table row (the
compiled decoder, else pydantic, exactly as in-process), and sends them to the parent
in batches while the parent writes the previous batch. Batches travel as msgpack frames
on the child's stdout (no pickle): rows are plain values, times as msgpack timestamps,
and the turns as the JSON bytes the child serialised once.

A thread of the parent empties the pipe into a queue of at most
:data:`QUEUED_BATCHES` messages: the child runs ahead while the parent stores a chunk,
and a slow writer still holds it back, so memory stays bounded. The child is a fresh
``python -m`` of this module, not a fork (a forked copy of the parent's open database
connections could be closed or written to by the child) nor ``multiprocessing``'s
spawn (which re-runs the caller's script).
"""

from __future__ import annotations

import gc
import queue
import subprocess
import sys
import threading
import traceback
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import msgspec
import orjson

from criterio.interactions._fast import TURNS_JSON, decode_row, mapping_row
from criterio.interactions.readers.base import RawRecord, RecordError

__all__ = [
    "BATCH",
    "Decoded",
    "decode_item",
    "decoded_in_child",
    "decoded_items",
    "read_items",
]

#: Records sent to the parent in one message.
BATCH = 2000
#: Messages the parent holds before the child has to wait: how far decoding may run
#: ahead of writing (about 20 MB of rows).
QUEUED_BATCHES = 8

#: What the writer gets for each record: the row with where it came from, a record the
#: contract refused (``True``: it was read), or an error about the input itself.
Decoded = tuple[str, str, dict[str, Any]] | tuple[RecordError, bool]


def read_items(paths: Iterable[Path], fmt: str, encoding: str) -> Iterator[RawRecord | RecordError]:
    """Every file's raw records; a file that cannot be opened becomes one error."""
    from criterio.interactions.readers import read_file

    for path in paths:
        try:
            yield from read_file(path, fmt, encoding)
        except (OSError, ValueError) as exc:
            yield RecordError(str(path), "file", "(file)", str(exc))


def decoded_items(
    paths: Iterable[Path], fmt: str, encoding: str, tenant: str | None
) -> Iterator[Decoded]:
    """Every file's records decoded, in file order: ``decode_item`` over ``read_items``,
    except Parquet files, whose rows are built a batch at a time from Arrow columns."""
    from criterio.interactions.readers import detect_format, parse_format

    for path in paths:
        try:
            name = parse_format(fmt)[0]
            if name == "auto":
                name = detect_format(path)
        except (OSError, ValueError):
            name = fmt  # read_items reports it
        if name == "parquet":
            yield from _parquet_decoded(path, tenant)
        else:
            for item in read_items([path], fmt, encoding):
                yield decode_item(item, tenant)


def _parquet_decoded(path: Path, tenant: str | None) -> Iterator[Decoded]:
    from criterio.interactions._arrow import arrow_rows
    from criterio.interactions.readers.parquet import batch_records, parquet_batches

    source = str(path)
    for item in parquet_batches(path):
        if isinstance(item, RecordError):
            yield item, False
            continue
        batch, first_row = item
        rows = arrow_rows(batch, tenant)
        if rows is None:  # not the export's shape: row by row
            for record in batch_records(source, batch, first_row):
                yield decode_item(record, tenant)
            continue
        doubtful = [position for position, row in enumerate(rows) if row is None]
        others = iter(batch_records(source, batch, first_row, doubtful) if doubtful else ())
        for position, row in enumerate(rows):
            if row is None:
                yield decode_item(next(others), tenant)
            else:
                yield source, f"row {first_row + position}", row


def decode_item(item: RawRecord | RecordError, tenant: str | None) -> Decoded:
    """One raw record as its table row (without writing times), or why it was refused."""
    if isinstance(item, RecordError):
        return item, False
    # The compiled decoder takes the common valid JSON record; anything it refuses
    # (lax input, or an error to word) goes through the pydantic contract.
    data = item.data
    row = decode_row(data, tenant) if isinstance(data, bytes) else mapping_row(data, tenant)
    if row is None:
        from criterio.interactions.service import to_row, validate_record

        validated = validate_record(item, tenant)
        if isinstance(validated, RecordError):
            return validated, True
        row = to_row(validated, now=datetime.now(UTC), import_id=None)
    return item.source, item.location, row


# -- the wire format --------------------------------------------------------------------

_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder()
_ERROR_FIELDS = ("source", "location", "field", "message", "record_id")


#: The fast decoder's row keys but ``turns``: such a row travels as a list of values in
#: this order (half the bytes of a map, and much quicker to decode than 17 keys a row).
_FAST_KEYS = (
    "tenant",
    "external_id",
    "channel",
    "started_at",
    "ended_at",
    "customer_id",
    "language",
    "attributes",
    TURNS_JSON,
    "handled_by",
    "agent_id",
    "resolved",
    "csat",
    "escalated",
    "resolution_code",
    "labels",
    "content_hash",
)


def _to_wire(decoded: Decoded) -> list[Any]:
    if isinstance(decoded[0], RecordError):
        error, was_read = decoded
        assert isinstance(error, RecordError)
        return ["e", [getattr(error, f) for f in _ERROR_FIELDS], was_read]
    source, location, row = decoded
    assert isinstance(row, dict)
    if TURNS_JSON in row and len(row) == len(_FAST_KEYS) + 1:
        # The orjson.Fragment in "turns" is rebuilt from the JSON bytes on arrival.
        return ["f", source, location, [row[k] for k in _FAST_KEYS]]
    return ["r", source, location, row]  # a row pydantic built: as it is


def _from_wire(entry: list[Any]) -> Decoded:
    kind = entry[0]
    if kind == "e":
        return RecordError(*entry[1]), bool(entry[2])
    _, source, location, values = entry
    if kind == "r":
        return source, location, values
    row = dict(zip(_FAST_KEYS, values, strict=True))
    row["turns"] = orjson.Fragment(row[TURNS_JSON])
    return source, location, row


# -- the child and its parent side ------------------------------------------------------


def _send(out: IO[bytes], message: list[Any]) -> None:
    frame = _ENCODER.encode(message)
    out.write(len(frame).to_bytes(4, "little"))
    out.write(frame)


def _read_frame(stream: IO[bytes]) -> bytes | None:
    head = stream.read(4)
    if len(head) < 4:
        return None
    size = int.from_bytes(head, "little")
    frame = stream.read(size)
    return frame if len(frame) == size else None


def _pump(stream: IO[bytes], frames: queue.Queue[bytes | None], stop: threading.Event) -> None:
    """Reader thread: move frames from the pipe to a queue, so the child never waits on
    the writer while it stores a chunk (a pipe holds only 64 KB; a batch is megabytes)."""
    while not stop.is_set():
        try:
            frame = _read_frame(stream)
        except (OSError, ValueError):  # the pipe was closed by the consumer
            frame = None
        while not stop.is_set():
            try:
                frames.put(frame, timeout=0.2)
                break
            except queue.Full:
                continue
        if frame is None:
            return


def _child_main() -> None:
    """Child process body: decode every record, send batches on stdout, then "end"."""
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the frames
    job = orjson.loads(sys.stdin.buffer.read())
    paths = [Path(p) for p in job["paths"]]
    tenant = job["tenant"]
    # As in the parent: the cyclic GC would rescan the batch of rows again and again;
    # the young generations are collected after each batch (errors' tracebacks do
    # make cycles).
    gc.disable()
    try:
        batch: list[list[Any]] = []
        for decoded in decoded_items(paths, job["fmt"], job["encoding"], tenant):
            batch.append(_to_wire(decoded))
            if len(batch) >= BATCH:
                _send(out, ["b", batch])
                batch = []
                gc.collect(1)
        if batch:
            _send(out, ["b", batch])
        _send(out, ["end", None])
        out.flush()
    except BrokenPipeError:
        pass  # the parent stopped reading (it failed or was interrupted)
    except Exception:
        _send(out, ["crash", traceback.format_exc()])
        out.flush()


def decoded_in_child(
    paths: Iterable[Path], fmt: str, encoding: str, tenant: str | None
) -> Iterator[Decoded]:
    """``decoded_items``, computed in a child process, in file order."""
    job = {"paths": [str(p) for p in paths], "fmt": fmt, "encoding": encoding, "tenant": tenant}
    # This interpreter running our own module: no shell, no input in the command.
    process = subprocess.Popen(
        [sys.executable, "-m", "criterio.interactions._pipeline"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        bufsize=1 << 20,
    )
    assert process.stdin is not None and process.stdout is not None
    frames: queue.Queue[bytes | None] = queue.Queue(maxsize=QUEUED_BATCHES)
    stop = threading.Event()
    pump = threading.Thread(
        target=_pump, args=(process.stdout, frames, stop), name="ingest-pipe", daemon=True
    )
    try:
        process.stdin.write(orjson.dumps(job))
        process.stdin.close()
        pump.start()
        while True:
            frame = frames.get()
            if frame is None:
                raise RuntimeError(
                    f"the decoder process ended unexpectedly (exit code {process.wait()})"
                )
            kind, payload = _DECODER.decode(frame)
            if kind == "end":
                break
            if kind == "crash":
                raise RuntimeError(f"the decoder process failed:\n{payload}")
            for entry in payload:
                yield _from_wire(entry)
    finally:
        stop.set()
        if process.poll() is None:
            process.kill()
        process.wait()
        if pump.is_alive():
            pump.join()
        process.stdout.close()


if __name__ == "__main__":
    _child_main()
