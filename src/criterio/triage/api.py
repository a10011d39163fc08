"""``POST /api/v1/triage``: one interaction in, the decision out (and stored).

The tenant always comes from the caller's credentials; a record naming another tenant
is refused.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from pydantic import TypeAdapter, ValidationError

from criterio.auth.roles import Permission
from criterio.auth.schemas import Principal
from criterio.auth.service import record_audit
from criterio.errors import InvalidInputError
from criterio.interactions.schemas import InteractionIn
from criterio.triage.schemas import DecisionRead
from criterio.triage.service import triage_one
from criterio.web.deps import SessionDep, request_id, require, write_with_retries

__all__ = ["router"]

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
    record = item.model_dump(mode="json")
    if not record.get("turns") and item.text:
        record["turns"] = [{"role": "customer", "text": item.text}]
    return record


@router.post("/triage", response_model=DecisionRead)
def triage(
    request: Request,
    session: SessionDep,
    principal: Triager,
    body: Annotated[dict[str, Any], Body(description="One interaction (the data contract).")],
) -> DecisionRead:
    """Decide one interaction: automate, route or escalate, with queue, priority and reasons."""
    record = _record(body, principal.tenant)
    cache = getattr(request.app.state, "triagers", None)
    if cache is None:
        cache = request.app.state.triagers = {}

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

    return write_with_retries(session, work)
