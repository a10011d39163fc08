"""Table rows from Arrow columns: the Parquet import's fast path, one batch at a time.

Building each row from ``to_pylist`` dicts (a dict per turn, a datetime per time, then
the row builder's own checks and serialisation) cost more than validating the record.
Here the costly parts are computed on whole columns with ``pyarrow.compute``: every
check of the contract that a column can answer (lengths, enumerations, the tenant's
pattern, the year range, NUL characters, order of the times), and the stored JSON of
the turns, built as text (times formatted, texts escaped as orjson escapes them). What
is left per row in Python is picking the values, two strip checks, and the digest.

A row any check doubts comes back as None and goes through the per-row path (the
compiled decoder, else pydantic, which words the error naming record and field); a
batch whose columns are not the contract's export shape (``export.PARQUET_SCHEMA``
or a subset of its columns) goes that way whole. So a row built here is one the
per-row path would build identically; tests compare the two on generated records.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from criterio.interactions._fast import table_row
from criterio.interactions.schemas import MAX_INTERACTION_CHARS, MAX_TEXT_CHARS, MAX_TURNS

__all__ = ["arrow_rows"]

_STRINGS = ("id", "tenant", "channel", "customer_id", "language", "text")
_TIMES = ("started_at", "ended_at")
_MAPS = ("attributes", "labels")
_OUTCOME_TYPES = {
    "handled_by": pa.types.is_string,
    "agent_id": pa.types.is_string,
    "resolved": pa.types.is_boolean,
    "csat": pa.types.is_integer,
    "escalated": pa.types.is_boolean,
    "resolution_code": pa.types.is_string,
}
_OUTCOME_FIELDS = tuple(_OUTCOME_TYPES)
_CHANNELS = pa.array(["chat", "email", "voice", "social", "messaging", "web", "sms", "other"])
_ROLES = pa.array(["customer", "agent", "bot", "system"])
_TENANT = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
# Local years well inside YEAR_RANGE, as in _fast: edge years go the per-row way.
_YEARS = (1901, 2198)
# What JSON escapes in a text: few texts hold any of it (about 4% in the demo month).
_SPECIAL = r'[\\"\x00-\x1f]'
_US = pa.timestamp("us")


def _supported(schema: pa.Schema) -> bool:
    """Whether the batch has the export's shape: known columns, the contract's types."""
    names = set(schema.names)
    if len(names) != len(schema.names) or not {"id", "started_at"} <= names:
        return False
    for field in schema:
        kind = field.type
        if field.name in _STRINGS:
            ok = pa.types.is_string(kind)
        elif field.name in _TIMES:
            ok = pa.types.is_timestamp(kind) and kind.tz is not None
        elif field.name in _MAPS:
            ok = (
                pa.types.is_map(kind)
                and pa.types.is_string(kind.key_type)
                and pa.types.is_string(kind.item_type)
            )
        elif field.name == "turns":
            ok = _turns_type(kind)
        elif field.name == "outcome":
            ok = pa.types.is_struct(kind) and all(
                f.name in _OUTCOME_TYPES and _OUTCOME_TYPES[f.name](f.type) for f in kind
            )
        else:
            ok = False  # flat "a.b" columns, or anything else: the per-row reader's job
        if not ok:
            return False
    return True


def _turns_type(kind: pa.DataType) -> bool:
    if not pa.types.is_list(kind) or not pa.types.is_struct(kind.value_type):
        return False
    item = kind.value_type
    names = {f.name for f in item}
    if not {"role", "text"} <= names <= {"role", "text", "at"}:
        return False
    at_ok = "at" not in names or (
        pa.types.is_timestamp(item.field("at").type) and item.field("at").type.tz is not None
    )
    return at_ok and all(pa.types.is_string(item.field(n).type) for n in ("role", "text"))


def _null_if_empty(column: pa.Array) -> pa.Array:
    # The per-row reader drops empty top-level cells ("" means absent in flat files).
    return pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)


def _bad(flags: Any) -> np.ndarray:
    """A check's failures (null counts as a failure) as a numpy mask."""
    return np.asarray(pc.invert(pc.fill_null(flags, False)).to_numpy(zero_copy_only=False))


def _length_ok(column: pa.Array, low: int, high: int) -> pa.Array:
    length = pc.utf8_length(column)
    return pc.and_(pc.greater_equal(length, low), pc.less_equal(length, high))


def _clean(column: pa.Array) -> pa.Array:
    """No NUL character (PostgreSQL cannot store it)."""
    return pc.invert(pc.match_substring(column, "\x00"))


def _optional(ok: pa.Array, column: pa.Array) -> pa.Array:
    return pc.or_kleene(pc.is_null(column), ok)


def _years_ok(times: pa.Array) -> pa.Array:
    year = pc.year(times)
    return pc.and_(pc.greater_equal(year, _YEARS[0]), pc.less(year, _YEARS[1]))


def _iso(times: pa.Array) -> pa.Array:
    """Naive UTC microsecond times as orjson writes them, without the final "Z"."""
    # A cast writes "YYYY-MM-DD HH:MM:SS.ffffff" (strftime is 40 times slower).
    text = pc.replace_substring(times.cast(pa.string()), " ", "T", max_replacements=1)
    whole = pc.ends_with(text, ".000000")  # orjson leaves out a zero fraction
    return pc.if_else(whole, pc.utf8_slice_codeunits(text, 0, 19), text)


def _escaped(text: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """JSON string bodies exactly as orjson writes them, and the texts holding a NUL.

    Only the few texts with something to escape are written by orjson itself.
    """
    special = pc.fill_null(pc.match_substring_regex(text, _SPECIAL), False)
    mask: np.ndarray = special.to_numpy(zero_copy_only=False)
    with_nul = np.zeros(len(text), dtype=bool)
    positions = np.flatnonzero(mask)
    if not len(positions):
        return text, with_nul
    originals = text.take(positions).to_pylist()
    with_nul[positions] = ["\x00" in value for value in originals]
    bodies = [orjson.dumps(value)[1:-1].decode() for value in originals]
    return pc.replace_with_mask(text, special, pa.array(bodies, pa.string())), with_nul


def _map_bad_rows(column: pa.MapArray, rows: int) -> np.ndarray:
    """Rows with a key over 100 characters, a missing or long value, or a NUL."""
    offsets = column.offsets.to_numpy()
    start, count = int(offsets[0]), int(offsets[-1] - offsets[0])
    keys, items = column.keys.slice(start, count), column.items.slice(start, count)
    entry_ok = pc.and_(
        pc.and_(pc.less_equal(pc.utf8_length(keys), 100), _clean(keys)),
        pc.and_(pc.less_equal(pc.utf8_length(items), 500), _clean(items)),
    )
    sizes = np.diff(offsets)
    bad = np.zeros(rows, dtype=bool)
    bad[np.repeat(np.arange(rows), sizes)[_bad(entry_ok)]] = True
    # A null map read as {} must not hide entries (Arrow allows them under a null).
    nulls: np.ndarray = column.is_null().to_numpy(zero_copy_only=False)
    combined: np.ndarray = bad | (nulls & (sizes > 0))
    return combined


class _Batch:
    """The columns of one batch, their checks, and the rows built from them."""

    def __init__(self, batch: pa.RecordBatch) -> None:
        self.size = batch.num_rows
        self.bad = np.zeros(self.size, dtype=bool)
        self.columns = {name: batch.column(name) for name in batch.schema.names}

    def column(self, name: str, kind: pa.DataType) -> pa.Array:
        found = self.columns.get(name)
        return found if found is not None else pa.nulls(self.size, kind)

    def refuse(self, ok: Any) -> None:
        self.bad |= _bad(ok)

    def strings(self) -> dict[str, pa.Array]:
        values = {n: _null_if_empty(self.column(n, pa.string())) for n in _STRINGS}
        for name in ("tenant", "channel", "customer_id", "language", "text"):
            self.refuse(_optional(_clean(values[name]), values[name]))
        self.refuse(pc.and_(_length_ok(values["id"], 1, 200), _clean(values["id"])))
        self.refuse(
            _optional(pc.match_substring_regex(values["tenant"], _TENANT), values["tenant"])
        )
        self.refuse(_optional(pc.is_in(values["channel"], _CHANNELS), values["channel"]))
        customer = values["customer_id"]
        self.refuse(_optional(_length_ok(customer, 1, 200), customer))
        self.refuse(_optional(_length_ok(values["language"], 0, 16), values["language"]))
        self.refuse(_optional(_length_ok(values["text"], 0, MAX_TEXT_CHARS), values["text"]))
        return values

    def times(self) -> tuple[pa.Array, pa.Array]:
        # Cut to microseconds as the per-row reader does (and pydantic does with a JSON
        # time); Arrow keeps the UTC instant when it drops the zone.
        started = self.column("started_at", _US).cast(_US, safe=False)
        ended = self.column("ended_at", _US).cast(_US, safe=False)
        self.refuse(_years_ok(started))
        self.refuse(_optional(_years_ok(ended), ended))
        self.refuse(_optional(pc.greater_equal(ended, started), ended))
        return started, ended

    def turns_json(self, started: pa.Array, text: pa.Array) -> pa.Array:
        """Each row's turns as the stored JSON (a flat text as one customer turn)."""
        turns = self.column("turns", pa.list_(pa.struct([("role", pa.string())])))
        counts = pc.fill_null(pc.list_value_length(turns), 0)
        self.refuse(pc.less_equal(counts, MAX_TURNS))
        flat = pc.list_flatten(turns)
        parents = pc.list_parent_indices(turns).to_numpy()
        role, body = flat.field("role"), flat.field("text")
        at_index = flat.type.get_field_index("at")
        at = flat.field("at").cast(_US, safe=False) if at_index >= 0 else pa.nulls(len(flat), _US)
        escaped, with_nul = _escaped(body)
        entry_ok = pc.and_(
            pc.and_(pc.is_in(role, _ROLES), pc.less_equal(pc.utf8_length(body), MAX_TEXT_CHARS)),
            pc.is_valid(flat),  # a missing turn (null entry): the per-row path words it
        )
        entry_ok = pc.and_(entry_ok, _optional(_years_ok(at), at))
        self.bad[parents[_bad(entry_ok) | with_nul]] = True
        totals = np.bincount(
            parents, weights=pc.fill_null(pc.utf8_length(body), 0).to_numpy(), minlength=self.size
        )
        self.bad |= totals > MAX_INTERACTION_CHARS
        with_at = pc.binary_join_element_wise(
            '{"at":"', _iso(at), 'Z","role":"', role, '","text":"', escaped, '"}', ""
        )
        without_at = pc.binary_join_element_wise('{"role":"', role, '","text":"', escaped, '"}', "")
        objects = pc.coalesce(with_at, without_at)
        offsets = np.concatenate([[0], np.cumsum(counts.to_numpy())]).astype(np.int32)
        listed = pa.ListArray.from_arrays(pa.array(offsets), objects)
        in_turns = pc.binary_join_element_wise("[", pc.binary_join(listed, ","), "]", "")
        flat_text, _ = _escaped(text)  # a NUL in the text is refused with the strings
        as_turn = pc.binary_join_element_wise(
            '[{"at":"', _iso(started), 'Z","role":"customer","text":"', flat_text, '"}]', ""
        )
        has_turns = pc.greater(counts, 0)
        # Turns and a text together is an error; neither, too (pydantic words both).
        self.refuse(pc.if_else(has_turns, pc.is_null(text), pc.is_valid(text)))
        return pc.if_else(has_turns, in_turns, as_turn).cast(pa.binary())

    def outcome(self) -> tuple[list[bool], list[list[Any]]]:
        """Whether each row has an outcome, and each outcome field's values."""
        outcome = self.columns.get("outcome")
        if outcome is None:
            return [False] * self.size, [[None] * self.size for _ in _OUTCOME_FIELDS]
        present = pc.is_valid(outcome)
        fields: list[list[Any]] = []
        for name in _OUTCOME_FIELDS:
            if outcome.type.get_field_index(name) < 0:
                fields.append([None] * self.size)
                continue
            # A struct's field ignores the struct's own nulls: checked only where present.
            value = outcome.field(name)
            if name == "handled_by":
                ok = pc.is_in(value, pa.array(["bot", "human"]))
            elif name == "csat":
                ok = pc.and_(pc.greater_equal(value, 1), pc.less_equal(value, 5))
            elif pa.types.is_string(value.type):
                ok = pc.and_(_length_ok(value, 0, 500), _clean(value))
            else:
                ok = pc.is_valid(present)  # booleans: any value is one
            self.refuse(pc.or_kleene(pc.invert(present), _optional(ok, value)))
            fields.append(value.to_pylist())
        return present.to_pylist(), fields

    def mapping(self, name: str) -> list[dict[str, str]]:
        column = self.columns.get(name)
        if column is None:
            return [{} for _ in range(self.size)]
        self.bad |= _map_bad_rows(column, self.size)
        # From the flat keys and values (a list of pairs per row costs three times more);
        # a null map has an empty range, like an empty one: {} for both.
        offsets = column.offsets.to_numpy()
        start, count = int(offsets[0]), int(offsets[-1] - offsets[0])
        keys = column.keys.slice(start, count).to_pylist()
        items = column.items.slice(start, count).to_pylist()
        bounds = (offsets - start).tolist()
        return [dict(zip(keys[a:b], items[a:b], strict=True)) for a, b in pairwise(bounds)]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _datetimes(times: pa.Array) -> list[datetime | None]:
    # Aware UTC datetimes from the microseconds: twice as quick as naive datetimes from
    # Arrow given their zone one by one. Null only in rows refused already.
    return [
        None if us is None else _EPOCH + timedelta(microseconds=us)
        for us in times.cast(pa.int64()).to_pylist()
    ]


def arrow_rows(batch: pa.RecordBatch, tenant: str | None) -> list[dict[str, Any] | None] | None:
    """One table row per record of the batch (None: that record goes the per-row way).

    None for the whole batch when its columns are not the export's shape.
    """
    if not _supported(batch.schema):
        return None
    columns = _Batch(batch)
    strings = columns.strings()
    started, ended = columns.times()
    turns = columns.turns_json(started, strings["text"]).to_pylist()
    present, outcome_fields = columns.outcome()
    attributes, labels = columns.mapping("attributes"), columns.mapping("labels")
    starts, ends = _datetimes(started), _datetimes(ended)
    outcomes = [
        values if has else None for has, *values in zip(present, *outcome_fields, strict=True)
    ]
    rows: list[dict[str, Any] | None] = []
    for refused, external_id, given, channel, start, end, customer_id, language, text, *rest in zip(
        columns.bad.tolist(),
        *(strings[n].to_pylist() for n in _STRINGS[:3]),
        starts,
        ends,
        *(strings[n].to_pylist() for n in _STRINGS[3:]),
        attributes,
        turns,
        outcomes,
        labels,
        strict=True,
    ):
        if (
            refused
            or external_id.strip() != external_id
            or (customer_id is not None and customer_id.strip() != customer_id)
            or (text is not None and not text.strip())
            or (tenant is not None and given is not None and given != tenant)
        ):
            rows.append(None)
        else:
            owner = tenant or given or "default"
            rows.append(
                table_row(owner, external_id, channel, start, end, customer_id, language, *rest)
            )
    return rows
