"""Every query of triage (tenant-scoped)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func

from criterio.interactions.models import Interaction
from criterio.tenancy import TenantScopedRepository
from criterio.triage.models import TriageDecision, TriagePolicy

__all__ = ["ContactRepository", "DecisionRepository", "PolicyRepository"]


class PolicyRepository(TenantScopedRepository):
    """The policy versions of one tenant."""

    model = TriagePolicy

    def latest(self) -> TriagePolicy | None:
        """The policy in force (highest version), or None."""
        stmt = self._select().order_by(TriagePolicy.version.desc()).limit(1)
        return self.session.scalars(stmt).first()

    def next_version(self) -> int:
        """The version the next policy gets."""
        current = self.session.scalar(self._select(func.max(TriagePolicy.version)))
        return int(current or 0) + 1


class DecisionRepository(TenantScopedRepository):
    """The triage decisions of one tenant."""

    model = TriageDecision

    def list(self, since: datetime | None = None, limit: int = 1000) -> list[TriageDecision]:
        """Decisions, newest first (since ``since`` when given)."""
        stmt = self._select()
        if since is not None:
            stmt = stmt.where(TriageDecision.decided_at >= since)
        stmt = stmt.order_by(TriageDecision.decided_at.desc(), TriageDecision.id.desc())
        return list(self.session.scalars(stmt.limit(limit)))


class ContactRepository(TenantScopedRepository):
    """When the tenant's customers got in touch (the stored interactions)."""

    model = Interaction

    def contacts(self, customer_ids: Collection[str]) -> list[tuple[str, datetime]]:
        """(customer id, started_at) of every stored interaction of these customers."""
        if not customer_ids:
            return []
        stmt = self._select(Interaction.customer_id, Interaction.started_at).where(
            Interaction.customer_id.in_(sorted(customer_ids))
        )
        return [(str(c), s) for c, s in self.session.execute(stmt).all()]
