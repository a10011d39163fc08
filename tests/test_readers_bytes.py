"""Files as users make them: a stray byte, gzip, HTML entities in tweets.

A byte that is not valid text rejects only the row (or line, or tweet) holding it,
named by its line and its byte offset in the file; gzipped files are read whatever
their name; tweet texts come without Twitter's ``&amp;`` escapes.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from criterio.interactions.readers import read_file
from criterio.interactions.readers.base import RawRecord, RecordError
from tests.cli_helpers import run_ingest, stored

CSV_HEADER = "id,started_at,text,attributes.queue\n"
TWCS_HEADER = (
    "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
)


def _csv_row(number: int) -> str:
    return f'c-{number},2026-11-02T09:{number % 60:02d}:00Z,"Hola, cobro número {number}",billing\n'


def _csv_bytes(rows: int) -> bytes:
    return (CSV_HEADER + "".join(_csv_row(n) for n in range(1, rows + 1))).encode("utf-8")


def _with_latin1_row(rows: int, bad_row: int) -> tuple[bytes, int]:
    """A UTF-8 CSV whose row ``bad_row`` says "número" in Latin-1; and that byte's offset."""
    data = _csv_bytes(rows)
    row_start = data.index(f"\nc-{bad_row},".encode()) + 1
    offset = data.index("ú".encode(), row_start)
    return data[:offset] + b"\xfa" + data[offset + 2 :], offset


def _split(items: list[RawRecord | RecordError]) -> tuple[list[RawRecord], list[RecordError]]:
    records = [i for i in items if isinstance(i, RawRecord)]
    errors = [i for i in items if isinstance(i, RecordError)]
    return records, errors


def test_one_latin1_byte_in_40000_rows_rejects_only_its_row(tmp_path: Path) -> None:
    data, offset = _with_latin1_row(40_000, 20_001)
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    records, errors = _split(list(read_file(path)))
    assert len(records) == 39_999
    assert "c-20001" not in {r.data["id"] for r in records if isinstance(r.data, dict)}
    assert [(e.location, e.field) for e in errors] == [("line 20002", "(encoding)")]
    assert f"byte 0xfa at byte {offset:,} of the file" in errors[0].message
    assert offset > 900_000  # near the middle of the file, not "byte 350"


def test_seven_rows_with_a_bad_fourth_row_import_six(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> None:
    data, offset = _with_latin1_row(7, 4)
    path = tmp_path / "seven.csv"
    path.write_bytes(data)
    run = run_ingest(monkeypatch, database_url, tmp_path, str(path))
    assert run.exit_code == 1
    assert set(stored(database_url)) == {f"c-{n}" for n in (1, 2, 3, 5, 6, 7)}
    assert [(e["location"], e["field"]) for e in run.errors] == [("line 5", "(encoding)")]
    assert f"byte 0xfa at byte {offset:,} of the file is not valid utf-8" in run.output
    assert "rows before this point" not in run.output


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.integers(1, 12),
    position=st.integers(0, 10_000),
    byte=st.sampled_from([0xFF, 0xE9, 0x80, 0xC3]),
)
def test_a_bad_byte_anywhere_loses_exactly_one_row(
    tmp_path: Path, rows: int, position: int, byte: int
) -> None:
    data = _csv_bytes(rows)
    at = len(CSV_HEADER) + position % (len(data) - len(CSV_HEADER))  # any byte of a row
    path = tmp_path / "one-bad-byte.csv"
    path.write_bytes(data[:at] + bytes([byte]) + data[at:])
    records, errors = _split(list(read_file(path)))
    assert len(records) == rows - 1
    assert len(errors) == 1
    assert errors[0].field == "(encoding)"
    # The decoder names the first byte it cannot use: the inserted one, or a neighbour
    # of "ú" that the insertion cut off.
    found = re.search(r"at byte ([\d,]+) of the file", errors[0].message)
    assert found is not None
    assert at - 1 <= int(found.group(1).replace(",", "")) <= at + 1


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.integers(1, 10), position=st.integers(0, 10_000))
def test_a_bad_byte_in_json_lines_loses_exactly_one_line(
    tmp_path: Path, lines: int, position: int
) -> None:
    text = "".join(
        json.dumps({"id": f"j-{n}", "started_at": "2026-11-02T09:00:00Z", "text": "añadir"}) + "\n"
        for n in range(lines)
    )
    data = text.encode("utf-8")
    at = position % (len(data) - 1)  # not after the last newline
    path = tmp_path / "one-bad-byte.jsonl"
    path.write_bytes(data[:at] + b"\xff" + data[at:])
    records, errors = _split(list(read_file(path)))
    assert len(records) == lines - 1
    assert [e.field for e in errors] == ["(encoding)"]
    assert f"byte 0xff at byte {at:,} of the file" in errors[0].message


def _twcs_rows() -> list[str]:
    return [
        '1,alice,True,Tue Oct 31 22:10:47 +0000 2017,"@Acme my bill &amp; my plan &gt; 50€",2,\n',
        "2,Acme,False,Tue Oct 31 22:12:00 +0000 2017,@alice sorry &lt;3 we'll look,3,1\n",
        "3,alice,True,Tue Oct 31 22:15:00 +0000 2017,@Acme thanks,,2\n",
        "4,bob,True,Wed Nov 01 08:00:00 +0000 2017,@Acme another café,,\n",
    ]


def test_a_bad_byte_in_twcs_rejects_only_its_tweet(tmp_path: Path) -> None:
    data = (TWCS_HEADER + "".join(_twcs_rows())).encode("utf-8")
    offset = data.index("café".encode()) + 3
    path = tmp_path / "twcs.csv"
    path.write_bytes(data[:offset] + b"\xe9" + data[offset + 2 :])
    records, errors = _split(list(read_file(path, "twcs")))
    assert [r.data["id"] for r in records if isinstance(r.data, dict)] == ["1"]
    assert [(e.location, e.field) for e in errors] == [("line 5", "(encoding)")]
    assert f"byte 0xe9 at byte {offset:,} of the file" in errors[0].message


def _gzip(path: Path, data: bytes) -> Path:
    path.write_bytes(gzip.compress(data))
    return path


@pytest.mark.parametrize("name", ["export.csv.gz", "export.csv", "export.gz"])
def test_gzipped_csv_is_read_whatever_its_name(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path, name: str
) -> None:
    path = _gzip(tmp_path / name, _csv_bytes(5))
    fmt = [] if name.endswith(".csv.gz") else ["--format", "csv"]
    run = run_ingest(monkeypatch, database_url, tmp_path, str(path), *fmt)
    assert run.exit_code == 0, run.output
    assert "--encoding latin-1" not in run.output
    assert set(stored(database_url)) == {f"c-{n}" for n in range(1, 6)}
    assert stored(database_url)["c-3"].turns[0]["text"] == "Hola, cobro número 3"


@pytest.mark.parametrize("name", ["export.jsonl.gz", "export.jsonl"])
def test_gzipped_json_lines_are_read(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path, name: str
) -> None:
    lines = [
        {"id": f"g-{n}", "started_at": "2026-11-02T09:00:00Z", "text": f"me cobráis {n}"}
        for n in range(3)
    ]
    data = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
    path = _gzip(tmp_path / name, data)
    run = run_ingest(monkeypatch, database_url, tmp_path, str(path))
    assert run.exit_code == 0, run.output
    assert "--encoding latin-1" not in run.output
    assert stored(database_url)["g-2"].turns[0]["text"] == "me cobráis 2"


def test_gzipped_twcs_is_read_and_its_entities_unescaped(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> None:
    path = _gzip(tmp_path / "twcs.csv.gz", (TWCS_HEADER + "".join(_twcs_rows())).encode())
    run = run_ingest(monkeypatch, database_url, tmp_path, str(path), "--format", "twcs")
    assert run.exit_code == 0, run.output
    thread = stored(database_url)["1"]
    assert [t["text"] for t in thread.turns] == [
        "@Acme my bill & my plan > 50€",
        "@alice sorry <3 we'll look",
        "@Acme thanks",
    ]
    assert stored(database_url)["4"].turns[0]["text"] == "@Acme another café"


def test_a_truncated_gzip_keeps_the_rows_before_the_damage(tmp_path: Path) -> None:
    packed = gzip.compress(_csv_bytes(2000))
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(packed[: len(packed) // 2])
    records, errors = _split(list(read_file(path)))
    assert 0 < len(records) < 2000
    assert [e.field for e in errors] == ["(file)"]
    assert "the rows before it were read" in errors[0].message


def test_ibm_cdp_texts_are_unescaped(tmp_path: Path) -> None:
    conversation = {
        "dialogHeader": {"sessionID": "S1", "company": "Acme", "conversationDateTime": ""},
        "dialogContent": [
            {
                "client": "u1",
                "datetime": "2017-10-31T22:10:47+00:00",
                "message": "Q &amp; A &gt; 2",
            },
            {
                "agent": "Acme",
                "datetime": "2017-10-31T22:11:47+00:00",
                "message": "&lt;3 &quot;ok&quot;",
            },
        ],
        "agentURL": {"url_utterance": "see &amp; read", "doc_id": "d1"},
    }
    path = tmp_path / "ibm.json"
    path.write_text(json.dumps([conversation]), encoding="utf-8")
    records, errors = _split(list(read_file(path, "ibm-cdp:include_resolution=true")))
    assert errors == []
    assert isinstance(records[0].data, dict)
    texts = [t["text"] for t in records[0].data["turns"]]
    assert texts == ["Q & A > 2", '<3 "ok"', "see & read"]
