"""Feedback imported from another tool: the record validator, the CLI and the bulk API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from criterio.auth.roles import Role
from criterio.cli import app
from criterio.db import session_scope
from criterio.errors import InvalidInputError
from criterio.learning.feedback_import import (
    VALUE_KEYS,
    FeedbackFieldError,
    parse_feedback_record,
)
from criterio.learning.models import FEEDBACK_KINDS
from criterio.learning.repository import FeedbackRepository
from tests import api_support
from tests.api_support import Api
from tests.factories import interaction, write_jsonl

api = api_support.api
AT = "2026-11-02T09:14:05Z"
GOOD = {"interaction_id": "c-000001", "kind": "intent", "value": "card_arrival", "by": "ana"}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
fields = st.sampled_from(["interaction_id", "kind", "value", "by", "at", "reason", "before"])
records = st.dictionaries(
    fields | st.text(max_size=5), json_values, max_size=7
) | st.fixed_dictionaries(
    {
        "interaction_id": st.text(max_size=8),
        "kind": st.sampled_from(FEEDBACK_KINDS) | st.text(max_size=6),
        "value": json_values,
        "by": st.text(max_size=8),
        "at": st.sampled_from([AT, "2026-11-02T09:14:05", "yesterday", "2026-11-02T10:00+01:00"]),
    }
)


@settings(max_examples=150, deadline=None)
@given(records)
def test_every_record_is_accepted_whole_or_refused_naming_a_field(record: dict[str, Any]) -> None:
    try:
        feedback = parse_feedback_record(record)
    except FeedbackFieldError as error:
        assert error.field in record or error.field in {
            "kind",
            "by",
            "at",
            "value",
            "interaction_id",
        }
        assert error.message.startswith(f"{error.field}: ")
        return
    assert feedback.kind in FEEDBACK_KINDS and feedback.by.strip()
    assert feedback.at is not None and feedback.at.tzinfo is not None
    assert feedback.after and feedback.source == "import"
    if not isinstance(record["value"], dict):
        assert list(feedback.after) == [VALUE_KEYS[feedback.kind]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "liked"}, "kind"),
        ({"at": "2026-11-02T09:14:05"}, "at"),
        ({"by": " "}, "by"),
        ({"value": ""}, "value"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_field_is_named(change: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInputError, match=f"^{field}: "):
        parse_feedback_record({**GOOD, "at": AT, **change})


def test_import_names_line_and_field_keeps_good_records_and_is_idempotent(
    cli: CliRunner, tmp_path: Path
) -> None:
    data = write_jsonl(tmp_path / "in.jsonl", [interaction(1), interaction(2)])
    assert cli.invoke(app, ["ingest", str(data), "--tenant", "acme"]).exit_code == 0
    lines = [
        json.dumps({**GOOD, "at": AT}),
        "{not json",
        json.dumps({**GOOD, "at": AT, "kind": "liked"}),
        json.dumps({**GOOD, "at": AT, "interaction_id": "nobody"}),
        json.dumps({**GOOD, "at": AT, "kind": "triage_override", "value": "route"}),
    ]
    feedback = tmp_path / "fb.jsonl"
    feedback.write_text("\n".join(lines) + "\n", encoding="utf-8")
    first = cli.invoke(app, ["feedback", "import", str(feedback), "--tenant", "acme", "--json"])
    assert first.exit_code == 1
    report = json.loads(first.stdout)
    assert report["recorded"] == 2 and report["duplicates"] == 0
    assert [(e["where"], e["field"]) for e in report["errors"]] == [
        ("fb.jsonl:2", "(line)"),
        ("fb.jsonl:3", "kind"),
        ("fb.jsonl:4", "interaction_id"),
    ]
    again = cli.invoke(app, ["feedback", "import", str(feedback), "--tenant", "acme", "--json"])
    assert json.loads(again.stdout)["recorded"] == 0
    assert json.loads(again.stdout)["duplicates"] == 2


def test_bulk_api_records_once_and_people_record_only_their_own(api: Api) -> None:
    posted = api.client.post(
        "/api/v1/interactions/batch", json=[interaction(1)], headers=api.headers()
    )
    assert posted.status_code == 200
    item = {**GOOD, "at": AT, "by": "ana"}
    agent = api.headers("acme", Role.agent)
    mine = {k: v for k, v in item.items() if k != "by"}
    r = api.client.post("/api/v1/feedback", json=[item, mine, {"kind": 3}], headers=agent)
    body = r.json()
    assert (body["recorded"], body["rejected"]) == (1, 2)
    assert [(e["index"], e["field"]) for e in body["errors"]] == [(0, "by"), (2, "kind")]
    integration = api.headers("acme", Role.integration)
    for expected in (1, 0):  # the second post repeats the first: nothing new
        r = api.client.post("/api/v1/feedback", json=[item], headers=integration)
        assert r.json()["recorded"] == expected
    with session_scope(api.factory) as session:
        events = FeedbackRepository(session, "acme").list(kinds=["intent"])
    assert sorted(e.by for e in events) == ["acme-agent", "ana"]
    assert {e.source for e in events} == {"api"}
