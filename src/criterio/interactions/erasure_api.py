"""REST endpoints of the right to erasure: a customer's interactions, or one interaction."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from criterio.auth.roles import Permission
from criterio.auth.schemas import Principal
from criterio.db import checkpoint_wal
from criterio.errors import NotFoundError
from criterio.interactions.erasure import erase_customer, erase_interaction
from criterio.interactions.schemas import ErasureResult
from criterio.web.audit import AuditDep
from criterio.web.deps import SessionDep, commit_now, request_id, require

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["interactions"])
Eraser = Annotated[Principal, Depends(require(Permission.erase_customer))]
log = logging.getLogger("criterio.erasure")


def _commit_and_compact(request: Request, session: Session) -> None:
    # Committed here, so the SQLite log can be emptied of the erased pages before the
    # answer says the data is gone.
    commit_now(session)
    engine = request.app.state.engine
    if not checkpoint_wal(engine):
        log.warning(
            "a reader kept the SQLite log busy: erased pages leave it at the next checkpoint",
            extra={"request_id": request_id(request)},
        )


@router.delete("/customers/{customer_id}", response_model=ErasureResult)
def erase(
    request: Request, session: SessionDep, principal: Eraser, audit: AuditDep, customer_id: str
) -> ErasureResult:
    """Right to erasure: delete the customer's interactions and everything derived from them."""
    done = erase_customer(
        session,
        principal.tenant,
        customer_id,
        actor=audit.actor,
        request_id=audit.request_id,
    )
    _commit_and_compact(request, session)
    return ErasureResult(deleted=done.deleted, reference=done.reference)


@router.delete("/interactions/{interaction_id}", response_model=ErasureResult)
def erase_one(
    request: Request, session: SessionDep, principal: Eraser, audit: AuditDep, interaction_id: str
) -> ErasureResult:
    """Erase one interaction by its id (one without a customer id too); 404 if there is none."""
    done = erase_interaction(
        session,
        principal.tenant,
        interaction_id,
        actor=audit.actor,
        request_id=audit.request_id,
    )
    _commit_and_compact(request, session)  # the audit event of a miss is kept too
    if not done.deleted:
        raise NotFoundError(f"interaction {interaction_id!r} not found")
    return ErasureResult(deleted=done.deleted, reference=done.reference)
