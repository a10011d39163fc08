"""Importing interactions of a tenant that does not exist yet creates the tenant.

Before, the interactions were stored under a tenant that `criterio tenants list` did
not show and `criterio users create -t` refused ("tenant 'acme' does not exist").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from criterio.cli import app
from criterio.config import get_settings
from tests.cli_helpers import run_ingest


def _cli(monkeypatch: pytest.MonkeyPatch, database_url: str, *args: str, stdin: str = "") -> str:
    monkeypatch.setenv("CRITERIO_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "400")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, list(args), input=stdin)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    return result.output


def test_importing_a_new_tenant_creates_it(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "two-tenants.jsonl"
    records = [
        {"id": "a-1", "tenant": "acme", "started_at": "2026-11-02T09:00:00Z", "text": "hola"},
        {"id": "b-1", "tenant": "beta", "started_at": "2026-11-02T09:00:00Z", "text": "hello"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")

    first = run_ingest(monkeypatch, database_url, tmp_path, str(path))
    assert first.exit_code == 0, first.output
    assert "Tenant acme did not exist and was created" in first.output
    assert "Tenant beta did not exist and was created" in first.output
    assert "criterio users create NAME -t acme" in first.output

    listed = _cli(monkeypatch, database_url, "tenants", "list")
    assert "acme" in listed and "beta" in listed
    made = _cli(
        monkeypatch,
        database_url,
        "users",
        "create",
        "ana",
        "-t",
        "acme",
        "--role",
        "analyst",
        "--password-stdin",
        stdin="a-long-enough-password\n",
    )
    assert "User ana (analyst) created in tenant acme" in made

    again = run_ingest(monkeypatch, database_url, tmp_path, str(path))
    assert again.exit_code == 0, again.output
    assert "was created" not in again.output


def test_the_tenant_option_creates_that_tenant(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "no-tenant.jsonl"
    path.write_text(
        json.dumps({"id": "x", "started_at": "2026-11-02T09:00:00Z", "text": "hola"}) + "\n",
        encoding="utf-8",
    )
    run = run_ingest(monkeypatch, database_url, tmp_path, str(path), "--tenant", "gamma")
    assert "Tenant gamma did not exist and was created" in run.output
    assert "gamma" in _cli(monkeypatch, database_url, "tenants", "list")
