"""``criterio tenants | users | tokens`` against a real store."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from criterio.auth import service
from criterio.cli import app
from criterio.db import make_engine, make_session_factory, session_scope
from criterio.errors import UnauthenticatedError


def test_tenant_user_token_lifecycle(cli: CliRunner, database_url: str) -> None:
    assert cli.invoke(app, ["tenants", "create", "acme"]).exit_code == 0
    again = cli.invoke(app, ["tenants", "create", "acme"])
    assert again.exit_code == 1 and "already exists" in again.output
    made = cli.invoke(
        app,
        ["users", "create", "ana", "-t", "acme", "--role", "lead", "--password-stdin"],
        input="a long enough password\n",
    )
    assert made.exit_code == 0, made.output
    short = cli.invoke(
        app,
        ["users", "create", "bob", "-t", "acme", "--role", "agent", "--password-stdin"],
        input="short\n",
    )
    assert short.exit_code == 1 and "12 characters" in short.output
    bot = cli.invoke(
        app, ["users", "create", "bot", "-t", "acme", "--role", "integration", "--no-password"]
    )
    assert bot.exit_code == 0
    listing = cli.invoke(app, ["users", "list", "-t", "acme"])
    assert "ana" in listing.output and "integration" in listing.output
    token_run = cli.invoke(
        app, ["tokens", "create", "bot", "-t", "acme", "--expires-in-days", "30"]
    )
    assert token_run.exit_code == 0
    token = token_run.stdout.strip().splitlines()[-1]
    assert token.startswith("crt_")
    engine = make_engine(database_url)
    with session_scope(make_session_factory(engine)) as session:
        principal = service.authenticate(session, token)
        assert (principal.username, principal.role.value) == ("bot", "integration")
    tokens = cli.invoke(app, ["tokens", "list", "-t", "acme"])
    assert token[:10] in tokens.output and token not in tokens.output
    assert (
        cli.invoke(app, ["tokens", "revoke", str(principal.token_pk), "-t", "acme"]).exit_code == 0
    )
    wrong_tenant = cli.invoke(app, ["tokens", "revoke", str(principal.token_pk), "-t", "other"])
    assert wrong_tenant.exit_code == 1
    with (
        session_scope(make_session_factory(engine)) as session,
        pytest.raises(UnauthenticatedError, match="invalid or unknown"),
    ):
        service.authenticate(session, token)
    assert cli.invoke(app, ["users", "disable", "ana", "-t", "acme"]).exit_code == 0
    assert "yes" in cli.invoke(app, ["users", "list", "-t", "acme"]).output
    engine.dispose()
