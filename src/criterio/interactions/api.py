"""REST endpoints for interactions: post one or a batch, list, get one (erasure: erasure_api.py)."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from criterio.auth.roles import Permission
from criterio.auth.schemas import Principal
from criterio.auth.service import record_audit, record_audit_set
from criterio.db import check_row_key
from criterio.errors import InvalidInputError, NotFoundError, excerpt
from criterio.interactions.api_body import (
    RawBody,
    RecordProblem,
    batch_items,
    batch_rows,
    one_row,
    raw_json_body,
)
from criterio.interactions.export import to_contract
from criterio.interactions.models import Interaction
from criterio.interactions.repository import InteractionFilter, InteractionRepository
from criterio.interactions.schemas import (
    Channel,
    InteractionRead,
    Timestamp,
    check_attribute_name,
    check_timestamp,
)
from criterio.interactions.service import StoreResult, store_rows
from criterio.triage.api import TriageFlag, may_triage, triage_stored
from criterio.triage.schemas import DecisionRead
from criterio.web.audit import AuditDep
from criterio.web.deps import (
    SessionDep,
    model_json,
    request_id,
    require,
    write_with_retries,
)
from criterio.web.threads import in_thread

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["interactions"])
Writer = Annotated[Principal, Depends(require(Permission.write_interactions))]
Reader = Annotated[Principal, Depends(require(Permission.read_interactions))]


class StoredOne(BaseModel):
    """What happened to one posted interaction (and its triage decision when asked)."""

    id: str
    status: str  # inserted, updated or unchanged
    decision: DecisionRead | None = None


class BatchResult(BaseModel):
    """What a batch did; refused records are listed, the others are stored."""

    received: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    errors: list[RecordProblem]
    #: With ``triage=true``: the decision of each stored record, in the batch's order.
    decisions: list[DecisionRead] | None = None


class InteractionPage(BaseModel):
    """A page of interactions in (started_at, id) order, and the cursor of the next page."""

    items: list[InteractionRead]
    next_cursor: str | None


#: The bodies as OpenAPI documents them (read raw by ``api_body``, not by FastAPI).
_ONE_BODY = {
    "required": True,
    "description": (
        "One interaction (the data contract); with triage=true, also an array of them "
        "(a batch, as /interactions/batch?triage=true)."
    ),
    "content": {
        "application/json": {
            "schema": {
                "oneOf": [
                    {"type": "object", "additionalProperties": True},
                    {"type": "array", "items": {}},
                ]
            }
        }
    },
}
_BATCH_BODY = {
    "required": True,
    "description": "Interactions (at most CRITERIO_MAX_BATCH, 1000 by default).",
    "content": {"application/json": {"schema": {"type": "array", "items": {}}}},
}


@router.post(
    "/interactions",
    response_model=StoredOne | BatchResult,
    status_code=201,
    openapi_extra={"requestBody": _ONE_BODY},
)
async def post_interaction(
    request: Request,
    session: SessionDep,
    principal: Writer,
    triage: TriageFlag = False,
) -> Response:
    """Store one interaction (posting it again changes nothing); with ``triage=true`` it is
    also decided and the decision returned. With ``triage=true`` a JSON array is taken as a
    batch (as ``/interactions/batch?triage=true``), answered 200 with each decision."""
    body = await raw_json_body(request)  # read here, not as one more dependency
    # One trip to a worker thread for the whole request: decode, store, audit, commit.
    return await in_thread(_post_one, request, session, principal, body, triage)


def _post_one(
    request: Request, session: Session, principal: Principal, body: RawBody, triage: bool
) -> Response:
    may_triage(request, principal, triage)
    if triage and _is_array(body):
        return model_json(_store_batch(request, session, principal, body, triage=True))
    row = one_row(body, principal.tenant)
    if isinstance(row, RecordProblem):
        raise InvalidInputError(f"{row.field}: {row.message}")
    external_id = row["external_id"]

    def work() -> tuple[str, DecisionRead | None]:
        result = store_rows(session, [row])
        status = "inserted" if result.inserted else "updated" if result.updated else "unchanged"
        record_audit(
            session,
            principal.tenant,
            actor=principal.username,
            action="write",
            resource_type="interaction",
            resource_ids=[external_id],
            request_id=request_id(request),
            detail={"status": status},
        )
        decided = triage_stored(request, session, principal, [row]) if triage else None
        return status, decided[0] if decided else None

    status, decision = write_with_retries(session, work)
    stored = StoredOne(id=external_id, status=status, decision=decision)
    return model_json(stored, 201 if status == "inserted" else 200)


@router.post(
    "/interactions/batch",
    response_model=BatchResult,
    openapi_extra={"requestBody": _BATCH_BODY},
)
async def post_batch(
    request: Request,
    session: SessionDep,
    principal: Writer,
    triage: TriageFlag = False,
) -> Response:
    """Store a batch: good records go in, each bad one is reported with index, field and why;
    with ``triage=true`` each stored record is also decided."""
    body = await raw_json_body(request)
    return await in_thread(_post_batch, request, session, principal, body, triage)


def _post_batch(
    request: Request, session: Session, principal: Principal, body: RawBody, triage: bool
) -> Response:
    may_triage(request, principal, triage)
    return model_json(_store_batch(request, session, principal, body, triage=triage))


def _is_array(body: RawBody) -> bool:
    """Whether the posted JSON is an array (its first character other than white space)."""
    return body.is_json and (body.data or b"").lstrip()[:1] == b"["


def _store_batch(
    request: Request, session: Session, principal: Principal, body: RawBody, *, triage: bool
) -> BatchResult:
    records = batch_items(body)
    # Bigger imports go through files or several posts.
    limit = request.app.state.settings.max_batch
    if len(records) > limit:
        raise InvalidInputError(
            f"batch: {len(records):,} records; at most {limit:,} per request (CRITERIO_MAX_BATCH)"
        )
    good, positions, problems = batch_rows(records, principal.tenant)

    def work() -> tuple[StoreResult, list[DecisionRead] | None]:
        result = store_rows(session, good)
        refused = set(result.duplicates)
        stored = [r for i, r in enumerate(good) if i not in refused]
        stored_ids = [r["external_id"] for r in stored]
        if stored_ids:
            record_audit_set(
                session,
                principal.tenant,
                actor=principal.username,
                action="write",
                resource_type="interaction",
                resource_ids=stored_ids,
                request_id=request_id(request),
                detail={
                    "inserted": result.inserted,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
        decided = triage_stored(request, session, principal, stored) if triage else None
        return result, decided

    result, decisions = write_with_retries(session, work)
    for duplicate in result.duplicates:
        problems.append(
            RecordProblem(
                index=positions[duplicate],
                record_id=good[duplicate]["external_id"],
                field="id",
                message="repeated id in this batch; the first record with this id was kept",
            )
        )
    problems.sort(key=lambda p: p.index)
    return BatchResult(
        received=len(records),
        inserted=result.inserted,
        updated=result.updated,
        unchanged=result.unchanged,
        rejected=len(problems),
        errors=problems,
        decisions=decisions,
    )


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        started, _, pk = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        value = datetime.fromisoformat(started)
        if value.tzinfo is None:
            raise ValueError("naive")
        return check_timestamp(value), check_row_key(int(pk))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidInputError("cursor: not a cursor returned by this endpoint") from exc


#: Most characters of turn text one listing page carries (ten of the largest records the
#: contract accepts): a page of big records ends early, and its cursor goes on from there.
PAGE_TEXT_CHARS = 2_000_000


def _within_text_budget(rows: list[Interaction]) -> tuple[list[Interaction], bool]:
    """The first rows whose texts fit PAGE_TEXT_CHARS (at least one), and whether any was cut."""
    total = 0
    for index, row in enumerate(rows):
        total += sum(len(turn.get("text", "")) for turn in row.turns)
        if index and total > PAGE_TEXT_CHARS:
            return rows[:index], True
    return rows, False


def _encode_cursor(started: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{started.isoformat()}|{pk}".encode()).decode()


@router.get("/interactions", response_model=InteractionPage)
def list_interactions(
    audit: AuditDep,
    session: SessionDep,
    principal: Reader,
    channel: Channel | None = None,
    language: Annotated[str | None, Query(max_length=16)] = None,
    handled_by: Annotated[str | None, Query(pattern="^(bot|human)$")] = None,
    customer_id: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[Timestamp | None, Query(description="started_at >= since")] = None,
    until: Annotated[Timestamp | None, Query(description="started_at < until")] = None,
    attr: Annotated[
        list[str], Query(description="attribute filter KEY=VALUE; repeat to combine")
    ] = [],  # noqa: B006 - FastAPI copies query defaults
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> InteractionPage:
    """Interactions matching the filters, oldest first, a page at a time (cursor paging)."""
    attributes: dict[str, str] = {}
    for item in attr:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InvalidInputError(f"attr: {excerpt(item)} is not KEY=VALUE")
        attributes[check_attribute_name(key, "attr")] = value
    filters = InteractionFilter(
        channel=channel.value if channel else None,
        language=language,
        handled_by=handled_by,
        customer_id=customer_id,
        since=since,
        until=until,
        attributes=attributes,
    )
    after = _decode_cursor(cursor) if cursor else None
    rows = InteractionRepository(session, principal.tenant).page(
        filters, after=after, limit=limit + 1
    )
    more = len(rows) > limit
    rows, cut = _within_text_budget(rows[:limit])
    more = more or cut
    items = [InteractionRead.model_validate(to_contract(row)) for row in rows]
    audit.record("read", "interaction", [r.external_id for r in rows], detail={"listing": True})
    next_cursor = _encode_cursor(rows[-1].started_at, rows[-1].pk) if more else None
    return InteractionPage(items=items, next_cursor=next_cursor)


@router.get("/interactions/{interaction_id}", response_model=InteractionRead)
def get_interaction(
    audit: AuditDep, session: SessionDep, principal: Reader, interaction_id: str
) -> InteractionRead:
    """One interaction by its id (404 when the tenant has none with that id)."""
    row = InteractionRepository(session, principal.tenant).get(interaction_id)
    audit.record(
        "read", "interaction", [interaction_id[:200]], outcome="success" if row else "not_found"
    )
    if row is None:
        raise NotFoundError(f"interaction {excerpt(interaction_id)} not found")
    return InteractionRead.model_validate(to_contract(row))
