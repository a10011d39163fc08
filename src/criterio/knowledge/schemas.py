"""Wire and file formats of the knowledge base (articles, versions, links, search, suggest)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from criterio.languages import Language

__all__ = [
    "CONTENT_FIELDS",
    "QUALITY_ITEMS",
    "TRANSITIONS",
    "ArticleEdit",
    "ArticleIn",
    "ArticleRead",
    "ArticleState",
    "Audience",
    "LinkIn",
    "LinkKind",
    "LinkRead",
    "LinkVia",
    "QualityReviewIn",
    "QualityReviewRead",
    "RestoreIn",
    "SearchHit",
    "StateChangeIn",
    "SuggestIn",
    "Suggestion",
    "SuggestionsOut",
    "TurnIn",
    "VersionRead",
]


class ArticleState(StrEnum):
    """KCS confidence: work in progress, not validated, validated, archived."""

    wip = "wip"
    not_validated = "not_validated"
    validated = "validated"
    archived = "archived"


class Audience(StrEnum):
    """Who may read the article."""

    internal = "internal"
    customer = "customer"
    public = "public"


class LinkKind(StrEnum):
    """What an interaction did with an article (KCS: reuse, create, improve, flag)."""

    reused = "reused"
    created = "created"
    improved = "improved"
    flagged = "flagged"


class LinkVia(StrEnum):
    """How the article was found."""

    suggested = "suggested"
    searched = "searched"
    automated = "automated"


#: Non-linear KCS life cycle: an article can go back (to rework it, or out of the archive).
TRANSITIONS: dict[ArticleState, tuple[ArticleState, ...]] = {
    ArticleState.wip: (ArticleState.not_validated, ArticleState.validated, ArticleState.archived),
    ArticleState.not_validated: (ArticleState.wip, ArticleState.validated, ArticleState.archived),
    ArticleState.validated: (ArticleState.not_validated, ArticleState.archived),
    ArticleState.archived: (ArticleState.wip, ArticleState.not_validated),
}

#: The fields of an article a version records (what "what changed" compares).
CONTENT_FIELDS = (
    "title",
    "issue",
    "environment",
    "resolution",
    "cause",
    "language",
    "state",
    "audience",
    "owner",
    "tags",
    "intents",
    "topics",
    "external_id",
    "source",
)

Text = Field(default="", max_length=50_000)


def _no_nul(value: Any) -> Any:
    """Refuse NUL characters (PostgreSQL cannot store them), naming the field."""
    values = value if isinstance(value, list) else [value]
    if any(isinstance(v, str) and "\x00" in v for v in values):
        raise ValueError("contains a NUL character")
    return value


def _clean_labels(values: list[str]) -> list[str]:
    """Stripped, non-empty, unique labels in their first order."""
    seen: dict[str, None] = {}
    for value in values:
        value = value.strip()
        if value:
            seen.setdefault(value[:100], None)
    return list(seen)


class ArticleIn(BaseModel):
    """A new article (API, import files): KCS fields, language, state, audience, labels."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    external_id: str | None = Field(default=None, min_length=1, max_length=200)
    source: str | None = Field(default=None, max_length=64)
    title: str = Field(min_length=1, max_length=300)
    issue: str = Text
    environment: str = Text
    resolution: str = Text
    cause: str = Text
    language: Language = "en"
    state: ArticleState = ArticleState.wip
    audience: Audience = Audience.internal
    owner: str | None = Field(default=None, max_length=200)
    tags: list[str] = Field(default_factory=list, max_length=100)
    intents: list[str] = Field(default_factory=list, max_length=100)
    topics: list[str] = Field(default_factory=list, max_length=100)

    _labels = field_validator("tags", "intents", "topics")(_clean_labels)

    _nul = field_validator("*")(_no_nul)


class ArticleEdit(BaseModel):
    """An edit: only the fields given change (state changes go through their own call)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str | None = Field(default=None, min_length=1, max_length=300)
    issue: str | None = Field(default=None, max_length=50_000)
    environment: str | None = Field(default=None, max_length=50_000)
    resolution: str | None = Field(default=None, max_length=50_000)
    cause: str | None = Field(default=None, max_length=50_000)
    language: Language | None = None
    audience: Audience | None = None
    owner: str | None = Field(default=None, max_length=200)
    tags: list[str] | None = Field(default=None, max_length=100)
    intents: list[str] | None = Field(default=None, max_length=100)
    topics: list[str] | None = Field(default=None, max_length=100)
    note: str | None = Field(default=None, max_length=2_000)

    _nul = field_validator("*")(_no_nul)

    @field_validator("tags", "intents", "topics")
    @classmethod
    def _labels(cls, values: list[str] | None) -> list[str] | None:
        return None if values is None else _clean_labels(values)


class StateChangeIn(BaseModel):
    """Move an article to another confidence state, with an optional note."""

    model_config = ConfigDict(extra="forbid")

    state: ArticleState
    note: str | None = Field(default=None, max_length=2_000)

    _nul = field_validator("*")(_no_nul)


class ArticleRead(BaseModel):
    """One article as people and integrations see it."""

    id: int
    article_id: str
    external_id: str | None
    source: str | None
    title: str
    issue: str
    environment: str
    resolution: str
    cause: str
    language: str
    state: ArticleState
    audience: Audience
    owner: str | None
    tags: list[str]
    intents: list[str]
    topics: list[str]
    version: int
    #: Validated and meant for customers: the only articles that may answer automatically.
    automatable: bool
    created_by: str | None
    updated_by: str | None
    created_at: datetime
    updated_at: datetime


class VersionRead(BaseModel):
    """One version in an article's history."""

    version: int
    action: str
    changed: list[str]
    content: dict[str, Any]
    note: str | None
    by: str | None
    at: datetime


class LinkIn(BaseModel):
    """A KCS event on an article, from an interaction (or a flag with its reason)."""

    model_config = ConfigDict(extra="forbid")

    interaction_id: str | None = Field(default=None, min_length=1, max_length=200)
    kind: LinkKind
    via: LinkVia = LinkVia.searched
    reason: str | None = Field(default=None, max_length=5_000)
    score: float | None = Field(default=None, ge=0, le=1)

    _nul = field_validator("*")(_no_nul)


class LinkRead(BaseModel):
    """A stored KCS event."""

    id: int
    article_id: int
    article_version: int
    interaction_id: str | None
    kind: LinkKind
    via: LinkVia
    reason: str | None
    score: float | None
    by: str | None
    at: datetime


class SearchHit(BaseModel):
    """An article found by a search, with its match score and the passage that matched."""

    article_id: str
    id: int
    title: str
    score: float
    passage: str
    state: ArticleState
    audience: Audience
    language: str


class Suggestion(BaseModel):
    """One suggested article for an interaction."""

    article_id: str
    score: float
    title: str
    passage: str


class SuggestionsOut(BaseModel):
    """The suggestions for one interaction: ``no_match`` when none reaches the threshold."""

    id: str
    suggestions: list[Suggestion]
    no_match: bool


#: The content standard checklist (KCS article quality review), one item each.
QUALITY_ITEMS = (
    "title_in_customer_words",
    "issue_complete",
    "environment_complete",
    "resolution_actionable",
    "cause_stated",
    "one_issue_per_article",
    "no_sensitive_data",
    "audience_right",
)


class QualityReviewIn(BaseModel):
    """A lead's content standard review: every checklist item met or not, and a note."""

    model_config = ConfigDict(extra="forbid")

    items: dict[str, bool]
    note: str | None = Field(default=None, max_length=5_000)

    _nul = field_validator("note")(_no_nul)

    @field_validator("items")
    @classmethod
    def _every_item(cls, items: dict[str, bool]) -> dict[str, bool]:
        unknown = sorted(set(items) - set(QUALITY_ITEMS))
        missing = [i for i in QUALITY_ITEMS if i not in items]
        if unknown:
            raise ValueError(f"unknown checklist items: {', '.join(unknown)}")
        if missing:
            raise ValueError(f"every item must be scored; missing: {', '.join(missing)}")
        return {i: items[i] for i in QUALITY_ITEMS}


class QualityReviewRead(BaseModel):
    """A stored quality review of one version of an article."""

    id: int
    article_id: int
    article_version: int
    items: dict[str, bool]
    score: float
    note: str | None
    by: str | None
    at: datetime


class RestoreIn(BaseModel):
    """Which earlier version to bring back."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=1_000_000)


class TurnIn(BaseModel):
    """One turn of an interaction (only customer turns are searched with)."""

    role: str = Field(default="customer", max_length=16)
    text: str = Field(default="", max_length=50_000)


class SuggestIn(BaseModel):
    """An interaction: ``{"id", "text"}`` or the data contract (other fields are ignored)."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1, max_length=200)
    text: str | None = Field(default=None, max_length=50_000)
    turns: list[TurnIn] | None = Field(default=None, max_length=500)
    labels: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _has_text(self) -> SuggestIn:
        if not self.text and not self.turns:
            raise ValueError("give text or turns")
        return self
