"""Empty one tenant's records for ``criterio demo --fresh`` on a store shared with others.

A fresh demo must look like a first run: its interactions, and everything Criterio made
from them (analyses, insights, decisions, cases, feedback, articles, metric aggregates,
registered models), go. What people set up around the tenant stays: the tenant, its
users, tokens, personal-data grants and audit trail, job schedules and runs, webhook
endpoints and cost settings. Tables are emptied children first, so foreign keys hold on PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from criterio.db import Base
from criterio.models import import_all_models

__all__ = ["KEPT_TABLES", "delete_tenant_records"]

#: Tenant tables a fresh demo keeps: accounts, the audit trail and configuration.
KEPT_TABLES = frozenset(
    {
        "tenants",
        "users",
        "api_tokens",
        "login_attempts",
        "audit_events",
        "jobs",
        "job_schedules",
        "webhook_endpoints",
        "metric_settings",
        "personal_data_grants",
    }
)


def delete_tenant_records(session: Session, tenant: str) -> dict[str, int]:
    """Delete the tenant's rows from every record table; the count removed per table."""
    import_all_models()
    removed: dict[str, int] = {}
    for table in reversed(Base.metadata.sorted_tables):
        if table.name in KEPT_TABLES or "tenant" not in table.c:
            continue
        result = session.execute(delete(table).where(table.c.tenant == tenant))
        removed[table.name] = int(result.rowcount)  # type: ignore[attr-defined]
    return removed
