"""The login and logout pages: a password opens a web session (HttpOnly cookie + CSRF)."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from criterio.auth import service
from criterio.auth.roles import Permission
from criterio.auth.schemas import Principal
from criterio.errors import CriterioError, PermissionDeniedError
from criterio.web.audit import Audit
from criterio.web.deps import SESSION_COOKIE, SessionDep, require
from criterio.web.pages import Page, safe_next

__all__ = ["pages"]

pages = APIRouter(tags=["pages"], include_in_schema=False)
LOGIN_CSRF_COOKIE = "criterio_login_csrf"


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _login_page(
    request: Request, *, error: str | None = None, status: int = 200, next_url: str = ""
) -> Response:
    token = secrets.token_urlsafe(32)
    response = Page.for_request(request).render(
        "login.html",
        {"login_csrf": token, "error": error, "next": safe_next(next_url, "")},
        status=status,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/login",
    )
    return response


@pages.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: Annotated[str, Query(max_length=2000)] = "") -> Response:
    """The login page; ``next`` is the page to go to after signing in."""
    return _login_page(request, next_url=next)


@pages.post("/login")
def login_submit(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form(max_length=100)],
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Check the password and open a session (HttpOnly, SameSite cookie)."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf_token):
        raise PermissionDeniedError("missing or wrong CSRF token: reload the login page")
    try:
        user, secret = service.login(
            session, username=username, password=password, address=_client(request)
        )
    except CriterioError as exc:
        # Returned, not raised: the request's transaction commits, so the failure counts.
        return _login_page(request, error=exc.message, status=exc.status_code, next_url=next)
    Audit.bind(request, session, tenant=user.tenant, actor=user.username).record("login", "session")
    response = RedirectResponse(safe_next(next, "/login/done"), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=int(service.SESSION_TTL.total_seconds()),
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@pages.get("/login/done", response_class=HTMLResponse)
def logged_in(
    request: Request, principal: Annotated[Principal, Depends(require(Permission.read_self))]
) -> Response:
    """The page after login: who you are, the way to the insights, and a logout button."""
    return Page.for_request(request, principal).render("done.html", {})


@pages.post("/logout")
def logout(
    request: Request,
    session: SessionDep,
    csrf_token: Annotated[str, Form(max_length=100)],
) -> Response:
    """End the web session (the form carries the session's CSRF token)."""
    secret = request.cookies.get(SESSION_COOKIE, "")
    if not secret:
        return RedirectResponse("/login", status_code=303)
    principal = service.authenticate(session, secret, kind="session")
    if not hmac.compare_digest(csrf_token, service.csrf_token_for(secret)):
        raise PermissionDeniedError("missing or wrong CSRF token")
    service.logout(session, principal)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
