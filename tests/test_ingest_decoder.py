"""The compiled decoder (msgspec) against the pydantic contract it must agree with."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from criterio.demo import DemoGenerator
from criterio.demo.output import write_records
from criterio.interactions._fast import TURNS_JSON, decode_row, mapping_row, plain_row
from criterio.interactions.readers.base import RawRecord
from criterio.interactions.readers.parquet import read_parquet
from criterio.interactions.schemas import InteractionIn
from criterio.interactions.service import to_row, validate_record

NOW = datetime(2026, 1, 1, tzinfo=UTC)

times = st.one_of(
    st.sampled_from(
        [
            "2026-11-01T00:50:40+01:00",
            "2026-11-01T00:50:40Z",
            "2026-11-01t00:50:40z",
            "2026-11-01 00:50:40Z",
            "2026-11-01T00:50:40.123456Z",
            "2026-11-01T00:50:40.1234567Z",
            "2026-11-01T00:50:40.9999999+02:00",
            "2026-11-01T00:50:40",
            "2026-11-01T00:50Z",
            "2026-02-30T00:00:00Z",
            "2026-11-01T00:50:40,5Z",
            "2026-11-01T00:50:40-00:00",
            "2026-11-01T00:50:40+0530",
        ]
    ),
    st.integers(0, 2_000_000_000),
    st.datetimes(
        min_value=datetime(1990, 1, 1),
        max_value=datetime(2090, 1, 1),
        timezones=st.sampled_from([UTC]),
    ).map(lambda d: d.isoformat()),
)
texts = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", " x", "x ", "a\nb", "nul\x00", "demo\n", "ok", "Ñandú ✓"]),
)
scalars = st.one_of(texts, st.integers(-5, 10), st.booleans(), st.none(), st.floats(0, 6))
turn = st.fixed_dictionaries(
    {"role": st.sampled_from(["customer", "agent", "bot", "system", "robot", 3]), "text": texts},
    optional={"at": st.one_of(times, st.none()), "extra": scalars},
)
record = st.fixed_dictionaries(
    {"id": st.one_of(texts, st.integers())},
    optional={
        "tenant": st.one_of(st.sampled_from(["demo", "default", "acme", " demo", "demo\n"]), texts),
        "channel": st.one_of(st.sampled_from(["chat", "email", "fax", None]), texts),
        "started_at": times,
        "ended_at": st.one_of(times, st.none()),
        "customer_id": st.one_of(texts, st.none()),
        "language": st.one_of(st.sampled_from(["es", "en", "x" * 17]), st.none()),
        "attributes": st.dictionaries(texts, scalars, max_size=3),
        "turns": st.lists(turn, max_size=3),
        "text": st.one_of(texts, st.none()),
        "outcome": st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {},
                optional={
                    "handled_by": st.sampled_from(["bot", "human", "alien", None]),
                    "agent_id": st.one_of(texts, st.none()),
                    "resolved": st.one_of(st.booleans(), st.none(), st.sampled_from(["true", 1])),
                    "csat": st.one_of(st.integers(-1, 7), st.none(), st.just(4.0)),
                    "escalated": st.one_of(st.booleans(), st.none()),
                },
            ),
        ),
        "labels": st.dictionaries(texts, scalars, max_size=2),
    },
)


def _comparable(row: dict[str, Any]) -> dict[str, Any]:
    plain = plain_row(row)
    return {k: v for k, v in plain.items() if k not in ("import_id", "created_at", "updated_at")}


def _check(data: bytes, tenant: str | None) -> bool:
    """Assert the decoder agrees with pydantic on ``data``; True if it took the record."""
    fast = decode_row(data, tenant)
    reference = validate_record(RawRecord("t", "line 1", data), tenant)
    if fast is None:
        return False  # pydantic decides alone (accepts the lax record, or words an error)
    assert isinstance(reference, InteractionIn), (data, reference)
    expected = to_row(reference, now=NOW, import_id=None)
    assert _comparable(fast) == _comparable(expected)
    assert orjson.loads(fast[TURNS_JSON]) == expected["turns"]
    return True


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record, st.sampled_from([None, "demo", "acme"]))
def test_decoder_accepts_only_what_pydantic_accepts_with_the_same_row(
    data: dict[str, Any], tenant: str | None
) -> None:
    """Any record the fast decoder takes, pydantic takes too, and both build the same row."""
    _check(json.dumps(data).encode(), tenant)


def test_decoder_takes_the_demo_records_and_builds_their_rows() -> None:
    """The common valid record (the demo month) goes through the fast path."""
    taken = 0
    for item in DemoGenerator(300, 3).records():
        taken += _check(orjson.dumps(item, default=str), None)
        taken += _check(orjson.dumps(item, default=str), "demo")
    assert taken == 600


def test_flat_text_record_becomes_one_customer_turn() -> None:
    """A record with ``text`` instead of turns is one customer turn at ``started_at``."""
    data = b'{"id":"a","started_at":"2026-11-01T00:50:40+01:00","text":"hola"}'
    assert _check(data, None)
    row = decode_row(data, None)
    assert row is not None
    assert orjson.loads(row[TURNS_JSON]) == [
        {"role": "customer", "text": "hola", "at": "2026-10-31T23:50:40Z"}
    ]
    assert row["tenant"] == "default"


def test_records_pydantic_must_word_are_left_to_it() -> None:
    """Lax or invalid records are not taken by the decoder (pydantic coerces or rejects)."""
    for data in (
        b'{"id":" a","started_at":"2026-11-01T00:50:40Z","text":"x"}',
        b'{"id":"a","started_at":"2026-11-01T00:50:40Z","text":"x","tenant":"demo"}',
        b'{"id":"a","started_at":"2026-11-01T00:50:40.1234567Z","text":"x"}',
        b'{"id":"a","started_at":"2026-11-01T00:50:40Z","text":"x\\u0000"}',
        b'{"id":"a","started_at":"2026-11-01T00:50:40Z","text":"x","attributes":{"n":3}}',
        b'{"id":"a","started_at":"2026-11-01T00:50:40Z","text":"  "}',
        b'{"id":"a","started_at":"2026-11-01T00:50:40Z"',
    ):
        assert decode_row(data, "acme") is None, data


def _check_mapping(data: dict[str, Any], tenant: str | None) -> bool:
    fast = mapping_row(data, tenant)
    reference = validate_record(RawRecord("t", "row 1", data), tenant)
    if fast is None:
        return False
    assert isinstance(reference, InteractionIn), (data, reference)
    expected = to_row(reference, now=NOW, import_id=None)
    assert _comparable(fast) == _comparable(expected)
    return True


def test_mapping_path_agrees_on_parquet_rows(tmp_path: Path) -> None:
    """Parquet rows (real datetimes, Arrow maps) take the fast path with pydantic's rows."""
    path = tmp_path / "demo.parquet"
    write_records(DemoGenerator(200, 5).records(), path)
    items = [i for i in read_parquet(path) if isinstance(i, RawRecord)]
    assert len(items) == 200
    taken = sum(_check_mapping(dict(i.data), t) for i in items for t in (None, "demo", "x"))
    assert taken == 400  # the records say tenant "demo": under tenant "x" pydantic words it


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record, st.sampled_from([None, "demo"]))
def test_mapping_path_accepts_only_what_pydantic_accepts(
    data: dict[str, Any], tenant: str | None
) -> None:
    """Mappings with real datetimes: the fast path never disagrees with pydantic."""
    for key in ("started_at", "ended_at"):
        if isinstance(data.get(key), str):
            with contextlib.suppress(ValueError):
                data[key] = datetime.fromisoformat(data[key])
    _check_mapping(data, tenant)


def test_mapping_path_leaves_nul_and_text_times_to_pydantic() -> None:
    """A NUL in any text, or a time given as text, is pydantic's to judge."""
    base = {"id": "a", "started_at": datetime(2026, 1, 1, tzinfo=UTC), "text": "x"}
    assert mapping_row(base, None) is not None
    assert mapping_row({**base, "text": "x\x00"}, None) is None
    assert mapping_row({**base, "attributes": {"k\x00": "v"}}, None) is None
    turn = {"role": "agent", "text": "a\x00b", "at": datetime(2026, 1, 1, tzinfo=UTC)}
    assert mapping_row({**base, "text": None, "turns": [turn]}, None) is None
    assert mapping_row({**base, "outcome": {"agent_id": "\x00"}}, None) is None
    assert mapping_row({**base, "labels": {"intent": "x\x00"}}, None) is None
    assert mapping_row({**base, "customer_id": b"bytes"}, None) is None
    # Six ordinary characters that spell the escape are no NUL: pydantic takes them.
    literal = {**base, "text": "C:\\u0000 path"}
    assert mapping_row(literal, None) is None
    assert isinstance(validate_record(RawRecord("t", "row 1", literal), None), InteractionIn)
    assert mapping_row({**base, "started_at": "2026-01-01T00:00:00Z"}, None) is None


def test_times_at_the_edges_of_the_year_range_agree_with_pydantic() -> None:
    """The decoder's quick year check refuses exactly the times pydantic refuses."""
    taken = []
    for at in (
        "1900-01-01T00:00:00Z",
        "1900-01-01T00:30:00+01:00",  # 1899 in UTC: out of range
        "1899-12-31T23:30:00-01:00",  # 1900 in UTC: in range
        "1901-01-01T00:00:00+14:00",
        "2198-12-31T23:00:00-12:00",
        "2199-12-31T23:59:59Z",
        "2199-12-31T23:30:00-01:00",  # 2200 in UTC: out of range
        "2200-01-01T00:30:00+01:00",  # 2199 in UTC: in range
        "0001-01-01T00:00:00+01:00",
    ):
        for data in (
            {"id": "a", "started_at": at, "text": "x"},
            {
                "id": "a",
                "started_at": "2026-11-01T00:00:00Z",
                "turns": [{"role": "agent", "text": "x", "at": at}],
            },
        ):
            if _check(orjson.dumps(data), None):
                taken.append(at)
    assert "1900-01-01T00:30:00+01:00" not in taken and "2199-12-31T23:30:00-01:00" not in taken
    assert "2200-01-01T00:30:00+01:00" in taken and "1899-12-31T23:30:00-01:00" in taken
