"""What every server-rendered page shares: login, roles, CSRF on forms, language, rendering.

Pages authenticate with the session cookie only. Without a live session a page
redirects to ``/login?next=<page>``; a role without the page's permission gets a 403
page (audited like the API's); a form POST must carry the session's CSRF token in its
``csrf_token`` field.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from criterio.auth import service as auth
from criterio.auth.roles import Permission, allowed
from criterio.auth.schemas import Principal
from criterio.errors import UnauthenticatedError
from criterio.web.deps import SESSION_COOKIE, SessionDep, audit_denied
from criterio.web.i18n import LANGUAGES, choose_language, translator

__all__ = [
    "LANG_COOKIE",
    "LoginRequiredError",
    "Page",
    "PageForbiddenError",
    "check_form_csrf",
    "install_pages",
    "page_require",
    "safe_next",
]

LANG_COOKIE = "criterio_lang"
STATIC = Path(__file__).parent / "static"


class LoginRequiredError(Exception):
    """No live web session: the page redirects to the login page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class PageForbiddenError(Exception):
    """The user's role lacks the page's permission, or a form lacks its CSRF token."""

    def __init__(self, message_key: str = "error.forbidden", back: str | None = None) -> None:
        super().__init__(message_key)
        self.message_key = message_key
        #: The page to go back to (the insight list when None).
        self.back = back


def _next_url(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _page_principal(request: Request, session: SessionDep) -> Principal:
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        raise LoginRequiredError(_next_url(request))
    try:
        principal = auth.authenticate(session, secret, kind="session")
    except UnauthenticatedError as exc:
        raise LoginRequiredError(_next_url(request)) from exc
    request.state.principal = principal
    return principal


def page_require(permission: Permission) -> Callable[..., Awaitable[Principal]]:
    """A page dependency: the signed-in user, if their role holds ``permission``."""

    async def check(
        request: Request, principal: Annotated[Principal, Depends(_page_principal)]
    ) -> Principal:
        if not allowed(principal.role, permission):
            await run_in_threadpool(audit_denied, request, principal, permission)
            raise PageForbiddenError()
        return principal

    check.__name__ = f"page_require_{permission.value}"
    return check


def check_form_csrf(request: Request, sent: str) -> None:
    """A form POST must echo the session's CSRF token (a cross-site form cannot know it)."""
    secret = request.cookies.get(SESSION_COOKIE, "")
    if not secret or not hmac.compare_digest(sent, auth.csrf_token_for(secret)):
        raise PageForbiddenError("error.csrf")


def safe_next(value: str | None, default: str) -> str:
    """A local path to go to after login; anything else (another site) becomes ``default``."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default


@dataclass
class Page:
    """The language and helpers of one page request; ``render`` fills the template."""

    request: Request
    language: str
    principal: Principal | None = None
    #: The page's own address when the request is a form POST (links must not repeat it).
    path: str | None = None

    @classmethod
    def for_request(
        cls,
        request: Request,
        principal: Principal | None = None,
        tenant_default: Callable[[], str] | None = None,
    ) -> Page:
        """The page's language: ``?lang=``, the cookie, Accept-Language, then the tenant's."""
        chosen = choose_language(
            request.query_params.get("lang"),
            request.cookies.get(LANG_COOKIE),
            request.headers.get("accept-language"),
        )
        if chosen is None:
            chosen = tenant_default() if tenant_default is not None else "en"
        return cls(request, chosen, principal)

    def url_with(self, **params: Any) -> str:
        """This page's URL with some query parameters replaced (None removes one)."""
        if self.request.method != "GET":
            path = self.path or "/"
            multi: list[tuple[str, str]] = []
        else:
            path = self.request.url.path
            multi = [(k, v) for k, v in self.request.query_params.multi_items() if k not in params]
        for key, value in params.items():
            if value is None:
                continue
            values = value if isinstance(value, list | tuple) else [value]
            multi.extend((key, str(v)) for v in values)
        encoded = urlencode(multi)
        return path + (f"?{encoded}" if encoded else "")

    def may(self, permission: str) -> bool:
        """Whether the signed-in user's role holds ``permission`` (what a page offers)."""
        return self.principal is not None and allowed(self.principal.role, Permission(permission))

    def render(self, template: str, context: dict[str, Any], status: int = 200) -> Response:
        """The template in the page's language, with the layout's shared values."""
        secret = self.request.cookies.get(SESSION_COOKIE, "")
        values = {
            "t": translator(self.language),
            "lang": self.language,
            "principal": self.principal,
            "csrf_token": auth.csrf_token_for(secret) if secret else "",
            "may": self.may,
            "language_links": [(code, self.url_with(lang=code)) for code in LANGUAGES],
            **context,
        }
        templates = self.request.app.state.templates
        response: Response = templates.TemplateResponse(
            self.request, template, values, status_code=status
        )
        if self.request.query_params.get("lang") in LANGUAGES:
            # The choice sticks for the following pages.
            response.set_cookie(
                LANG_COOKIE,
                self.language,
                max_age=365 * 24 * 3600,
                samesite="lax",
                httponly=True,
                secure=self.request.url.scheme == "https",
            )
        response.headers["Content-Language"] = self.language
        return response


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequiredError)
    return RedirectResponse(f"/login?next={quote(exc.next_url, safe='')}", status_code=303)


async def _forbidden(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageForbiddenError)
    principal = getattr(request.state, "principal", None)
    page = Page.for_request(request, principal)
    t = translator(page.language)
    context: dict[str, Any] = {"message": t(exc.message_key)}
    if exc.back:
        context.update(back=exc.back, back_key="nav.back")
    return page.render("error.html", context, status=403)


def install_pages(app: FastAPI) -> None:
    """Serve the pages' static files and turn the pages' errors into redirects and pages."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(LoginRequiredError, _login_required)
    app.add_exception_handler(PageForbiddenError, _forbidden)
