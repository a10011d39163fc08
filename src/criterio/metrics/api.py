"""``GET /api/v1/metrics``: the tenant's figures for a period (docs/metrics.md).

Per-agent figures (``agents=true``) are shown to leads and admins for every agent and
to an agent for themself only; other roles are refused them.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from criterio.auth.roles import Permission, Role, allowed
from criterio.auth.schemas import Principal
from criterio.errors import PermissionDeniedError
from criterio.metrics.service import ALL_AGENTS, figures
from criterio.web.audit import AuditDep
from criterio.web.deps import SessionDep, require

__all__ = ["agents_for", "router"]

router = APIRouter(prefix="/api/v1", tags=["metrics"])
Reader = Annotated[Principal, Depends(require(Permission.read_metrics))]


def agents_for(principal: Principal) -> str:
    """Whose contribution the caller may see: everyone's (leads), their own (agents)."""
    if allowed(principal.role, Permission.read_agent_metrics):
        return ALL_AGENTS
    if principal.role == Role.agent:
        return principal.username
    raise PermissionDeniedError(f"role {principal.role.value!r} may not read agent metrics")


@router.get("/metrics")
def read_metrics(
    session: SessionDep,
    principal: Reader,
    audit: AuditDep,
    first: Annotated[date, Query(alias="from", description="First day (UTC).")],
    last: Annotated[date, Query(alias="to", description="Last day, included.")],
    by: Annotated[Literal["day", "week"] | None, Query(description="A series by period.")] = None,
    queue: str | None = None,
    channel: str | None = None,
    language: str | None = None,
    intent: str | None = None,
    cut: Annotated[
        Literal["queue", "channel", "language", "intent"] | None,
        Query(description="Figures per value of this segment."),
    ] = None,
    agents: Annotated[bool, Query(description="Add knowledge contribution per agent.")] = False,
) -> dict[str, Any]:
    """The tenant's impact figures for the period, named as in docs/metrics.md."""
    filters = {
        k: v
        for k, v in (
            ("queue", queue),
            ("channel", channel),
            ("language", language),
            ("intent", intent),
        )
        if v is not None
    }
    whose = agents_for(principal) if agents else None
    if whose is not None:
        audit.record("read_agent_metrics", "agent", [None if whose == ALL_AGENTS else whose])
    return figures(
        session,
        principal.tenant,
        first=first,
        last=last,
        by=by,
        filters=filters,
        cut=cut,
        agents=whose,
    )
