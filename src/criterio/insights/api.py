"""REST endpoints for insights: list with filters, one with its redacted examples, review, detect.

The tenant always comes from the caller's credentials: another tenant's insight is a 404.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from criterio.auth.roles import Permission
from criterio.auth.schemas import Principal
from criterio.insights.browse import (
    Example,
    InsightQuery,
    InsightSort,
    next_statuses,
    parse_segment,
    redacted_examples,
    search_insights,
)
from criterio.insights.schemas import (
    DetectResult,
    ExampleRead,
    InsightDetail,
    InsightPage,
    InsightRead,
    InsightStatus,
    ReviewIn,
    TurnText,
)
from criterio.insights.service import apply_review, detect_insights, get_insight, to_read
from criterio.languages import Language
from criterio.web.audit import Audit, AuditDep
from criterio.web.deps import SessionDep, commit_now, require

__all__ = ["audit_examples_read", "audit_review", "router"]

router = APIRouter(prefix="/api/v1", tags=["insights"])
Reader = Annotated[Principal, Depends(require(Permission.read_insights))]
Reviewer = Annotated[Principal, Depends(require(Permission.review_insights))]
Detector = Annotated[Principal, Depends(require(Permission.detect_insights))]
InsightId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The insight's id.")]


@router.get("/insights", response_model=InsightPage)
def list_insights(
    session: SessionDep,
    principal: Reader,
    status: Annotated[
        list[InsightStatus], Query(description="Only these statuses (repeat for several).")
    ] = [],  # noqa: B006 - FastAPI copies query defaults
    type: Annotated[
        list[Annotated[str, Query(max_length=32)]],
        Query(description="Only these types (spike, drop, driver, ...)."),
    ] = [],  # noqa: B006
    min_severity: Annotated[float | None, Query(ge=0, le=100)] = None,
    period_from: Annotated[
        date | None, Query(description="Insights whose period ends on or after this day.")
    ] = None,
    period_to: Annotated[
        date | None, Query(description="Insights whose period starts on or before this day.")
    ] = None,
    segment: Annotated[
        list[Annotated[str, Query(max_length=300)]],
        Query(description="Segment filter ATTRIBUTE=VALUE (queue=billing); repeat to combine."),
    ] = [],  # noqa: B006
    sort: InsightSort = InsightSort.severity_desc,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> InsightPage:
    """The tenant's insights matching every filter, most severe first unless ``sort`` says."""
    query = InsightQuery(
        statuses=tuple(status),
        types=tuple(type),
        min_severity=min_severity,
        period_from=period_from,
        period_to=period_to,
        segment=parse_segment(segment),
        sort=sort,
        limit=limit,
        offset=offset,
    )
    rows, total = search_insights(session, principal.tenant, query)
    return InsightPage(items=[to_read(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/insights/{insight_id}", response_model=InsightDetail)
def get_one(
    session: SessionDep, principal: Reader, audit: AuditDep, insight_id: InsightId
) -> InsightDetail:
    """One insight with its evidence; examples carry only the analysis' redacted text."""
    insight = get_insight(session, principal.tenant, insight_id)
    examples = redacted_examples(session, principal.tenant, insight)
    audit_examples_read(audit, examples, insight_id)
    return InsightDetail(
        **to_read(insight).model_dump(),
        examples_redacted=[
            ExampleRead(id=e.id, state=e.state, turns=[TurnText(**t) for t in e.turns])
            for e in examples
        ],
        next_statuses=list(next_statuses(insight.status)),
    )


@router.post(
    "/insights/{insight_id}/review",
    response_model=InsightRead,
    responses={422: {"description": "A status change the workflow does not allow"}},
)
def review(
    session: SessionDep,
    principal: Reviewer,
    audit: AuditDep,
    insight_id: InsightId,
    change: ReviewIn,
) -> InsightRead:
    """Move the insight through its review (new → in_review → confirmed | dismissed →
    actioned) and set its interpretation, proposal and owner; who and when are kept in
    its history and in the audit log."""
    done = apply_review(session, principal.tenant, insight_id, change, actor=principal.username)
    audit_review(audit, insight_id, done.before, done.insight.status, change)
    commit_now(session)
    return to_read(done.insight)


@router.post("/insights/detect", response_model=DetectResult)
def detect(
    session: SessionDep,
    principal: Detector,
    audit: AuditDep,
    language: Annotated[
        Language | None,
        Query(description="Language of the statements (default: the tenant's majority)."),
    ] = None,
) -> DetectResult:
    """Run every detector on the tenant's stored interactions and update its insights."""
    summary = detect_insights(session, principal.tenant, language=language)
    result = DetectResult(
        created=summary.created,
        updated=summary.updated,
        insights=len(summary.insights),
        notes=summary.notes,
    )
    audit.record("detect_insights", "insight", detail=result.model_dump())
    commit_now(session)
    return result


def audit_examples_read(audit: Audit, examples: list[Example], insight_id: int) -> None:
    """One audit event naming the interactions whose redacted text was shown."""
    shown = [e.id for e in examples if e.state == "redacted"]
    if shown:
        audit.record_set(
            "read", "interaction", shown, detail={"redacted": True, "insight": insight_id}
        )


def audit_review(audit: Audit, insight_id: int, before: str, after: str, change: ReviewIn) -> None:
    """The review in the audit log: who, which insight, the status change, which fields."""
    fields = [name for name in ("interpretation", "proposal", "owner") if getattr(change, name)]
    audit.record(
        "review_insight",
        "insight",
        [str(insight_id)],
        detail={"from": before, "to": after, "fields": fields},
    )
