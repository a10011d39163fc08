"""Auth endpoints: who am I and the audit log (the login / logout pages: auth/pages.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from criterio.auth import service
from criterio.auth.roles import Permission
from criterio.auth.schemas import AuditPage, Principal
from criterio.web.deps import SessionDep, require

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["auth"])


@router.get("/me", response_model=Principal)
async def me(principal: Annotated[Principal, Depends(require(Permission.read_self))]) -> Principal:
    """The caller: user name, tenant and role."""
    return principal


@router.get("/audit", response_model=AuditPage)
def audit(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Permission.read_audit))],
    actor: Annotated[str | None, Query(max_length=100)] = None,
    action: Annotated[str | None, Query(max_length=32)] = None,
    resource_type: Annotated[str | None, Query(max_length=32)] = None,
    resource_id: Annotated[str | None, Query(max_length=200)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    """The tenant's audit events, newest first, filtered; admins only."""
    return service.audit_page(
        session,
        principal.tenant,
        actor=actor,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        since=since,
        until=until,
        cursor=cursor,
        limit=limit,
    )
