"""A statement listener that catches any query on a tenant-owned table without its tenant filter.

Repositories build every query with ``_select``/``_scoped``, which render
``<table>.tenant = <param>``; the few lookups that must run before a tenant is known
are marked with the ``tenant_scope_exempt`` execution option. Anything else is an escape.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from criterio.auth.repository import EXEMPT_OPTION

#: Tables whose rows belong to one tenant.
TENANT_TABLES = (
    "interactions",
    "users",
    "api_tokens",
    "audit_events",
    "articles",
    "article_versions",
    "article_links",
    "article_reviews",
)


def escapes(statement: str) -> list[str]:
    """The tenant-owned tables that a SQL statement touches without a tenant condition."""
    sql = " ".join(statement.lower().split())
    if sql.startswith("insert"):
        return []  # inserted rows carry their tenant as a value
    found = []
    for table in TENANT_TABLES:
        if re.search(rf"\b(from|update|join)\s+{table}\b", sql) and not re.search(
            rf"\b{table}\.tenant\s*=", sql
        ):
            found.append(table)
    return found


@contextmanager
def scope_guard(engine: Engine) -> Iterator[list[str]]:
    """Record every escaping statement run on ``engine`` while the block runs (and raise)."""
    violations: list[str] = []

    def check(
        _conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool
    ) -> None:
        if context is not None and context.execution_options.get(EXEMPT_OPTION):
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
