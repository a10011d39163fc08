"""``criterio kb``: import, search, suggest and export the way a user runs them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from criterio.cli import app
from criterio.config import get_settings
from tests.knowledge_data import ARTICLES


@pytest.fixture
def kb(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[None]:
    """The CLI pointed at the test's database."""
    monkeypatch.setenv("CRITERIO_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "400")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _run(*args: str) -> Result:
    return CliRunner().invoke(app, ["kb", *args])


@pytest.mark.usefixtures("kb")
def test_import_search_suggest_export(tmp_path: Path) -> None:
    source = tmp_path / "kb.jsonl"
    lines = [json.dumps(a) for a in ARTICLES] + ['{"title": "x", "language": "de"}']
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    first = _run("import", str(source), "--tenant", "acme")
    assert first.exit_code == 0
    assert "4 created, 0 updated, 0 unchanged, 1 rejected" in first.output
    assert "line 5: language:" in first.output
    again = _run("import", str(source), "--tenant", "acme", "--json")
    assert json.loads(again.stdout)["unchanged"] == 4

    found = _run("search", "forgot my pasword", "--tenant", "acme", "--json", "--limit", "2")
    hits = json.loads(found.stdout)
    assert hits[0]["article_id"] == "kb-password" and len(hits) == 2
    assert json.loads(_run("search", "password", "--tenant", "globex", "--json").stdout) == []

    interactions = tmp_path / "in.jsonl"
    interactions.write_text(
        json.dumps({"id": "c-1", "text": "me han cobrado dos veces"})
        + "\nnot json\n"
        + json.dumps({"id": "c-2", "text": "what time is the eclipse on jupiter"})
        + "\n",
        encoding="utf-8",
    )
    suggested = _run("suggest", str(interactions), "--tenant", "acme", "--limit", "1")
    rows = [json.loads(line) for line in suggested.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["c-1", "c-2"]
    assert rows[0]["suggestions"][0]["article_id"] == "kb-cobro" and not rows[0]["no_match"]
    assert rows[1]["no_match"] is True
    assert "line 2: not valid JSON" in suggested.output

    folder = tmp_path / "md"
    exported = _run("export", "--tenant", "acme", "--format", "markdown", "--out", str(folder))
    assert "4 articles written" in exported.output
    assert (
        (folder / "kb-password.md").read_text("utf-8").startswith("---\nexternal_id: kb-password")
    )
    back = _run("import", str(folder), "--tenant", "acme")
    assert "0 created, 0 updated, 4 unchanged, 0 rejected" in back.output


@pytest.mark.usefixtures("kb")
def test_import_of_nothing_valid_fails(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{oops\n", encoding="utf-8")
    result = _run("import", str(bad), "--tenant", "acme")
    assert result.exit_code == 1 and "0 created" in result.output
    wrong = _run("import", str(bad), "--format", "pdf")
    assert wrong.exit_code == 2


@pytest.mark.usefixtures("kb")
def test_gaps_and_draft_options() -> None:
    assert json.loads(_run("gaps", "--tenant", "acme", "--json").stdout) == []
    assert "no knowledge gaps found" in _run("gaps", "--tenant", "acme").output
    neither = _run("draft", "--tenant", "acme")
    assert neither.exit_code == 2 and "exactly one" in neither.output
    missing = _run("draft", "--from-interaction", "nope", "--tenant", "acme")
    assert missing.exit_code == 1 and "interaction 'nope' not found" in missing.output
