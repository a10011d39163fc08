"""Running ``criterio ingest`` the way a user does, against a test database."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from criterio.cli import app
from criterio.config import get_settings
from criterio.db import make_engine
from criterio.interactions.models import Interaction


@dataclass
class IngestRun:
    """What the user saw: exit status, printed output, the errors file's rows."""

    exit_code: int
    output: str
    errors: list[dict[str, Any]]


def run_ingest(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path, *args: str
) -> IngestRun:
    """Run ``criterio ingest ARGS --errors FILE`` in-process with Typer's runner."""
    monkeypatch.setenv("CRITERIO_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "400")  # keep Rich from wrapping the error lines
    get_settings.cache_clear()
    errors = tmp_path / "errors.jsonl"
    try:
        result = CliRunner().invoke(app, ["ingest", *args, "--errors", str(errors)])
    finally:
        get_settings.cache_clear()
    rows = (
        [json.loads(line) for line in errors.read_text("utf-8").splitlines()]
        if (errors.exists())
        else []
    )
    return IngestRun(result.exit_code, result.output, rows)


def stored(database_url: str) -> dict[str, Interaction]:
    """Every stored interaction by its id (all tenants)."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            rows = list(session.scalars(select(Interaction)))
    finally:
        engine.dispose()
    return {row.external_id: row for row in rows}
