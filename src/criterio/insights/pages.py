"""The analysts' pages: the insight list, one insight with its evidence, and its review form."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from babel.numbers import format_decimal, format_scientific
from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from criterio.auth.roles import Permission, allowed
from criterio.auth.schemas import Principal
from criterio.charts import insight_chart
from criterio.errors import InvalidInputError, NotFoundError
from criterio.insights.api import audit_examples_read, audit_review
from criterio.insights.browse import (
    InsightQuery,
    InsightSort,
    next_statuses,
    redacted_examples,
    search_insights,
    tenant_page_language,
)
from criterio.insights.models import Insight
from criterio.insights.schemas import InsightStatus, ReviewIn
from criterio.insights.service import apply_review, get_insight, statement_in, to_read
from criterio.patterns import INSIGHT_TYPES
from criterio.web.audit import Audit
from criterio.web.deps import SessionDep
from criterio.web.i18n import figure_label, figure_order, figure_value, translator
from criterio.web.pages import Page, check_form_csrf, page_require

__all__ = ["pages"]

pages = APIRouter(tags=["pages"], include_in_schema=False)
Reader = Annotated[Principal, Depends(page_require(Permission.read_insights))]
Reviewer = Annotated[Principal, Depends(page_require(Permission.review_insights))]
InsightId = Annotated[int, Path(ge=1, le=2**63 - 1)]
PAGE_SIZE = 25
#: Longest text a review field takes (the API's limit).
TEXT_MAX = 10_000


def _page(request: Request, session: Session, principal: Principal) -> Page:
    return Page.for_request(
        request, principal, lambda: tenant_page_language(session, principal.tenant)
    )


@pages.get("/")
def home() -> Response:
    """The pages start at the insight list (which sends strangers to the login)."""
    return RedirectResponse("/insights", status_code=303)


@pages.get("/insights", response_class=HTMLResponse)
def insight_list(
    request: Request,
    session: SessionDep,
    principal: Reader,
    status: Annotated[str, Query(max_length=20)] = "",
    type: Annotated[str, Query(max_length=32)] = "",
    min_severity: Annotated[str, Query(max_length=10)] = "",
    period_from: Annotated[str, Query(max_length=10)] = "",
    period_to: Annotated[str, Query(max_length=10)] = "",
    sort: Annotated[str, Query(max_length=10)] = "-severity",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The tenant's insights, filtered and sorted, a page at a time."""
    view = _page(request, session, principal)
    t = translator(view.language)
    problems: list[str] = []
    query = InsightQuery(
        statuses=(InsightStatus(status),) if status in InsightStatus.__members__ else (),
        types=(type,) if type in INSIGHT_TYPES else (),
        min_severity=_number(min_severity, t("list.min_severity"), t, problems),
        period_from=_day(period_from, t("list.period_from"), t, problems),
        period_to=_day(period_to, t("list.period_to"), t, problems),
        sort=InsightSort.severity_asc if sort == "severity" else InsightSort.severity_desc,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    rows: list[Insight] = []
    total = 0
    if query.period_from and query.period_to and query.period_from > query.period_to:
        problems.append(t("problem.period_order"))
    else:
        rows, total = search_insights(session, principal.tenant, query)
    pages_total = max(1, math.ceil(total / PAGE_SIZE))
    return view.render(
        "insights_list.html",
        {
            "rows": [_row(view.language, i) for i in rows],
            "total": total,
            "problems": problems,
            "filters": {
                "status": status,
                "type": type,
                "min_severity": min_severity,
                "period_from": period_from,
                "period_to": period_to,
            },
            "statuses": [s.value for s in InsightStatus],
            "types": INSIGHT_TYPES,
            "ascending": query.sort == InsightSort.severity_asc,
            "sort_link": view.url_with(
                sort="-severity" if query.sort == InsightSort.severity_asc else "severity",
                page=None,
            ),
            "previous_link": view.url_with(page=page - 1) if page > 1 else None,
            "next_link": view.url_with(page=page + 1) if page < pages_total else None,
        },
    )


@pages.get("/insights/{insight_id}", response_class=HTMLResponse)
def insight_detail(
    request: Request,
    session: SessionDep,
    principal: Reader,
    insight_id: InsightId,
    reviewed: Annotated[int, Query(ge=0, le=1)] = 0,
) -> Response:
    """One insight: statement, chart, figures, redacted examples, history and review form."""
    view = _page(request, session, principal)
    try:
        insight = get_insight(session, principal.tenant, insight_id)
    except NotFoundError:
        t = translator(view.language)
        return view.render("error.html", {"message": t("error.not_found")}, status=404)
    context = _detail(session, view, principal, insight, _audit(request, session, principal))
    context["reviewed"] = bool(reviewed)
    return view.render("insight_detail.html", context)


@pages.post("/insights/{insight_id}/review", response_class=HTMLResponse)
def insight_review(
    request: Request,
    session: SessionDep,
    principal: Reviewer,
    insight_id: InsightId,
    csrf_token: Annotated[str, Form(max_length=100)],
    status: Annotated[str, Form(max_length=20)] = "",
    interpretation: Annotated[str, Form(max_length=TEXT_MAX)] = "",
    proposal: Annotated[str, Form(max_length=TEXT_MAX)] = "",
    owner: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Apply the review form, then go back to the insight (or show the form's problem)."""
    check_form_csrf(request, csrf_token)
    view = _page(request, session, principal)
    view.path = f"/insights/{insight_id}"
    try:
        change = ReviewIn(
            status=InsightStatus(status) if status else None,
            interpretation=interpretation.strip() or None,
            proposal=proposal.strip() or None,
            owner=owner.strip() or None,
        )
        done = apply_review(session, principal.tenant, insight_id, change, actor=principal.username)
    except NotFoundError:
        return _not_found(view)
    except (InvalidInputError, ValueError) as exc:
        # The service's rule, in English; the form's help texts say the same in the
        # page's language, and its status list offers only the allowed next statuses.
        session.rollback()
        message = exc.message if isinstance(exc, InvalidInputError) else str(exc)
        try:  # a bad form for an insight that does not exist is still a 404
            insight = get_insight(session, principal.tenant, insight_id)
        except NotFoundError:
            return _not_found(view)
        context = _detail(session, view, principal, insight, _audit(request, session, principal))
        context["error"] = message
        context["form"] = {
            "status": status,
            "interpretation": interpretation,
            "proposal": proposal,
            "owner": owner,
        }
        return view.render("insight_detail.html", context, status=422)
    audit_review(
        _audit(request, session, principal), insight_id, done.before, done.insight.status, change
    )
    return RedirectResponse(f"/insights/{insight_id}?reviewed=1", status_code=303)


def _not_found(view: Page) -> Response:
    t = translator(view.language)
    return view.render("error.html", {"message": t("error.not_found")}, status=404)


def _audit(request: Request, session: Session, principal: Principal) -> Audit:
    return Audit.bind(request, session, tenant=principal.tenant, actor=principal.username)


def _detail(
    session: Session, view: Page, principal: Principal, insight: Insight, audit: Audit
) -> dict[str, Any]:
    language = view.language
    read = to_read(insight)
    examples = redacted_examples(session, principal.tenant, insight)
    audit_examples_read(audit, examples, insight.id)
    chart = insight_chart(read.evidence.chart, language=language, period=read.period)
    return {
        "insight": read,
        "row": _row(language, insight),
        # The chart module escapes every text it writes into the SVG.
        "chart": Markup(chart),  # noqa: S704
        "figures": [
            (figure_label(language, key), figure_value(language, key, value, _value))
            for key, value in sorted(
                read.evidence.figures.items(), key=lambda item: figure_order(item[0])
            )
        ],
        "examples": examples,
        "history": [
            {
                "at": _when(change.get("at")),
                "from": change.get("from", ""),
                "to": change.get("to", ""),
                "by": change.get("by") or "—",
            }
            for change in reversed(read.history)
        ],
        "may_review": allowed(principal.role, Permission.review_insights),
        "next_statuses": [s.value for s in next_statuses(insight.status)],
        "form": {
            "status": "",
            "interpretation": read.interpretation or "",
            "proposal": read.proposal or "",
            "owner": read.owner or "",
        },
        "error": None,
        "text_max": TEXT_MAX,
    }


def _row(language: str, insight: Insight) -> dict[str, Any]:
    t = translator(language)
    segment = " · ".join(
        f"{t(f'dimension.{k}', default=k)}: {v}" for k, v in sorted((insight.segment or {}).items())
    )
    text, text_language = statement_in(insight, language)
    return {
        "id": insight.id,
        "severity": f"{insight.severity:.0f}",
        "statement": text,
        "statement_lang": text_language,
        "type": t(f"type.{insight.type}", default=insight.type.replace("_", " ")),
        "segment": segment or t("segment.all"),
        "period": _period(insight.period_start, insight.period_end),
        "status": insight.status,
        "status_label": t(f"status.{insight.status}"),
        "ongoing": insight.ongoing,
        "pattern_label": t("pattern.ongoing" if insight.ongoing else "pattern.ended"),
    }


def _period(start: date, end: date) -> str:
    return start.isoformat() if start == end else f"{start.isoformat()} – {end.isoformat()}"


def _when(value: object) -> str:
    try:
        return datetime.fromisoformat(str(value)).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return str(value)


def _value(language: str, value: object) -> str:
    """A figure for people: yes/no, a dash for none, numbers as the language writes them."""
    t = translator(language)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return t("value.yes") if value else t("value.no")
    if isinstance(value, int | float):
        if value and abs(value) < 1e-3:  # q-values: 1,085E-16
            return str(format_scientific(value, format="0.###E0", locale=language))
        return str(format_decimal(value, format="#,##0.####", locale=language))
    return str(value)


def _number(text: str, name: str, t: Callable[..., str], problems: list[str]) -> float | None:
    if not text.strip():
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = math.nan
    if not 0 <= value <= 100:
        problems.append(t("problem.severity", field=name))
        return None
    return value


def _day(text: str, name: str, t: Callable[..., str], problems: list[str]) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        problems.append(t("problem.date", field=name))
        return None
