"""Every query of triage (tenant-scoped)."""

from __future__ import annotations

from collections.abc import Sequence
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

    def get(self, decision_id: int) -> TriageDecision | None:
        """One decision by id, or None."""
        stmt = self._select().where(TriageDecision.id == decision_id)
        return self.session.scalars(stmt).one_or_none()

    def newest(self, since: datetime | None = None, limit: int = 1000) -> list[TriageDecision]:
        """Decisions, newest first (since ``since`` when given)."""
        stmt = self._select()
        if since is not None:
            stmt = stmt.where(TriageDecision.decided_at >= since)
        stmt = stmt.order_by(TriageDecision.decided_at.desc(), TriageDecision.id.desc())
        return list(self.session.scalars(stmt.limit(limit)))

    def automated(self, since: datetime) -> list[TriageDecision]:
        """Live automated decisions since ``since``, oldest first."""
        stmt = self._select().where(
            TriageDecision.action == "automate",
            TriageDecision.mode == "live",
            TriageDecision.decided_at >= since,
        )
        return list(self.session.scalars(stmt.order_by(TriageDecision.decided_at)))

    def intents_of(self, interaction_ids: Sequence[str]) -> dict[str, str]:
        """The intent of each interaction's latest decision."""
        if not interaction_ids:
            return {}
        stmt = (
            self._select(TriageDecision.interaction_id, TriageDecision.intent)
            .where(TriageDecision.interaction_id.in_(list(interaction_ids)))
            .order_by(TriageDecision.decided_at, TriageDecision.id)
        )
        return {str(i): str(intent) for i, intent in self.session.execute(stmt)}


class ContactRepository(TenantScopedRepository):
    """Who contacted when: the stored interactions outcomes are judged against."""

    model = Interaction

    def contacts(self, external_ids: Sequence[str]) -> list[tuple[str, str | None, datetime]]:
        """(id, customer, started_at) of these interactions."""
        if not external_ids:
            return []
        stmt = self._select(
            Interaction.external_id, Interaction.customer_id, Interaction.started_at
        ).where(Interaction.external_id.in_(list(external_ids)))
        return [(str(i), c, t) for i, c, t in self.session.execute(stmt)]

    def later_contacts(
        self, customers: Sequence[str], start: datetime, end: datetime
    ) -> list[tuple[str, str, datetime, dict[str, str]]]:
        """(id, customer, started_at, labels) of these customers' contacts in [start, end]."""
        if not customers:
            return []
        stmt = self._select(
            Interaction.external_id,
            Interaction.customer_id,
            Interaction.started_at,
            Interaction.labels,
        ).where(
            Interaction.customer_id.in_(list(customers)),
            Interaction.started_at >= start,
            Interaction.started_at <= end,
        )
        return [(str(i), str(c), t, dict(lab or {})) for i, c, t, lab in self.session.execute(stmt)]

    def customer_contacts(self, customer_ids: Sequence[str]) -> list[tuple[str, datetime]]:
        """(customer id, started_at) of every stored interaction of these customers."""
        if not customer_ids:
            return []
        stmt = self._select(Interaction.customer_id, Interaction.started_at).where(
            Interaction.customer_id.in_(sorted(customer_ids))
        )
        return [(str(c), s) for c, s in self.session.execute(stmt).all()]
