"""Property tests of the readers and the validation.

* Any valid record written as JSON Lines, CSV or Parquet reads back, through the reader
  and the validation, as the very same interaction.
* Arbitrary bytes, or damaged JSON/CSV, never crash a reader: they become errors.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from criterio.interactions.export import PARQUET_SCHEMA
from criterio.interactions.readers import FORMATS, detect_format, read_file
from criterio.interactions.readers.base import RawRecord, RecordError
from criterio.interactions.schemas import Channel, InteractionIn
from criterio.interactions.service import validate_record

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Text as exports carry it: any characters but surrogates and NUL (refused by PostgreSQL).
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
NAME = st.from_regex(r"[a-z][a-z0-9_]{0,15}", fullmatch=True)
IDENT = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,30}", fullmatch=True)
ZONES = st.sampled_from([UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5))])
MOMENT = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2035, 1, 1), timezones=ZONES
).map(lambda d: d.replace(microsecond=0))


#: The header of a TWCS export file (the reader needs all but response_tweet_id).
TWCS_HEADER = [
    "tweet_id",
    "author_id",
    "inbound",
    "created_at",
    "text",
    "response_tweet_id",
    "in_response_to_tweet_id",
]


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    """A valid contract record, with the awkward characters exports are full of."""
    started = draw(MOMENT)
    turns = [
        {
            "role": draw(st.sampled_from(["customer", "agent", "bot", "system"])),
            "text": draw(TEXT),
            **({"at": (started + timedelta(seconds=i)).isoformat()} if draw(st.booleans()) else {}),
        }
        for i in range(draw(st.integers(1, 4)))
    ]
    record: dict[str, Any] = {
        "id": draw(IDENT),
        "started_at": started.isoformat(),
        "turns": turns,
        "attributes": draw(
            st.dictionaries(NAME, TEXT.filter(bool).map(lambda t: t[:50]), max_size=3)
        ),
        "labels": draw(st.dictionaries(NAME, IDENT, max_size=2)),
    }
    if draw(st.booleans()):
        record["channel"] = draw(st.sampled_from(list(Channel))).value
    if draw(st.booleans()):
        record["customer_id"] = draw(IDENT)
    if draw(st.booleans()):
        record["ended_at"] = (started + timedelta(minutes=draw(st.integers(0, 600)))).isoformat()
    outcome = {
        k: v
        for k, v in {
            "csat": draw(st.none() | st.integers(1, 5)),
            "resolved": draw(st.none() | st.booleans()),
            "handled_by": draw(st.none() | st.sampled_from(["bot", "human"])),
        }.items()
        if v is not None
    }
    if outcome:
        record["outcome"] = outcome
    return record


def _write_jsonl(path: Path, batch: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in batch), "utf-8")


def _write_csv(path: Path, batch: list[dict[str, Any]]) -> None:
    flat = []
    for record in batch:
        row = {k: v for k, v in record.items() if k not in ("attributes", "labels", "outcome")}
        row["turns"] = json.dumps(record["turns"], ensure_ascii=False)
        for group in ("attributes", "labels", "outcome"):
            for key, value in record.get(group, {}).items():
                row[f"{group}.{key}"] = str(value).lower() if isinstance(value, bool) else value
        flat.append(row)
    columns = sorted({k for row in flat for k in row})
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(flat)


def _write_parquet(path: Path, batch: list[dict[str, Any]]) -> None:
    rows = []
    for record in batch:
        row = dict(record)
        for key in ("started_at", "ended_at"):
            if key in row:
                row[key] = datetime.fromisoformat(row[key])
        row["attributes"] = list(record["attributes"].items())
        row["labels"] = list(record["labels"].items())
        row["turns"] = [
            {**t, "at": datetime.fromisoformat(t["at"]) if "at" in t else None}
            for t in record["turns"]
        ]
        rows.append(row)
    pq.write_table(pa.Table.from_pylist(rows, schema=PARQUET_SCHEMA), path)


WRITERS = {"jsonl": _write_jsonl, "csv": _write_csv, "parquet": _write_parquet}


@SETTINGS
@given(batch=st.lists(records(), min_size=1, max_size=5), fmt=st.sampled_from(sorted(WRITERS)))
def test_valid_records_round_trip_through_every_reader(
    tmp_path: Path, batch: list[dict[str, Any]], fmt: str
) -> None:
    path = tmp_path / f"records.{fmt}"
    WRITERS[fmt](path, batch)
    assert detect_format(path) == fmt
    read = []
    for item in read_file(path):
        assert isinstance(item, RawRecord), str(item)
        validated = validate_record(item)
        assert isinstance(validated, InteractionIn), str(validated)
        read.append(validated.model_dump())
    assert read == [InteractionIn.model_validate(r).model_dump() for r in batch]


def _consume(path: Path, fmt: str, encoding: str = "utf-8") -> int:
    """Read a whole file; every item must be a record or an error, never an exception."""
    count = 0
    for item in read_file(path, fmt, encoding):
        assert isinstance(item, RawRecord | RecordError)
        if isinstance(item, RawRecord):
            assert isinstance(validate_record(item), InteractionIn | RecordError)
        else:
            assert item.location and item.field and item.message
        count += 1
    return count


@SETTINGS
@given(
    data=st.binary(max_size=2000),
    fmt=st.sampled_from(sorted(FORMATS)),
    encoding=st.sampled_from(["utf-8", "latin-1"]),
)
def test_arbitrary_bytes_never_crash_a_reader(
    tmp_path: Path, data: bytes, fmt: str, encoding: str
) -> None:
    path = tmp_path / "noise.bin"
    path.write_bytes(data)
    _consume(path, fmt, encoding)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)
SHAPES = {
    "ibm-cdp": lambda v: [{"dialogHeader": v, "dialogContent": v, "agentURL": v}],
    "abcd": lambda v: [{"convo_id": v, "original": v, "scenario": v}],
    "zendesk": lambda v: {"tickets": [{"id": v, "created_at": v, "comments": v, "via": v}]},
}


@SETTINGS
@given(
    value=JSON_VALUES,
    fmt=st.sampled_from(sorted(SHAPES)),
    cut=st.integers(0, 400),
    flip=st.integers(0, 400),
)
def test_damaged_export_documents_give_errors(
    tmp_path: Path, value: Any, fmt: str, cut: int, flip: int
) -> None:
    data = json.dumps(SHAPES[fmt](value)).encode()
    if flip < len(data):  # one damaged byte
        data = data[:flip] + bytes([data[flip] ^ 0x55]) + data[flip + 1 :]
    path = tmp_path / "export.json"
    path.write_bytes(data[: max(cut, len(data) // 2)])
    _consume(path, fmt)


CELLS = st.lists(
    st.one_of(TEXT, st.integers(-5, 10**19).map(str), st.just("Tue Oct 31 22:10:47 +0000 2017")),
    min_size=0,
    max_size=9,
)


@SETTINGS
@given(rows=st.lists(CELLS, max_size=8))
def test_random_twcs_rows_never_crash(tmp_path: Path, rows: list[list[str]]) -> None:
    path = tmp_path / "tweets.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(TWCS_HEADER)
        writer.writerows(rows)
    records = [i for i in read_file(path, "twcs") if isinstance(i, RawRecord)]
    _consume(path, "twcs")
    # Every tweet that made it into a thread did so once.
    texts = [t["text"] for r in records for t in r.data["turns"]]  # type: ignore[index]
    assert len(texts) <= len(rows)


@st.composite
def reply_forests(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Tweets in reply trees: each replies to an earlier one or starts a thread."""
    count = draw(st.integers(1, 25))
    tweets = []
    for i in range(count):
        parent = draw(st.none() | st.integers(0, i - 1)) if i else None
        tweets.append(
            {
                "tweet_id": 1000 + i,
                "parent": None if parent is None else 1000 + parent,
                "inbound": draw(st.booleans()),
                "author": draw(IDENT),
                "text": draw(TEXT),
                "at": datetime(2017, 10, 31, tzinfo=UTC) + timedelta(minutes=i),
            }
        )
    return draw(st.permutations(tweets))


@SETTINGS
@given(tweets=reply_forests())
def test_twcs_threads_every_tweet_once_in_its_tree(
    tmp_path: Path, tweets: list[dict[str, Any]]
) -> None:
    path = tmp_path / "tweets.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(TWCS_HEADER)
        for t in tweets:
            writer.writerow(
                [
                    t["tweet_id"],
                    t["author"],
                    t["inbound"],
                    t["at"].strftime("%a %b %d %H:%M:%S +0000 %Y"),
                    t["text"],
                    "",
                    t["parent"] or "",
                ]
            )
    by_id = {t["tweet_id"]: t for t in tweets}

    def root(tweet_id: int) -> int:
        while by_id[tweet_id]["parent"] is not None:
            tweet_id = by_id[tweet_id]["parent"]
        return tweet_id

    expected: dict[str, list[tuple[str, str]]] = {}
    for t in sorted(tweets, key=lambda t: t["at"]):
        role = "customer" if t["inbound"] else "agent"
        expected.setdefault(str(root(t["tweet_id"])), []).append((role, t["text"]))
    got = {}
    for item in read_file(path, "twcs"):
        assert isinstance(item, RawRecord), str(item)
        validated = validate_record(item)
        assert isinstance(validated, InteractionIn), str(validated)
        got[validated.id] = [(turn.role.value, turn.text) for turn in validated.turns]
    assert got == expected


@SETTINGS
@given(
    moment=st.datetimes(
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))]
        )
    )
)
def test_any_timestamp_is_stored_or_refused_by_name(moment: datetime) -> None:
    from criterio.interactions.service import to_row

    raw = RawRecord("t.jsonl", "line 1", {"id": "x", "started_at": moment.isoformat(), "text": "a"})
    result = validate_record(raw)
    if isinstance(result, RecordError):
        assert result.field == "started_at" and "out of range" in result.message
        assert not 1900 <= _utc_year(moment) < 2200
    else:
        row = to_row(result, now=datetime.now(UTC), import_id=None)
        assert 1900 <= row["started_at"].year < 2200


def _utc_year(moment: datetime) -> int:
    try:
        return moment.astimezone(UTC).year
    except OverflowError:  # year 1 with a positive offset has no UTC year
        return 0
