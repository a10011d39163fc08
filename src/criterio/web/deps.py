"""Request dependencies: the session, the caller, their tenant, and the permission check.

Authorisation happens here and only here: every endpoint asks for ``require(P)`` with
one :class:`~criterio.auth.roles.Permission`, and the role matrix decides.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, TypeVar

import anyio
from fastapi import Depends, Request, Response
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from criterio.auth import service as auth
from criterio.auth.roles import Permission, allowed
from criterio.auth.schemas import Principal
from criterio.db import is_transient, session_scope, with_retries
from criterio.errors import (
    PermissionDeniedError,
    ServiceBusyError,
    UnauthenticatedError,
)
from criterio.web.threads import in_thread

__all__ = [
    "SESSION_COOKIE",
    "CurrentUser",
    "SessionDep",
    "TenantDep",
    "audit_denied",
    "commit_now",
    "get_principal",
    "get_session",
    "model_json",
    "request_id",
    "require",
    "write_with_retries",
]

T = TypeVar("T")

SESSION_COOKIE = "criterio_session"
CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
log = logging.getLogger("criterio.auth")


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request, committed when the endpoint returns, rolled back on error.

    At most ``SESSION_SLOTS`` requests of a process hold a session at once; the others
    wait here, on the event loop, holding nothing. Without that limit, under overload,
    requests that had taken a connection (for their token lookup) waited for a thread
    while every thread waited for a connection, until the pool's 30-second timeout
    answered 500 (the errors of the triage benchmark on PostgreSQL).
    """
    factory: sessionmaker[Session] = request.app.state.session_factory
    async with request.app.state.session_slots:
        # Opening a session and beginning its transaction touch no database (the
        # connection is taken at the first statement), so they run here on the event loop.
        session = factory()
        session.begin()
        try:
            yield session
        except BaseException:
            await _finish(session, commit=False)
            raise
        if session.in_transaction():
            await _finish(session, commit=True)
        else:
            # The endpoint already committed (see commit_now): nothing is held, nothing to
            # wait on.
            session.close()


def commit_now(session: Session) -> None:
    """Commit the request's transaction from inside a (sync) write endpoint.

    In the thread that made the writes, right after them: on SQLite the write lock is
    released at once instead of after a trip back through the event loop and the
    thread pool, which is where other writers would queue. A failed commit still
    raises before any response is sent (a 500, never a success the client was told).
    """
    session.commit()


def model_json(model: BaseModel, status_code: int = 200) -> Response:
    """A model as the JSON answer, serialised once by pydantic.

    What FastAPI sends for a ``response_model``, without validating again a model that
    was just built from checked data (the endpoint keeps ``response_model`` for the docs).
    """
    return Response(model.model_dump_json(), status_code, media_type="application/json")


def write_with_retries(session: Session, work: Callable[[], T]) -> T:
    """Run a write endpoint's ``work`` and commit it (as :func:`commit_now`), running it
    again after a deadlock or serialization failure; 503 if the conflicts never end.

    ``work`` must be the whole unit (the rows and their audit event): a retry starts
    from a rolled-back transaction.
    """

    def attempt() -> T:
        result = work()
        session.commit()
        return result

    try:
        return with_retries(attempt, on_retry=session.rollback)
    except DBAPIError as exc:
        if is_transient(exc):
            raise ServiceBusyError("the store is busy with conflicting writes: retry") from exc
        raise


async def _finish(session: Session, *, commit: bool) -> None:
    # Shielded: a client that hangs up must not leave the transaction or connection open.
    with anyio.CancelScope(shield=True):
        await in_thread(_end_transaction, session, commit)


def _end_transaction(session: Session, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


#: ``scope="function"``: the commit runs when the endpoint returns, before the response is
#: sent, so a failed commit is a 500 and never a success the client was already told.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def request_id(request: Request) -> str:
    """The id of the request (also in the ``X-Request-ID`` response header)."""
    return str(request.scope.get("state", {}).get("request_id", ""))


async def get_principal(request: Request, session: SessionDep) -> Principal:
    """The authenticated caller: a bearer token, or a web session cookie (+ CSRF on writes).

    Every request looks its credentials up in the store (nothing is cached between
    requests: a revoked token is refused on its next request), on a worker thread, once:
    a second caller in the same request (``require`` and ``AuditDep``) gets the same.
    """
    known: Principal | None = getattr(request.state, "principal", None)
    if known is not None:
        return known
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise UnauthenticatedError("use 'Authorization: Bearer <token>'")
        principal = await in_thread(auth.authenticate, session, secret.strip(), kind="api")
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            raise UnauthenticatedError("authentication required")
        secret = cookie
        principal = await in_thread(auth.authenticate, session, secret, kind="session")
        if request.method not in _SAFE_METHODS:
            # A cookie rides along on cross-site requests: writes must prove they come
            # from our own pages by echoing the session's CSRF token.
            sent = request.headers.get(CSRF_HEADER, "")
            if not hmac.compare_digest(sent, auth.csrf_token_for(secret)):
                raise PermissionDeniedError("missing or wrong CSRF token")
    request.state.principal = principal
    return principal


CurrentUser = Annotated[Principal, Depends(get_principal)]


def require(permission: Permission) -> Callable[..., Awaitable[Principal]]:
    """A dependency that lets the caller through only if their role holds ``permission``."""

    # async: a pure check needs no trip through the thread pool (the denial, which
    # writes to the database, is sent there explicitly). get_principal is called, not
    # declared: one dependency less for FastAPI to resolve on every request.
    async def check(request: Request, session: SessionDep) -> Principal:
        principal = await get_principal(request, session)
        if not allowed(principal.role, permission):
            await in_thread(audit_denied, request, principal, permission)
            raise PermissionDeniedError(
                f"role {principal.role.value!r} may not {permission.value.replace('_', ' ')}"
            )
        return principal

    check.__name__ = f"require_{permission.value}"
    return check


def audit_denied(request: Request, principal: Principal, permission: Permission) -> None:
    """Record a refused action in the audit log (the API's and the pages' 403s)."""
    # In a transaction of its own: the request's transaction is rolled back on the 403.
    factory: sessionmaker[Session] = request.app.state.session_factory
    with session_scope(factory) as session:
        auth.record_audit(
            session,
            principal.tenant,
            actor=principal.username,
            action=permission.value,
            resource_type="endpoint",
            resource_ids=[getattr(request.scope.get("route"), "path", None)],
            outcome="denied",
            request_id=request_id(request),
        )
    log.warning(
        "permission denied",
        extra={"actor": principal.username, "tenant": principal.tenant, "permission": permission},
    )


async def _tenant(principal: CurrentUser) -> str:
    return principal.tenant


TenantDep = Annotated[str, Depends(_tenant)]
