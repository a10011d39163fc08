"""The knowledge base's pages: search and list, one article with its history, links, flags
and content reviews, and the forms that change it (state, restore, flag or link, review).

Every form carries the session's CSRF token; every change goes through the service the
API uses and is written to the audit log under the same action names.
"""

from __future__ import annotations

from typing import Annotated, Any

from babel.numbers import format_decimal
from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from criterio.auth.roles import Permission
from criterio.auth.schemas import Principal
from criterio.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from criterio.knowledge import service
from criterio.knowledge.models import Article
from criterio.knowledge.page_rules import (
    article_context,
    audit_for,
    can_publish,
    kb_page,
    not_found,
    refuse_publishers_only,
    when,
)
from criterio.knowledge.quality import review_quality
from criterio.knowledge.schemas import (
    QUALITY_ITEMS,
    ArticleState,
    Audience,
    LinkIn,
    LinkKind,
    LinkVia,
    QualityReviewIn,
)
from criterio.knowledge.search import SearchFilters, no_match_threshold, search_articles
from criterio.languages import LANGUAGES
from criterio.web.deps import SessionDep, commit_now
from criterio.web.pages import Page, check_form_csrf, page_require

__all__ = ["pages"]

pages = APIRouter(tags=["pages"], include_in_schema=False)
Reader = Annotated[Principal, Depends(page_require(Permission.read_articles))]
Writer = Annotated[Principal, Depends(page_require(Permission.write_articles))]
Linker = Annotated[Principal, Depends(page_require(Permission.link_articles))]
Publisher = Annotated[Principal, Depends(page_require(Permission.publish_articles))]
ArticleId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Csrf = Annotated[str, Form(max_length=100)]
PAGE_SIZE = 25
SEARCH_LIMIT = 20
#: The notices an article page shows after a change (``?done=``).
NOTICES = ("created", "edited", "unchanged", "state", "restored", "linked", "reviewed")


def _filters(state: str, audience: str, language: str) -> dict[str, str]:
    return {
        "state": state if state in ArticleState.__members__ else "",
        "audience": audience if audience in Audience.__members__ else "",
        "language": language if language in LANGUAGES else "",
    }


@pages.get("/kb", response_class=HTMLResponse)
def kb_list(
    request: Request,
    session: SessionDep,
    principal: Reader,
    q: Annotated[str, Query(max_length=500)] = "",
    state: Annotated[str, Query(max_length=20)] = "",
    audience: Annotated[str, Query(max_length=20)] = "",
    language: Annotated[str, Query(max_length=8)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Search the articles (hybrid search) or list them, filtered by state, audience, language."""
    view = kb_page(request, session, principal)
    chosen = _filters(state, audience, language)
    picked = {k: [v] if v else [] for k, v in chosen.items()}
    hits: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    more = False
    if q.strip():
        found = search_articles(
            session,
            principal.tenant,
            q,
            limit=SEARCH_LIMIT,
            filters=SearchFilters(
                states=tuple(picked["state"]),
                audiences=tuple(picked["audience"]),
                languages=tuple(picked["language"]),
            ),
        )
        threshold, _ = no_match_threshold(session, principal.tenant)
        hits = [
            {
                **h.model_dump(mode="json"),
                "score_text": format_decimal(h.score, format="0.00", locale=view.language),
                # Below the tenant's no_match threshold: a suggestion would not offer it.
                "weak": h.score < threshold,
            }
            for h in found
        ]
    else:
        articles = service.list_articles(
            session,
            principal.tenant,
            states=picked["state"],
            audiences=picked["audience"],
            languages=picked["language"],
            limit=PAGE_SIZE + 1,
            offset=(page - 1) * PAGE_SIZE,
        )
        more = len(articles) > PAGE_SIZE
        rows = [_row(a) for a in articles[:PAGE_SIZE]]
    return view.render(
        "kb_list.html",
        {
            "q": q,
            "filters": chosen,
            "hits": hits,
            "rows": rows,
            "searched": bool(q.strip()),
            "states": [s.value for s in ArticleState],
            "audiences": [a.value for a in Audience],
            "languages": LANGUAGES,
            "previous_link": view.url_with(page=page - 1) if page > 1 and not q else None,
            "next_link": view.url_with(page=page + 1) if more else None,
        },
    )


def _row(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "state": article.state,
        "audience": article.audience,
        "language": article.language,
        "owner": article.owner or "—",
        "version": article.version,
        "updated": when(article.updated_at),
    }


@pages.get("/kb/{article_id}", response_class=HTMLResponse)
def kb_article(
    request: Request,
    session: SessionDep,
    principal: Reader,
    article_id: ArticleId,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """One article: its KCS fields, state, history, links, flags and content reviews."""
    view = kb_page(request, session, principal)
    try:
        article = service.get_article(session, principal.tenant, article_id)
    except NotFoundError:
        return not_found(view)
    context = article_context(session, principal, article)
    context["done"] = done if done in NOTICES else ""
    return view.render("kb_article.html", context)


def _with_error(
    view: Page,
    session: Session,
    principal: Principal,
    article_id: int,
    error: tuple[str, str],
    form: dict[str, str],
) -> Response:
    """The article page again, the refused form's problem shown and what was typed kept."""
    session.rollback()
    try:
        article = service.get_article(session, principal.tenant, article_id)
    except NotFoundError:
        return not_found(view)
    context = article_context(session, principal, article, error=error, form=form)
    return view.render("kb_article.html", context, status=422)


def _posted(request: Request, session: Session, principal: Principal, article_id: int) -> Page:
    view = kb_page(request, session, principal)
    view.path = f"/kb/{article_id}"
    return view


def _done(article_id: int, notice: str) -> Response:
    return RedirectResponse(f"/kb/{article_id}?done={notice}", status_code=303)


@pages.post("/kb/{article_id}/state", response_class=HTMLResponse)
def kb_state(
    request: Request,
    session: SessionDep,
    principal: Writer,
    article_id: ArticleId,
    csrf_token: Csrf,
    state: Annotated[str, Form(max_length=20)],
    note: Annotated[str, Form(max_length=2_000)] = "",
) -> Response:
    """Move the article to another state (validating and archiving: leads and admins)."""
    check_form_csrf(request, csrf_token)
    view = _posted(request, session, principal, article_id)
    form = {"note": note}
    try:
        before = service.get_article(session, principal.tenant, article_id).state
        article = service.change_state(
            session,
            principal.tenant,
            article_id,
            ArticleState(state),
            actor=principal.username,
            can_publish=can_publish(principal),
            note=note.strip() or None,
        )
    except NotFoundError:
        return not_found(view)
    except PermissionDeniedError:
        refuse_publishers_only(request, session, principal, article_id)
    except (InvalidInputError, ValueError) as exc:
        message = exc.message if isinstance(exc, InvalidInputError) else f"state: {exc}"
        return _with_error(view, session, principal, article_id, ("state", message), form)
    audit_for(request, session, principal).record(
        "article_state", "article", [str(article_id)], detail={"from": before, "to": article.state}
    )
    commit_now(session)
    return _done(article_id, "state")


@pages.post("/kb/{article_id}/restore", response_class=HTMLResponse)
def kb_restore(
    request: Request,
    session: SessionDep,
    principal: Writer,
    article_id: ArticleId,
    csrf_token: Csrf,
    version: Annotated[int, Form(ge=1, le=1_000_000)],
) -> Response:
    """Bring back an earlier version's content as a new version (the state is kept)."""
    check_form_csrf(request, csrf_token)
    view = _posted(request, session, principal, article_id)
    try:
        service.restore_version(
            session,
            principal.tenant,
            article_id,
            version,
            actor=principal.username,
            can_publish=can_publish(principal),
        )
    except NotFoundError:
        return not_found(view)
    except PermissionDeniedError:
        refuse_publishers_only(request, session, principal, article_id)
    audit_for(request, session, principal).record(
        "restore_article", "article", [str(article_id)], detail={"restored": version}
    )
    commit_now(session)
    return _done(article_id, "restored")


@pages.post("/kb/{article_id}/links", response_class=HTMLResponse)
def kb_link(
    request: Request,
    session: SessionDep,
    principal: Linker,
    article_id: ArticleId,
    csrf_token: Csrf,
    kind: Annotated[str, Form(max_length=20)],
    interaction_id: Annotated[str, Form(max_length=200)] = "",
    via: Annotated[str, Form(max_length=20)] = LinkVia.searched.value,
    reason: Annotated[str, Form(max_length=5_000)] = "",
) -> Response:
    """Flag the article with a reason ("flag it or fix it"), or link it to an interaction."""
    check_form_csrf(request, csrf_token)
    view = _posted(request, session, principal, article_id)
    form = {"kind": kind, "interaction_id": interaction_id, "via": via, "reason": reason}
    section = "flag" if kind == LinkKind.flagged.value else "link"
    try:
        link = LinkIn(
            kind=kind,  # pydantic checks the values
            via=via,
            interaction_id=interaction_id.strip() or None,
            reason=reason.strip() or None,
        )
        service.link_article(session, principal.tenant, article_id, link, actor=principal.username)
    except NotFoundError:
        return not_found(view)
    except InvalidInputError as exc:
        return _with_error(view, session, principal, article_id, (section, exc.message), form)
    except ValidationError as exc:
        message = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())
        return _with_error(view, session, principal, article_id, (section, message), form)
    audit_for(request, session, principal).record(
        f"article_{link.kind.value}", "article", [str(article_id)], detail={"via": link.via.value}
    )
    commit_now(session)
    return _done(article_id, "linked")


@pages.post("/kb/{article_id}/quality", response_class=HTMLResponse)
def kb_quality(
    request: Request,
    session: SessionDep,
    principal: Publisher,
    article_id: ArticleId,
    csrf_token: Csrf,
    met: Annotated[list[str], Form(max_length=len(QUALITY_ITEMS))] = [],  # noqa: B006
    note: Annotated[str, Form(max_length=5_000)] = "",
) -> Response:
    """Score the article's current version on the content standard, item by item."""
    check_form_csrf(request, csrf_token)
    view = _posted(request, session, principal, article_id)
    review = QualityReviewIn(
        items={item: item in met for item in QUALITY_ITEMS}, note=note.strip() or None
    )
    try:
        stored = review_quality(
            session, principal.tenant, article_id, review, actor=principal.username
        )
    except NotFoundError:
        return not_found(view)
    audit_for(request, session, principal).record(
        "review_article", "article", [str(article_id)], detail={"score": stored.score}
    )
    commit_now(session)
    return _done(article_id, "reviewed")
