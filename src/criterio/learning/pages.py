"""The learning loop's pages: the model history (``/models``, with rollback), the teach
queue (``/teach``, a label form per interaction) and the proposed intents
(``/intents/proposed``, accept under a name or merge). Same services as the CLI.

Who may do what is the role matrix's: ``read_models`` reads the history and the
proposals, ``manage_models`` rolls back and accepts, ``record_feedback`` labels.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from criterio.auth.roles import Permission
from criterio.auth.schemas import Principal
from criterio.errors import CriterioError, InvalidInputError
from criterio.insights.browse import tenant_page_language
from criterio.learning.active import TEACH_REASON, taught_today, teach_queue
from criterio.learning.feedback import Feedback
from criterio.learning.feedback_import import import_feedback
from criterio.learning.loop import roll_back
from criterio.learning.models import KINDS, RegisteredModel
from criterio.learning.new_intents import accept_proposal, propose_intents
from criterio.learning.service import ChampionError, champion_stage, list_models
from criterio.web.audit import Audit
from criterio.web.deps import SessionDep
from criterio.web.pages import Page, check_form_csrf, page_require

__all__ = ["pages"]

pages = APIRouter(tags=["pages"], include_in_schema=False)
Reader = Annotated[Principal, Depends(page_require(Permission.read_models))]
Manager = Annotated[Principal, Depends(page_require(Permission.manage_models))]
Teacher = Annotated[Principal, Depends(page_require(Permission.record_feedback))]
Csrf = Annotated[str, Form(max_length=100)]
Name = Annotated[str, Form(max_length=100)]
Done = Annotated[str, Query(max_length=20)]


def _page(request: Request, session: Session, principal: Principal) -> Page:
    return Page.for_request(
        request, principal, lambda: tenant_page_language(session, principal.tenant)
    )


def _audit(request: Request, session: Session, principal: Principal) -> Audit:
    return Audit.bind(request, session, tenant=principal.tenant, actor=principal.username)


def _row(model: RegisteredModel) -> dict[str, Any]:
    metrics, training = model.metrics or {}, model.training or {}
    accuracy = metrics.get("heldout_accuracy")
    return {
        "id": model.id,
        "kind": model.kind,
        "version": model.version,
        "status": model.status,
        "created": model.created_at.strftime("%Y-%m-%d %H:%M"),
        "examples": training.get("n_examples"),
        "heldout": None if accuracy is None else f"{100 * float(accuracy):.1f}%",
        "heldout_n": metrics.get("heldout_n"),
        "decision": metrics.get("reason") or metrics.get("decision") or "",
        "promoted": None
        if model.promoted_at is None
        else (model.promoted_at.strftime("%Y-%m-%d %H:%M"), model.promoted_by or "—"),
    }


def _history(
    session: Session, principal: Principal, kind: str, error: str | None = None
) -> dict[str, Any]:
    models = list_models(session, principal.tenant, kind or None)
    # A kind can be rolled back when an earlier champion of it was retired.
    earlier = sorted({m.kind for m in models if m.status == "retired" and m.promoted_at})
    return {
        "rows": [_row(m) for m in models],
        "kind": kind,
        "kinds": KINDS,
        "rollback_kinds": earlier,
        "error": error,
    }


@pages.get("/models", response_class=HTMLResponse)
def models_page(
    request: Request,
    session: SessionDep,
    principal: Reader,
    kind: Annotated[str, Query(max_length=20)] = "",
    done: Done = "",
    model: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
) -> Response:
    """The tenant's models, newest first, with held-out accuracy and who promoted them."""
    view = _page(request, session, principal)
    kind = kind if kind in KINDS else ""
    context = _history(session, principal, kind)
    context["done"] = model if done == "rollback" and model else None
    return view.render("learn_models.html", context)


@pages.post("/models/rollback", response_class=HTMLResponse)
def rollback_page(
    request: Request,
    session: SessionDep,
    principal: Manager,
    csrf_token: Csrf,
    kind: Annotated[str, Form(max_length=20)],
) -> Response:
    """Make the previous champion of ``kind`` the champion again, then back to the history."""
    check_form_csrf(request, csrf_token)
    try:
        restored, redo = roll_back(session, principal.tenant, kind, by=principal.username)
    except CriterioError as exc:
        session.rollback()
        view = _page(request, session, principal)
        context = {**_history(session, principal, ""), "done": None}
        context["error"] = exc.message
        return view.render("learn_models.html", context, status=422)
    _audit(request, session, principal).record(
        "model_rollback", "model", [str(restored.id)], detail={"kind": kind, "reanalysis": redo}
    )
    return RedirectResponse(f"/models?done=rollback&model={restored.id}", status_code=303)


def _champion(session: Session, tenant: str) -> tuple[Any, list[str], str | None]:
    """The champion intent model, its intents (for the forms' lists), or why there is none."""
    try:
        stage = champion_stage(session, tenant, "intent")
    except ChampionError as error:
        return None, [], str(error)
    if stage is None:
        return None, [], None
    return stage.model, sorted(str(c) for c in stage.model.classes_), None


def _teach(
    request: Request, session: Session, principal: Principal, error: str | None = None
) -> dict[str, Any]:
    budget: int = request.app.state.settings.teach_budget
    given = taught_today(session, principal.tenant)
    model, intents, broken = _champion(session, principal.tenant)
    items = (
        [] if model is None else teach_queue(session, principal.tenant, budget=budget, model=model)
    )
    return {
        "items": items,
        "intents": intents,
        "budget": budget,
        "given": given,
        "left": max(budget - given, 0),
        "done": False,
        "error": error or broken,
    }


@pages.get("/teach", response_class=HTMLResponse)
def teach_page(
    request: Request, session: SessionDep, principal: Teacher, done: Done = ""
) -> Response:
    """Today's teach queue: what is left of the daily budget, a label form for each."""
    view = _page(request, session, principal)
    context = _teach(request, session, principal)
    context["done"] = done == "label"
    return view.render("learn_teach.html", context)


@pages.post("/teach", response_class=HTMLResponse)
def teach_label(
    request: Request,
    session: SessionDep,
    principal: Teacher,
    csrf_token: Csrf,
    interaction_id: Annotated[str, Form(max_length=200)],
    intent: Name,
) -> Response:
    """Record the label a person gave from the queue (an ``intent`` event, reason ``teach``)."""
    check_form_csrf(request, csrf_token)
    name = intent.strip()
    feedback = Feedback(
        kind="intent",
        by=principal.username,
        after={"intent": name},
        interaction_id=interaction_id,
        reason=TEACH_REASON,
        source="page",
    )
    report = import_feedback(session, principal.tenant, [("0", feedback)]) if name else None
    if report is None or report.errors:
        message = report.errors[0].message if report else "intent: a label is required"
        view = _page(request, session, principal)
        return view.render("learn_teach.html", _teach(request, session, principal, message), 422)
    _audit(request, session, principal).record(
        "record_feedback", "interaction", [interaction_id], detail={"recorded": report.recorded}
    )
    return RedirectResponse("/teach?done=label", status_code=303)


@pages.get("/intents/proposed", response_class=HTMLResponse)
def proposals_page(
    request: Request,
    session: SessionDep,
    principal: Reader,
    done: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    name: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """Groups of interactions no known intent fits, to accept under a name or merge."""
    view = _page(request, session, principal)
    return view.render("learn_proposals.html", _proposals(session, principal, done, name))


def _proposals(
    session: Session, principal: Principal, done: int, name: str, error: str | None = None
) -> dict[str, Any]:
    model, intents, broken = _champion(session, principal.tenant)
    found = [] if broken else propose_intents(session, principal.tenant, model=model)
    return {
        "proposals": found,
        "intents": intents,
        "done": {"n": done, "name": name} if done and name else None,
        "error": error or broken,
    }


@pages.post("/intents/proposed/{key}", response_class=HTMLResponse)
def accept_page(
    request: Request,
    session: SessionDep,
    principal: Manager,
    key: str,
    csrf_token: Csrf,
    name: Name,
) -> Response:
    """Accept a proposal under ``name`` (new, or an existing intent: a merge)."""
    check_form_csrf(request, csrf_token)
    try:
        if len(key) > 40:
            raise InvalidInputError("key: not a proposal's key")
        count = accept_proposal(
            session, principal.tenant, key, name=name, by=principal.username, source="page"
        )
    except CriterioError as exc:
        session.rollback()
        view = _page(request, session, principal)
        context = _proposals(session, principal, 0, "", exc.message)
        return view.render("learn_proposals.html", context, status=422)
    _audit(request, session, principal).record(
        "accept_intent", "proposal", [key], detail={"recorded": count}
    )
    query = urlencode({"done": count, "name": name.strip()})
    return RedirectResponse(f"/intents/proposed?{query}", status_code=303)
