"""A bad CRITERIO_DATABASE_URL: one line saying what is wrong, exit status 2, no traceback.

It used to print a traceback of hundreds of lines from SQLAlchemy and psycopg.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from criterio.cli import app
from criterio.config import get_settings

#: Every command that opens the store, with the arguments it needs to get that far.
COMMANDS = [
    ["stats"],
    ["export", "--out", "{tmp}/out.jsonl", "--format", "jsonl"],
    ["ingest", "{tmp}/one.jsonl"],
    ["insights", "list"],
    ["insights", "detect"],
    ["insights", "show", "1"],
    ["insights", "review", "1", "--status", "in_review"],
    ["report", "--tenant", "acme", "--from", "2026-11-01", "--to", "2026-11-30"],
    ["tenants", "list"],
    ["tenants", "create", "acme"],
    ["users", "list", "-t", "acme"],
    ["tokens", "list", "-t", "acme"],
    ["db", "upgrade"],
    ["demo", "--size", "5", "--fresh"],
    ["serve", "--port", "1"],
    ["erase", "customer", "k-1", "-t", "acme"],
    ["erase", "interaction", "c-1", "-t", "acme"],
    ["triage", "policy", "show", "--tenant", "acme"],
    ["triage", "run", "--tenant", "acme"],
]
BAD_URLS = {
    "unreachable": ("postgresql+psycopg://ana:s3cret@127.0.0.1:1/criterio", "Cannot open"),
    "unparsable": ("this is not a url", "not a database URL"),
    "unknown dialect": ("oracle+nothing://ana:s3cret@db/x", "not a database URL"),
}


@pytest.mark.parametrize("case", sorted(BAD_URLS))
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_bad_database_url_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: list[str], case: str
) -> None:
    url, expected = BAD_URLS[case]
    (tmp_path / "one.jsonl").write_text(
        '{"id": "a", "started_at": "2026-11-02T09:00:00Z", "text": "hola"}\n', "utf-8"
    )
    monkeypatch.setenv("CRITERIO_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "400")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    try:
        args = [part.replace("{tmp}", str(tmp_path)) for part in command]
        result = CliRunner().invoke(app, args, input="a-long-password-1\n" * 2)
    finally:
        get_settings.cache_clear()
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert len(lines) == 1, result.output
    assert expected in lines[0]
    assert "CRITERIO_DATABASE_URL" in lines[0]
    assert "s3cret" not in result.output
