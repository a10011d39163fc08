"""A statement listener that catches any query on a tenant-owned table without its tenant filter.

Repositories build every query with ``_select``/``_scoped``, which render
``<table>.tenant = <param>``; the few lookups that must run before a tenant is known
are marked with the ``tenant_scope_exempt`` execution option. Anything else is an escape.
The tenant-owned tables are read from ``Base.metadata`` (every table with a ``tenant``
column), so a new domain's tables are guarded without anyone editing this file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from criterio.db import Base
from criterio.models import import_all_models
from criterio.tenancy import EXEMPT_OPTION


def tenant_tables() -> tuple[str, ...]:
    """Every table of the schema whose rows belong to one tenant (it has a ``tenant`` column)."""
    import_all_models()
    return tuple(sorted(t.name for t in Base.metadata.sorted_tables if "tenant" in t.c))


#: Tables whose rows belong to one tenant.
TENANT_TABLES = tenant_tables()


def _is_flush(options: Any) -> bool:
    """Whether a statement is the unit of work writing back objects the session loaded.

    The ORM runs its per-object UPDATE/DELETE (``WHERE <table>.<pk> = ?``) with the
    mapper's own compiled cache; those rows were read through a scoped query first, so
    the write is not a new escape. A statement a repository builds never carries it.
    """
    cache = options.get("compiled_cache")
    return cache is not None and any(
        cache is mapper._compiled_cache for mapper in Base.registry.mappers
    )


def escapes(statement: str) -> list[str]:
    """The tenant-owned tables that a SQL statement touches without a tenant condition.

    A table joined on a key of a scoped tenant table (``JOIN analysis_results ON
    analysis_results.interaction_pk = interactions.pk`` with ``interactions.tenant = ?``)
    is scoped through that row: it holds what was derived from the tenant's own rows.
    """
    sql = " ".join(statement.lower().split())
    if sql.startswith("insert"):
        return []  # inserted rows carry their tenant as a value
    scoped = {t for t in TENANT_TABLES if re.search(rf"\b{t}\.tenant\s*=", sql)}
    found = []
    for table in TENANT_TABLES:
        if table in scoped or not re.search(rf"\b(from|update|join)\s+{table}\b", sql):
            continue
        if not _joined_to(sql, table, scoped):
            found.append(table)
    return found


def _joined_to(sql: str, table: str, scoped: set[str]) -> bool:
    """Whether ``table`` is joined on an equality with a column of a scoped table."""
    on = re.search(rf"\bjoin\s+{table}\s+on\s+(.*?)(?:\bwhere\b|\bjoin\b|$)", sql)
    if on is None:
        return False
    sides = re.findall(r"(\w+)\.\w+\s*=\s*(\w+)\.\w+", on.group(1))
    return any({a, b} & scoped and table in {a, b} for a, b in sides)


@contextmanager
def scope_guard(engine: Engine) -> Iterator[list[str]]:
    """Record every escaping statement run on ``engine`` while the block runs (and raise)."""
    violations: list[str] = []

    def check(
        _conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool
    ) -> None:
        if context is not None and (
            context.execution_options.get(EXEMPT_OPTION) or _is_flush(context.execution_options)
        ):
            return
        tables = escapes(statement)
        if tables:
            violations.append(statement)
            raise AssertionError(f"query on {tables} escapes tenant scoping: {statement}")

    event.listen(engine, "before_cursor_execute", check)
    try:
        yield violations
    finally:
        event.remove(engine, "before_cursor_execute", check)
