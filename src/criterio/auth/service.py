"""Auth logic: tenants, users, passwords, tokens, sessions, login limits and the audit log.

Functions take a session and flush, never commit: the CLI command or the request owns
the transaction. Secrets (tokens, passwords) are returned once to the caller and never
stored, logged or put in an exception message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from criterio.auth import repository as repo
from criterio.auth.models import ApiToken, Tenant, User
from criterio.auth.roles import Role
from criterio.auth.schemas import AuditEventRead, AuditPage, Principal, TokenCreated
from criterio.db import check_row_key
from criterio.errors import (
    ConflictError,
    CriterioError,
    InvalidInputError,
    NotFoundError,
    UnauthenticatedError,
)

__all__ = [
    "LOGIN_LIMIT_PER_ADDRESS",
    "LOGIN_LIMIT_PER_USER",
    "LOGIN_WINDOW",
    "SESSION_TTL",
    "RateLimitedError",
    "audit_page",
    "authenticate",
    "create_tenant",
    "create_token",
    "create_user",
    "csrf_token_for",
    "hash_token",
    "login",
    "logout",
    "record_audit",
    "record_audit_set",
    "revoke_token",
    "set_user_disabled",
]

#: Failed logins allowed per user name, and per client address, inside the window.
LOGIN_LIMIT_PER_USER = 5
LOGIN_LIMIT_PER_ADDRESS = 20
LOGIN_WINDOW = timedelta(minutes=15)
#: How long a web session lasts after login.
SESSION_TTL = timedelta(hours=12)

_hasher = PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified against when the user name is unknown, so both cases take the same time.

    Computed on the first login, not at import: an argon2 hash takes tens of
    milliseconds, which every CLI command and app start would otherwise pay.
    """
    return _hasher.hash("criterio-dummy-password-never-used")


class RateLimitedError(CriterioError):
    """Too many failed logins: wait before trying again."""

    status_code = 429


def hash_token(secret: str) -> str:
    """SHA-256 of a token secret (tokens are random, so no salt or slow hash is needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def csrf_token_for(session_secret: str) -> str:
    """The CSRF token of a web session: derived from its secret, so nothing more is stored."""
    return hmac.new(session_secret.encode(), b"criterio-csrf", hashlib.sha256).hexdigest()


def create_tenant(session: Session, name: str, display_name: str | None = None) -> Tenant:
    """Add a tenant (client account)."""
    if repo.get_tenant(session, name) is not None:
        raise ConflictError(f"tenant {name!r} already exists")
    tenant = Tenant(
        name=name,
        display_name=display_name or name,
        created_at=datetime.now(UTC),
        erasure_key=secrets.token_hex(32),
    )
    session.add(tenant)
    session.flush()
    return tenant


def create_user(
    session: Session, tenant: str, *, username: str, role: Role, password: str | None = None
) -> User:
    """Add a user with a role in a tenant; people get a password, machines use tokens."""
    if repo.get_tenant(session, tenant) is None:
        raise NotFoundError(f"tenant {tenant!r} does not exist")
    if repo.find_user_by_name(session, username) is not None:
        raise ConflictError(f"user {username!r} already exists")
    if password is not None and len(password) < 12:
        raise InvalidInputError("password: at least 12 characters are required")
    user = User(
        tenant=tenant,
        username=username,
        role=role.value,
        password_hash=_hasher.hash(password) if password is not None else None,
        disabled=False,
        created_at=datetime.now(UTC),
    )
    session.add(user)
    session.flush()
    return user


def set_user_disabled(session: Session, tenant: str, *, username: str, disabled: bool) -> User:
    """Disable (or enable) a user; disabling also revokes their tokens and sessions."""
    users = repo.UserRepository(session, tenant)
    user = users.by_name(username)
    if user is None:
        raise NotFoundError(f"user {username!r} does not exist in tenant {tenant!r}")
    users.set_disabled(username, disabled)
    if disabled:
        repo.TokenRepository(session, tenant).revoke_user(user.pk, datetime.now(UTC))
    session.flush()
    refreshed = users.by_name(username)
    assert refreshed is not None
    return refreshed


def _new_token(
    session: Session, user: User, *, kind: str, name: str, expires_at: datetime | None
) -> tuple[ApiToken, str]:
    secret = ("crt_" if kind == "api" else "crs_") + secrets.token_urlsafe(32)
    token = ApiToken(
        tenant=user.tenant,
        user_pk=user.pk,
        kind=kind,
        name=name,
        role=user.role,
        token_hash=hash_token(secret),
        prefix=secret[:10],
        created_at=datetime.now(UTC),
        expires_at=expires_at,
        revoked_at=None,
    )
    session.add(token)
    session.flush()
    return token, secret


def create_token(
    session: Session,
    tenant: str,
    *,
    username: str,
    name: str,
    expires_at: datetime | None = None,
) -> TokenCreated:
    """Make a bearer token for a user: its role and tenant are the user's; shown once."""
    user = repo.UserRepository(session, tenant).by_name(username)
    if user is None:
        raise NotFoundError(f"user {username!r} does not exist in tenant {tenant!r}")
    if user.disabled:
        raise ConflictError(f"user {username!r} is disabled")
    if expires_at is not None and expires_at <= datetime.now(UTC):
        raise InvalidInputError("expires_at: the expiry is in the past")
    token, secret = _new_token(session, user, kind="api", name=name, expires_at=expires_at)
    return TokenCreated(
        pk=token.pk,
        name=token.name,
        tenant=token.tenant,
        role=Role(token.role),
        prefix=token.prefix,
        created_at=token.created_at,
        expires_at=token.expires_at,
        revoked_at=None,
        token=secret,
    )


def revoke_token(session: Session, tenant: str, pk: int) -> None:
    """Revoke a token of the tenant at once."""
    tokens = repo.TokenRepository(session, tenant)
    if tokens.get(pk) is None:
        raise NotFoundError(f"token {pk} does not exist in tenant {tenant!r}")
    tokens.revoke(pk, datetime.now(UTC))
    session.flush()


def authenticate(session: Session, secret: str, *, kind: str = "api") -> Principal:
    """The principal a token (or session) secret stands for; 401 if it is unknown or dead."""
    found = repo.find_token(session, hash_token(secret))
    if found is None:
        raise UnauthenticatedError("invalid or unknown credentials")
    if found.kind != kind or found.revoked_at is not None:
        raise UnauthenticatedError("invalid or unknown credentials")
    if found.expires_at is not None and found.expires_at <= datetime.now(UTC):
        raise UnauthenticatedError("credentials expired")
    if found.disabled or found.user_tenant != found.tenant:
        raise UnauthenticatedError("invalid or unknown credentials")
    return Principal(
        user_pk=found.user_pk,
        username=found.username,
        tenant=found.tenant,
        role=Role(found.role),
        via="token" if kind == "api" else "session",
        token_pk=found.token_pk,
    )


def login(session: Session, *, username: str, password: str, address: str) -> tuple[User, str]:
    """Check a password; on success open a web session and return (user, session secret).

    Failed attempts are counted per user name and per client address; past the limits
    every attempt is refused with 429 until the window has passed, good password or not.
    """
    now = datetime.now(UTC)
    # The attempt counts as a failure before the password is checked (and is forgotten
    # if the password is good): checking the limit and counting are then one step.
    allowed = repo.count_failure_if_allowed(
        session,
        username,
        address,
        at=now,
        since=now - LOGIN_WINDOW,
        per_user=LOGIN_LIMIT_PER_USER,
        per_address=LOGIN_LIMIT_PER_ADDRESS,
    )
    if not allowed:
        raise RateLimitedError("too many failed logins: try again later")
    user = repo.find_user_by_name(session, username)
    if not _password_ok(user.password_hash if user else None, password) or user is None:
        raise UnauthenticatedError("wrong user name or password")
    if user.disabled:
        raise UnauthenticatedError("wrong user name or password")
    repo.forget_failures(session, username, now - LOGIN_WINDOW)
    _token, secret = _new_token(
        session, user, kind="session", name="web", expires_at=now + SESSION_TTL
    )
    return user, secret


def _password_ok(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _dummy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def logout(session: Session, principal: Principal) -> None:
    """End the web session the principal came with."""
    repo.TokenRepository(session, principal.tenant).revoke(principal.token_pk, datetime.now(UTC))
    session.flush()


def record_audit(
    session: Session,
    tenant: str,
    *,
    actor: str,
    action: str,
    resource_type: str,
    resource_ids: Iterable[str | None] = (None,),
    outcome: str = "success",
    request_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one audit event per resource id (ids and counts only, never texts)."""
    now = datetime.now(UTC)
    rows = [
        {
            "tenant": tenant,
            "actor": actor,
            "action": action,
            "resource_type": resource_type,
            "resource_id": rid,
            "at": now,
            "request_id": request_id,
            "outcome": outcome,
            "detail": detail or {},
        }
        for rid in resource_ids
    ]
    repo.AuditRepository(session, tenant).append(rows)


def record_audit_set(
    session: Session,
    tenant: str,
    *,
    actor: str,
    action: str,
    resource_type: str,
    resource_ids: list[str],
    request_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append ONE audit event for an action on many resources, naming every id.

    The ids go in ``detail["ids"]`` (``resource_id`` stays empty); the audit query by
    resource id also finds them there. One row per batch instead of one per record:
    the same who, what, which records and when, at a fraction of the write cost.
    """
    repo.AuditRepository(session, tenant).append(
        [
            {
                "tenant": tenant,
                "actor": actor,
                "action": action,
                "resource_type": resource_type,
                "resource_id": None,
                "at": datetime.now(UTC),
                "request_id": request_id,
                "outcome": "success",
                "detail": {**(detail or {}), "ids": list(resource_ids)},
            }
        ]
    )


def audit_page(
    session: Session,
    tenant: str,
    *,
    actor: str | None = None,
    action: str | None = None,
    resource_type: str | None = None,
    resource_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> AuditPage:
    """A page of the tenant's audit events, newest first, and the cursor to the next one."""
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise InvalidInputError(f"{name}: give a time zone (e.g. 2026-11-02T09:00:00Z)")
    before = None
    if cursor is not None:
        try:
            before = check_row_key(int(base64.urlsafe_b64decode(cursor.encode()).decode()))
        except ValueError as exc:  # binascii.Error and UnicodeDecodeError are ValueErrors
            raise InvalidInputError("cursor: not a cursor returned by this endpoint") from exc
    rows = repo.AuditRepository(session, tenant).query(
        actor=actor,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        since=since,
        until=until,
        before_pk=before,
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = base64.urlsafe_b64encode(str(rows[-1].pk).encode()).decode() if more else None
    return AuditPage(
        items=[AuditEventRead.model_validate(r) for r in rows], next_cursor=next_cursor
    )
