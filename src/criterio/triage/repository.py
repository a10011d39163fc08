"""Every query of triage (tenant-scoped)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func

from criterio.tenancy import TenantScopedRepository
from criterio.triage.models import TriageDecision, TriagePolicy

__all__ = ["DecisionRepository", "PolicyRepository"]


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

    def get(self, decision_id: int) -> TriageDecision | None:
        """One decision by id, or None."""
        stmt = self._select().where(TriageDecision.id == decision_id)
        return self.session.scalars(stmt).one_or_none()

    def list(self, since: datetime | None = None, limit: int = 1000) -> list[TriageDecision]:
        """Decisions, newest first (since ``since`` when given)."""
        stmt = self._select()
        if since is not None:
            stmt = stmt.where(TriageDecision.decided_at >= since)
        stmt = stmt.order_by(TriageDecision.decided_at.desc(), TriageDecision.id.desc())
        return list(self.session.scalars(stmt.limit(limit)))
