"""The agent's workspace: which cases a person may see, the queue, and the case page.

An agent sees the cases of the queues they are a member of (and any case assigned to
them); leads and admins see every queue. The case page puts beside the conversation
(redacted unless personal data was asked for) the customer's last 30 days, what the
machine read and why it routed the case, and the suggestions of
:mod:`criterio.assist.suggestions`. API, pages and the benchmark all build it here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from criterio.annotations.models import AnalysisResult
from criterio.assist.models import Case
from criterio.assist.repository import (
    CaseLinkRepository,
    CaseRepository,
    QueueMemberRepository,
    WorkspaceRepository,
)
from criterio.assist.schemas import (
    CaseDetail,
    CaseRead,
    Contact,
    CustomerContext,
    Reading,
    Suggestions,
    Turn,
)
from criterio.assist.service import get_case, list_cases, set_queue_members
from criterio.assist.suggestions import (
    article_suggestions,
    redact_texts,
    reply_draft,
    similar_cases,
)
from criterio.auth.repository import UserRepository
from criterio.errors import InvalidInputError, NotFoundError
from criterio.interactions.models import Interaction
from criterio.knowledge.models import Article
from criterio.knowledge.search import interaction_query
from criterio.triage.models import TriageDecision
from criterio.triage.repository import DecisionRepository

__all__ = [
    "CONTEXT_DAYS",
    "Worker",
    "case_detail",
    "case_read",
    "cases_for",
    "queue_names",
    "set_queue",
    "visible_case",
    "worker_for",
]

#: How far back the customer's earlier contacts are shown.
CONTEXT_DAYS = 30


@dataclass(frozen=True)
class Worker:
    """Who is asking, which queues they work, and whether they see every queue."""

    username: str
    queues: tuple[str, ...]
    sees_all: bool

    def may_see(self, case: Case) -> bool:
        """Whether this person may open ``case``."""
        return self.sees_all or case.queue in self.queues or case.assignee == self.username


def worker_for(session: Session, tenant: str, username: str, *, sees_all: bool) -> Worker:
    """The worker ``username`` (``sees_all``: the role may manage queues)."""
    queues = tuple(QueueMemberRepository(session, tenant).queues_of(username))
    return Worker(username, queues, sees_all)


def visible_case(session: Session, tenant: str, case_id: int, worker: Worker) -> Case:
    """The case if ``worker`` may see it; NotFoundError otherwise (its existence is not told)."""
    case = get_case(session, tenant, case_id)
    if not worker.may_see(case):
        raise NotFoundError(f"case {case_id} not found")
    return case


def _sentiments(session: Session, tenant: str, cases: Sequence[Case]) -> dict[str, str | None]:
    found = WorkspaceRepository(session, tenant).analysis_of([c.interaction_id for c in cases])
    return {key: result.sentiment_label for key, result in found.items()}


def case_read(case: Case, *, sentiment: str | None = None, now: datetime | None = None) -> CaseRead:
    """The wire form of a case, with the seconds left on its SLA."""
    now = now or datetime.now(UTC)
    return CaseRead.model_validate(
        {
            **{k: getattr(case, k) for k in CaseRead.model_fields if hasattr(case, k)},
            "sentiment": sentiment,
            "sla_seconds_left": round((case.due_at - now).total_seconds(), 1),
        }
    )


def cases_for(
    session: Session,
    tenant: str,
    worker: Worker,
    *,
    queue: str | None = None,
    statuses: Sequence[str] | None = None,
    language: str | None = None,
    intent: str | None = None,
    sentiment: str | None = None,
    limit: int = 200,
) -> list[CaseRead]:
    """The cases ``worker`` may see, in working order, filtered."""
    queues: list[str] | None = None if worker.sees_all else list(worker.queues)
    if queue:
        queues = [queue] if queues is None or queue in queues else []
    if queues == []:
        return []
    rows = list_cases(
        session,
        tenant,
        queues=queues,
        statuses=statuses,
        languages=[language] if language else None,
        intents=[intent] if intent else None,
        # Sentiment is the analysis' (another table): filtered here, so read more.
        limit=limit * 4 if sentiment else limit,
    )
    labels = _sentiments(session, tenant, rows)
    now = datetime.now(UTC)
    out = [case_read(c, sentiment=labels.get(c.interaction_id), now=now) for c in rows]
    if sentiment:
        out = [c for c in out if c.sentiment == sentiment]
    return out[:limit]


def queue_names(session: Session, tenant: str, worker: Worker) -> list[str]:
    """The queues ``worker`` may filter on: theirs, or every queue for leads."""
    if not worker.sees_all:
        return list(worker.queues)
    members = QueueMemberRepository(session, tenant).all()
    return sorted(set(CaseRepository(session, tenant).queue_names()) | {m.queue for m in members})


def set_queue(
    session: Session, tenant: str, queue: str, members: Sequence[str], *, by: str
) -> list[str]:
    """Say who works ``queue`` (users of the tenant only; replacing its members)."""
    known = {u.username for u in UserRepository(session, tenant).list()}
    unknown = sorted(set(members) - known)
    if unknown:
        raise InvalidInputError(f"members: no such user in this tenant: {', '.join(unknown)}")
    return [r.username for r in set_queue_members(session, tenant, queue, members, by=by)]


def _conversation(
    interaction: Interaction | None, result: AnalysisResult | None, *, reveal: bool
) -> tuple[list[Turn], str]:
    if interaction is None:
        return [], "erased"
    turns = interaction.turns or []
    if reveal:
        texts = [str(t.get("text", "")) for t in turns]
        state = "revealed"
    elif (
        result is not None
        and result.redacted_turns is not None
        and result.input_hash == interaction.content_hash
    ):
        texts = [str(t.get("text", "")) for t in result.redacted_turns]
        state = "redacted"
    else:
        raw = [str(t.get("text", "")) for t in turns]
        texts = redact_texts(raw, [interaction.language] * len(raw))
        state = "redacted"
    return [
        Turn(
            role=str(t.get("role", "customer")),
            text=text,
            at=str(t["at"]) if t.get("at") else None,
        )
        for t, text in zip(turns, texts, strict=True)
    ], state


def _contact(row: Any) -> Contact:
    labels = row.labels or {}
    if row.case_id is not None and row.case_status != "resolved":
        outcome: str | None = row.case_status
    elif row.escalated:
        outcome = "escalated"
    elif row.case_status == "resolved" or row.resolved:
        outcome = "resolved"
    elif row.resolved is False:
        outcome = "unresolved"
    else:
        outcome = None
    return Contact(
        interaction_id=row.external_id,
        started_at=row.started_at,
        channel=row.channel,
        intent=row.case_intent or labels.get("intent") or row.intent_label,
        outcome=outcome,
        resolution_code=row.case_resolution or row.resolution_code,
        case_id=row.case_id,
    )


def _customer(
    session: Session, tenant: str, case: Case, interaction: Interaction | None
) -> CustomerContext:
    customer_id = interaction.customer_id if interaction is not None else None
    if interaction is None or customer_id is None:
        return CustomerContext(customer_id=None, days=CONTEXT_DAYS, contacts=[], open_cases=[])
    repo = WorkspaceRepository(session, tenant)
    start = interaction.started_at - timedelta(days=CONTEXT_DAYS)
    rows = repo.contacts_between(customer_id, start, interaction.started_at, case.interaction_id)
    others = repo.open_cases_of_customer(customer_id, case.id)
    return CustomerContext(
        customer_id=customer_id,
        days=CONTEXT_DAYS,
        contacts=[_contact(r) for r in rows],
        open_cases=[case_read(c) for c in others],
    )


def _reading(
    case: Case,
    interaction: Interaction | None,
    result: AnalysisResult | None,
    decision: TriageDecision | None,
) -> Reading:
    read = decision.intent if decision is not None else (result and result.intent_label)
    corrected = read is not None and case.intent is not None and read != case.intent
    source: str | None
    if corrected:
        source = "agent"
    elif decision is not None:
        source = "triage"
    else:
        source = "analysis" if result is not None and result.intent_label else None
    confidence = decision.confidence if decision is not None else None
    if confidence is None and result is not None:
        confidence = result.intent_confidence
    return Reading(
        language=(result.language if result is not None else None)
        or (interaction.language if interaction is not None else None)
        or case.language,
        intent=case.intent or read,
        intent_confidence=None if confidence is None else round(confidence, 4),
        intent_read=read if corrected else None,
        intent_source=source,
        sentiment=result.sentiment_label if result is not None else None,
        sentiment_score=result.sentiment_score if result is not None else None,
        sentiment_first=result.sentiment_first if result is not None else None,
        sentiment_last=result.sentiment_last if result is not None else None,
        trajectory=result.trajectory if result is not None else None,
        triage_action=decision.action if decision is not None else None,
        triage_reasons=list(decision.reasons) if decision is not None else [],
        threshold=decision.threshold if decision is not None else None,
        model_version=decision.model_version if decision is not None else None,
    )


def case_detail(
    session: Session,
    tenant: str,
    case: Case,
    *,
    reveal: bool = False,
    article: int | None = None,
) -> CaseDetail:
    """Everything the case page shows (``article``: the one the reply is drafted from)."""
    interaction, result, decision = WorkspaceRepository(session, tenant).case_sources(
        case.interaction_id, case.decision_id
    )
    if decision is None and interaction is None and case.decision_id is not None:
        # The interaction was erased: the decision still says why the case was opened.
        decision = DecisionRepository(session, tenant).get(case.decision_id)
    conversation, state = _conversation(interaction, result, reveal=reveal)
    reading = _reading(case, interaction, result, decision)
    turns = interaction.turns if interaction is not None else []
    labels = {"intent": reading.intent} if reading.intent else {}
    query = interaction_query({"turns": turns, "labels": labels})
    loaded: dict[int, Article] = {}
    articles, no_match = article_suggestions(
        session, tenant, query, reading.language, intent=reading.intent, loaded=loaded
    )
    customer_words = interaction_query({"turns": turns})
    links = CaseLinkRepository(session, tenant).for_interaction(case.interaction_id)
    return CaseDetail(
        case=case_read(case, sentiment=reading.sentiment),
        conversation=conversation,
        conversation_state=state,
        customer=_customer(session, tenant, case, interaction),
        reading=reading,
        suggestions=Suggestions(
            articles=articles,
            no_match=no_match,
            similar_cases=similar_cases(
                session,
                tenant,
                interaction_id=case.interaction_id,
                text=customer_words,
                intent=reading.intent,
            ),
            reply=reply_draft(
                session,
                tenant,
                language=reading.language,
                articles=articles,
                chosen=article,
                loaded=loaded,
            ),
        ),
        linked_articles=sorted({link.article_id for link in links if link.kind == "reused"}),
    )
