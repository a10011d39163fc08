"""Cases: routed interactions waiting for a person, and what happens to them.

Triage opens a case for every live routed or escalated interaction; agents take the
next one of their queues, resolve or escalate it; leads reassign and say who works
which queue. Each human step is also a feedback event (``learning.feedback``), so
the learning loop and the metrics see it. Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from criterio.assist.models import Case, QueueMember
from criterio.assist.repository import CaseRepository, QueueMemberRepository
from criterio.errors import InvalidInputError, NotFoundError
from criterio.learning.feedback import Feedback, record_feedback
from criterio.triage.schemas import PRIORITIES

__all__ = [
    "SLA_HOURS",
    "assign_case",
    "escalate_case",
    "get_case",
    "list_cases",
    "next_case",
    "open_case",
    "open_cases",
    "queue_members",
    "queues_of",
    "reopen_case",
    "resolve_case",
    "set_queue_members",
]

#: Hours within which a case of each priority should be resolved (its SLA).
SLA_HOURS = {"urgent": 1.0, "high": 4.0, "normal": 24.0, "low": 72.0}
#: Working order: urgent first.
_RANK = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


def _now() -> datetime:
    return datetime.now(UTC)


def open_case(
    session: Session,
    tenant: str,
    *,
    interaction_id: str,
    queue: str,
    priority: str = "normal",
    intent: str | None = None,
    language: str | None = None,
    channel: str | None = None,
    decision_id: int | None = None,
    opened_at: datetime | None = None,
) -> Case:
    """Open the interaction's case in ``queue``; an interaction that has one keeps it."""
    if priority not in PRIORITIES:
        raise InvalidInputError(f"priority: {priority!r} is not one of {', '.join(PRIORITIES)}")
    existing = CaseRepository(session, tenant).by_interaction(interaction_id)
    if existing is not None:
        return existing
    case = Case(
        **_case_row(
            tenant,
            interaction_id=interaction_id,
            queue=queue,
            priority=priority,
            intent=intent,
            language=language,
            channel=channel,
            decision_id=decision_id,
            opened_at=opened_at or _now(),
        )
    )
    session.add(case)
    session.flush()
    return case


def open_cases(session: Session, tenant: str, specs: Sequence[dict[str, Any]]) -> list[Case]:
    """Open many cases at once (``open_case``'s keywords per item); returns the new ones.

    Interactions that already have a case, or appear twice, keep their first case, also
    when another transaction opens one at the same moment (``CaseRepository.insert_new``).
    """
    now = _now()
    rows: dict[str, dict[str, Any]] = {}
    for spec in specs:
        key = spec["interaction_id"]
        if key in rows:
            continue
        if spec.get("priority", "normal") not in PRIORITIES:
            raise InvalidInputError(f"priority: {spec['priority']!r} is not a priority")
        rows[key] = _case_row(tenant, **{"opened_at": now, **spec})
    if not rows:
        return []
    return CaseRepository(session, tenant).insert_new(list(rows.values()))


def _case_row(
    tenant: str,
    *,
    interaction_id: str,
    queue: str,
    opened_at: datetime,
    priority: str = "normal",
    intent: str | None = None,
    language: str | None = None,
    channel: str | None = None,
    decision_id: int | None = None,
) -> dict[str, Any]:
    return {
        "tenant": tenant,
        "interaction_id": interaction_id,
        "decision_id": decision_id,
        "queue": queue,
        "priority": priority,
        "priority_rank": _RANK[priority],
        "status": "open",
        "intent": intent,
        "language": language,
        "channel": channel,
        "reopen_count": 0,
        "opened_at": opened_at,
        "due_at": opened_at + timedelta(hours=SLA_HOURS[priority]),
    }


def get_case(session: Session, tenant: str, case_id: int) -> Case:
    """One case of the tenant (NotFoundError when it has none with that id)."""
    case = CaseRepository(session, tenant).get(case_id)
    if case is None:
        raise NotFoundError(f"case {case_id} not found")
    return case


def list_cases(
    session: Session,
    tenant: str,
    *,
    queues: Sequence[str] | None = None,
    statuses: Sequence[str] | None = None,
    assignee: str | None = None,
    languages: Sequence[str] | None = None,
    intents: Sequence[str] | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[Case]:
    """The tenant's cases in working order (priority, then age), filtered."""
    return CaseRepository(session, tenant).find(
        queues=queues,
        statuses=statuses,
        assignee=assignee,
        languages=languages,
        intents=intents,
        limit=limit,
        offset=offset,
    )


def next_case(
    session: Session, tenant: str, *, username: str, queues: Sequence[str]
) -> Case | None:
    """Assign the top open case of ``queues`` to ``username`` (None when they are empty).

    Two agents asking at once never get the same case: each claim is a conditional
    update that only one of them can win; the loser moves on to the next candidate.
    """
    repo = CaseRepository(session, tenant)
    if not queues:
        return None
    for _attempt in range(5):
        candidates = repo.open_candidates(queues, limit=10)
        if not candidates:
            return None
        for case_id in candidates:
            if repo.claim(case_id, username, _now()):
                # Reloaded through the repository (tenant-scoped), not session.refresh.
                case = repo.get(case_id, fresh=True)
                assert case is not None
                return case
    return None


def assign_case(session: Session, tenant: str, case_id: int, *, to: str, by: str) -> Case:
    """Give an unresolved case to ``to`` (a lead reassigning, or an agent taking it)."""
    case = get_case(session, tenant, case_id)
    if case.status == "resolved":
        raise InvalidInputError(f"case {case_id} is resolved: reopen it first")
    case.assignee = to
    case.status = "assigned"
    case.assigned_at = _now()
    session.flush()
    return case


def resolve_case(
    session: Session, tenant: str, case_id: int, *, code: str, by: str, source: str = "api"
) -> Case:
    """Resolve a case with a resolution code (a ``resolution`` feedback event)."""
    if not code.strip():
        raise InvalidInputError("resolution_code: required")
    case = get_case(session, tenant, case_id)
    if case.status == "resolved":
        raise InvalidInputError(f"case {case_id} is already resolved")
    case.status = "resolved"
    case.resolution_code = code.strip()
    case.resolved_at = _now()
    if case.assignee is None:
        case.assignee = by
    record_feedback(
        session,
        tenant,
        Feedback(
            kind="resolution",
            by=by,
            after={"resolution_code": case.resolution_code},
            interaction_id=case.interaction_id,
            case_id=case.id,
            source=source,
            at=case.resolved_at,
        ),
    )
    _touch_metrics(session, tenant, case)
    session.flush()
    return case


def escalate_case(
    session: Session,
    tenant: str,
    case_id: int,
    *,
    reason: str,
    by: str,
    queue: str | None = None,
    source: str = "api",
) -> Case:
    """Send a case up: back to open, at least high priority, in ``queue`` when given."""
    if not reason.strip():
        raise InvalidInputError("reason: say why the case is escalated")
    case = get_case(session, tenant, case_id)
    if case.status == "resolved":
        raise InvalidInputError(f"case {case_id} is resolved: reopen it first")
    before = {"queue": case.queue, "priority": case.priority, "assignee": case.assignee}
    if _RANK[case.priority] > _RANK["high"]:
        case.priority, case.priority_rank = "high", _RANK["high"]
    case.queue = queue or case.queue
    case.status, case.assignee = "open", None
    case.escalated_at = _now()
    case.escalation_reason = reason.strip()
    record_feedback(
        session,
        tenant,
        Feedback(
            kind="escalation",
            by=by,
            before=before,
            after={"queue": case.queue, "priority": case.priority},
            reason=case.escalation_reason,
            interaction_id=case.interaction_id,
            case_id=case.id,
            source=source,
            at=case.escalated_at,
        ),
    )
    _touch_metrics(session, tenant, case)
    session.flush()
    return case


def _touch_metrics(session: Session, tenant: str, case: Case) -> None:
    """The case's contact day and today (the action's event) are recomputed at commit
    (when small enough for a click to wait on: ``metrics.freshness.INLINE_CONTACTS``)."""
    from criterio.metrics.freshness import interaction_days, touch

    contacts = interaction_days(session, tenant, [case.interaction_id])
    touch(session, tenant, contact_days=contacts, interactive=True)


def reopen_case(session: Session, tenant: str, case_id: int, *, reason: str, by: str) -> Case:
    """Reopen a resolved case (the customer was not helped): it counts against the answer."""
    case = get_case(session, tenant, case_id)
    if case.status != "resolved":
        raise InvalidInputError(f"case {case_id} is not resolved")
    case.status, case.assignee = "open", None
    case.reopen_count += 1
    case.reopened_at = _now()
    case.resolution_code = None
    case.resolved_at = None
    session.flush()
    return case


def set_queue_members(
    session: Session, tenant: str, queue: str, usernames: Sequence[str], *, by: str
) -> list[QueueMember]:
    """Say who works ``queue`` (replacing its members)."""
    if not queue.strip():
        raise InvalidInputError("queue: a name is required")
    repo = QueueMemberRepository(session, tenant)
    repo.clear_queue(queue)
    now = _now()
    rows = [
        QueueMember(tenant=tenant, queue=queue, username=name, added_by=by, added_at=now)
        for name in sorted(set(usernames))
    ]
    session.add_all(rows)
    session.flush()
    return rows


def queues_of(session: Session, tenant: str, username: str) -> list[str]:
    """The queues ``username`` works."""
    return QueueMemberRepository(session, tenant).queues_of(username)


def queue_members(session: Session, tenant: str) -> dict[str, list[str]]:
    """Every queue with members: queue → usernames."""
    result: dict[str, list[str]] = {}
    for row in QueueMemberRepository(session, tenant).all():
        result.setdefault(row.queue, []).append(row.username)
    return result
