"""A fresh demo on a shared store empties the demo tenant's records and nothing else."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from criterio.assist import open_case
from criterio.auth.models import User
from criterio.auth.roles import Role
from criterio.auth.service import create_tenant, create_user
from criterio.db import session_scope
from criterio.demo.reset import delete_tenant_records
from criterio.interactions.ingest import ingest_records
from criterio.interactions.readers.base import RawRecord
from criterio.interactions.repository import InteractionRepository
from criterio.knowledge.schemas import ArticleIn
from criterio.knowledge.service import create_article, list_articles
from criterio.learning.feedback import Feedback, record_feedback
from criterio.learning.models import FeedbackEvent
from tests.factories import interaction


def _fill(factory: sessionmaker[Session], tenant: str) -> None:
    records = [
        RawRecord("t.jsonl", f"line {i}", json.dumps(interaction(i, tenant=tenant)).encode())
        for i in range(3)
    ]
    assert ingest_records(factory, iter(records)).inserted == 3
    with session_scope(factory) as session:
        create_user(session, tenant, username=f"{tenant}-lead", role=Role.lead)
        create_article(session, tenant, ArticleIn(title="Double charge"), actor="ana")
        open_case(session, tenant, interaction_id="c-000001", queue="billing")
        record_feedback(
            session,
            tenant,
            Feedback(kind="intent", by="ana", interaction_id="c-000001", after={"intent": "x"}),
        )


def _count(session: Session, model: Any, tenant: str) -> int:
    return int(session.scalar(select(func.count()).where(model.tenant == tenant)) or 0)


def test_only_the_named_tenants_records_go_and_its_accounts_stay(
    session_factory: sessionmaker[Session],
) -> None:
    with session_scope(session_factory) as session:
        create_tenant(session, "demo")
        create_tenant(session, "acme")
    _fill(session_factory, "demo")
    _fill(session_factory, "acme")
    with session_scope(session_factory) as session:
        removed = delete_tenant_records(session, "demo")
    assert removed["interactions"] == 3 and removed["cases"] == 1 and removed["articles"] == 1
    with session_scope(session_factory) as session:
        assert InteractionRepository(session, "demo").count() == 0
        assert list_articles(session, "demo") == []
        assert _count(session, FeedbackEvent, "demo") == 0
        assert _count(session, User, "demo") == 1, "the tenant's users stay"
        assert InteractionRepository(session, "acme").count() == 3
        assert len(list_articles(session, "acme")) == 1
        assert _count(session, FeedbackEvent, "acme") == 1
