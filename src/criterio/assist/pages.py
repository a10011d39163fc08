"""The agents' pages: the queue (polled for new cases) and the case page with its actions
(the leads' ``/queues`` page is :mod:`criterio.assist.queue_pages`). Same permissions
and services as the REST API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from criterio.assist.actions import apply_feedback
from criterio.assist.api import assign_to, worker_of
from criterio.assist.grants import personal_data_access
from criterio.assist.schemas import CaseDetail, CaseRead, FeedbackIn
from criterio.assist.service import (
    assign_case,
    escalate_case,
    next_case,
    resolve_case,
)
from criterio.assist.workspace import (
    case_detail,
    cases_for,
    queue_names,
    visible_case,
)
from criterio.auth.repository import UserRepository
from criterio.auth.roles import Permission, allowed
from criterio.auth.schemas import Principal
from criterio.errors import CriterioError, NotFoundError
from criterio.insights.browse import tenant_page_language
from criterio.web.audit import Audit
from criterio.web.deps import SessionDep, audit_denied
from criterio.web.i18n import translator
from criterio.web.pages import Page, PageForbiddenError, check_form_csrf, page_require

__all__ = ["pages"]

pages = APIRouter(tags=["pages"], include_in_schema=False)
Agent = Annotated[Principal, Depends(page_require(Permission.work_cases))]
Lead = Annotated[Principal, Depends(page_require(Permission.manage_queues))]
CaseId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Short = Annotated[str, Query(max_length=200)]
FormText = Annotated[str, Form(max_length=20_000)]
SENTIMENTS = ("negative", "neutral", "positive")


def _page(request: Request, session: Session, principal: Principal) -> Page:
    return Page.for_request(
        request, principal, lambda: tenant_page_language(session, principal.tenant)
    )


def _audit(request: Request, session: Session, principal: Principal) -> Audit:
    return Audit.bind(request, session, tenant=principal.tenant, actor=principal.username)


def _duration(seconds: float) -> str:
    """A span for people: ``2 d 3 h``, ``1 h 05 min``, ``12 min`` (the same in es and en)."""
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def _row(case: CaseRead, language: str, now: datetime) -> dict[str, Any]:
    """A case as the queue shows it (also the polling endpoint's JSON)."""
    t = translator(language)
    left = case.sla_seconds_left
    sla = t("ws.left" if left >= 0 else "ws.overdue", time=_duration(left))
    if case.status == "resolved":  # the clock stopped
        sla, left = "—", 0.0
    return {
        "id": case.id,
        "url": f"/cases/{case.id}",
        "priority": case.priority,
        "priority_label": t(f"ws.priority.{case.priority}", default=case.priority),
        "intent": case.intent or "—",
        "language": case.language or "—",
        "sentiment": t(f"ws.sentiment.{case.sentiment}", default=case.sentiment or "—"),
        "queue": case.queue,
        "status": t(f"ws.status.{case.status}", default=case.status),
        "assignee": case.assignee or "",
        "waiting": _duration((now - case.opened_at).total_seconds()),
        "due": case.due_at.isoformat(),
        "sla": sla,
        "overdue": left < 0,
    }


def _queue_rows(
    session: Session, principal: Principal, filters: dict[str, str], language: str
) -> list[dict[str, Any]]:
    rows = cases_for(
        session,
        principal.tenant,
        worker_of(session, principal),
        queue=filters["queue"] or None,
        statuses=["open", "assigned"],
        language=filters["language"] or None,
        intent=filters["intent"] or None,
        sentiment=filters["sentiment"] or None,
    )
    now = datetime.now(UTC)
    return [_row(c, language, now) for c in rows]


@pages.get("/queue", response_class=HTMLResponse)
def queue_page(
    request: Request,
    session: SessionDep,
    principal: Agent,
    queue: Short = "",
    language: Short = "",
    intent: Short = "",
    sentiment: Short = "",
    empty: Annotated[int, Query(ge=0, le=1)] = 0,
) -> Response:
    """The cases of my queues by priority and age, with SLA timers and filters."""
    view = _page(request, session, principal)
    filters = {"queue": queue, "language": language, "intent": intent, "sentiment": sentiment}
    worker = worker_of(session, principal)
    return view.render(
        "ws_queue.html",
        {
            "rows": _queue_rows(session, principal, filters, view.language),
            "filters": filters,
            "queues": queue_names(session, principal.tenant, worker),
            "sentiments": SENTIMENTS,
            "sees_all": worker.sees_all,
            "has_queues": bool(worker.queues) or worker.sees_all,
            "empty": bool(empty),
            "poll_url": "/queue/updates?" + str(request.url.query),
        },
    )


@pages.get("/queue/updates")
def queue_updates(
    request: Request,
    session: SessionDep,
    principal: Agent,
    queue: Short = "",
    language: Short = "",
    intent: Short = "",
    sentiment: Short = "",
) -> JSONResponse:
    """The queue's rows as JSON: what the queue page polls to show new cases."""
    view = _page(request, session, principal)
    filters = {"queue": queue, "language": language, "intent": intent, "sentiment": sentiment}
    rows = _queue_rows(session, principal, filters, view.language)
    t = translator(view.language)
    return JSONResponse(
        {"rows": rows, "count": len(rows), "message": t("ws.new_cases", count=len(rows))},
        headers={"Cache-Control": "no-store"},
    )


@pages.post("/queue/next")
def take_next(
    request: Request,
    session: SessionDep,
    principal: Agent,
    csrf_token: Annotated[str, Form(max_length=100)],
) -> Response:
    """Assign the top open case of my queues to me and open it."""
    check_form_csrf(request, csrf_token)
    worker = worker_of(session, principal)
    queues = list(worker.queues) or (
        queue_names(session, principal.tenant, worker) if worker.sees_all else []
    )
    case = next_case(session, principal.tenant, username=principal.username, queues=queues)
    if case is None:
        return RedirectResponse("/queue?empty=1", status_code=303)
    _audit(request, session, principal).record("case_next", "case", [str(case.id)])
    return RedirectResponse(f"/cases/{case.id}", status_code=303)


def _case_context(
    view: Page, detail: CaseDetail, principal: Principal, session: Session
) -> dict[str, Any]:
    reply = detail.suggestions.reply
    titles = {a.id: a.title for a in detail.suggestions.articles}
    return {
        "d": detail,
        "row": _row(detail.case, view.language, datetime.now(UTC)),
        "reply_title": titles.get(reply.article_id) if reply and reply.article_id else None,
        "may_reveal": personal_data_access(
            session, principal.tenant, principal.username, principal.role.value
        )
        is not None,
        "may_reassign": allowed(principal.role, Permission.manage_queues),
        "users": [u.username for u in UserRepository(session, principal.tenant).list()]
        if allowed(principal.role, Permission.manage_queues)
        else [],
        "error": None,
        "done": None,
    }


@pages.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request,
    session: SessionDep,
    principal: Agent,
    case_id: CaseId,
    article: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    reveal: Annotated[int, Query(ge=0, le=1)] = 0,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """One case: conversation, customer, the machine's reading, suggestions and actions."""
    view = _page(request, session, principal)
    access = (
        personal_data_access(session, principal.tenant, principal.username, principal.role.value)
        if reveal
        else None
    )
    if reveal and access is None:
        audit_denied(request, principal, Permission.view_personal_data)
        raise PageForbiddenError()
    try:
        case = visible_case(session, principal.tenant, case_id, worker_of(session, principal))
    except NotFoundError:
        t = translator(view.language)
        return view.render("error.html", {"message": t("ws.not_found")}, status=404)
    detail = case_detail(session, principal.tenant, case, reveal=bool(reveal), article=article)
    if access is not None:
        _audit(request, session, principal).record(
            "view_personal_data",
            "interaction",
            [case.interaction_id],
            detail={"case_id": case.id, "via": access},
        )
    context = _case_context(view, detail, principal, session)
    context["done"] = done if done else None
    return view.render("ws_case.html", context)


@pages.post("/cases/{case_id}/act", response_class=HTMLResponse)
def case_action(
    request: Request,
    session: SessionDep,
    principal: Agent,
    case_id: CaseId,
    csrf_token: Annotated[str, Form(max_length=100)],
    action: Annotated[str, Form(max_length=20)],
    intent: Annotated[str, Form(max_length=200)] = "",
    suggestion: Annotated[str, Form(max_length=20)] = "",
    target: Annotated[str, Form(max_length=200)] = "",
    article_id: Annotated[str, Form(max_length=20)] = "",
    via: Annotated[str, Form(max_length=20)] = "searched",
    rank: Annotated[str, Form(max_length=4)] = "",
    score: Annotated[str, Form(max_length=20)] = "",
    reason: FormText = "",
    title: Annotated[str, Form(max_length=300)] = "",
    resolution: FormText = "",
    text: FormText = "",
    code: Annotated[str, Form(max_length=100)] = "",
    queue: Annotated[str, Form(max_length=100)] = "",
    to: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Apply one action of the case page's forms, then go back to the case."""
    check_form_csrf(request, csrf_token)
    view = _page(request, session, principal)
    view.path = f"/cases/{case_id}"
    try:
        case = visible_case(session, principal.tenant, case_id, worker_of(session, principal))
    except NotFoundError:
        t = translator(view.language)
        return view.render("error.html", {"message": t("ws.not_found")}, status=404)
    by = principal.username
    try:
        if action == "resolve":
            resolve_case(session, principal.tenant, case_id, code=code, by=by, source="page")
        elif action == "escalate":
            escalate_case(
                session,
                principal.tenant,
                case_id,
                reason=reason,
                by=by,
                queue=queue.strip() or None,
                source="page",
            )
        elif action == "assign":
            assign_case(session, principal.tenant, case_id, to=assign_to(principal, to), by=by)
        else:
            data = FeedbackIn.model_validate(
                {
                    k: v
                    for k, v in {
                        "action": action,
                        "intent": intent,
                        "suggestion": suggestion,
                        "target": target,
                        "article_id": article_id,
                        "via": via,
                        "rank": rank,
                        "score": score,
                        "reason": reason,
                        "title": title,
                        "resolution": resolution,
                        "text": text,
                    }.items()
                    if v.strip()
                }
            )
            apply_feedback(session, principal.tenant, case, data, by=by, source="page")
    except (CriterioError, ValidationError) as exc:
        session.rollback()
        if isinstance(exc, CriterioError) and exc.status_code == 403:
            raise PageForbiddenError() from exc
        message = exc.message if isinstance(exc, CriterioError) else _first_error(exc)
        case = visible_case(session, principal.tenant, case_id, worker_of(session, principal))
        detail = case_detail(session, principal.tenant, case)
        context = _case_context(view, detail, principal, session)
        context["error"] = message
        return view.render("ws_case.html", context, status=422)
    _audit(request, session, principal).record(
        f"case_{action}" if action in ("resolve", "escalate", "assign") else "case_feedback",
        "case",
        [str(case_id)],
        detail={"action": action},
    )
    return RedirectResponse(f"/cases/{case_id}?done={action}", status_code=303)


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
