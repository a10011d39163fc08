"""Many requests at once in one process: more than the connection pool holds.

Before the session slots (``web.deps.get_session``), requests that had taken a pooled
connection for their token lookup waited for a thread while every thread waited for a
connection: nothing moved until the pool's 30-second timeout answered 500 (the errors
of ``bench/triage_api.py`` on PostgreSQL). Here 90 requests go in at once through the
real app, 9 per pooled connection, and every one must be answered, right, in seconds.
"""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select

from criterio.assist.models import Case
from criterio.auth.roles import Role
from criterio.config import Settings
from criterio.db import make_session_factory, session_scope
from criterio.triage.models import TriageDecision
from criterio.web import create_app
from tests.api_support import seed

#: Each kind of request, at once (the pool has 20 connections, the thread pool 40 threads).
AT_ONCE = 30


async def _burst(database_url: str) -> tuple[list[int], int]:
    app = create_app(Settings(database_url=database_url))
    async with app.router.lifespan_context(app):
        factory = make_session_factory(app.state.engine)
        tokens = seed(factory)
        headers = {"Authorization": f"Bearer {tokens[('acme', Role.admin)]}"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:

            async def triage(i: int) -> int:
                body = {"id": f"b-{i}", "started_at": "2026-11-02T09:00:00Z", "text": "hola"}
                answer = await client.post("/api/v1/triage", json=body, headers=headers)
                return answer.status_code

            async def store(i: int) -> int:
                body = {"id": f"s-{i}", "started_at": "2026-11-02T09:00:00Z", "text": "hola"}
                answer = await client.post("/api/v1/interactions", json=body, headers=headers)
                return answer.status_code

            async def me() -> int:
                return (await client.get("/api/v1/me", headers=headers)).status_code

            calls = [f(i) for i in range(AT_ONCE) for f in (triage, store)]
            calls += [me() for _ in range(AT_ONCE)]
            statuses = await asyncio.wait_for(asyncio.gather(*calls), timeout=25)
        with session_scope(factory) as session:
            stored = session.scalar(
                select(func.count())
                .select_from(TriageDecision)
                .where(TriageDecision.tenant == "acme")
            )
    return list(statuses), int(stored or 0)


def test_more_requests_than_connections_are_all_answered(database_url: str) -> None:
    statuses, decisions = asyncio.run(_burst(database_url))
    assert sorted(set(statuses)) == [200, 201]
    assert statuses.count(201) == AT_ONCE  # each stored interaction is new
    assert decisions == AT_ONCE


async def _same_interaction(database_url: str) -> tuple[list[int], int]:
    app = create_app(Settings(database_url=database_url))
    async with app.router.lifespan_context(app):
        factory = make_session_factory(app.state.engine)
        tokens = seed(factory)
        headers = {"Authorization": f"Bearer {tokens[('acme', Role.admin)]}"}
        body = {"id": "twice", "started_at": "2026-11-02T09:00:00Z", "text": "hola"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            calls = [client.post("/api/v1/triage", json=body, headers=headers) for _ in range(12)]
            answers = await asyncio.wait_for(asyncio.gather(*calls), timeout=25)
        with session_scope(factory) as session:
            cases = session.scalar(
                select(func.count()).select_from(Case).where(Case.tenant == "acme")
            )
    return [a.status_code for a in answers], int(cases or 0)


def test_one_interaction_triaged_by_many_requests_at_once_opens_one_case(
    database_url: str,
) -> None:
    # Each request reads "no case yet" before any commits; a plain insert of the second
    # case then failed on the unique key (a 500 on PostgreSQL).
    statuses, cases = asyncio.run(_same_interaction(database_url))
    assert statuses == [200] * 12
    assert cases == 1
