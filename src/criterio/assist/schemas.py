"""Wire formats of the agents' workspace: cases, the case page's parts, and the actions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ArticleSuggestion",
    "AssignIn",
    "CaseDetail",
    "CaseList",
    "CaseRead",
    "Contact",
    "CustomerContext",
    "EscalateIn",
    "FeedbackIn",
    "FeedbackOut",
    "GrantIn",
    "GrantList",
    "GrantRead",
    "QueueMembersIn",
    "QueueRead",
    "Reading",
    "ReplyDraft",
    "ResolveIn",
    "SimilarCase",
    "Suggestions",
    "Turn",
]

Name = Annotated[str, Field(min_length=1, max_length=200)]
Reason = Annotated[str, Field(min_length=1, max_length=5_000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CaseRead(BaseModel):
    """A case as listed: where it is, who has it, how long it has left."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    interaction_id: str
    queue: str
    priority: str
    status: str
    intent: str | None
    language: str | None
    channel: str | None
    assignee: str | None
    resolution_code: str | None
    escalation_reason: str | None
    reopen_count: int
    opened_at: datetime
    due_at: datetime
    assigned_at: datetime | None
    resolved_at: datetime | None
    #: Sentiment label the analysis read (None: not analysed).
    sentiment: str | None = None
    #: Seconds until ``due_at`` (negative: overdue) when the list was made.
    sla_seconds_left: float


class CaseList(BaseModel):
    """A page of cases in working order (priority, then age)."""

    items: list[CaseRead]
    #: The queues whose cases the caller may see (every queue for leads and admins).
    queues: list[str]


class Turn(BaseModel):
    """One turn of the conversation (redacted unless personal data was asked for)."""

    role: str
    text: str
    at: str | None = None


class Contact(BaseModel):
    """An earlier contact of the same customer."""

    interaction_id: str
    started_at: datetime
    channel: str | None
    intent: str | None
    #: ``resolved``, ``unresolved``, ``escalated``, an open case's status, or None.
    outcome: str | None
    resolution_code: str | None
    case_id: int | None


class CustomerContext(BaseModel):
    """The customer's last 30 days: earlier contacts, and cases still open."""

    customer_id: str | None
    days: int
    contacts: list[Contact]
    open_cases: list[CaseRead]


class Reading(BaseModel):
    """What the machine read in the interaction, and why it routed it."""

    language: str | None
    intent: str | None
    intent_confidence: float | None
    #: The intent triage read, when an agent has corrected it since.
    intent_read: str | None
    intent_source: str | None
    sentiment: str | None
    sentiment_score: float | None
    sentiment_first: float | None
    sentiment_last: float | None
    trajectory: str | None
    triage_action: str | None
    triage_reasons: list[str]
    threshold: float | None
    model_version: str | None


class ArticleSuggestion(BaseModel):
    """An article that may answer the case, with the passage that matched."""

    id: int
    article_id: str
    title: str
    score: float
    passage: str
    state: str
    language: str
    rank: int


class SimilarCase(BaseModel):
    """A solved contact like this one: how it was resolved, and with which article."""

    interaction_id: str
    case_id: int | None
    similarity: float
    resolution_code: str | None
    article_id: int | None
    article_title: str | None
    excerpt: str


class ReplyDraft(BaseModel):
    """A reply in the customer's language from an article's resolution (to edit)."""

    language: str
    article_id: int | None
    text: str
    #: The article's resolution as steps to check off.
    next_steps: list[str]


class Suggestions(BaseModel):
    """What may help decide: articles, solved cases, a reply and its steps."""

    articles: list[ArticleSuggestion]
    no_match: bool
    similar_cases: list[SimilarCase]
    reply: ReplyDraft | None


class CaseDetail(BaseModel):
    """Everything the case page shows."""

    case: CaseRead
    conversation: list[Turn]
    #: ``redacted`` (stored or made now), ``revealed`` (personal data shown, audited).
    conversation_state: str
    customer: CustomerContext
    reading: Reading
    suggestions: Suggestions
    #: KCS links and decisions already recorded on this case.
    linked_articles: list[int]


class AssignIn(_Strict):
    """Give the case to someone (agents: only to themselves)."""

    to: Name | None = None


class ResolveIn(_Strict):
    """Close the case with a resolution code."""

    resolution_code: Annotated[str, Field(min_length=1, max_length=100)]


class EscalateIn(_Strict):
    """Send the case up, saying why (and to which queue)."""

    reason: Reason
    queue: Annotated[str, Field(min_length=1, max_length=100)] | None = None


class FeedbackIn(_Strict):
    """One decision about what the machine said (``action`` says which fields apply).

    ``intent``: ``intent``. ``accept`` / ``reject``: ``suggestion`` (``article``,
    ``similar_case`` or ``reply``), ``target`` (its id) and, to reject, ``reason``.
    ``link``: ``article_id``, ``via`` (``suggested`` or ``searched``), ``score``.
    ``flag``: ``article_id`` and ``reason``. ``create_article``: optional ``title``
    and ``resolution``. ``reply``: ``text`` and the ``article_id`` it came from.
    """

    action: Literal["intent", "accept", "reject", "link", "flag", "create_article", "reply"]
    intent: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    suggestion: Literal["article", "similar_case", "reply"] | None = None
    target: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    article_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    via: Literal["suggested", "searched"] = "searched"
    score: float | None = Field(default=None, ge=0, le=1)
    rank: int | None = Field(default=None, ge=1, le=100)
    reason: Reason | None = None
    title: Annotated[str, Field(min_length=1, max_length=300)] | None = None
    resolution: Annotated[str, Field(max_length=20_000)] | None = None
    text: Annotated[str, Field(min_length=1, max_length=20_000)] | None = None


class FeedbackOut(BaseModel):
    """What an action recorded."""

    case_id: int
    action: str
    feedback_event_id: int | None
    link_id: int | None = None
    article_id: int | None = None


class QueueRead(BaseModel):
    """A queue and who works it."""

    queue: str
    members: list[str]


class QueueMembersIn(_Strict):
    """The members a queue should have (replacing its current ones)."""

    members: list[Name] = Field(max_length=1000)


class GrantIn(_Strict):
    """Let a user see cases' personal data: why (kept with the grant)."""

    reason: Annotated[str, Field(min_length=1, max_length=500)]


class GrantRead(BaseModel):
    """A personal-data grant: to whom, by whom, why, and whether it was revoked."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    reason: str
    granted_by: str
    granted_at: datetime
    revoked_by: str | None
    revoked_at: datetime | None


class GrantList(BaseModel):
    """The tenant's personal-data grants, newest first."""

    items: list[GrantRead]
