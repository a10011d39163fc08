"""The CLI's one unit of work: open the store, one transaction, clear errors, store closed."""

from __future__ import annotations

import pytest
import typer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from criterio.auth.repository import list_all_tenants
from criterio.auth.service import create_tenant
from criterio.cli._store import run_in_store, unit_of_work
from criterio.config import Settings
from criterio.db import session_scope
from criterio.errors import InvalidInputError


def test_a_unit_of_work_commits_then_runs_after_commit(
    database_url: str, session_factory: sessionmaker[Session]
) -> None:
    seen: list[list[str]] = []

    def after(engine: Engine) -> None:
        # Runs after the commit: a new session on the same engine sees the tenant.
        with session_scope(sessionmaker(engine)) as s:
            seen.append([t.name for t in list_all_tenants(s)])

    with unit_of_work(Settings(database_url=database_url), after_commit=after) as session:
        create_tenant(session, "acme")
    assert seen == [["acme"]]
    assert run_in_store(
        lambda s: [t.name for t in list_all_tenants(s)], Settings(database_url=database_url)
    ) == ["acme"]


def test_an_error_in_a_unit_of_work_is_one_line_exit_1_and_nothing_stored(
    database_url: str,
    session_factory: sessionmaker[Session],
    capsys: pytest.CaptureFixture[str],
) -> None:
    ran: list[Engine] = []
    with (
        pytest.raises(typer.Exit) as stopped,
        unit_of_work(Settings(database_url=database_url), after_commit=ran.append) as session,
    ):
        create_tenant(session, "acme")
        raise InvalidInputError("tenant acme: the answer is no")
    assert stopped.value.exit_code == 1
    assert "Error: tenant acme: the answer is no" in capsys.readouterr().err
    assert not ran  # rolled back: nothing committed, nothing to run after
    with session_scope(session_factory) as s:
        assert list_all_tenants(s) == []
