"""Counts that tell an operator what is in the store."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from criterio.interactions.repository import InteractionRepository, list_tenants

__all__ = ["store_stats"]

GROUPINGS = ("channel", "language", "handled_by")


def store_stats(session: Session, tenant: str | None = None) -> dict[str, Any]:
    """Counts by tenant, and per tenant by channel, day, language and handled_by.

    The language is the record's own, else the analysed one, else ``unknown``.
    """
    tenants = [tenant] if tenant else list_tenants(session)
    result: dict[str, Any] = {"total": 0, "tenants": {}}
    for name in tenants:
        repository = InteractionRepository(session, name)
        entry: dict[str, Any] = {"total": repository.count()}
        for column in GROUPINGS:
            # A record that names no language gets the one `criterio analyze` detected.
            counts = (
                repository.count_by_language()
                if column == "language"
                else repository.count_by(column)
            )
            entry[f"by_{column}"] = {str(k) if k is not None else "unknown": n for k, n in counts}
        entry["by_day"] = dict(repository.count_by_day())
        result["tenants"][name] = entry
        result["total"] += entry["total"]
    return result
