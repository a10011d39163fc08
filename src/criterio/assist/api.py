"""REST endpoints of the agents' workspace: ``/api/v1/cases``, ``/api/v1/queues`` and
``/api/v1/personal-data-grants``.

For helpdesk integrations that show Criterio's suggestions in their own sidebar, and
for the pages' polling. An agent sees only the cases of their queues (any other case
is a 404); leads and admins see every queue and may assign a case to anyone.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy.orm import Session

from criterio.assist.actions import apply_feedback
from criterio.assist.grants import (
    grant_personal_data,
    list_grants,
    personal_data_access,
    revoke_personal_data,
)
from criterio.assist.schemas import (
    AssignIn,
    CaseDetail,
    CaseList,
    CaseRead,
    EscalateIn,
    FeedbackIn,
    FeedbackOut,
    GrantIn,
    GrantList,
    GrantRead,
    QueueMembersIn,
    QueueRead,
    ResolveIn,
)
from criterio.assist.service import (
    assign_case,
    escalate_case,
    next_case,
    queue_members,
    resolve_case,
)
from criterio.assist.workspace import (
    Worker,
    case_detail,
    case_read,
    cases_for,
    queue_names,
    set_queue,
    visible_case,
    worker_for,
)
from criterio.auth.roles import Permission, allowed
from criterio.auth.schemas import Principal
from criterio.errors import PermissionDeniedError
from criterio.web.audit import AuditDep
from criterio.web.deps import SessionDep, audit_denied, commit_now, require

__all__ = ["assign_to", "reveal_access", "router", "worker_of"]

router = APIRouter(prefix="/api/v1", tags=["workspace"])
Agent = Annotated[Principal, Depends(require(Permission.work_cases))]
Lead = Annotated[Principal, Depends(require(Permission.manage_queues))]
Granter = Annotated[Principal, Depends(require(Permission.grant_personal_data))]
UserName = Annotated[str, Path(min_length=1, max_length=200, description="The user.")]
CaseId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The case's id.")]
Text = Annotated[str, Query(max_length=200)]


def worker_of(session: Session, principal: Principal) -> Worker:
    """The caller as a worker: their queues, and every queue for leads and admins."""
    return worker_for(
        session,
        principal.tenant,
        principal.username,
        sees_all=allowed(principal.role, Permission.manage_queues),
    )


def assign_to(principal: Principal, to: str | None) -> str:
    """Whom a case goes to: agents may take a case, only leads give it to someone else."""
    target = to or principal.username
    if target != principal.username and not allowed(principal.role, Permission.manage_queues):
        raise PermissionDeniedError(
            f"role {principal.role.value!r} may only assign a case to themselves"
        )
    return target


def reveal_access(request: Request, session: Session, principal: Principal) -> str:
    """What lets the caller see personal data (``role`` or ``grant``); a 403, audited,
    for anyone else."""
    access = personal_data_access(
        session, principal.tenant, principal.username, principal.role.value
    )
    if access is None:
        audit_denied(request, principal, Permission.view_personal_data)
        raise PermissionDeniedError(
            f"role {principal.role.value!r} may not view personal data (no grant in force)"
        )
    return access


@router.get("/cases", response_model=CaseList)
def list_cases(
    session: SessionDep,
    principal: Agent,
    queue: Text | None = None,
    status: Annotated[
        list[Annotated[str, Query(pattern="^(open|assigned|resolved)$")]],
        Query(description="Only these statuses (default: open and assigned)."),
    ] = [],  # noqa: B006
    language: Annotated[str | None, Query(max_length=16)] = None,
    intent: Text | None = None,
    sentiment: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> CaseList:
    """The cases of the caller's queues (every queue for leads), by priority then age."""
    worker = worker_of(session, principal)
    items = cases_for(
        session,
        principal.tenant,
        worker,
        queue=queue,
        statuses=status or ["open", "assigned"],
        language=language,
        intent=intent,
        sentiment=sentiment,
        limit=limit,
    )
    return CaseList(items=items, queues=queue_names(session, principal.tenant, worker))


@router.post("/cases/next", response_model=CaseRead | None)
def take_next_case(session: SessionDep, principal: Agent, audit: AuditDep) -> CaseRead | None:
    """Assign the top open case of the caller's queues to them (null when none is open).

    Two callers never get the same case. Leads without queues of their own take from
    every queue."""
    worker = worker_of(session, principal)
    queues = list(worker.queues) or (
        queue_names(session, principal.tenant, worker) if worker.sees_all else []
    )
    case = next_case(session, principal.tenant, username=principal.username, queues=queues)
    if case is None:
        return None
    audit.record("case_next", "case", [str(case.id)])
    read = case_read(case)
    commit_now(session)
    return read


@router.get("/cases/{case_id}", response_model=CaseDetail)
def get_case(
    request: Request,
    session: SessionDep,
    principal: Agent,
    audit: AuditDep,
    case_id: CaseId,
    reveal: Annotated[
        bool,
        Query(
            description="Show the conversation unredacted (view_personal_data, "
            "or a personal-data grant)."
        ),
    ] = False,
    article: Annotated[
        int | None, Query(ge=1, le=2**63 - 1, description="Draft the reply from this article.")
    ] = None,
) -> CaseDetail:
    """One case with its conversation (redacted), the customer's last 30 days, what the
    machine read, and suggestions: articles, similar solved cases, a reply, next steps."""
    access = reveal_access(request, session, principal) if reveal else None
    case = visible_case(session, principal.tenant, case_id, worker_of(session, principal))
    detail = case_detail(session, principal.tenant, case, reveal=reveal, article=article)
    if access is not None:
        audit.record(
            "view_personal_data",
            "interaction",
            [case.interaction_id],
            detail={"case_id": case.id, "via": access},
        )
    return detail


@router.post("/cases/{case_id}/assign", response_model=CaseRead)
def assign(
    session: SessionDep, principal: Agent, audit: AuditDep, case_id: CaseId, body: AssignIn
) -> CaseRead:
    """Give the case to ``to`` (agents: only themselves; leads and admins: anyone)."""
    to = assign_to(principal, body.to)
    visible_case(session, principal.tenant, case_id, worker_of(session, principal))
    case = assign_case(session, principal.tenant, case_id, to=to, by=principal.username)
    audit.record("case_assign", "case", [str(case_id)], detail={"to": to})
    read = case_read(case)
    commit_now(session)
    return read


@router.post("/cases/{case_id}/resolve", response_model=CaseRead)
def resolve(
    session: SessionDep, principal: Agent, audit: AuditDep, case_id: CaseId, body: ResolveIn
) -> CaseRead:
    """Resolve the case with a resolution code (a feedback event)."""
    visible_case(session, principal.tenant, case_id, worker_of(session, principal))
    case = resolve_case(
        session, principal.tenant, case_id, code=body.resolution_code, by=principal.username
    )
    audit.record("case_resolve", "case", [str(case_id)])
    read = case_read(case)
    commit_now(session)
    return read


@router.post("/cases/{case_id}/escalate", response_model=CaseRead)
def escalate(
    session: SessionDep, principal: Agent, audit: AuditDep, case_id: CaseId, body: EscalateIn
) -> CaseRead:
    """Send the case up with a reason (back to open, at least high priority)."""
    visible_case(session, principal.tenant, case_id, worker_of(session, principal))
    case = escalate_case(
        session,
        principal.tenant,
        case_id,
        reason=body.reason,
        by=principal.username,
        queue=body.queue,
    )
    audit.record("case_escalate", "case", [str(case_id)], detail={"queue": case.queue})
    read = case_read(case)
    commit_now(session)
    return read


@router.post("/cases/{case_id}/feedback", response_model=FeedbackOut)
def feedback(
    session: SessionDep, principal: Agent, audit: AuditDep, case_id: CaseId, body: FeedbackIn
) -> FeedbackOut:
    """Record a decision: correct the intent, accept or reject a suggestion, link or flag
    an article, create a ``wip`` article from the case, or the reply sent."""
    case = visible_case(session, principal.tenant, case_id, worker_of(session, principal))
    out = apply_feedback(session, principal.tenant, case, body, by=principal.username)
    audit.record(
        "case_feedback",
        "case",
        [str(case_id)],
        detail={"action": body.action, "article_id": out.article_id},
    )
    commit_now(session)
    return out


@router.get("/queues", response_model=list[QueueRead])
def list_queues(session: SessionDep, principal: Agent) -> list[QueueRead]:
    """Who works which queue (agents: only their own queues)."""
    worker = worker_of(session, principal)
    members = queue_members(session, principal.tenant)
    return [
        QueueRead(queue=name, members=members.get(name, []))
        for name in queue_names(session, principal.tenant, worker)
    ]


@router.put("/queues/{queue}", response_model=QueueRead)
def put_queue(
    session: SessionDep,
    principal: Lead,
    audit: AuditDep,
    queue: Annotated[str, Path(min_length=1, max_length=100)],
    body: QueueMembersIn,
) -> QueueRead:
    """Say who works ``queue`` (replacing its members; users of the tenant only)."""
    members = set_queue(session, principal.tenant, queue, body.members, by=principal.username)
    audit.record("queue_members", "queue", [queue], detail={"members": len(members)})
    commit_now(session)
    return QueueRead(queue=queue, members=members)


@router.get("/personal-data-grants", response_model=GrantList)
def get_grants(
    session: SessionDep,
    principal: Granter,
    include_revoked: Annotated[bool, Query(description="Revoked grants too.")] = False,
) -> GrantList:
    """Who may see cases' personal data beyond their role, newest grant first."""
    grants = list_grants(session, principal.tenant, include_revoked=include_revoked)
    return GrantList(items=[GrantRead.model_validate(g) for g in grants])


@router.put("/personal-data-grants/{username}", response_model=GrantRead)
def put_grant(
    session: SessionDep, principal: Granter, audit: AuditDep, username: UserName, body: GrantIn
) -> GrantRead:
    """Let ``username`` (who works cases) see conversations unredacted, each view audited;
    a grant already in force is kept."""
    grant = grant_personal_data(
        session, principal.tenant, username, reason=body.reason, by=principal.username
    )
    audit.record("grant_personal_data", "user", [username], detail={"grant_id": grant.id})
    read = GrantRead.model_validate(grant)
    commit_now(session)
    return read


@router.delete("/personal-data-grants/{username}", response_model=GrantRead)
def delete_grant(
    session: SessionDep, principal: Granter, audit: AuditDep, username: UserName
) -> GrantRead:
    """End ``username``'s grant (404 when none is in force); the grant stays in the history."""
    grant = revoke_personal_data(session, principal.tenant, username, by=principal.username)
    audit.record("revoke_personal_data", "user", [username], detail={"grant_id": grant.id})
    read = GrantRead.model_validate(grant)
    commit_now(session)
    return read
