"""``POST /api/v1/triage``: one interaction in, the decision out (and stored); the helpers
of ``POST /api/v1/interactions?triage=true`` (store, then decide each stored record).

The tenant always comes from the caller's credentials; a record naming another tenant
is refused.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from criterio.auth.roles import Permission, allowed
from criterio.auth.schemas import Principal
from criterio.auth.service import record_audit, record_audit_set
from criterio.errors import InvalidInputError, PermissionDeniedError
from criterio.interactions.schemas import InteractionIn
from criterio.triage.schemas import DecisionRead
from criterio.triage.service import as_record, row_record, triage_one, triage_records
from criterio.web.deps import (
    SessionDep,
    audit_denied,
    model_json,
    request_id,
    require,
    write_with_retries,
)
from criterio.web.threads import in_thread

__all__ = ["TriageFlag", "may_triage", "router", "triage_stored", "triager_cache"]

router = APIRouter(prefix="/api/v1", tags=["triage"])
Triager = Annotated[Principal, Depends(require(Permission.triage))]
_RECORD = TypeAdapter(InteractionIn)


def _record(body: dict[str, Any], tenant: str) -> dict[str, Any]:
    """The body validated as the data contract, as a plain record of the caller's tenant."""
    try:
        item = _RECORD.validate_python({"tenant": tenant, **body})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(body)"
        raise InvalidInputError(f"{where}: {first['msg']}") from None
    if item.tenant != tenant:
        raise InvalidInputError(f"tenant: {item.tenant!r} is not the caller's tenant")
    return as_record(item)


def triager_cache(request: Request) -> dict[tuple[Any, ...], Any]:
    """The app's triagers, one per tenant (see ``triage.service.triage_records``)."""
    cache: dict[tuple[Any, ...], Any] | None = getattr(request.app.state, "triagers", None)
    if cache is None:
        cache = request.app.state.triagers = {}
    return cache


@router.post("/triage", response_model=DecisionRead)
async def triage(
    request: Request,
    session: SessionDep,
    principal: Triager,
    body: Annotated[dict[str, Any], Body(description="One interaction (the data contract).")],
) -> Response:
    """Decide one interaction: automate, route or escalate, with queue, priority and reasons."""
    # One trip to a worker thread: validate, decide (the model), store, audit, commit.
    return await in_thread(_triage, request, session, principal, body)


def _triage(
    request: Request, session: Session, principal: Principal, body: dict[str, Any]
) -> Response:
    record = _record(body, principal.tenant)
    cache = triager_cache(request)

    def work() -> DecisionRead:
        decision, version = triage_one(session, principal.tenant, record, cache)
        record_audit(
            session,
            principal.tenant,
            actor=principal.username,
            action="triage",
            resource_type="interaction",
            resource_ids=[decision.id],
            request_id=request_id(request),
            detail={"action": decision.action, "policy_version": version},
        )
        return DecisionRead.model_validate(decision.to_dict())

    return model_json(write_with_retries(session, work))


#: ``?triage=true``: decide each stored interaction at once (needs the triage permission).
TriageFlag = Annotated[
    bool,
    Query(description="Also triage each stored interaction and return its decision."),
]


def may_triage(request: Request, principal: Principal, triage: bool) -> None:
    """Refuse (403, audited) ``triage=true`` to a role without the triage permission."""
    if triage and not allowed(principal.role, Permission.triage):
        audit_denied(request, principal, Permission.triage)
        raise PermissionDeniedError(f"role {principal.role.value!r} may not triage")


def triage_stored(
    request: Request, session: Session, principal: Principal, rows: list[dict[str, Any]]
) -> list[DecisionRead]:
    """Triage just-stored interactions (their table rows) in one batch, stored and audited."""
    tenant = principal.tenant
    decisions, version = triage_records(
        session, tenant, [row_record(row) for row in rows], triager_cache(request)
    )
    record_audit_set(
        session,
        tenant,
        actor=principal.username,
        action="triage",
        resource_type="interaction",
        resource_ids=[d.id for d in decisions],
        request_id=request_id(request),
        detail={"policy_version": version, "count": len(decisions)},
    )
    return [DecisionRead.model_validate(d.to_dict()) for d in decisions]
