"""``POST /api/v1/feedback``: decisions people made (here or in another tool), in bulk.

Each item is an import record (``interaction_id``, ``kind``, ``value``, ``by``, ``at``;
see :mod:`criterio.learning.feedback_import`). Good items are recorded once, bad ones
are reported with their index and field. Admins and integrations may record decisions
of other people (``by``); anyone else records their own (``by`` absent or theirs).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from pydantic import BaseModel

from criterio.auth.roles import Permission, Role
from criterio.auth.schemas import Principal
from criterio.errors import InvalidInputError
from criterio.learning.feedback import Feedback
from criterio.learning.feedback_import import (
    FeedbackFieldError,
    ImportReport,
    RecordError,
    import_feedback,
    parse_feedback_record,
)
from criterio.web.audit import AuditDep
from criterio.web.deps import SessionDep, require, write_with_retries

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["learning"])
Recorder = Annotated[Principal, Depends(require(Permission.record_feedback))]
#: Roles that record what other people decided (an import from another tool).
_ON_BEHALF = frozenset({Role.admin, Role.integration})


class FeedbackProblem(BaseModel):
    """Why one item was refused: its place in the list, the field and why."""

    index: int
    field: str
    message: str


class FeedbackResult(BaseModel):
    """What a bulk post did: recorded, already recorded (repeats), refused with reasons."""

    received: int
    recorded: int
    duplicates: int
    rejected: int
    errors: list[FeedbackProblem]


def _parse(
    records: list[Any], principal: Principal
) -> tuple[list[tuple[str, Feedback]], list[RecordError]]:
    good: list[tuple[str, Feedback]] = []
    bad: list[RecordError] = []
    for index, record in enumerate(records):
        where = str(index)
        if isinstance(record, dict):
            by = record.get("by", principal.username)
            if principal.role not in _ON_BEHALF and by != principal.username:
                bad.append(RecordError(where, "by", "you may only record your own decisions"))
                continue
            record = {**record, "by": by}
        try:
            good.append((where, parse_feedback_record(record, source="api")))
        except FeedbackFieldError as exc:
            bad.append(RecordError(where, exc.field, exc.detail))
    return good, bad


@router.post("/feedback", response_model=FeedbackResult)
def post_feedback(
    request: Request,
    session: SessionDep,
    principal: Recorder,
    audit: AuditDep,
    records: Annotated[
        list[Any],
        Body(description="Decisions (at most CRITERIO_MAX_BATCH, 1000 by default)."),
    ],
) -> FeedbackResult:
    """Record decisions about machine outputs; each bad one is reported with index and field."""
    limit = request.app.state.settings.max_batch
    if len(records) > limit:
        raise InvalidInputError(
            f"batch: {len(records):,} records; at most {limit:,} per request (CRITERIO_MAX_BATCH)"
        )
    good, bad = _parse(records, principal)

    def work() -> ImportReport:
        report = import_feedback(session, principal.tenant, good)
        if report.recorded:
            ids = sorted({f.interaction_id or "" for _, f in good} - {""})
            audit.record_set(
                "record_feedback",
                "interaction",
                ids,
                detail={"recorded": report.recorded, "duplicates": report.duplicates},
            )
        return report

    report = write_with_retries(session, work)
    errors = sorted([*bad, *report.errors], key=lambda e: int(e.where))
    return FeedbackResult(
        received=len(records),
        recorded=report.recorded,
        duplicates=report.duplicates,
        rejected=len(errors),
        errors=[
            FeedbackProblem(index=int(e.where), field=e.field, message=e.message) for e in errors
        ],
    )
