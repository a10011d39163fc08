"""Wire formats of the auth domain (API and CLI), separate from the ORM tables."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints

from criterio.auth.roles import Role

__all__ = [
    "AuditEventRead",
    "AuditPage",
    "Principal",
    "TenantName",
    "TokenCreated",
    "TokenRead",
    "UserRead",
    "Username",
]

TenantName = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
]
Username = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}$")
]


class Principal(BaseModel):
    """Who is calling: the authenticated user, the tenant and the role in force."""

    model_config = ConfigDict(frozen=True)

    user_pk: int
    username: str
    tenant: str
    role: Role
    via: str  # "token" or "session"
    token_pk: int


class UserRead(BaseModel):
    """A user as listed (never the password hash)."""

    model_config = ConfigDict(from_attributes=True)

    username: str
    tenant: str
    role: Role
    disabled: bool
    created_at: datetime


class TokenRead(BaseModel):
    """A token as listed: its prefix, never its secret or hash."""

    model_config = ConfigDict(from_attributes=True)

    pk: int
    name: str
    tenant: str
    role: Role
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenRead):
    """A newly made token: the only time its secret is shown."""

    token: str


class AuditEventRead(BaseModel):
    """One audit record."""

    model_config = ConfigDict(from_attributes=True)

    pk: int
    tenant: str
    actor: str
    action: str
    resource_type: str
    resource_id: str | None
    at: datetime
    request_id: str | None
    outcome: str
    detail: dict[str, Any]


class AuditPage(BaseModel):
    """A page of audit events, newest first, and the cursor of the next page."""

    items: list[AuditEventRead]
    next_cursor: str | None
