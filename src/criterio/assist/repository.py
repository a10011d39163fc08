"""Every query of cases and queue memberships (tenant-scoped)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update

from criterio.assist.models import Case, QueueMember
from criterio.tenancy import TenantScopedRepository

__all__ = ["CaseRepository", "QueueMemberRepository"]


class CaseRepository(TenantScopedRepository):
    """The cases of one tenant."""

    model = Case

    def get(self, case_id: int) -> Case | None:
        """One case by id, or None."""
        return self.session.scalars(self._select().where(Case.id == case_id)).one_or_none()

    def by_interaction(self, interaction_id: str) -> Case | None:
        """The case of an interaction, or None."""
        stmt = self._select().where(Case.interaction_id == interaction_id)
        return self.session.scalars(stmt).one_or_none()

    def by_interactions(self, interaction_ids: Sequence[str]) -> dict[str, Case]:
        """The cases of these interactions, by interaction id."""
        if not interaction_ids:
            return {}
        stmt = self._select().where(Case.interaction_id.in_(list(interaction_ids)))
        return {case.interaction_id: case for case in self.session.scalars(stmt)}

    def find(
        self,
        *,
        queues: Sequence[str] | None = None,
        statuses: Sequence[str] | None = None,
        assignee: str | None = None,
        limit: int = 200,
        offset: int = 0,
    ) -> list[Case]:
        """Cases in working order: priority rank, then oldest first."""
        stmt = self._select()
        if queues is not None:
            stmt = stmt.where(Case.queue.in_(list(queues)))
        if statuses is not None:
            stmt = stmt.where(Case.status.in_(list(statuses)))
        if assignee is not None:
            stmt = stmt.where(Case.assignee == assignee)
        stmt = stmt.order_by(Case.priority_rank, Case.opened_at, Case.id)
        return list(self.session.scalars(stmt.offset(offset).limit(limit)))

    def open_candidates(self, queues: Sequence[str], limit: int) -> list[int]:
        """Ids of the open cases at the head of these queues, in working order."""
        stmt = (
            self._select(Case.id)
            .where(Case.queue.in_(list(queues)), Case.status == "open")
            .order_by(Case.priority_rank, Case.opened_at, Case.id)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))

    def claim(self, case_id: int, username: str, at: datetime) -> bool:
        """Assign an open case to ``username`` if it is still open: True when this call won.

        The condition on ``status`` makes the update the lock: of two agents claiming
        the same case, the database lets exactly one update match (PostgreSQL re-checks
        the condition after waiting for the other's row lock; SQLite serialises writes).
        """
        stmt = self._scoped(
            update(Case)
            .where(Case.id == case_id, Case.status == "open")
            .values(status="assigned", assignee=username, assigned_at=at)
        )
        result: Any = self.session.execute(stmt.execution_options(synchronize_session=False))
        return bool(result.rowcount == 1)


class QueueMemberRepository(TenantScopedRepository):
    """Who works which queue, in one tenant."""

    model = QueueMember

    def queues_of(self, username: str) -> list[str]:
        """The queues ``username`` works, by name."""
        stmt = (
            self._select(QueueMember.queue)
            .where(QueueMember.username == username)
            .order_by(QueueMember.queue)
        )
        return list(self.session.scalars(stmt))

    def all(self) -> list[QueueMember]:
        """Every membership, by queue then user."""
        stmt = self._select().order_by(QueueMember.queue, QueueMember.username)
        return list(self.session.scalars(stmt))

    def clear_queue(self, queue: str) -> None:
        """Remove every member of ``queue``."""
        self.session.execute(self._scoped(delete(QueueMember).where(QueueMember.queue == queue)))
