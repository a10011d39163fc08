"""The article editor page: create or edit an article, preview it before saving.

The form posts every field; its "Preview" button renders the article as it would be
shown (Markdown as HTML, and, for an edit, which fields would change) without saving;
"Save" creates the article (``wip``) or stores the edit as a new version. An edit made
on an out-of-date copy (someone saved a version since the form was opened) is refused
with the form kept, so nobody overwrites another person's change unknowingly.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from criterio.auth.roles import Permission
from criterio.auth.schemas import Principal
from criterio.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from criterio.knowledge import service
from criterio.knowledge.models import Article
from criterio.knowledge.page_rules import (
    TEXT_MAX,
    article_body,
    audit_for,
    can_edit,
    can_publish,
    kb_page,
    not_found,
    refuse_publishers_only,
)
from criterio.knowledge.schemas import ArticleEdit, ArticleIn, ArticleState, Audience
from criterio.languages import LANGUAGES
from criterio.web.deps import SessionDep, commit_now
from criterio.web.i18n import translator
from criterio.web.pages import Page, check_form_csrf, page_require

__all__ = ["editor_pages"]

editor_pages = APIRouter(tags=["pages"], include_in_schema=False)
Writer = Annotated[Principal, Depends(page_require(Permission.write_articles))]
ArticleId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Text = Annotated[str, Form(max_length=TEXT_MAX)]
Short = Annotated[str, Form(max_length=2_000)]
#: The editor's fields, in the form's order (labels: comma-separated).
FIELDS = (
    "title",
    "issue",
    "environment",
    "resolution",
    "cause",
    "language",
    "audience",
    "owner",
    "tags",
    "intents",
    "topics",
)
LABEL_FIELDS = ("tags", "intents", "topics")
_SPLIT = re.compile(r"[,\n]")


def _labels(text: str) -> list[str]:
    return [part.strip() for part in _SPLIT.split(text) if part.strip()]


def _editor_fields(
    title: Annotated[str, Form(max_length=300)] = "",
    issue: Text = "",
    environment: Text = "",
    resolution: Text = "",
    cause: Text = "",
    language: Annotated[str, Form(max_length=8)] = "",
    audience: Annotated[str, Form(max_length=20)] = "",
    owner: Annotated[str, Form(max_length=200)] = "",
    tags: Short = "",
    intents: Short = "",
    topics: Short = "",
) -> dict[str, str]:
    """The article fields of a posted editor form, as typed (for a new article or an edit)."""
    return {
        "title": title, "issue": issue, "environment": environment, "resolution": resolution,
        "cause": cause, "language": language, "audience": audience, "owner": owner,
        "tags": tags, "intents": intents, "topics": topics,
    }  # fmt: skip


EditorFields = Annotated[dict[str, str], Depends(_editor_fields)]


def _form_of(article: Article) -> dict[str, str]:
    values = service.content_of(article)
    form = {name: str(values.get(name) or "") for name in FIELDS if name not in LABEL_FIELDS}
    form.update({name: ", ".join(values.get(name) or []) for name in LABEL_FIELDS})
    return {**form, "note": "", "version": str(article.version)}


def _values(form: dict[str, str]) -> dict[str, Any]:
    """The form's fields as the schema takes them (labels split, an empty owner is none)."""
    values: dict[str, Any] = {name: form[name] for name in FIELDS if name not in LABEL_FIELDS}
    values.update({name: _labels(form[name]) for name in LABEL_FIELDS})
    values["owner"] = form["owner"].strip() or None
    return values


def _problems(view: Page, exc: ValidationError) -> list[str]:
    t = translator(view.language)
    return [
        f"{t('kb.field.' + str(e['loc'][0]), default=str(e['loc'][0]))}: {e['msg']}"
        for e in exc.errors()
    ]


def _render(
    view: Page,
    *,
    form: dict[str, str],
    article: Article | None,
    preview: dict[str, Any] | None = None,
    problems: list[str] | None = None,
    status: int = 200,
) -> Response:
    return view.render(
        "kb_editor.html",
        {
            "form": form,
            "article": article,
            "preview": preview,
            "problems": problems or [],
            "languages": LANGUAGES,
            "audiences": [a.value for a in Audience],
            "text_max": TEXT_MAX,
            "action": f"/kb/{article.id}/edit" if article is not None else "/kb/new",
        },
        status=status,
    )


def _preview(values: dict[str, Any], article: Article | None) -> dict[str, Any]:
    """The article as the form would leave it, and (for an edit) which fields change."""
    current = service.content_of(article) if article is not None else {}
    return {
        "title": values["title"],
        "language": values["language"],
        "audience": values["audience"],
        "owner": values["owner"] or "",
        "state": article.state if article is not None else ArticleState.wip.value,
        "labels": {name: values[name] for name in LABEL_FIELDS},
        "body": article_body(values),
        "changed": [k for k, v in values.items() if current.get(k) != v] if article else None,
    }


@editor_pages.get("/kb/new", response_class=HTMLResponse)
def new_article(request: Request, session: SessionDep, principal: Writer) -> Response:
    """An empty editor: the article starts as work in progress, owned by its writer."""
    view = kb_page(request, session, principal)
    form = {name: "" for name in FIELDS} | {
        "language": view.language,
        "audience": Audience.internal.value,
        "owner": principal.username,
        "note": "",
        "version": "",
    }
    return _render(view, form=form, article=None)


@editor_pages.post("/kb/new", response_class=HTMLResponse)
def create_article(
    request: Request,
    session: SessionDep,
    principal: Writer,
    csrf_token: Annotated[str, Form(max_length=100)],
    fields: EditorFields,
    action: Annotated[str, Form(max_length=10)] = "preview",
) -> Response:
    """Preview the new article, or save it as ``wip`` (version 1) and open it."""
    check_form_csrf(request, csrf_token)
    view = kb_page(request, session, principal)
    view.path = "/kb/new"
    form = fields | {"note": "", "version": ""}
    values = _values(form)
    try:
        data = ArticleIn(**values, state=ArticleState.wip)
    except ValidationError as exc:
        return _render(view, form=form, article=None, problems=_problems(view, exc), status=422)
    if action != "save":
        return _render(view, form=form, article=None, preview=_preview(data.model_dump(), None))
    created = service.create_article(
        session,
        principal.tenant,
        data,
        actor=principal.username,
        can_publish=can_publish(principal),
    )
    audit_for(request, session, principal).record(
        "create_article", "article", [str(created.id)], detail={"state": created.state}
    )
    commit_now(session)
    return RedirectResponse(f"/kb/{created.id}?done=created", status_code=303)


def _editable(
    request: Request,
    session: Session,
    principal: Principal,
    view: Page,
    article_id: int,
    *,
    lock: bool = False,
) -> Article | Response:
    """The article, if this user may edit it now (else the 403 page, audited)."""
    try:
        article = service.get_article(session, principal.tenant, article_id, lock=lock)
    except NotFoundError:
        return not_found(view)
    if not can_edit(principal, article):
        refuse_publishers_only(request, session, principal, article_id)
    return article


@editor_pages.get("/kb/{article_id}/edit", response_class=HTMLResponse)
def edit_form(
    request: Request, session: SessionDep, principal: Writer, article_id: ArticleId
) -> Response:
    """The editor filled with the article's current version."""
    view = kb_page(request, session, principal)
    article = _editable(request, session, principal, view, article_id)
    if isinstance(article, Response):
        return article
    return _render(view, form=_form_of(article), article=article)


@editor_pages.post("/kb/{article_id}/edit", response_class=HTMLResponse)
def save_edit(
    request: Request,
    session: SessionDep,
    principal: Writer,
    article_id: ArticleId,
    csrf_token: Annotated[str, Form(max_length=100)],
    version: Annotated[int, Form(ge=1, le=1_000_000)],
    fields: EditorFields,
    note: Short = "",
    action: Annotated[str, Form(max_length=10)] = "preview",
) -> Response:
    """Preview the edit, or save it as a new version (refused if the copy is out of date)."""
    check_form_csrf(request, csrf_token)
    view = kb_page(request, session, principal)
    view.path = f"/kb/{article_id}/edit"
    # Locked: no other save can slip in between the version check and this one.
    article = _editable(request, session, principal, view, article_id, lock=True)
    if isinstance(article, Response):
        return article
    form = fields | {"note": note, "version": str(version)}
    values = _values(form)
    try:
        edit = ArticleEdit(**values, note=note.strip() or None)
    except ValidationError as exc:
        return _render(view, form=form, article=article, problems=_problems(view, exc), status=422)
    if version != article.version:
        t = translator(view.language)
        stale = t("kb.editor.stale", version=article.version, by=article.updated_by or "—")
        return _render(view, form=form, article=article, problems=[stale], status=409)
    if action != "save":
        preview = _preview(edit.model_dump(exclude={"note"}, mode="json"), article)
        return _render(view, form=form, article=article, preview=preview)
    try:
        service.edit_article(
            session,
            principal.tenant,
            article_id,
            edit,
            actor=principal.username,
            can_publish=can_publish(principal),
        )
    except PermissionDeniedError:
        refuse_publishers_only(request, session, principal, article_id)
    except InvalidInputError as exc:
        session.rollback()
        return _render(view, form=form, article=article, problems=[exc.message], status=422)
    if article.version == version:
        return RedirectResponse(f"/kb/{article_id}?done=unchanged", status_code=303)
    audit_for(request, session, principal).record(
        "edit_article", "article", [str(article_id)], detail={"version": article.version}
    )
    commit_now(session)
    return RedirectResponse(f"/kb/{article_id}?done=edited", status_code=303)
