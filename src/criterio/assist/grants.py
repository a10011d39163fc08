"""Per-user grants to see a case's conversation unredacted (``personal_data_grants``).

The role matrix gives ``view_personal_data`` to leads and admins only; an agent who must
verify callers' identity is granted it one by one, with a reason, by a lead or an admin
(``grant_personal_data``), and loses it when the grant is revoked. Who may see personal
data is therefore: the role's permission, or an active grant. Every unredacted view is
audited by the API and the pages, naming the case and what allowed it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from criterio.assist.models import PersonalDataGrant
from criterio.auth.repository import UserRepository
from criterio.auth.roles import Permission, allowed
from criterio.errors import InvalidInputError, NotFoundError
from criterio.tenancy import TenantScopedRepository

__all__ = [
    "GrantRepository",
    "active_grant",
    "grant_personal_data",
    "list_grants",
    "personal_data_access",
    "revoke_personal_data",
]

#: Longest reason kept with a grant.
REASON_MAX = 500


class GrantRepository(TenantScopedRepository):
    """The personal-data grants of one tenant."""

    model = PersonalDataGrant

    def active(self, username: str) -> PersonalDataGrant | None:
        """The user's grant in force, or None."""
        stmt = self._select().where(
            PersonalDataGrant.username == username, PersonalDataGrant.revoked_at.is_(None)
        )
        return self.session.scalars(stmt.order_by(PersonalDataGrant.id).limit(1)).first()

    def find(self, *, include_revoked: bool = False) -> list[PersonalDataGrant]:
        """Grants, newest first (only those in force unless ``include_revoked``)."""
        stmt = self._select()
        if not include_revoked:
            stmt = stmt.where(PersonalDataGrant.revoked_at.is_(None))
        order = (PersonalDataGrant.granted_at.desc(), PersonalDataGrant.id.desc())
        return list(self.session.scalars(stmt.order_by(*order)))

    def in_force(self, username: str) -> list[PersonalDataGrant]:
        """Every grant in force for the user (one, unless two leads granted at once)."""
        stmt = self._select().where(
            PersonalDataGrant.username == username, PersonalDataGrant.revoked_at.is_(None)
        )
        return list(self.session.scalars(stmt.order_by(PersonalDataGrant.id)))


def active_grant(session: Session, tenant: str, username: str) -> PersonalDataGrant | None:
    """The grant in force for ``username`` in ``tenant``, or None."""
    return GrantRepository(session, tenant).active(username)


def personal_data_access(session: Session, tenant: str, username: str, role: str) -> str | None:
    """What lets this person see personal data: ``"role"``, ``"grant"``, or None."""
    if allowed(role, Permission.view_personal_data):
        return "role"
    return "grant" if active_grant(session, tenant, username) is not None else None


def grant_personal_data(
    session: Session, tenant: str, username: str, *, reason: str, by: str
) -> PersonalDataGrant:
    """Let ``username`` see cases' personal data (idempotent: a grant in force is kept).

    Only a user of the tenant who works cases may be granted it; the reason is required.
    """
    why = reason.strip()
    if not why:
        raise InvalidInputError("reason: say why this user must see personal data")
    if len(why) > REASON_MAX:
        raise InvalidInputError(f"reason: at most {REASON_MAX} characters")
    user = UserRepository(session, tenant).by_name(username)
    if user is None:
        raise NotFoundError(f"user {username!r}: no such user in this tenant")
    if not allowed(user.role, Permission.work_cases):
        raise InvalidInputError(
            f"user {username!r}: role {user.role!r} does not work cases, so it sees none"
        )
    repo = GrantRepository(session, tenant)
    current = repo.active(username)
    if current is not None:
        return current
    grant = PersonalDataGrant(
        tenant=tenant,
        username=username,
        reason=why,
        granted_by=by,
        granted_at=datetime.now(UTC),
    )
    session.add(grant)
    session.flush()
    return grant


def revoke_personal_data(
    session: Session, tenant: str, username: str, *, by: str
) -> PersonalDataGrant:
    """End ``username``'s grant (the ended grant); NotFoundError when none is in force."""
    grants = GrantRepository(session, tenant).in_force(username)
    if not grants:
        raise NotFoundError(f"user {username!r}: holds no personal-data grant in force")
    now = datetime.now(UTC)
    for grant in grants:
        grant.revoked_at, grant.revoked_by = now, by
    session.flush()
    return grants[0]


def list_grants(
    session: Session, tenant: str, *, include_revoked: bool = False
) -> Sequence[PersonalDataGrant]:
    """The tenant's grants, newest first."""
    return GrantRepository(session, tenant).find(include_revoked=include_revoked)
