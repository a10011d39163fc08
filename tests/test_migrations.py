"""Schema migrations: the latest one upgrades and downgrades on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

import criterio.db
from criterio.db import Base
from criterio.models import import_all_models

NEW_COLUMNS = {"intent_label", "intent_confidence", "topic_id", "topic_label"}
NEW_INDEXES = {"ix_analysis_results_tenant_intent_label", "ix_analysis_results_tenant_topic_id"}


def _migrate(engine: Engine, direction: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(criterio.db.__file__).parent / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, direction)(config, revision)


def _schema(engine: Engine) -> tuple[set[str], set[str]]:
    inspector = inspect(engine)
    columns = {c["name"] for c in inspector.get_columns("analysis_results")}
    indexes = {str(i["name"]) for i in inspector.get_indexes("analysis_results")}
    return columns, indexes


def test_intent_topic_columns_upgrade_and_downgrade(engine: Engine) -> None:
    columns, indexes = _schema(engine)  # the fixture's database is at head
    assert columns >= NEW_COLUMNS and indexes >= NEW_INDEXES
    _migrate(engine, "downgrade", "0004")
    columns, indexes = _schema(engine)
    assert not NEW_COLUMNS & columns and not NEW_INDEXES & indexes
    assert {"language", "sentiment_label", "versions_key"} <= columns
    assert "ix_analysis_results_tenant_language" in indexes
    _migrate(engine, "upgrade", "head")
    columns, indexes = _schema(engine)
    assert columns >= NEW_COLUMNS and indexes >= NEW_INDEXES


def test_tenant_erasure_keys_are_made_for_existing_tenants(engine: Engine) -> None:
    _migrate(engine, "downgrade", "0006")
    assert "erasure_key" not in {c["name"] for c in inspect(engine).get_columns("tenants")}
    with engine.begin() as connection:
        for name in ("acme", "globex"):
            connection.execute(
                text(
                    "INSERT INTO tenants (name, display_name, created_at) "
                    "VALUES (:n, :n, CURRENT_TIMESTAMP)"
                ),
                {"n": name},
            )
    _migrate(engine, "upgrade", "head")
    with engine.connect() as connection:
        keys = dict(connection.execute(text("SELECT name, erasure_key FROM tenants")).all())
    assert set(keys) == {"acme", "globex"}
    assert all(re.fullmatch(r"[0-9a-f]{64}", k) for k in keys.values())
    assert keys["acme"] != keys["globex"]  # one random key per tenant
    _migrate(engine, "downgrade", "0006")
    assert "erasure_key" not in {c["name"] for c in inspect(engine).get_columns("tenants")}


def test_migrations_make_exactly_the_models_schema(engine: Engine) -> None:
    # The fixture's database was made by `alembic upgrade head`; the ORM tables must
    # describe it column for column, index for index, on SQLite and PostgreSQL alike
    # (a model changed without its migration, or the reverse, shows up here).
    import_all_models()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_metric_rollups_are_filled_from_the_stored_aggregates(engine: Engine) -> None:
    from datetime import date

    from sqlalchemy import insert

    from criterio.metrics.models import MetricDaily, MetricEvent

    _migrate(engine, "downgrade", "0013")
    segment = {"tenant": "acme", "queue": "q", "channel": "chat", "language": "es"}
    with engine.begin() as connection:
        connection.execute(
            insert(MetricDaily.__table__),
            [
                {**segment, "day": date(2026, 11, 4), "intent": "card", "contacts": 2,
                 "resolved": 0},
                {**segment, "day": date(2026, 11, 4), "intent": "card", "queue": "r",
                 "contacts": 3, "resolved": 1},
                {**segment, "day": date(2026, 11, 5), "intent": "card", "contacts": 7,
                 "resolved": 0},
            ],
        )  # fmt: skip
        connection.execute(
            insert(MetricEvent.__table__),
            [  # Wednesday and Sunday of one week, and the Monday after it
                {"tenant": "acme", "day": date(2026, 11, d), "kind": "link_reused",
                 "key": "dan", "count": n, "total": 0.0}
                for d, n in ((4, 1), (8, 2), (9, 5))
            ],
        )  # fmt: skip
    _migrate(engine, "upgrade", "head")
    with engine.connect() as connection:
        days = connection.execute(
            text("SELECT day, contacts, resolved FROM metric_day_intent ORDER BY day")
        ).all()
        weeks = connection.execute(
            text("SELECT week, count FROM metric_event_week ORDER BY week")
        ).all()
    assert [(str(d), c, r) for d, c, r in days] == [("2026-11-04", 5, 1), ("2026-11-05", 7, 0)]
    assert [(str(w), n) for w, n in weeks] == [("2026-11-02", 3), ("2026-11-09", 5)]
