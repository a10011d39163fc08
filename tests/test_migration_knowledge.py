"""Migration 0009 (knowledge base) upgrades and downgrades on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from tests.test_migrations import _migrate

TABLES = {"articles", "article_versions", "article_links", "article_reviews"}


def test_knowledge_tables_upgrade_and_downgrade(engine: Engine) -> None:
    assert set(inspect(engine).get_table_names()) >= TABLES  # the fixture is at head
    _migrate(engine, "downgrade", "0008")
    assert not TABLES & set(inspect(engine).get_table_names())
    _migrate(engine, "upgrade", "head")
    tables = set(inspect(engine).get_table_names())
    assert tables >= TABLES
    columns = {c["name"] for c in inspect(engine).get_columns("articles")}
    assert {"tenant", "external_id", "state", "audience", "version"} <= columns
