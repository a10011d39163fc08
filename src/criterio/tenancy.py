"""Tenant scoping: the one place where repository queries get their tenant filter.

The few lookups that must run before a tenant is known (a token by its hash, a model
by the id a command line names, the list of tenants) are marked with :func:`exempt`
and their reason, so the scoping test can tell them from a forgotten filter.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Protocol, TypeVar

from sqlalchemy import Executable, Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session

__all__ = ["EXEMPT_OPTION", "TenantOwned", "TenantScopedRepository", "exempt"]

StatementT = TypeVar("StatementT", bound=Any)
ExecutableT = TypeVar("ExecutableT", bound=Executable)

#: Execution option naming why a statement on a tenant-owned table has no tenant filter.
EXEMPT_OPTION = "tenant_scope_exempt"


def exempt(statement: ExecutableT, reason: str) -> ExecutableT:
    """Mark a statement as deliberately unscoped, with the reason."""
    return statement.execution_options(**{EXEMPT_OPTION: reason})


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
        if not entities:
            return _whole_rows(self.model, self.tenant)
        return self._scoped(select(*entities))

    def _scoped(self, statement: StatementT) -> StatementT:
        """Add ``model.tenant = :tenant`` to a select, update or delete."""
        return statement.where(self.model.tenant == self.tenant)  # type: ignore[no-any-return]


@lru_cache(maxsize=1024)
def _whole_rows(model: Any, tenant: str) -> Select[Any]:
    """``SELECT model WHERE model.tenant = :tenant``, built once per model and tenant.

    Statements are immutable (``where`` returns a new one), so one can be shared by every
    repository and thread; building it is most of a simple query's Python cost (the
    real-time triage runs several per request).
    """
    return select(model).where(model.tenant == tenant)
