"""The leadership dashboard (``/impact``): the figures of docs/metrics.md with charts.

Everyone with ``read_metrics`` sees the tenant's figures; the knowledge contribution
section shows every agent to leads and admins and an agent their own only.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from criterio.auth.roles import Permission, Role, allowed
from criterio.auth.schemas import Principal
from criterio.insights.browse import tenant_page_language
from criterio.metrics._words import words
from criterio.metrics.repository import AggregateRepository
from criterio.metrics.service import ALL_AGENTS, figures
from criterio.metrics.view import dashboard
from criterio.web.deps import SessionDep
from criterio.web.pages import Page, page_require

__all__ = ["pages"]

pages = APIRouter(tags=["pages"], include_in_schema=False)
Reader = Annotated[Principal, Depends(page_require(Permission.read_metrics))]
#: Days shown when the address names no period: four weeks to the last day with data.
DEFAULT_DAYS = 28


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@pages.get("/impact", response_class=HTMLResponse)
def impact(
    request: Request,
    session: SessionDep,
    principal: Reader,
    first: Annotated[str, Query(alias="from", max_length=10)] = "",
    last: Annotated[str, Query(alias="to", max_length=10)] = "",
    by: Annotated[str, Query(max_length=4)] = "week",
) -> Response:
    """Outcomes, automation, knowledge, learning and insights of a period, with charts."""
    view = Page.for_request(
        request, principal, lambda: tenant_page_language(session, principal.tenant)
    )
    w = words(view.language)
    end = _day(last) or AggregateRepository(session, principal.tenant).last_day() or date.today()
    start = _day(first) or end - timedelta(days=DEFAULT_DAYS - 1)
    problem = bool((first and not _day(first)) or (last and not _day(last)) or start > end)
    if start > end:
        start = end - timedelta(days=DEFAULT_DAYS - 1)
    period = "day" if by == "day" else "week"
    if allowed(principal.role, Permission.read_agent_metrics):
        whose: str | None = ALL_AGENTS
    else:
        whose = principal.username if principal.role == Role.agent else None
    result = figures(session, principal.tenant, first=start, last=end, by=period, agents=whose)
    shown = dashboard(result, view.language)
    shown["charts"] = {k: Markup(v) for k, v in shown["charts"].items()}  # noqa: S704 (our SVG, escaped)
    for agent in shown["agents"]:
        agent["spark"] = Markup(agent["spark"])  # noqa: S704
    return view.render(
        "impact.html",
        {
            **shown,
            "first": start.isoformat(),
            "last": end.isoformat(),
            "by": period,
            "problem": w["problem"] if problem else None,
        },
    )
