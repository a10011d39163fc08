"""Fixtures for API tests: a real app on the test's database, two tenants, one user per role."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from criterio.auth import service
from criterio.auth.roles import Role
from criterio.config import Settings
from criterio.db import make_session_factory, session_scope
from criterio.web import create_app
from criterio.web.observability import JsonFormatter
from tests.scope_guard import scope_guard

TENANTS = ("acme", "globex")
PASSWORD = "correct horse battery staple"


@dataclass
class Api:
    """The running app, its database, and a bearer token per (tenant, role)."""

    app: FastAPI
    client: TestClient
    factory: sessionmaker[Session]
    tokens: dict[tuple[str, Role], str] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)

    def headers(self, tenant: str = "acme", role: Role = Role.admin) -> dict[str, str]:
        """Authorization header of that tenant's user with that role."""
        return {"Authorization": f"Bearer {self.tokens[(tenant, role)]}"}


def seed(factory: sessionmaker[Session]) -> dict[tuple[str, Role], str]:
    """Two tenants with a token-only user per role; acme's lead also has a password."""
    tokens = {}
    with session_scope(factory) as session:
        for tenant in TENANTS:
            service.create_tenant(session, tenant)
            for role in Role:
                username = f"{tenant}-{role.value}"
                password = PASSWORD if (tenant, role) == ("acme", Role.lead) else None
                service.create_user(
                    session, tenant, username=username, role=role, password=password
                )
                tokens[(tenant, role)] = service.create_token(
                    session, tenant, username=username, name="test"
                ).token
    return tokens


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    """The real FastAPI app on the test's migrated database, every query under the scope guard."""
    app = create_app(Settings(database_url=database_url))
    with TestClient(app) as client:
        engine = app.state.engine
        factory = make_session_factory(engine)
        tokens = seed(factory)
        with scope_guard(engine) as violations:
            yield Api(app, client, factory, tokens, violations)
    assert violations == [], "queries escaped tenant scoping"


def json_formatter() -> logging.Formatter:
    """The formatter the app's log handler uses."""
    return JsonFormatter()
