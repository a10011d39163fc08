"""What the knowledge pages share: their language, who may do what to an article, refusals,
and what an article page shows.

The role matrix (``auth/roles.py``) says who may write, link and publish; the one rule
that depends on an article's state (validated and archived articles are for leads and
admins) is the service's, and these helpers only ask it the same question so a page
offers no button the server would refuse.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NoReturn

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from criterio.auth.roles import Permission, allowed
from criterio.auth.schemas import Principal
from criterio.insights.browse import tenant_page_language
from criterio.knowledge import service
from criterio.knowledge.models import Article
from criterio.knowledge.quality import quality_reviews
from criterio.knowledge.schemas import (
    QUALITY_ITEMS,
    TRANSITIONS,
    ArticleState,
    LinkKind,
    LinkVia,
)
from criterio.knowledge.service import EDITABLE_STATES
from criterio.web.audit import Audit
from criterio.web.deps import audit_denied
from criterio.web.i18n import translator
from criterio.web.markdown import markdown_html
from criterio.web.pages import Page, PageForbiddenError

__all__ = [
    "BODY_FIELDS",
    "TEXT_MAX",
    "article_body",
    "article_context",
    "audit_for",
    "can_edit",
    "can_publish",
    "kb_page",
    "next_states",
    "not_found",
    "quality_rows",
    "refuse_publishers_only",
    "when",
]

#: The KCS fields shown as text, in the order a reader needs them.
BODY_FIELDS = ("issue", "environment", "resolution", "cause")
#: Longest text an article field takes (the schema's limit).
TEXT_MAX = 50_000
_PUBLISHER_STATES = frozenset({ArticleState.validated.value, ArticleState.archived.value})


def kb_page(request: Request, session: Session, principal: Principal) -> Page:
    """The page's language: the user's choice, the browser's, else the tenant's."""
    return Page.for_request(
        request, principal, lambda: tenant_page_language(session, principal.tenant)
    )


def can_publish(principal: Principal) -> bool:
    """Leads and admins: validate, archive, change validated or archived articles."""
    return allowed(principal.role, Permission.publish_articles)


def can_edit(principal: Principal, article: Article) -> bool:
    """Whether the user may edit or restore the article in its present state."""
    if not allowed(principal.role, Permission.write_articles):
        return False
    return article.state in EDITABLE_STATES or can_publish(principal)


def next_states(principal: Principal, article: Article) -> list[str]:
    """The states the user may move the article to now (the life cycle and the role)."""
    if not allowed(principal.role, Permission.write_articles):
        return []
    current = ArticleState(article.state)
    return [
        s.value
        for s in TRANSITIONS[current]
        if can_publish(principal)
        or (current.value not in _PUBLISHER_STATES and s.value not in _PUBLISHER_STATES)
    ]


def audit_for(request: Request, session: Session, principal: Principal) -> Audit:
    """The audit log bound to the signed-in user and this request."""
    return Audit.bind(request, session, tenant=principal.tenant, actor=principal.username)


def refuse_publishers_only(
    request: Request, session: Session, principal: Principal, article_id: int
) -> NoReturn:
    """A change only publishers may make: audit the refusal (as the API's 403s), answer 403."""
    session.rollback()  # nothing half done stays, and SQLite's lock is free for the audit
    audit_denied(request, principal, Permission.publish_articles)
    raise PageForbiddenError("kb.error.publishers_only", back=f"/kb/{article_id}")


def not_found(view: Page) -> Response:
    """The 404 page for an article the tenant does not have."""
    t = translator(view.language)
    return view.render(
        "error.html",
        {"message": t("kb.not_found"), "back": "/kb", "back_key": "kb.back_to_list"},
        404,
    )


def when(value: datetime | None) -> str:
    """A stored time for people (UTC, to the minute)."""
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else "—"


def article_body(values: dict[str, Any]) -> list[dict[str, Any]]:
    """The KCS text fields as sections of rendered Markdown (empty ones marked empty)."""
    return [
        {"name": name, "html": markdown_html(str(values.get(name) or ""))} for name in BODY_FIELDS
    ]


def quality_rows(reviews: list[Any]) -> list[dict[str, Any]]:
    """Content standard reviews for the page: score, items met and missed."""
    return [
        {
            "at": when(r.at),
            "by": r.by or "—",
            "version": r.article_version,
            "score": round(100 * r.score),
            "met": [i for i in QUALITY_ITEMS if r.items.get(i)],
            "missed": [i for i in QUALITY_ITEMS if not r.items.get(i)],
            "note": r.note or "",
        }
        for r in reviews
    ]


def article_context(
    session: Session,
    principal: Principal,
    article: Article,
    *,
    error: tuple[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What the article page shows; ``error`` is (the form it concerns, the message)."""
    versions = service.history(session, principal.tenant, article.id)
    links = service.links_of(session, principal.tenant, article.id)
    link_rows = [
        {
            "interaction": k.interaction_id or "—",
            "kind": k.kind,
            "via": k.via,
            "version": k.article_version,
            "score": f"{k.score:.2f}" if k.score is not None else "—",
            "reason": k.reason or "",
            "by": k.by or "—",
            "at": when(k.at),
        }
        for k in links
    ]
    return {
        "a": service.to_read(article),
        "body": article_body(service.content_of(article)),
        "history": [
            {
                "version": v.version,
                "action": v.action,
                "changed": list(v.changed),
                "note": v.note or "",
                "by": v.by or "—",
                "at": when(v.at),
                "current": v.version == article.version,
                "title": str(v.content.get("title", "")),
                "body": article_body(v.content),
            }
            for v in versions
        ],
        "links": link_rows,
        "flags": [k for k in link_rows if k["kind"] == LinkKind.flagged.value],
        "reviews": quality_rows(quality_reviews(session, principal.tenant, article.id)),
        "may_edit": can_edit(principal, article),
        "may_link": allowed(principal.role, Permission.link_articles),
        "may_review": can_publish(principal),
        "writer": allowed(principal.role, Permission.write_articles),
        "next_states": next_states(principal, article),
        "link_kinds": [k.value for k in LinkKind if k != LinkKind.flagged],
        "vias": [v.value for v in LinkVia],
        "quality_items": QUALITY_ITEMS,
        "error": error,
        "form": form or {},
        "done": "",
    }
