"""Tenant scoping: the one place where repository queries get their tenant filter."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session

__all__ = ["TenantOwned", "TenantScopedRepository"]

StatementT = TypeVar("StatementT", bound=Any)


class TenantOwned(Protocol):
    """A mapped class with a ``tenant`` column."""

    tenant: InstrumentedAttribute[str]


class TenantScopedRepository:
    """Base for repositories: every query is built by :meth:`_scoped`, which adds the tenant.

    Subclasses set ``model`` and never build a select on a tenant table without it.
    """

    model: Any

    def __init__(self, session: Session, tenant: str) -> None:
        self.session = session
        self.tenant = tenant

    def _select(self, *entities: Any) -> Select[Any]:
        """``SELECT entities FROM model WHERE model.tenant = :tenant``."""
        return self._scoped(select(*(entities or (self.model,))))

    def _scoped(self, statement: StatementT) -> StatementT:
        """Add ``model.tenant = :tenant`` to a select, update or delete."""
        return statement.where(self.model.tenant == self.tenant)  # type: ignore[no-any-return]
