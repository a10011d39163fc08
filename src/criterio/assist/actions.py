"""What an agent decides on a case, recorded: each action a feedback event, and a KCS
link where knowledge was reused, flagged or created."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from criterio.assist.models import Case
from criterio.assist.schemas import FeedbackIn, FeedbackOut
from criterio.assist.suggestions import customer_text, redact_texts, reply_draft
from criterio.errors import InvalidInputError
from criterio.interactions.repository import InteractionRepository
from criterio.knowledge import ArticleIn, LinkIn, LinkKind, LinkVia, create_article, link_article
from criterio.knowledge.models import ArticleLink
from criterio.languages import supported
from criterio.learning.feedback import Feedback, record_feedback
from criterio.triage.repository import DecisionRepository

__all__ = ["apply_feedback"]

_SENTENCE = re.compile(r"(?<=[.!?¿¡])\s+")


def _require(value: Any, name: str, action: str) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidInputError(f"{name}: required for the {action} action")
    return value


def apply_feedback(
    session: Session,
    tenant: str,
    case: Case,
    data: FeedbackIn,
    *,
    by: str,
    source: str = "api",
) -> FeedbackOut:
    """Record one decision about ``case`` (see :class:`FeedbackIn` for the actions)."""
    now = datetime.now(UTC)
    handler = _HANDLERS[data.action]
    feedback, link = handler(session, tenant, case, data, by, now)
    feedback.interaction_id, feedback.case_id = case.interaction_id, case.id
    feedback.source, feedback.at = source, now
    event = record_feedback(session, tenant, feedback)
    session.flush()
    return FeedbackOut(
        case_id=case.id,
        action=data.action,
        feedback_event_id=event.id if event is not None else None,
        link_id=link.id if link is not None else None,
        article_id=link.article_id if link is not None else data.article_id,
    )


Handled = tuple[Feedback, ArticleLink | None]


def _intent(
    session: Session, tenant: str, case: Case, data: FeedbackIn, by: str, now: datetime
) -> Handled:
    new = _require(data.intent, "intent", "intent")
    decision = (
        DecisionRepository(session, tenant).get(case.decision_id) if case.decision_id else None
    )
    before: dict[str, Any] = {"intent": case.intent}
    if decision is not None:
        before["confidence"] = round(decision.confidence, 4)
    case.intent = new
    return Feedback(
        kind="intent",
        by=by,
        before=before,
        after={"intent": new},
        reason=data.reason,
        model_version=decision.model_version if decision is not None else None,
    ), None


def _judge(
    session: Session, tenant: str, case: Case, data: FeedbackIn, by: str, now: datetime
) -> Handled:
    kind = _require(data.suggestion, "suggestion", data.action)
    target = _require(data.target, "target", data.action)
    if data.action == "reject":
        _require(data.reason, "reason", "reject")
    after: dict[str, Any] = {"suggestion": kind, "target": target}
    after.update({k: v for k, v in (("rank", data.rank), ("score", data.score)) if v is not None})
    accepted = data.action == "accept"
    return Feedback(
        kind="suggestion_accepted" if accepted else "suggestion_rejected",
        by=by,
        after=after,
        reason=data.reason,
    ), None


def _link(
    session: Session, tenant: str, case: Case, data: FeedbackIn, by: str, now: datetime
) -> Handled:
    article_id = _require(data.article_id, "article_id", "link")
    link = link_article(
        session,
        tenant,
        article_id,
        LinkIn(
            interaction_id=case.interaction_id,
            kind=LinkKind.reused,
            via=LinkVia(data.via),
            score=data.score,
        ),
        actor=by,
        now=now,
    )
    after: dict[str, Any] = {"article_id": article_id, "via": data.via}
    after.update({k: v for k, v in (("rank", data.rank), ("score", data.score)) if v is not None})
    return Feedback(kind="article_link", by=by, after=after), link


def _flag(
    session: Session, tenant: str, case: Case, data: FeedbackIn, by: str, now: datetime
) -> Handled:
    article_id = _require(data.article_id, "article_id", "flag")
    reason = _require(data.reason, "reason", "flag")
    link = link_article(
        session,
        tenant,
        article_id,
        LinkIn(
            interaction_id=case.interaction_id,
            kind=LinkKind.flagged,
            via=LinkVia(data.via),
            reason=reason,
        ),
        actor=by,
        now=now,
    )
    return Feedback(
        kind="article_flagged", by=by, after={"article_id": article_id}, reason=reason
    ), link


def _create(
    session: Session, tenant: str, case: Case, data: FeedbackIn, by: str, now: datetime
) -> Handled:
    found = InteractionRepository(session, tenant).get(case.interaction_id)
    if found is None:
        raise InvalidInputError(f"case {case.id}: its interaction no longer exists")
    language = found.language or case.language
    issue, resolution = redact_texts(
        [customer_text(found.turns or []), data.resolution or ""], [language, language]
    )
    title = data.title or _SENTENCE.split(issue.strip())[0][:120] or f"Case {case.id}"
    environment = "\n".join(f"{k}: {v}" for k, v in sorted((found.attributes or {}).items()))
    intents = [case.intent] if case.intent and case.intent != "unknown" else []
    article = create_article(
        session,
        tenant,
        ArticleIn(
            title=title,
            issue=issue,
            environment=environment,
            resolution=resolution,
            language=supported((language or "en")[:2]),
            source="case",
            owner=by,
            intents=intents,
        ),
        actor=by,
        can_publish=False,
        now=now,
    )
    link = link_article(
        session,
        tenant,
        article.id,
        LinkIn(interaction_id=case.interaction_id, kind=LinkKind.created, via=LinkVia.searched),
        actor=by,
        now=now,
    )
    return Feedback(kind="article_created", by=by, after={"article_id": article.id}), link


def _reply(
    session: Session, tenant: str, case: Case, data: FeedbackIn, by: str, now: datetime
) -> Handled:
    text = _require(data.text, "text", "reply")
    draft = None
    if data.article_id is not None:
        draft = reply_draft(
            session, tenant, language=case.language, articles=[], chosen=data.article_id
        )
    edited = draft is None or " ".join(draft.text.split()) != " ".join(text.split())
    # The reply is kept redacted: feedback events feed training, not the customer file.
    (redacted,) = redact_texts([text], [case.language])
    after: dict[str, Any] = {"text": redacted, "edited": edited}
    if data.article_id is not None:
        after["article_id"] = data.article_id
    return Feedback(kind="reply_sent", by=by, after=after), None


_HANDLERS = {
    "intent": _intent,
    "accept": _judge,
    "reject": _judge,
    "link": _link,
    "flag": _flag,
    "create_article": _create,
    "reply": _reply,
}
