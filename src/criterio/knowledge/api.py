"""REST endpoints of the knowledge base under ``/api/v1/kb``: articles, history, links,
search and suggestions. The tenant comes from the credentials; another tenant's article
is a 404. Integrations see published articles only (validated, customer or public)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from criterio.auth.roles import Permission, allowed
from criterio.auth.schemas import Principal
from criterio.errors import NotFoundError
from criterio.knowledge import service
from criterio.knowledge.quality import quality_reviews, review_quality, review_read
from criterio.knowledge.schemas import (
    ArticleEdit,
    ArticleIn,
    ArticleRead,
    ArticleState,
    Audience,
    LinkIn,
    LinkRead,
    QualityReviewIn,
    QualityReviewRead,
    RestoreIn,
    SearchHit,
    StateChangeIn,
    SuggestIn,
    SuggestionsOut,
    VersionRead,
)
from criterio.knowledge.search import SearchFilters, search_articles, suggest
from criterio.web.audit import AuditDep
from criterio.web.deps import SessionDep, commit_now, require

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/kb", tags=["knowledge"])
Reader = Annotated[Principal, Depends(require(Permission.read_articles))]
PublishedReader = Annotated[Principal, Depends(require(Permission.read_published_articles))]
Writer = Annotated[Principal, Depends(require(Permission.write_articles))]
Linker = Annotated[Principal, Depends(require(Permission.link_articles))]
Publisher = Annotated[Principal, Depends(require(Permission.publish_articles))]
ArticleId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The article's id.")]
Limit = Annotated[int, Query(ge=1, le=50)]


def _published_only(principal: Principal) -> bool:
    return not allowed(principal.role, Permission.read_articles)


def _can_publish(principal: Principal) -> bool:
    return allowed(principal.role, Permission.publish_articles)


@router.get("/articles", response_model=list[ArticleRead])
def list_articles(
    session: SessionDep,
    principal: PublishedReader,
    state: Annotated[list[ArticleState], Query(description="Only these states.")] = [],  # noqa: B006
    audience: Annotated[list[Audience], Query(description="Only these audiences.")] = [],  # noqa: B006
    language: Annotated[list[Annotated[str, Query(max_length=8)]], Query()] = [],  # noqa: B006
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[ArticleRead]:
    """The tenant's articles, most recently updated first (integrations: published only)."""
    rows = service.list_articles(
        session,
        principal.tenant,
        states=[s.value for s in state],
        audiences=[a.value for a in audience],
        languages=language,
        published_only=_published_only(principal),
        limit=limit,
        offset=offset,
    )
    return [service.to_read(a) for a in rows]


@router.post("/articles", response_model=ArticleRead, status_code=201)
def create(audit: AuditDep, session: SessionDep, principal: Writer, data: ArticleIn) -> ArticleRead:
    """Capture a new article (agents: ``wip`` or ``not_validated``); its version 1."""
    article = service.create_article(
        session,
        principal.tenant,
        data,
        actor=principal.username,
        can_publish=_can_publish(principal),
    )
    audit.record("create_article", "article", [str(article.id)], detail={"state": article.state})
    commit_now(session)
    return service.to_read(article)


@router.get("/articles/{article_id}", response_model=ArticleRead)
def get_one(session: SessionDep, principal: PublishedReader, article_id: ArticleId) -> ArticleRead:
    """One article (integrations: only a published one; any other is a 404)."""
    article = service.get_article(session, principal.tenant, article_id)
    if _published_only(principal) and not service.is_automatable(article):
        raise NotFoundError(f"article {article_id} not found for tenant {principal.tenant!r}")
    return service.to_read(article)


@router.patch("/articles/{article_id}", response_model=ArticleRead)
def edit(
    audit: AuditDep,
    session: SessionDep,
    principal: Writer,
    article_id: ArticleId,
    change: ArticleEdit,
) -> ArticleRead:
    """Change the fields given; a new version records who, when and what changed."""
    article = service.edit_article(
        session,
        principal.tenant,
        article_id,
        change,
        actor=principal.username,
        can_publish=_can_publish(principal),
    )
    audit.record("edit_article", "article", [str(article_id)], detail={"version": article.version})
    commit_now(session)
    return service.to_read(article)


@router.post(
    "/articles/{article_id}/state",
    response_model=ArticleRead,
    responses={422: {"description": "A change the life cycle does not allow"}},
)
def change_state(
    audit: AuditDep,
    session: SessionDep,
    principal: Writer,
    article_id: ArticleId,
    change: StateChangeIn,
) -> ArticleRead:
    """Move the article along wip ↔ not_validated ↔ validated ↔ archived (validating and
    archiving, or changing a validated or archived article: leads and admins)."""
    before = service.get_article(session, principal.tenant, article_id).state
    article = service.change_state(
        session,
        principal.tenant,
        article_id,
        change.state,
        actor=principal.username,
        can_publish=_can_publish(principal),
        note=change.note,
    )
    audit.record(
        "article_state", "article", [str(article_id)], detail={"from": before, "to": article.state}
    )
    commit_now(session)
    return service.to_read(article)


@router.get("/articles/{article_id}/versions", response_model=list[VersionRead])
def versions(session: SessionDep, principal: Reader, article_id: ArticleId) -> list[VersionRead]:
    """Every version of the article, newest first: who, when, what changed, the content."""
    return [service.version_read(v) for v in service.history(session, principal.tenant, article_id)]


@router.post("/articles/{article_id}/restore", response_model=ArticleRead)
def restore(
    audit: AuditDep, session: SessionDep, principal: Writer, article_id: ArticleId, body: RestoreIn
) -> ArticleRead:
    """Bring back an earlier version's content as a new version (the state is kept)."""
    article = service.restore_version(
        session,
        principal.tenant,
        article_id,
        body.version,
        actor=principal.username,
        can_publish=_can_publish(principal),
    )
    audit.record("restore_article", "article", [str(article_id)], detail={"restored": body.version})
    commit_now(session)
    return service.to_read(article)


@router.get("/articles/{article_id}/links", response_model=list[LinkRead])
def links(session: SessionDep, principal: Reader, article_id: ArticleId) -> list[LinkRead]:
    """The article's KCS events (reused, created, improved, flagged), newest first."""
    return [service.link_read(k) for k in service.links_of(session, principal.tenant, article_id)]


@router.post("/articles/{article_id}/links", response_model=LinkRead, status_code=201)
def add_link(
    audit: AuditDep, session: SessionDep, principal: Linker, article_id: ArticleId, link: LinkIn
) -> LinkRead:
    """Record a KCS event; a ``flagged`` one needs a reason and shows in the owner's list."""
    stored = service.link_article(
        session, principal.tenant, article_id, link, actor=principal.username
    )
    audit.record(
        f"article_{link.kind.value}", "article", [str(article_id)], detail={"via": link.via.value}
    )
    commit_now(session)
    return service.link_read(stored)


@router.get("/articles/{article_id}/quality", response_model=list[QualityReviewRead])
def quality(
    session: SessionDep, principal: Reader, article_id: ArticleId
) -> list[QualityReviewRead]:
    """The article's content standard reviews, newest first."""
    return [review_read(r) for r in quality_reviews(session, principal.tenant, article_id)]


@router.post("/articles/{article_id}/quality", response_model=QualityReviewRead, status_code=201)
def add_quality(
    audit: AuditDep,
    session: SessionDep,
    principal: Publisher,
    article_id: ArticleId,
    review: QualityReviewIn,
) -> QualityReviewRead:
    """Score the article's current version on every checklist item (leads and admins)."""
    stored = review_quality(session, principal.tenant, article_id, review, actor=principal.username)
    audit.record("review_article", "article", [str(article_id)], detail={"score": stored.score})
    commit_now(session)
    return review_read(stored)


@router.get("/search", response_model=list[SearchHit])
def search(
    session: SessionDep,
    principal: PublishedReader,
    q: Annotated[str, Query(min_length=1, max_length=5_000, description="What to look for.")],
    limit: Limit = 5,
    state: Annotated[list[ArticleState], Query()] = [],  # noqa: B006
    audience: Annotated[list[Audience], Query()] = [],  # noqa: B006
    language: Annotated[list[Annotated[str, Query(max_length=8)]], Query()] = [],  # noqa: B006
) -> list[SearchHit]:
    """Hybrid search (BM25 + character n-grams + static vectors, fused by rank)."""
    filters = SearchFilters(
        states=tuple(s.value for s in state),
        audiences=tuple(a.value for a in audience),
        languages=tuple(language),
        published_only=_published_only(principal),
    )
    return search_articles(session, principal.tenant, q, limit=limit, filters=filters)


@router.post("/suggest", response_model=SuggestionsOut)
def suggest_for(
    session: SessionDep, principal: PublishedReader, interaction: SuggestIn, limit: Limit = 5
) -> SuggestionsOut:
    """Articles for an interaction's customer turns, and ``no_match`` below the threshold."""
    record = interaction.model_dump(exclude_none=True)
    return suggest(
        session,
        principal.tenant,
        [record],
        limit=limit,
        published_only=_published_only(principal),
    )[0]
