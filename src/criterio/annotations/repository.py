"""Every query on analysis results, scoped to one tenant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, func, insert, or_

from criterio.annotations.models import AnalysisResult
from criterio.interactions.models import Interaction
from criterio.tenancy import TenantScopedRepository

__all__ = ["AnalysisResultRepository", "PendingInteractionRepository"]


class AnalysisResultRepository(TenantScopedRepository):
    """Reads and writes one tenant's analysis results."""

    model = AnalysisResult

    def replace(self, rows: Sequence[dict[str, Any]]) -> None:
        """Store results, replacing any earlier result of the same interactions."""
        if not rows:
            return
        if any(row["tenant"] != self.tenant for row in rows):
            raise ValueError("replace given a result of another tenant")
        pks = [row["interaction_pk"] for row in rows]
        for start in range(0, len(pks), 1000):  # stay under bind-parameter limits
            stmt = self._scoped(delete(AnalysisResult)).where(
                AnalysisResult.interaction_pk.in_(pks[start : start + 1000])
            )
            self.session.execute(stmt)
        self.session.execute(insert(AnalysisResult), list(rows))

    def for_interaction(self, interaction_pk: int) -> AnalysisResult | None:
        """The result of one interaction, or None."""
        stmt = self._select().where(AnalysisResult.interaction_pk == interaction_pk)
        return self.session.scalars(stmt).one_or_none()

    def count_by(self, column: str) -> list[tuple[str | None, int]]:
        """Counts grouped by one column (language, sentiment_label, trajectory)."""
        col = getattr(AnalysisResult, column)
        stmt = self._select(col, func.count()).group_by(col).order_by(func.count().desc())
        return [(value, int(n)) for value, n in self.session.execute(stmt)]


class PendingInteractionRepository(TenantScopedRepository):
    """Interactions that need analysis: never analysed, changed since, or by old analyzers."""

    model = Interaction

    def _pending(
        self, entities: Sequence[Any], versions_key: str, since: datetime | None
    ) -> Select[Any]:
        stale: ColumnElement[bool] = or_(
            AnalysisResult.pk.is_(None),
            AnalysisResult.input_hash != Interaction.content_hash,
            AnalysisResult.versions_key != versions_key,
        )
        stmt = (
            self._select(*entities)
            .outerjoin(AnalysisResult, AnalysisResult.interaction_pk == Interaction.pk)
            .where(stale)
        )
        if since is not None:
            stmt = stmt.where(Interaction.started_at >= since)
        return stmt

    def count(self, versions_key: str, since: datetime | None = None) -> int:
        """How many interactions are pending."""
        stmt = self._pending([func.count(Interaction.pk)], versions_key, since)
        return int(self.session.scalar(stmt) or 0)

    def page(
        self, versions_key: str, *, after_pk: int, limit: int, since: datetime | None = None
    ) -> list[dict[str, Any]]:
        """The next ``limit`` pending interactions after ``after_pk`` (keyset paging)."""
        stmt = self._pending(
            [Interaction.pk, Interaction.external_id, Interaction.content_hash, Interaction.turns],
            versions_key,
            since,
        )
        stmt = stmt.where(Interaction.pk > after_pk).order_by(Interaction.pk).limit(limit)
        return [
            {
                "pk": pk,
                "id": external_id,
                "tenant": self.tenant,
                "content_hash": digest,
                "turns": turns,
            }
            for pk, external_id, digest, turns in self.session.execute(stmt)
        ]
