"""The leads' ``/queues`` page: who works which queue, and which agents may see cases'
personal data (grants of :mod:`criterio.assist.grants`). Same services as the REST API."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from criterio.assist.api import worker_of
from criterio.assist.grants import grant_personal_data, list_grants, revoke_personal_data
from criterio.assist.service import queue_members
from criterio.assist.workspace import queue_names, set_queue
from criterio.auth.repository import UserRepository
from criterio.auth.roles import Permission, allowed
from criterio.auth.schemas import Principal
from criterio.errors import CriterioError
from criterio.insights.browse import tenant_page_language
from criterio.web.audit import Audit
from criterio.web.deps import SessionDep
from criterio.web.pages import Page, check_form_csrf, page_require

__all__ = ["queue_pages"]

queue_pages = APIRouter(tags=["pages"], include_in_schema=False)
Lead = Annotated[Principal, Depends(page_require(Permission.manage_queues))]
Granter = Annotated[Principal, Depends(page_require(Permission.grant_personal_data))]
_NAMES = re.compile(r"[\s,;]+")


def _page(request: Request, session: Session, principal: Principal) -> Page:
    return Page.for_request(
        request, principal, lambda: tenant_page_language(session, principal.tenant)
    )


def _audit(request: Request, session: Session, principal: Principal) -> Audit:
    return Audit.bind(request, session, tenant=principal.tenant, actor=principal.username)


@queue_pages.get("/queues", response_class=HTMLResponse)
def members_page(
    request: Request,
    session: SessionDep,
    principal: Lead,
    saved: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """Who works which queue (leads and admins), with a form per queue, and the agents
    granted to see personal data."""
    view = _page(request, session, principal)
    return view.render("ws_queues.html", _members_context(session, principal, saved=saved))


def _members_context(session: Session, principal: Principal, *, saved: str) -> dict[str, Any]:
    worker = worker_of(session, principal)
    members = queue_members(session, principal.tenant)
    users = UserRepository(session, principal.tenant).list()
    may_grant = allowed(principal.role, Permission.grant_personal_data)
    grants = list_grants(session, principal.tenant) if may_grant else []
    granted = {g.username for g in grants}
    return {
        "queues": [
            {"name": q, "members": members.get(q, [])}
            for q in queue_names(session, principal.tenant, worker)
        ],
        "users": [u.username for u in users],
        "may_grant": may_grant,
        "grants": grants,
        # Who a grant would change something for: works cases, lacks the role's permission.
        "grantable": [
            u.username
            for u in users
            if not u.disabled
            and allowed(u.role, Permission.work_cases)
            and not allowed(u.role, Permission.view_personal_data)
            and u.username not in granted
        ],
        "saved": saved if saved in ("1", "grant", "revoke") else "",
        "error": None,
    }


def _failed(
    request: Request, session: Session, principal: Principal, exc: CriterioError
) -> Response:
    session.rollback()
    view = _page(request, session, principal)
    context = _members_context(session, principal, saved="")
    context["error"] = exc.message
    return view.render("ws_queues.html", context, status=422)


@queue_pages.post("/queues", response_class=HTMLResponse)
def members_save(
    request: Request,
    session: SessionDep,
    principal: Lead,
    csrf_token: Annotated[str, Form(max_length=100)],
    queue: Annotated[str, Form(max_length=100)],
    members: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """Save one queue's members, then go back to the page."""
    check_form_csrf(request, csrf_token)
    names = [n for n in _NAMES.split(members) if n]
    try:
        saved = set_queue(session, principal.tenant, queue.strip(), names, by=principal.username)
    except CriterioError as exc:
        return _failed(request, session, principal, exc)
    _audit(request, session, principal).record(
        "queue_members", "queue", [queue.strip()], detail={"members": len(saved)}
    )
    return RedirectResponse("/queues?saved=1", status_code=303)


@queue_pages.post("/queues/personal-data", response_class=HTMLResponse)
def grant_save(
    request: Request,
    session: SessionDep,
    principal: Granter,
    csrf_token: Annotated[str, Form(max_length=100)],
    action: Annotated[str, Form(pattern="^(grant|revoke)$")],
    username: Annotated[str, Form(min_length=1, max_length=200)],
    reason: Annotated[str, Form(max_length=2_000)] = "",
) -> Response:
    """Grant or revoke one user's permission to see cases' personal data."""
    check_form_csrf(request, csrf_token)
    by = principal.username
    try:
        if action == "grant":
            grant = grant_personal_data(
                session, principal.tenant, username.strip(), reason=reason, by=by
            )
        else:
            grant = revoke_personal_data(session, principal.tenant, username.strip(), by=by)
    except CriterioError as exc:
        return _failed(request, session, principal, exc)
    _audit(request, session, principal).record(
        f"{action}_personal_data", "user", [grant.username], detail={"grant_id": grant.id}
    )
    return RedirectResponse(f"/queues?saved={action}", status_code=303)
