"""The scope guard itself: it must catch a query that forgets the tenant, and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from criterio.auth.models import User
from criterio.auth.repository import UserRepository
from criterio.interactions.models import Interaction
from criterio.interactions.repository import InteractionRepository
from criterio.tenancy import exempt
from tests.scope_guard import TENANT_TABLES, escapes, scope_guard


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
    # Joined on the key of a scoped row: the derived rows of the tenant's own interactions.
    joined = (
        "SELECT 1 FROM interactions LEFT OUTER JOIN analysis_results"
        " ON analysis_results.interaction_pk = interactions.pk WHERE interactions.tenant = ?"
    )
    assert escapes(joined) == []
    assert escapes(joined.replace("WHERE interactions.tenant = ?", "")) == [
        "analysis_results",
        "interactions",
    ]
    assert escapes("SELECT 1 FROM analysis_results WHERE analysis_results.pk = ?") == [
        "analysis_results"
    ]


def test_every_table_with_a_tenant_column_is_guarded() -> None:
    # Read from the schema: a table added by a new domain is guarded without editing
    # the guard, and one without a tenant column (tenants, login_attempts) is not.
    assert {"interactions", "users", "api_tokens", "audit_events"} <= set(TENANT_TABLES)
    assert {"analysis_results", "insights"} <= set(TENANT_TABLES)
    assert not {"tenants", "login_attempts"} & set(TENANT_TABLES)


def test_the_unit_of_work_may_write_back_what_a_scoped_query_loaded(
    engine: Engine, tmp_path: Path
) -> None:
    from criterio.db import make_session_factory, session_scope
    from criterio.interactions import ingest_files
    from tests.factories import interaction, write_jsonl

    factory = make_session_factory(engine)
    ingest_files(factory, [write_jsonl(tmp_path / "a.jsonl", [interaction(1)])])
    with scope_guard(engine) as violations:
        with session_scope(factory) as session:
            loaded = InteractionRepository(session, "acme").get("c-000001")
            assert loaded is not None
            loaded.language = "fr"  # flushed as UPDATE ... WHERE interactions.pk = ?
        with Session(engine) as session, pytest.raises(AssertionError, match="escapes"):
            # The same statement written by hand is an escape: the id may be anyone's.
            session.execute(
                update(Interaction).where(Interaction.pk == loaded.pk).values(language="x")
            )
    assert len(violations) == 1
