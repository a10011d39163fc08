"""The audit log bound to a request: who (tenant, actor), which request, in whose transaction.

Routers ask for :data:`AuditDep` and call ``audit.record(action, resource_type, ids)``
instead of repeating the tenant, the actor and the request id in every endpoint.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from criterio.auth import service as auth
from criterio.web.deps import CurrentUser, SessionDep, request_id

__all__ = ["Audit", "AuditDep", "get_audit"]


@dataclass(frozen=True, slots=True)
class Audit:
    """Writes audit events for one caller of one request, in the request's transaction."""

    session: Session
    tenant: str
    actor: str
    request_id: str

    @classmethod
    def bind(cls, request: Request, session: Session, *, tenant: str, actor: str) -> Audit:
        """An audit for a caller known only inside the endpoint (the login, a refusal)."""
        return cls(session, tenant, actor, request_id(request))

    def record(
        self,
        action: str,
        resource_type: str,
        ids: Iterable[str | None] = (None,),
        *,
        outcome: str = "success",
        detail: dict[str, Any] | None = None,
    ) -> None:
        """One event per resource id (ids and counts in ``detail``, never texts)."""
        auth.record_audit(
            self.session,
            self.tenant,
            actor=self.actor,
            action=action,
            resource_type=resource_type,
            resource_ids=ids,
            outcome=outcome,
            request_id=self.request_id,
            detail=detail,
        )

    def record_set(
        self,
        action: str,
        resource_type: str,
        ids: list[str],
        *,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """ONE event naming every id (in ``detail["ids"]``): an action on many resources."""
        auth.record_audit_set(
            self.session,
            self.tenant,
            actor=self.actor,
            action=action,
            resource_type=resource_type,
            resource_ids=ids,
            request_id=self.request_id,
            detail=detail,
        )


async def get_audit(request: Request, session: SessionDep, principal: CurrentUser) -> Audit:
    """The request's audit, bound to the authenticated caller and the request's session."""
    # async: building it touches no database, so it needs no trip through the thread pool.
    return Audit(session, principal.tenant, principal.username, request_id(request))


AuditDep = Annotated[Audit, Depends(get_audit)]
