"""The export-format readers against the public samples (../shared/data) and our own
Zendesk fixtures: counts as SOURCE.md states them, turns and roles, format detection."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from criterio.interactions.readers import detect_format, read_file
from criterio.interactions.readers.base import RecordError
from criterio.interactions.schemas import InteractionIn
from criterio.interactions.service import validate_record
from tests.cli_helpers import run_ingest, stored

FIXTURES = Path(__file__).parent / "fixtures" / "zendesk"


def _read(path: Path, fmt: str = "auto") -> list[InteractionIn]:
    """Every record of a file, validated; fails the test on any error."""
    records = []
    for item in read_file(path, fmt):
        assert not isinstance(item, RecordError), str(item)
        validated = validate_record(item)
        assert not isinstance(validated, RecordError), str(validated)
        records.append(validated)
    return records


def _roles(records: list[InteractionIn]) -> Counter[str]:
    return Counter(t.role.value for r in records for t in r.turns)


# --- TWCS -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "conversations", "roles"),
    [
        ("twcs_kaggle_sample93.csv", 27, {"customer": 49, "agent": 44}),
        # SOURCE.md: 5,000 rows, 2,778 inbound customer and 2,222 brand tweets.
        ("twcs_first5000_monalisapatra26.csv", 1312, {"customer": 2778, "agent": 2222}),
        # SOURCE.md: 15,096 inbound tweets, the agent side absent: one thread each.
        ("twcs_spotifycares_support_requests.csv", 15096, {"customer": 15096}),
    ],
)
def test_twcs_samples_thread_every_tweet(
    shared_data: Path, name: str, conversations: int, roles: dict[str, int]
) -> None:
    path = shared_data / "twcs_subsets" / name
    assert detect_format(path) == "twcs"
    records = _read(path)
    assert len(records) == conversations
    assert _roles(records) == roles
    assert len({r.id for r in records}) == conversations
    for record in records:
        assert record.channel is not None and record.channel.value == "social"
        times = [t.at for t in record.turns]
        assert times == sorted(times)  # type: ignore[type-var]
        assert record.started_at == times[0] and record.ended_at == times[-1]


def test_twcs_thread_roles_customer_and_company(shared_data: Path) -> None:
    records = {r.id: r for r in _read(shared_data / "twcs_subsets" / "twcs_kaggle_sample93.csv")}
    thread = records["119256"]
    assert thread.customer_id == "105840" and thread.attributes == {"company": "SpotifyCares"}
    assert [t.role.value for t in thread.turns] == ["customer", "agent"] * 4
    assert thread.turns[0].text.startswith("@76495 @91226 Please help")
    assert thread.started_at == datetime(2017, 10, 11, 12, 53, 29, tzinfo=UTC)


def test_twcs_bare_carriage_returns_are_text_not_broken_rows(shared_data: Path) -> None:
    # SOURCE.md counts these rows as malformed: unquoted texts holding bare CRs.
    records = _read(shared_data / "twcs_subsets" / "twcs_first5000_monalisapatra26.csv")
    [turn] = [t for r in records for t in r.turns if "I just love the start of email" in t.text]
    assert turn.text.startswith("@AskPayPal \r\rI just love")


def _twcs(tmp_path: Path, rows: list[str], header: str | None = None) -> Path:
    path = tmp_path / "tweets.csv"
    head = header or (
        ",tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id"
    )
    path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    return path


def test_twcs_reply_tree_out_of_order_with_branches(tmp_path: Path) -> None:
    path = _twcs(
        tmp_path,
        [
            '0,13,acme,False,Tue Oct 31 22:30:00 +0000 2017,"@c1 second answer",,12.0',
            '1,10,c1,True,Tue Oct 31 22:00:00 +0000 2017,@acme my order is late,"11,14",',
            '2,11,acme,False,Tue Oct 31 22:05:00 +0000 2017,"@c1 sorry, DM us\nplease",12,10.0',
            "3,12,c1,True,Tue Oct 31 22:20:00 +0000 2017,@acme done,13,11.0",
            "4,14,c2,True,2017-10-31T22:10:00+00:00,@acme same here,,10.0",
            "5,20,c3,True,Wed Nov 01 08:00:00 +0000 2017,@acme other problem,,999",
        ],
    )
    records = {r.id: r for r in _read(path, "twcs")}
    assert set(records) == {"10", "20"}
    thread = records["10"]
    assert [(t.role.value, t.text) for t in thread.turns] == [
        ("customer", "@acme my order is late"),
        ("agent", "@c1 sorry, DM us\nplease"),
        ("customer", "@acme same here"),
        ("customer", "@acme done"),
        ("agent", "@c1 second answer"),
    ]
    assert thread.customer_id == "c1" and thread.attributes == {"company": "acme"}
    assert records["20"].customer_id == "c3" and records["20"].attributes == {}


def test_twcs_reply_loop_still_gives_each_tweet_once(tmp_path: Path) -> None:
    path = _twcs(
        tmp_path,
        [
            "0,1,c1,True,Tue Oct 31 22:00:00 +0000 2017,a,,3",
            "1,2,acme,False,Tue Oct 31 22:01:00 +0000 2017,b,,1",
            "2,3,c1,True,Tue Oct 31 22:02:00 +0000 2017,c,,2",
            "3,4,acme,False,Tue Oct 31 22:03:00 +0000 2017,d,,3",
        ],
    )
    records = _read(path, "twcs")
    assert sorted(t.text for r in records for t in r.turns) == ["a", "b", "c", "d"]
    assert len(records) == 1


# --- IBM customer care ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "conversations", "messages", "companies"),
    [("dev.json", 525, 686, 24), ("test.json", 500, 639, 25)],
)
def test_ibm_samples_match_source_counts(
    shared_data: Path, name: str, conversations: int, messages: int, companies: int
) -> None:
    path = shared_data / "ibm_twitter_customer_care_cdp" / name
    assert detect_format(path) == "ibm-cdp"
    records = _read(path)
    assert len(records) == conversations
    assert sum(len(r.turns) for r in records) == messages
    assert len({r.attributes["company"] for r in records}) == companies
    assert all(r.labels.get("doc_id") and r.labels.get("url") for r in records)
    assert all(r.turns[0].role.value == "customer" for r in records)


def test_ibm_conversation_mapping(shared_data: Path) -> None:
    path = shared_data / "ibm_twitter_customer_care_cdp" / "dev.json"
    records = {r.id: r for r in _read(path)}
    first = records["LgwAXtbbEm0mBvDrGmjk"]
    assert first.customer_id == "CinVakas" and first.attributes == {"company": "TeamYouTube"}
    assert first.labels["doc_id"] == "1770"
    assert first.started_at == datetime(2020, 4, 1, 17, 31, 32, tzinfo=UTC)
    assert first.ended_at == datetime(2020, 4, 1, 18, 58, 27, tzinfo=UTC)  # + 01:26:55
    rockstar = records["Qt4M3sXkR71V9CT9Xr5U"]
    assert [t.role.value for t in rockstar.turns] == ["customer", "agent", "customer"]
    joined = records["6kHxCxC6yB7Dd4DdaAoa"]  # a second customer ("client1") joins
    assert [t.role.value for t in joined.turns] == ["customer", "customer"]


def test_ibm_resolution_turn_on_request(shared_data: Path) -> None:
    path = shared_data / "ibm_twitter_customer_care_cdp" / "dev.json"
    records = _read(path, "ibm-cdp:include_resolution=true")
    assert sum(len(r.turns) for r in records) == 686 + 525
    assert all(r.turns[-1].role.value == "agent" for r in records)


# --- ABCD -----------------------------------------------------------------------------


def test_abcd_sample(shared_data: Path) -> None:
    path = shared_data / "abcd" / "abcd_sample.json"
    assert detect_format(path) == "abcd"
    records = {r.id: r for r in _read(path)}
    assert set(records) == {"3592", "9489", "3695"}
    assert _roles(list(records.values())) == {"agent": 32, "customer": 31, "system": 9}
    first = records["3592"]
    assert first.labels == {"flow": "product_defect", "intent": "return_size"}
    assert first.customer_id == "cminh730" and first.attributes == {"member_level": "bronze"}
    assert first.started_at == datetime(2021, 4, 1, tzinfo=UTC)
    assert all(t.at is None for t in first.turns)
    assert first.turns[6].role.value == "system" and "Account has been pulled up" in (
        first.turns[6].text
    )


def test_abcd_epoch_option_and_gzipped_splits(shared_data: Path, tmp_path: Path) -> None:
    sample = json.loads((shared_data / "abcd" / "abcd_sample.json").read_text("utf-8"))
    path = tmp_path / "abcd_v1.1.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump({"train": sample[:2], "dev": sample[2:], "test": []}, handle)
    assert detect_format(path) == "abcd"
    records = _read(path, "abcd:epoch=2024-05-01T09:00:00+02:00")
    assert [r.attributes["split"] for r in records] == ["train", "train", "dev"]
    assert {r.started_at for r in records} == {datetime(2024, 5, 1, 7, tzinfo=UTC)}
    [error] = list(read_file(path, "abcd:epoch=yesterday"))
    assert isinstance(error, RecordError) and error.field == "epoch"


# --- Zendesk --------------------------------------------------------------------------


def _by_id(path: Path, fmt: str = "auto") -> dict[str, InteractionIn]:
    return {r.id: r for r in _read(path, fmt)}


def test_zendesk_ticket_page_with_embedded_comments() -> None:
    path = FIXTURES / "tickets_page.json"
    assert detect_format(path) == "zendesk"
    tickets = _by_id(path)
    assert set(tickets) == {"101", "102", "103"}
    billing = tickets["101"]
    # The private note is left out; requester → customer, others → agent.
    assert [(t.role.value, t.text[:12]) for t in billing.turns] == [
        ("customer", "Hola, me han"),
        ("agent", "Hola, hemos "),
        ("customer", "Perfecto, mu"),
    ]
    assert billing.customer_id == "5001" and billing.channel is not None
    assert billing.channel.value == "email"
    assert billing.outcome is not None
    assert (billing.outcome.resolved, billing.outcome.csat, billing.outcome.agent_id) == (
        True,
        5,
        "9001",
    )
    assert billing.ended_at == datetime(2026, 10, 5, 10, 40, tzinfo=UTC)
    assert billing.attributes["tags"] == "facturacion,cobro_duplicado"
    assert billing.attributes["custom.360012346"] == "madrid,particular"
    assert billing.attributes["priority"] == "normal" and billing.attributes["group_id"] == "360001"
    assert tickets["102"].outcome is not None and tickets["102"].outcome.resolved is False
    assert tickets["102"].ended_at is None
    assert tickets["103"].outcome is not None and tickets["103"].outcome.csat == 1
    assert tickets["103"].channel is not None and tickets["103"].channel.value == "social"


def test_zendesk_incremental_export_without_comments() -> None:
    tickets = _by_id(FIXTURES / "incremental_export.json")
    assert set(tickets) == {"201", "202", "204"}  # 203 is deleted
    [turn] = tickets["201"].turns
    assert (turn.role.value, turn.text) == (
        "customer",
        "Quiero pasarme a la tarifa de 1 Gb, ¿cómo lo hago?",
    )
    channels = {k: v.channel.value for k, v in tickets.items() if v.channel is not None}
    assert channels == {"201": "web", "202": "voice", "204": "messaging"}


def test_zendesk_single_ticket_and_internal_notes_option() -> None:
    path = FIXTURES / "ticket_with_comments.json"
    [ticket] = _read(path)
    assert [t.role.value for t in ticket.turns] == ["customer", "agent"]
    [with_notes] = _read(path, "zendesk:internal_notes=true")
    assert [t.role.value for t in with_notes.turns] == ["customer", "agent", "agent"]
    assert "Internal: approved" in with_notes.turns[1].text


def test_zendesk_json_lines_match_the_page() -> None:
    lines = _by_id(FIXTURES / "tickets.jsonl")
    page = _by_id(FIXTURES / "tickets_page.json")
    assert set(lines) == {"101", "102", "201"}
    assert lines["101"] == page["101"]


def test_zendesk_through_the_cli(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_template: Path
) -> None:
    database = tmp_path / "store.db"
    database.write_bytes(sqlite_template.read_bytes())
    url = f"sqlite:///{database}"
    files = [str(FIXTURES / n) for n in ("tickets_page.json", "incremental_export.json")]
    run = run_ingest(monkeypatch, url, tmp_path, *files, "--format", "zendesk")
    assert run.exit_code == 0, run.output
    rows = stored(url)
    assert set(rows) == {"101", "102", "103", "201", "202", "204"}
    assert rows["101"].csat == 5 and rows["101"].resolved is True
    assert rows["101"].turns[0] == {
        "role": "customer",
        "text": "Hola, me han cobrado dos veces la factura de octubre. ¿Podéis revisarlo?",
        "at": "2026-10-05T08:12:00Z",
    }


# --- detection ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.jsonl", '{"id": "x", "started_at": "2026-01-01T00:00:00Z", "text": "hi"}\n', "jsonl"),
        ("a.json", '{"id": "x", "started_at": "2026-01-01T00:00:00Z", "text": "hi"}\n', "jsonl"),
        ("a.txt", "id,started_at,text\nx,2026-01-01T00:00:00Z,hi\n", "csv"),
        ("a.txt", "tweet_id,author_id,inbound,created_at,text,in_response_to_tweet_id\n", "twcs"),
        ("a.json", '[{"dialogHeader": {}, "dialogContent": []}]', "ibm-cdp"),
        ("a.json", '[{"convo_id": 1, "original": []}]', "abcd"),
        ("a.json", '{"count": 1, "tickets": [{"id": 1}]}', "zendesk"),
        ("a.json", '[{"id": 1, "requester_id": 2, "via": {}, "status": "open"}]', "zendesk"),
        ("a.jsonl", '{"id": 1, "requester_id": 2, "subject": "x", "status": "open"}\n', "zendesk"),
    ],
)
def test_detect_format_by_content(tmp_path: Path, name: str, content: str, expected: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert detect_format(path) == expected


def test_detect_format_refuses_an_unknown_array(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('[{"foo": 1}]', encoding="utf-8")
    with pytest.raises(ValueError, match="pass --format"):
        detect_format(path)
