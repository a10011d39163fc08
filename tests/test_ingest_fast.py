"""The fast write path and the content digest agree with the SQLAlchemy reference."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from criterio.db import is_sqlite
from criterio.demo import DemoGenerator
from criterio.interactions.models import Interaction
from criterio.interactions.repository import InteractionRepository, refresh_statistics
from criterio.interactions.schemas import InteractionIn
from criterio.interactions.service import to_row
from tests.factories import interaction

NOW = datetime(2026, 11, 23, 10, 0, 0, 123456, tzinfo=UTC)
COMPARED = [c.key for c in Interaction.__table__.columns if c.key not in ("pk", "tenant")]


def _rows(tenant: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        to_row(InteractionIn.model_validate({**r, "tenant": tenant}), now=NOW, import_id="imp")
        for r in records
    ]


def _stored(session: Session, tenant: str) -> dict[str, tuple[Any, ...]]:
    rows = InteractionRepository(session, tenant).iter_all()
    return {r.external_id: tuple(getattr(r, c) for c in COMPARED) for r in rows}


def test_fast_sqlite_upsert_stores_what_the_core_path_stores(
    engine: Engine, session: Session
) -> None:
    if not is_sqlite(engine):
        pytest.skip("the fast path is the SQLite one; PostgreSQL always uses COPY")
    records = [
        *DemoGenerator(150, seed=5).records(),
        interaction(1),
        interaction(2, outcome=None, channel=None, labels={}),
        {"id": "flat", "started_at": "2026-11-02T09:14:05.5+05:30", "text": "hola ñandú 😡"},
    ]
    InteractionRepository(session, "fast").upsert(_rows("fast", records))
    InteractionRepository(session, "core", fast=False).upsert(_rows("core", records))
    fast, core = _stored(session, "fast"), _stored(session, "core")
    assert len(fast) == len(records) and fast == core
    # Overwriting through each path gives the same result too.
    changed = [{**r, "customer_id": "k-new", "outcome": {"csat": 1}} for r in records[:20]]
    InteractionRepository(session, "fast").upsert(_rows("fast", changed))
    InteractionRepository(session, "core", fast=False).upsert(_rows("core", changed))
    assert _stored(session, "fast") == _stored(session, "core")
    assert _stored(session, "fast")[records[0]["id"]][COMPARED.index("csat")] == 1


def test_driver_level_upsert_changed_answers_and_stores_as_the_core_path(
    engine: Engine, session: Session
) -> None:
    # SQLite: 620 records, more than one multi-row statement (500 rows each); PostgreSQL:
    # 40, below SMALL_UPSERT (bigger batches go through COPY on both paths).
    count = 600 if is_sqlite(engine) else 20
    records = [*DemoGenerator(count, seed=8).records(), *(interaction(i) for i in range(20))]
    answers = []
    for tenant, fast in (("fast", True), ("core", False)):
        repository = InteractionRepository(session, tenant, fast=fast)
        first = repository.upsert_changed(_rows(tenant, records))
        edited = [{**r, "language": "pt"} for r in records[:30]]
        later = datetime(2026, 11, 24, tzinfo=UTC)
        again = [{**row, "created_at": later, "updated_at": later} for row in _rows(tenant, edited)]
        second = repository.upsert_changed(again + _rows(tenant, records[30:40]))
        answers.append((first, second))
    (fast_first, fast_second), (core_first, core_second) = answers
    assert fast_first == core_first and len(fast_first) == len(records)
    assert set(fast_first.values()) == {NOW}
    # Only the 30 changed rows are written again, with their first created_at kept.
    assert fast_second == core_second == {r["id"]: NOW for r in records[:30]}
    assert _stored(session, "fast") == _stored(session, "core")


def test_fast_upsert_refuses_rows_of_another_tenant(session: Session) -> None:
    with pytest.raises(ValueError, match="another tenant"):
        InteractionRepository(session, "a").upsert(_rows("b", [interaction(1)]))


def test_digest_is_the_same_for_the_same_content_written_differently() -> None:
    base = {"id": "x", "started_at": "2026-11-02T09:14:05Z", "text": "hola"}
    same = [
        base,
        {**base, "started_at": "2026-11-02T10:14:05+01:00"},
        {
            "id": "x",
            "started_at": "2026-11-02T09:14:05Z",
            "turns": [{"role": "customer", "text": "hola", "at": "2026-11-02T09:14:05Z"}],
        },
        {**base, "attributes": {}, "labels": {}, "unknown": 1},
    ]
    digests = {_rows("t", [r])[0]["content_hash"] for r in same}
    assert len(digests) == 1
    different = [
        {**base, "text": "hola!"},
        {**base, "attributes": {"queue": "billing"}},
        {**base, "outcome": {"csat": 3}},
        {**base, "labels": {"intent": "x"}},
        {**base, "customer_id": "k-1"},
        {**base, "started_at": "2026-11-02T09:14:06Z"},
    ]
    all_digests = {_rows("t", [r])[0]["content_hash"] for r in different} | digests
    assert len(all_digests) == len(different) + 1


def test_refresh_statistics_tells_postgres_how_big_the_table_is(
    engine: Engine, session: Session
) -> None:
    InteractionRepository(session, "acme").upsert(
        _rows("acme", [interaction(i) for i in range(60)])
    )
    refresh_statistics(session)  # a no-op on SQLite, ANALYZE on PostgreSQL
    if is_sqlite(engine):
        return
    estimate = session.execute(
        text("SELECT reltuples FROM pg_class WHERE relname = 'interactions'")
    ).scalar_one()
    assert estimate == 60
