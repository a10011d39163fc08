"""Parquet rows built from Arrow columns against the per-row path and the JSONL twins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from criterio.demo import DemoGenerator
from criterio.demo.output import write_records
from criterio.interactions import ingest_files
from criterio.interactions._arrow import arrow_rows
from criterio.interactions._fast import TURNS_JSON, decode_row, plain_row
from criterio.interactions._pipeline import decode_item
from criterio.interactions.export import PARQUET_SCHEMA
from criterio.interactions.readers.parquet import batch_records

SCHEMA = PARQUET_SCHEMA.append(pa.field("text", pa.string()))
BASE = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)

texts = st.one_of(
    st.text(max_size=10),
    st.sampled_from(
        ["", " ", " x", "x ", 'a "q" \\ b', "l1\nl2\r\tz", "\x08\x0c", "\x01", "nul\x00", "ñ ✓ 😀"]
    ),
)
times = st.one_of(
    st.integers(-3 * 10**12, 3 * 10**12).map(lambda us: BASE + timedelta(microseconds=us)),
    st.sampled_from(
        [
            datetime(1901, 1, 1, tzinfo=UTC),
            datetime(1900, 6, 1, tzinfo=UTC),
            datetime(2197, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
            datetime(2199, 1, 1, tzinfo=UTC),
            BASE.replace(microsecond=0),
        ]
    ),
)
turn = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "role": st.sampled_from(["customer", "agent", "bot", "system", "robot", None]),
            "text": st.one_of(texts, st.none()),
            "at": st.one_of(times, st.none()),
        }
    ),
)
pairs = st.lists(st.tuples(st.one_of(texts, st.just("k" * 101)), st.one_of(texts, st.none())))
record = st.fixed_dictionaries(
    {
        "id": st.one_of(texts, st.sampled_from(["c-1", "c-2", "x" * 201]), st.none()),
        "tenant": st.one_of(st.sampled_from(["demo", "acme", " demo", "a/b", ""]), st.none()),
        "channel": st.sampled_from(["chat", "email", "fax", "", None]),
        "started_at": st.one_of(times, st.none()),
        "ended_at": st.one_of(times, st.none()),
        "customer_id": st.one_of(texts, st.none()),
        "language": st.sampled_from(["es", "en", "x" * 17, None]),
        "attributes": st.one_of(pairs, st.none()),
        "turns": st.one_of(st.lists(turn, max_size=3), st.none()),
        "text": st.one_of(texts, st.none()),
        "outcome": st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {
                    "handled_by": st.sampled_from(["bot", "human", "alien", None]),
                    "agent_id": st.one_of(texts, st.none()),
                    "resolved": st.one_of(st.booleans(), st.none()),
                    "csat": st.one_of(st.integers(-1, 7), st.none()),
                    "escalated": st.one_of(st.booleans(), st.none()),
                    "resolution_code": st.one_of(texts, st.none()),
                }
            ),
        ),
        "labels": st.one_of(pairs, st.none()),
    }
)


# Records the contract accepts (but for a NUL a text may hold), to show the column
# path takes them: any text, quotes and control characters included.
names = st.text("abcXYZ019-_.ñ", min_size=1, max_size=12)
bodies = st.text(max_size=15)
moments = st.integers(-3 * 10**12, 3 * 10**12).map(lambda us: BASE + timedelta(microseconds=us))
valid_turn = st.fixed_dictionaries(
    {
        "role": st.sampled_from(["customer", "agent", "bot", "system"]),
        "text": bodies,
        "at": st.one_of(moments, st.none()),
    }
)
valid_pairs = st.lists(st.tuples(bodies, bodies), max_size=3)
valid_record = st.builds(
    lambda started, later, content, extra: {
        "id": extra["id"],
        "started_at": started,
        "ended_at": None if later is None else started + timedelta(microseconds=later),
        **content,
        **{k: v for k, v in extra.items() if k != "id"},
    },
    moments,
    st.one_of(st.none(), st.integers(0, 10**10)),
    st.one_of(
        st.fixed_dictionaries({"turns": st.lists(valid_turn, min_size=1, max_size=3)}),
        st.fixed_dictionaries({"text": bodies.filter(str.strip)}),
    ),
    st.fixed_dictionaries(
        {
            "id": names,
            "tenant": st.sampled_from(["demo", None]),
            "channel": st.sampled_from(["chat", "voice", None]),
            "customer_id": st.one_of(names, st.none()),
            "language": st.sampled_from(["es", "en", None]),
            "attributes": valid_pairs,
            "labels": valid_pairs,
            "outcome": st.one_of(
                st.none(),
                st.fixed_dictionaries(
                    {
                        "handled_by": st.sampled_from(["bot", "human", None]),
                        "agent_id": st.one_of(bodies, st.none()),
                        "csat": st.one_of(st.integers(1, 5), st.none()),
                        "resolved": st.one_of(st.booleans(), st.none()),
                    }
                ),
            ),
        }
    ),
)


def _comparable(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in plain_row(row).items()
        if k not in ("import_id", "created_at", "updated_at")
    }


def _compare(batch: pa.RecordBatch, tenant: str | None) -> int:
    """Assert every row built from columns is the per-row path's; how many were built."""
    built = arrow_rows(batch, tenant)
    assert built is not None
    reference = [decode_item(r, tenant) for r in batch_records("t.parquet", batch, 1)]
    for position, (row, expected) in enumerate(zip(built, reference, strict=True)):
        if row is None:
            continue  # the per-row path decides (and words any error)
        assert len(expected) == 3, (batch.slice(position, 1).to_pylist(), expected)
        assert _comparable(row) == _comparable(expected[2])
        if TURNS_JSON in expected[2]:
            assert row[TURNS_JSON] == expected[2][TURNS_JSON]
    return sum(row is not None for row in built)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(record, min_size=1, max_size=6), st.sampled_from([None, "demo"]))
def test_rows_from_columns_are_the_per_row_paths_rows(
    records: list[dict[str, Any]], tenant: str | None
) -> None:
    """A record the column path takes, the contract takes with the same row and digest;
    texts with quotes, backslashes and control characters are escaped as orjson does."""
    _compare(pa.RecordBatch.from_pylist(records, schema=SCHEMA), tenant)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(valid_record, min_size=1, max_size=8), st.sampled_from([None, "demo"]))
def test_valid_records_are_built_from_columns(
    records: list[dict[str, Any]], tenant: str | None
) -> None:
    """Records the contract accepts take the column path (a NUL aside), same rows."""
    batch = pa.RecordBatch.from_pylist(records, schema=SCHEMA)
    with_nul = sum(b"\\u0000" in orjson.dumps(r, default=str) for r in records)
    assert _compare(batch, tenant) >= len(records) - with_nul


def test_the_demo_month_is_built_from_columns_as_its_jsonl_twins(tmp_path: Path) -> None:
    """Every demo record takes the column path, with the row its JSON line gives."""
    records = list(DemoGenerator(400, seed=11).records())
    path = tmp_path / "demo.parquet"
    write_records(records, path)
    batch = pq.read_table(path).to_batches()[0]
    for tenant in (None, "demo"):
        built = arrow_rows(batch, tenant)
        assert built is not None and all(row is not None for row in built)
        for row, record in zip(built, records, strict=True):
            twin = decode_row(orjson.dumps(record, default=str), tenant)
            assert twin is not None and row is not None
            assert _comparable(row) == _comparable(twin)
            assert row[TURNS_JSON] == twin[TURNS_JSON]
    assert _compare(batch, None) == len(records)


def test_a_sliced_batch_and_a_flat_text_record() -> None:
    """Offsets of a slice (maps, turns) are honoured; a flat text is one customer turn."""
    records = [
        {"id": "a", "started_at": BASE, "text": "skip", "attributes": [("k", "v0")]},
        {"id": "b", "started_at": BASE, "text": "hola", "attributes": [("q", "x"), ("r", "y")]},
        {"id": "c", "started_at": BASE, "turns": [{"role": "agent", "text": "sí", "at": None}]},
    ]
    batch = pa.RecordBatch.from_pylist(records, schema=SCHEMA).slice(1)
    assert _compare(batch, None) == 2
    rows = arrow_rows(batch, None)
    assert rows is not None and rows[0] is not None and rows[1] is not None
    assert rows[0]["attributes"] == {"q": "x", "r": "y"}
    assert orjson.loads(rows[0][TURNS_JSON]) == [
        {"role": "customer", "text": "hola", "at": "2026-11-01T09:30:00Z"}
    ]
    assert rows[1]["attributes"] == {} and rows[1]["tenant"] == "default"


def test_other_shapes_go_row_by_row() -> None:
    """Flat ``a.b`` columns, naive times or unknown columns: the whole batch per row."""
    flat = pa.RecordBatch.from_pylist(
        [{"id": "a", "started_at": BASE, "text": "x", "outcome.csat": 4}]
    )
    naive = pa.RecordBatch.from_pylist([{"id": "a", "started_at": datetime(2026, 1, 1)}])
    assert arrow_rows(flat, None) is None
    assert arrow_rows(naive, None) is None


def test_bad_rows_are_named_and_the_good_ones_stored_in_order(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """A bad row in a Parquet file gets an error naming its row and field; the rows
    around it are built from columns and stored."""
    good = {"started_at": BASE, "turns": [{"role": "agent", "text": "ok", "at": BASE}]}
    records = [
        {"id": "r-1", **good},
        {"id": "r-2", **good, "turns": [{"role": "robot", "text": "?", "at": BASE}]},
        {"id": "r-3", **good, "ended_at": BASE - timedelta(hours=1)},
        {"id": "r-1", **good},
        {"id": "r-5", **good, "outcome": {"csat": 9}},
        {"id": "r-6", **good},
    ]
    path = tmp_path / "mixed.parquet"
    pq.write_table(pa.Table.from_pylist(records, schema=SCHEMA), path)
    report = ingest_files(session_factory, [path], parallel=False)
    assert (report.read, report.inserted, report.rejected) == (6, 2, 4)
    found = [(e.location, e.field) for e in report.errors]
    assert found[:2] == [("row 2", "turns.0.role"), ("row 3", "(record)")]
    assert ("row 4", "id") in found and ("row 5", "outcome.csat") in found
