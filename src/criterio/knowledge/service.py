"""Article logic: create, edit, change state, restore; every change a version; KCS events.

Services take ``(session, tenant, *, ...)`` and flush; the caller commits. Who may do
what is the role matrix's business (the routers and CLI check it); the one rule that
depends on an article's state is here, as ``can_publish``: without it an editor may
only touch ``wip`` and ``not_validated`` articles and may not validate or archive.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from criterio.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from criterio.knowledge.models import Article, ArticleLink, ArticleVersion
from criterio.knowledge.repository import ArticleRepository, LinkRepository, VersionRepository
from criterio.knowledge.schemas import (
    CONTENT_FIELDS,
    TRANSITIONS,
    ArticleEdit,
    ArticleIn,
    ArticleRead,
    ArticleState,
    Audience,
    LinkIn,
    LinkKind,
    LinkRead,
    VersionRead,
)

__all__ = [
    "EDITABLE_STATES",
    "apply_changes",
    "automatable_articles",
    "change_state",
    "content_of",
    "create_article",
    "edit_article",
    "get_article",
    "history",
    "is_automatable",
    "link_article",
    "link_read",
    "links_of",
    "list_articles",
    "public_id",
    "restore_version",
    "to_read",
    "version_read",
]

#: States anyone who may write articles may edit; the others need ``can_publish``.
EDITABLE_STATES = frozenset({ArticleState.wip.value, ArticleState.not_validated.value})
_PUBLISHER_STATES = frozenset({ArticleState.validated.value, ArticleState.archived.value})


def is_automatable(article: Article) -> bool:
    """Whether the article may answer a customer with no person in between."""
    return article.state == ArticleState.validated.value and article.audience in (
        Audience.customer.value,
        Audience.public.value,
    )


def automatable_articles(session: Session, tenant: str) -> list[Article]:
    """The tenant's articles that may answer automatically: validated, for customers or public."""
    return ArticleRepository(session, tenant).list(
        states=[ArticleState.validated.value],
        audiences=[Audience.customer.value, Audience.public.value],
    )


def public_id(article: Article) -> str:
    """The id shown to integrations: the external id when there is one, else the row id."""
    return article.external_id or str(article.id)


def content_of(article: Article) -> dict[str, Any]:
    """The article's content fields as a plain dict (what a version stores)."""
    return {name: _copy(getattr(article, name)) for name in CONTENT_FIELDS}


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def get_article(session: Session, tenant: str, article_id: int, *, lock: bool = False) -> Article:
    """One article of the tenant; NotFoundError when there is none with that id."""
    repo = ArticleRepository(session, tenant)
    article = repo.get_for_update(article_id) if lock else repo.get(article_id)
    if article is None:
        raise NotFoundError(f"article {article_id} not found for tenant {tenant!r}")
    return article


def list_articles(
    session: Session,
    tenant: str,
    *,
    states: list[str] | None = None,
    audiences: list[str] | None = None,
    languages: list[str] | None = None,
    published_only: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[Article]:
    """The tenant's articles, newest first; ``published_only``: only automatable ones."""
    if published_only:
        states = [s for s in (states or [ArticleState.validated.value]) if s == "validated"]
        allowed = [Audience.customer.value, Audience.public.value]
        audiences = [a for a in (audiences or allowed) if a in allowed]
        if not states or not audiences:
            return []
    return ArticleRepository(session, tenant).list(
        states=states or (),
        audiences=audiences or (),
        languages=languages or (),
        limit=limit,
        offset=offset,
    )


def create_article(
    session: Session,
    tenant: str,
    data: ArticleIn,
    *,
    actor: str | None,
    can_publish: bool = True,
    action: str = "create",
    now: datetime | None = None,
) -> Article:
    """Store a new article and its first version."""
    if data.state.value in _PUBLISHER_STATES and not can_publish:
        raise PermissionDeniedError(f"only a lead or admin may create a {data.state.value} article")
    repo = ArticleRepository(session, tenant)
    if data.external_id is not None and repo.by_external_id(data.external_id) is not None:
        raise InvalidInputError(f"an article with external_id {data.external_id!r} exists")
    now = now or datetime.now(UTC)
    values = data.model_dump(mode="json")
    article = repo.add(
        Article(
            tenant=tenant,
            **values,
            version=1,
            created_by=actor,
            updated_by=actor,
            created_at=now,
            updated_at=now,
        )
    )
    _record_version(session, tenant, article, action, list(CONTENT_FIELDS), actor, now, None)
    session.flush()
    return article


def _record_version(
    session: Session,
    tenant: str,
    article: Article,
    action: str,
    changed: list[str],
    actor: str | None,
    now: datetime,
    note: str | None,
) -> None:
    VersionRepository(session, tenant).add(
        ArticleVersion(
            tenant=tenant,
            article_id=article.id,
            version=article.version,
            action=action,
            changed=changed,
            content=content_of(article),
            note=note,
            by=actor,
            at=now,
        )
    )


def apply_changes(
    session: Session,
    tenant: str,
    article: Article,
    values: dict[str, Any],
    *,
    action: str,
    actor: str | None,
    note: str | None,
    now: datetime | None,
) -> list[str]:
    """Set ``values`` on the article; a new version when anything changed. Returns what did."""
    changed = [k for k, v in values.items() if getattr(article, k) != v]
    if not changed:
        return []
    now = now or datetime.now(UTC)
    # A scoped UPDATE (not the unit of work's by primary key): every write names the tenant.
    ArticleRepository(session, tenant).update(
        article,
        {
            **{name: _copy(values[name]) for name in changed},
            "version": article.version + 1,
            "updated_by": actor,
            "updated_at": now,
        },
    )
    _record_version(session, tenant, article, action, changed, actor, now, note)
    session.flush()
    return changed


def _check_editable(article: Article, can_publish: bool) -> None:
    if article.state not in EDITABLE_STATES and not can_publish:
        raise PermissionDeniedError(
            f"article {article.id} is {article.state}: only a lead or admin may change it"
        )


def edit_article(
    session: Session,
    tenant: str,
    article_id: int,
    edit: ArticleEdit,
    *,
    actor: str | None,
    can_publish: bool = True,
    now: datetime | None = None,
) -> Article:
    """Change the fields given; a new version records who, when and which fields."""
    article = get_article(session, tenant, article_id, lock=True)
    _check_editable(article, can_publish)
    values = edit.model_dump(exclude_unset=True, exclude={"note"}, mode="json")
    # An explicit null: text fields become empty, label lists empty; the rest must have a
    # value (an article always has a title, a language and an audience); owner may be none.
    for name in ("issue", "environment", "resolution", "cause"):
        if name in values and values[name] is None:
            values[name] = ""
    for name in ("tags", "intents", "topics"):
        if name in values and values[name] is None:
            values[name] = []
    for name in ("title", "language", "audience"):
        if name in values and values[name] is None:
            raise InvalidInputError(f"{name}: may not be empty")
    apply_changes(
        session, tenant, article, values, action="edit", actor=actor, note=edit.note, now=now
    )
    return article


def change_state(
    session: Session,
    tenant: str,
    article_id: int,
    state: ArticleState,
    *,
    actor: str | None,
    can_publish: bool = True,
    note: str | None = None,
    now: datetime | None = None,
) -> Article:
    """Move an article along the KCS life cycle (only the transitions in ``TRANSITIONS``)."""
    article = get_article(session, tenant, article_id, lock=True)
    current = ArticleState(article.state)
    if state == current:
        return article
    if state not in TRANSITIONS[current]:
        options = ", ".join(s.value for s in TRANSITIONS[current])
        raise InvalidInputError(
            f"article {article_id} is {current.value}: it cannot become {state.value}; "
            f"allowed next: {options}"
        )
    if not can_publish and (current.value in _PUBLISHER_STATES or state.value in _PUBLISHER_STATES):
        raise PermissionDeniedError(
            f"only a lead or admin may move an article from {current.value} to {state.value}"
        )
    apply_changes(
        session,
        tenant,
        article,
        {"state": state.value},
        action="state",
        actor=actor,
        note=note,
        now=now,
    )
    return article


def restore_version(
    session: Session,
    tenant: str,
    article_id: int,
    version: int,
    *,
    actor: str | None,
    can_publish: bool = True,
    now: datetime | None = None,
) -> Article:
    """Bring back an earlier version's content (its state stays as it is now); a new version."""
    article = get_article(session, tenant, article_id, lock=True)
    _check_editable(article, can_publish)
    old = VersionRepository(session, tenant).get(article_id, version)
    if old is None:
        raise NotFoundError(f"article {article_id} has no version {version}")
    values = {k: v for k, v in old.content.items() if k in CONTENT_FIELDS and k != "state"}
    apply_changes(
        session,
        tenant,
        article,
        values,
        action="restore",
        actor=actor,
        note=f"restored version {version}",
        now=now,
    )
    return article


def history(session: Session, tenant: str, article_id: int) -> list[ArticleVersion]:
    """Every version of the article, newest first."""
    get_article(session, tenant, article_id)
    return VersionRepository(session, tenant).history(article_id)


def link_article(
    session: Session,
    tenant: str,
    article_id: int,
    link: LinkIn,
    *,
    actor: str | None,
    now: datetime | None = None,
) -> ArticleLink:
    """Record a KCS event: an interaction reused, created, improved or flagged the article."""
    article = get_article(session, tenant, article_id)
    if link.kind == LinkKind.flagged and not (link.reason and link.reason.strip()):
        raise InvalidInputError("reason: a flag needs a reason (what is wrong or missing)")
    if link.kind != LinkKind.flagged and link.interaction_id is None:
        raise InvalidInputError(f"interaction_id: required for a {link.kind.value} link")
    if link.kind == LinkKind.reused and article.state == ArticleState.archived.value:
        raise InvalidInputError(f"article {article_id} is archived: it cannot be reused")
    row = LinkRepository(session, tenant).add(
        ArticleLink(
            tenant=tenant,
            article_id=article.id,
            article_version=article.version,
            interaction_id=link.interaction_id,
            kind=link.kind.value,
            via=link.via.value,
            reason=link.reason,
            score=link.score,
            by=actor,
            at=now or datetime.now(UTC),
        )
    )
    if row.kind == LinkKind.flagged.value:
        _notify_owner(session, tenant, article, row)
    _touch_metrics(session, tenant, row)
    return row


def _touch_metrics(session: Session, tenant: str, link: ArticleLink) -> None:
    """The linked contact's day and the link's are recomputed at commit (metrics)."""
    from criterio.metrics.freshness import interaction_days, touch

    contacts = interaction_days(
        session, tenant, [link.interaction_id] if link.interaction_id else []
    )
    at = link.at if link.at.tzinfo else link.at.replace(tzinfo=UTC)
    touch(
        session,
        tenant,
        contact_days=contacts,
        event_days=[at.astimezone(UTC).date()],
        today=False,
        interactive=True,
    )


def _notify_owner(session: Session, tenant: str, article: Article, flag: ArticleLink) -> None:
    """Flag it or fix it: the owner hears of a flag through the tenant's webhooks."""
    from criterio.webhooks.service import enqueue

    payload = {
        "article_id": public_id(article),
        "title": article.title,
        "owner": article.owner,
        "state": article.state,
        "version": flag.article_version,
        "reason": flag.reason,
        "interaction_id": flag.interaction_id,
        "by": flag.by,
        "at": flag.at.isoformat(),
    }
    enqueue(session, tenant, "article.flagged", [payload])


def links_of(session: Session, tenant: str, article_id: int) -> list[ArticleLink]:
    """The article's KCS events, newest first."""
    get_article(session, tenant, article_id)
    return LinkRepository(session, tenant).for_article(article_id)


def to_read(article: Article) -> ArticleRead:
    """The wire form of an article."""
    return ArticleRead(
        id=article.id,
        article_id=public_id(article),
        automatable=is_automatable(article),
        **{
            name: getattr(article, name)
            for name in (*CONTENT_FIELDS, "version", "created_by", "updated_by")
        },
        created_at=article.created_at,
        updated_at=article.updated_at,
    )


def version_read(version: ArticleVersion) -> VersionRead:
    """The wire form of a version."""
    return VersionRead(
        version=version.version,
        action=version.action,
        changed=list(version.changed),
        content=dict(version.content),
        note=version.note,
        by=version.by,
        at=version.at,
    )


def link_read(link: ArticleLink) -> LinkRead:
    """The wire form of a link."""
    return LinkRead.model_validate(link, from_attributes=True)
