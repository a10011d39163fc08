"""The scope guard itself: it must catch a query that forgets the tenant, and nothing else."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from criterio.auth.models import User
from criterio.auth.repository import UserRepository, exempt
from criterio.interactions.models import Interaction
from criterio.interactions.repository import InteractionRepository
from tests.scope_guard import escapes, scope_guard


def test_unscoped_queries_are_caught(engine: Engine) -> None:
    with scope_guard(engine) as violations, Session(engine) as session:
        for statement in (
            select(Interaction),
            select(User).where(User.username == "x"),
            update(Interaction).values(language="es"),
            delete(Interaction).where(Interaction.customer_id == "k"),
            text("SELECT count(*) FROM interactions"),
        ):
            with pytest.raises(AssertionError, match="escapes tenant scoping"):
                session.execute(statement)
            session.rollback()
    assert len(violations) == 5


def test_scoped_and_exempt_queries_pass(engine: Engine) -> None:
    with scope_guard(engine) as violations, Session(engine) as session:
        InteractionRepository(session, "acme").count()
        InteractionRepository(session, "acme").delete_customer("k-1")
        UserRepository(session, "acme").list()
        session.execute(exempt(select(User), "test"))
    assert violations == []


def test_escapes_reads_sql() -> None:
    assert escapes("SELECT a FROM interactions WHERE interactions.tenant = ?") == []
    assert escapes("SELECT a FROM users JOIN api_tokens ON x WHERE users.tenant = ?") == [
        "api_tokens"
    ]
    assert escapes("INSERT INTO audit_events (tenant) VALUES (?)") == []
