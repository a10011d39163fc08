"""Every query of the auth domain.

Tenant-owned tables (users, api_tokens, audit_events) are read through
:class:`~criterio.tenancy.TenantScopedRepository` subclasses. The few lookups that must
run before a tenant is known (a token by its hash, a user by name at login, login
attempts, the tenant list) are module functions marked ``tenant_scope_exempt`` with
their reason, so the scoping test can tell them from a forgotten filter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    ColumnElement,
    Executable,
    String,
    Table,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from criterio.auth.models import ApiToken, AuditEvent, LoginAttempt, Tenant, User
from criterio.db import UTCDateTime, is_postgres

# EXEMPT_OPTION and exempt live in tenancy; re-exported for the callers that import them here.
from criterio.tenancy import EXEMPT_OPTION, TenantScopedRepository, exempt

__all__ = [
    "EXEMPT_OPTION",
    "AuditRepository",
    "TokenOwner",
    "TokenRepository",
    "UserRepository",
    "add_missing_tenants",
    "count_failure_if_allowed",
    "exempt",
    "find_token",
    "find_user_by_name",
    "forget_failures",
    "get_tenant",
    "list_all_tenants",
]


def get_tenant(session: Session, name: str) -> Tenant | None:
    """The tenant of that name, or None."""
    return session.get(Tenant, name)


def list_all_tenants(session: Session) -> list[Tenant]:
    """Every tenant (an operator's view from the CLI)."""
    return list(session.scalars(select(Tenant).order_by(Tenant.name)))


def add_missing_tenants(session: Session, names: Iterable[str], at: datetime) -> list[str]:
    """Create the tenants among ``names`` that do not exist yet; returns their names.

    Concurrent imports naming the same new tenant do not fail: the insert skips a
    name another transaction has just added.
    """
    wanted = sorted(set(names))
    if not wanted:
        return []
    known = set(session.scalars(select(Tenant.name).where(Tenant.name.in_(wanted))))
    missing = [name for name in wanted if name not in known]
    if missing:
        insert = pg_insert if is_postgres(session.get_bind().dialect) else sqlite_insert
        rows = [{"name": name, "display_name": name, "created_at": at} for name in missing]
        session.execute(insert(Tenant).values(rows).on_conflict_do_nothing(index_elements=["name"]))
    return missing


class TokenOwner(NamedTuple):
    """What authentication needs of a token and its user (one row, no ORM objects)."""

    token_pk: int
    kind: str
    role: str
    tenant: str
    expires_at: datetime | None
    revoked_at: datetime | None
    user_pk: int
    username: str
    disabled: bool
    user_tenant: str


@lru_cache(maxsize=1)
def _token_lookup() -> Executable:
    # Built once with a bound parameter: this runs on every API request, and building
    # and caching-keying the statement each time cost about as much as executing it.
    statement: Executable = (
        select(
            ApiToken.pk,
            ApiToken.kind,
            ApiToken.role,
            ApiToken.tenant,
            ApiToken.expires_at,
            ApiToken.revoked_at,
            User.pk,
            User.username,
            User.disabled,
            User.tenant,
        )
        .join(User, User.pk == ApiToken.user_pk)
        .where(ApiToken.token_hash == bindparam("token_hash"))
    )
    return exempt(statement, "authentication by token hash")


def find_token(session: Session, token_hash: str) -> TokenOwner | None:
    """The token with this hash and its user: authentication, before any tenant is known."""
    # On the connection: a plain Core row, without the ORM's per-statement set-up.
    row = session.connection().execute(_token_lookup(), {"token_hash": token_hash}).one_or_none()
    return TokenOwner(*row) if row is not None else None


def find_user_by_name(session: Session, username: str) -> User | None:
    """The user of that name: password login, before any tenant is known."""
    stmt = exempt(select(User).where(User.username == username), "login by user name")
    return session.scalars(stmt).one_or_none()


#: Advisory-lock classes (PostgreSQL) of the login counters: per user name, per address.
_USER_LOCK, _ADDRESS_LOCK = 7301, 7302


def count_failure_if_allowed(
    session: Session,
    username: str,
    address: str,
    *,
    at: datetime,
    since: datetime,
    per_user: int,
    per_address: int,
) -> bool:
    """Count one failed login now, unless the user name or the address is already at its
    limit since ``since``: True if it was counted (the attempt may go ahead).

    Check and count are one statement, and concurrent logins of one user name or one
    address wait for each other (SQLite: the statement takes the write lock;
    PostgreSQL: advisory locks, always user before address), so N parallel attempts
    cannot all read "below the limit" before any of them is counted. The caller forgets
    the failures after a good password.
    """
    username, address = username[:100], address[:64]
    if is_postgres(session.get_bind().dialect):
        for lock_class, key in ((_USER_LOCK, username), (_ADDRESS_LOCK, address)):
            session.execute(
                select(func.pg_advisory_xact_lock(literal(lock_class), func.hashtext(key)))
            )
    by_user = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.username == username, LoginAttempt.at >= since)
        .scalar_subquery()
    )
    by_address = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.address == address, LoginAttempt.at >= since)
        .scalar_subquery()
    )
    values = select(
        literal(username, String(100)), literal(address, String(64)), literal(at, UTCDateTime())
    ).where(by_user < per_user, by_address < per_address)
    table = cast(Table, LoginAttempt.__table__)
    stmt = insert(table).from_select(["username", "address", "at"], values).returning(table.c.pk)
    return session.connection().execute(stmt).first() is not None


def forget_failures(session: Session, username: str, before: datetime) -> None:
    """Drop failures of a user name (after a good login) and every one older than ``before``."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.username == username[:100]))
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < before))


class UserRepository(TenantScopedRepository):
    """One tenant's users."""

    model = User

    def by_name(self, username: str) -> User | None:
        """The tenant's user of that name, or None."""
        return self.session.scalars(self._select().where(User.username == username)).one_or_none()

    def list(self) -> list[User]:
        """Every user of the tenant, by name."""
        return list(self.session.scalars(self._select().order_by(User.username)))

    def set_disabled(self, username: str, disabled: bool) -> int:
        """Disable (or enable) a user; returns the rows changed."""
        stmt = self._scoped(update(User)).where(User.username == username).values(disabled=disabled)
        return int(self.session.execute(stmt).rowcount)  # type: ignore[attr-defined]


class TokenRepository(TenantScopedRepository):
    """One tenant's tokens and web sessions."""

    model = ApiToken

    def get(self, pk: int) -> ApiToken | None:
        """The tenant's token with that key, or None."""
        return self.session.scalars(self._select().where(ApiToken.pk == pk)).one_or_none()

    def list(self, kind: str = "api") -> list[ApiToken]:
        """The tenant's tokens of one kind, newest first."""
        stmt = self._select().where(ApiToken.kind == kind).order_by(ApiToken.pk.desc())
        return list(self.session.scalars(stmt))

    def revoke(self, pk: int, at: datetime) -> int:
        """Revoke one token now; returns the rows changed."""
        stmt = (
            self._scoped(update(ApiToken))
            .where(ApiToken.pk == pk, ApiToken.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return int(self.session.execute(stmt).rowcount)  # type: ignore[attr-defined]

    def revoke_user(self, user_pk: int, at: datetime) -> int:
        """Revoke every live token and session of a user."""
        stmt = (
            self._scoped(update(ApiToken))
            .where(ApiToken.user_pk == user_pk, ApiToken.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return int(self.session.execute(stmt).rowcount)  # type: ignore[attr-defined]


@lru_cache(maxsize=1)
def _audit_insert() -> Executable:
    return cast(Table, AuditEvent.__table__).insert()


class AuditRepository(TenantScopedRepository):
    """One tenant's audit log: append and query."""

    model = AuditEvent

    def append(self, rows: Sequence[dict[str, Any]]) -> None:
        """Add audit rows (each with this repository's tenant)."""
        if not rows:
            return
        if any(row["tenant"] != self.tenant for row in rows):
            raise ValueError("audit row of another tenant")
        # Core insert of the table: the ORM bulk path costs several times more per row.
        self.session.connection().execute(_audit_insert(), list(rows))

    def query(
        self,
        *,
        actor: str | None = None,
        action: str | None = None,
        resource_type: str | None = None,
        resource_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        before_pk: int | None = None,
        limit: int = 100,
    ) -> list[AuditEvent]:
        """Audit events matching the filters, newest first."""
        stmt = self._select()
        for attribute, value in (
            (AuditEvent.actor, actor),
            (AuditEvent.action, action),
            (AuditEvent.resource_type, resource_type),
        ):
            if value is not None:
                stmt = stmt.where(attribute == value)
        if resource_id is not None:
            # A batch write is one event naming its records in detail["ids"].
            stmt = stmt.where(
                or_(AuditEvent.resource_id == resource_id, self._names_id(resource_id))
            )
        if since is not None:
            stmt = stmt.where(AuditEvent.at >= since)
        if until is not None:
            stmt = stmt.where(AuditEvent.at < until)
        if before_pk is not None:
            stmt = stmt.where(AuditEvent.pk < before_pk)
        return list(self.session.scalars(stmt.order_by(AuditEvent.pk.desc()).limit(limit)))

    def _names_id(self, resource_id: str) -> ColumnElement[bool]:
        """True where the event's ``detail["ids"]`` holds ``resource_id``."""
        if is_postgres(self.session.get_bind().dialect):
            return type_coerce(AuditEvent.detail, JSONB).contains({"ids": [resource_id]})
        ids = func.json_each(AuditEvent.detail, "$.ids").table_valued("value")
        return exists(select(literal(1)).select_from(ids).where(ids.c.value == resource_id))
