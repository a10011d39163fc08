"""The malformed-input corpus (tests/malformed/) through ``criterio ingest``, as a user runs it.

Each case checks what the user sees: every rejected record named by its line/element
and field, in the printed summary and in the errors file; every good record stored;
and a non-zero exit status whenever anything was rejected.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_helpers import run_ingest, stored

CORPUS = Path(__file__).parent / "malformed"

#: file, extra arguments, ids that must be stored, (location, field) of each rejection
CASES: list[tuple[str, list[str], set[str], set[tuple[str, str]]]] = [
    ("truncated.jsonl", [], {"m-1", "m-2"}, {("line 3", "(json)")}),
    ("latin1.jsonl", [], set(), {("line 1", "(encoding)"), ("line 2", "(encoding)")}),
    ("latin1.jsonl", ["--encoding", "latin-1"], {"m-1", "m-2"}, set()),
    ("bom.jsonl", [], {"m-1", "m-2"}, set()),
    ("bom.csv", [], {"b-1", "b-2"}, set()),
    (
        "missing_fields.jsonl",
        [],
        {"m-1", "m-5"},
        {("line 2", "id"), ("line 3", "started_at"), ("line 4", "(record)")},
    ),
    (
        "bad_timestamps.jsonl",
        [],
        {"m-1", "m-7"},
        {
            ("line 2", "started_at"),
            ("line 3", "started_at"),
            ("line 4", "started_at"),
            ("line 5", "turns.0.at"),
            ("line 6", "(record)"),
        },
    ),
    ("duplicate_ids.jsonl", [], {"m-1", "m-2", "m-3"}, {("line 3", "id")}),
    # PostgreSQL cannot store U+0000: it used to fail the whole chunk at insert time.
    (
        "nul_characters.jsonl",
        [],
        {"n-1", "n-4"},
        {("line 2", "text"), ("line 3", "attributes.queue")},
    ),
    ("wrong_header.csv", [], set(), {("line 1", "(header)")}),
    ("ragged.csv", [], {"r-1", "r-3"}, {("line 3", "(row)")}),
    (
        "twcs_bad_rows.csv",
        [],
        {"1", "6"},
        {
            ("line 4", "created_at"),
            ("line 5", "inbound"),
            ("line 6", "(row)"),
            ("line 7", "tweet_id"),
        },
    ),
    ("twcs_wrong_header.csv", ["--format", "twcs"], set(), {("line 1", "(header)")}),
    (
        "ibm_bad_elements.json",
        [],
        {"S-good-1", "S-good-2"},
        {
            ("conversation 2", "dialogHeader.sessionID"),
            ("conversation 3", "dialogContent[0].datetime"),
            ("conversation 4", "dialogContent[0]"),
        },
    ),
    ("ibm_truncated.json", [], {"S-good-1"}, {("conversation 2", "(json)")}),
    ("ibm_latin1.json", [], set(), {("conversation 1", "(json)")}),
    ("ibm_latin1.json", ["--encoding", "latin-1"], {"S1", "S2"}, set()),
    ("zendesk_latin1.jsonl", [], set(), {("line 1", "(encoding)"), ("line 2", "(encoding)")}),
    ("zendesk_latin1.jsonl", ["--encoding", "latin-1"], {"1", "2"}, set()),
    (
        "abcd_bad_elements.json",
        [],
        {"1", "4"},
        {("conversation 2", "original[1][0]"), ("conversation 3", "convo_id")},
    ),
    (
        "zendesk_bad_tickets.json",
        [],
        {"1", "4"},
        {("ticket 2", "created_at"), ("ticket 3", "comments[0].created_at")},
    ),
    ("zendesk_truncated.json", [], {"1", "2"}, {("ticket 3", "(json)")}),
    ("zendesk_comments_only.json", [], set(), {("line 1", "ticket")}),
]


#: Cases also run on PostgreSQL (the rest of the corpus exercises the readers, which do
#: not depend on the store; running all of it twice would only double the time).
ON_POSTGRES = {
    "nul_characters.jsonl",
    "truncated.jsonl",
    "duplicate_ids.jsonl",
    "twcs_bad_rows.csv",
    "zendesk_bad_tickets.json",
}


@pytest.mark.parametrize(
    ("database_url", "name", "args", "good", "rejected"),
    [
        pytest.param(backend, *case, id=f"{backend}-{case[0]}{'+'.join(['', *case[1]])}")
        for case in CASES
        for backend in ("sqlite", "postgresql")
        if backend == "sqlite" or case[0] in ON_POSTGRES
    ],
    indirect=["database_url"],
)
def test_malformed_file(
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    tmp_path: Path,
    name: str,
    args: list[str],
    good: set[str],
    rejected: set[tuple[str, str]],
) -> None:
    path = CORPUS / name
    run = run_ingest(monkeypatch, database_url, tmp_path, str(path), *args)
    assert run.exit_code == (1 if rejected else 0), run.output
    assert {(e["location"], e["field"]) for e in run.errors} == rejected
    for error in run.errors:
        assert error["source"] == str(path) and error["message"]
        # The summary names the file, the record and the field of each rejection.
        assert f"{path}, {error['location']}" in run.output
        assert f": {error['field']}: " in run.output
    assert set(stored(database_url)) == good


def test_five_megabyte_text_is_rejected_by_name(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "huge.jsonl"
    base = {"started_at": "2026-11-02T09:14:05Z", "channel": "email"}
    with path.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "h-1", "text": "hola", **base}) + "\n")
        handle.write(json.dumps({"id": "h-2", "text": "x" * 5_000_000, **base}) + "\n")
        handle.write(json.dumps({"id": "h-3", "text": "adiós", **base}) + "\n")
    assert path.stat().st_size > 5_000_000
    run = run_ingest(monkeypatch, database_url, tmp_path, str(path))
    assert run.exit_code == 1
    [error] = run.errors
    assert (error["location"], error["field"], error["record_id"]) == ("line 2", "text", "h-2")
    assert "100000" in error["message"]
    assert set(stored(database_url)) == {"h-1", "h-3"}


def test_csv_cell_over_the_csv_field_limit_is_one_bad_row(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_template: Path
) -> None:
    # The csv module raises on a cell over its limit (16 MB here); it used to end the
    # whole import with a traceback.
    path = tmp_path / "huge.csv"
    path.write_text(
        "id,started_at,text\n"
        "c-1,2026-11-02T09:14:05Z,hola\n"
        f"c-2,2026-11-02T09:14:05Z,{'z' * (17 * 1024 * 1024)}\n"
        "c-3,2026-11-02T09:14:05Z,adiós\n",
        encoding="utf-8",
    )
    database = tmp_path / "store.db"
    database.write_bytes(sqlite_template.read_bytes())
    url = f"sqlite:///{database}"
    run = run_ingest(monkeypatch, url, tmp_path, str(path))
    assert run.exit_code == 1, run.output
    assert [(e["location"], e["field"]) for e in run.errors] == [("line 3", "(row)")]
    assert "field larger than field limit" in run.errors[0]["message"]
    assert set(stored(url)) == {"c-1", "c-3"}


def test_five_megabyte_tweet_is_rejected_and_its_thread_kept(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "huge_twcs.csv"
    path.write_text(
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
        "1,c1,True,Tue Oct 31 22:10:47 +0000 2017,@acme help,2,\n"
        f'2,acme,False,Tue Oct 31 22:11:00 +0000 2017,"{"y" * 5_000_000}",3,1\n'
        "3,c1,True,Tue Oct 31 22:12:00 +0000 2017,@acme thanks,,2\n",
        encoding="utf-8",
    )
    run = run_ingest(monkeypatch, database_url, tmp_path, str(path), "--format", "twcs")
    assert run.exit_code == 1
    assert [(e["location"], e["field"]) for e in run.errors] == [("line 3", "text")]
    thread = stored(database_url)["1"]
    assert [(t["role"], t["text"]) for t in thread.turns] == [
        ("customer", "@acme help"),
        ("customer", "@acme thanks"),
    ]


def test_a_clean_file_exits_zero_and_a_rerun_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> None:
    path = CORPUS / "bom.jsonl"
    first = run_ingest(monkeypatch, database_url, tmp_path, str(path))
    again = run_ingest(monkeypatch, database_url, tmp_path, str(path))
    assert (first.exit_code, again.exit_code) == (0, 0)
    assert "unchanged" in again.output and set(stored(database_url)) == {"m-1", "m-2"}


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--format", "tweets"], "unknown format 'tweets'"),
        (["--format", "abcd:colour=red"], "has no option 'colour=red'"),
        (["--encoding", "klingon"], "unknown encoding 'klingon'"),
    ],
)
def test_a_bad_format_option_is_refused_before_reading(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, option: list[str], message: str
) -> None:
    url = f"sqlite:///{tmp_path / 'unused.db'}"
    run = run_ingest(monkeypatch, url, tmp_path, str(CORPUS / "bom.jsonl"), *option)
    assert run.exit_code == 2
    assert message in " ".join(run.output.split())
    assert not (tmp_path / "unused.db").exists()
