"""Every query on analysis results, scoped to one tenant."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, func, insert, or_, select

from criterio.annotations.models import AnalysisResult
from criterio.interactions.models import Interaction
from criterio.tenancy import TenantScopedRepository

__all__ = ["AnalysisResultRepository", "PendingInteractionRepository"]

#: Keys per statement: stays under the bind-parameter limits of both stores.
_CHUNK = 1000


class AnalysisResultRepository(TenantScopedRepository):
    """Reads and writes one tenant's analysis results."""

    model = AnalysisResult

    def replace(self, rows: Sequence[dict[str, Any]]) -> int:
        """Store results, replacing earlier results of the same interactions; returns rows stored.

        A result whose interaction was erased after it was read is dropped, not stored:
        the interactions still present are locked against deletion until the transaction
        ends, so an erasure either finishes before this write (and its results are left
        out) or waits for it (and its cascade removes them).
        """
        if not rows:
            return 0
        if any(row["tenant"] != self.tenant for row in rows):
            raise ValueError("replace given a result of another tenant")
        pks = sorted({row["interaction_pk"] for row in rows})
        if self.session.get_bind().dialect.name == "sqlite":
            # The DELETE opens the write transaction (a SELECT alone would run outside
            # one) and SQLite has a single writer: nothing is erased until the commit.
            self._delete_results(pks)
            present = self._lock_present(pks)
        else:
            # Interactions first, then results: the order an erasure's cascade takes
            # them in, so the two never wait on each other in a cycle.
            present = self._lock_present(pks)
            self._delete_results(pks)
        kept = [row for row in rows if row["interaction_pk"] in present]
        if kept:
            self.session.execute(insert(AnalysisResult), kept)
        return len(kept)

    def _delete_results(self, pks: Sequence[int]) -> None:
        for start in range(0, len(pks), _CHUNK):
            stmt = self._scoped(delete(AnalysisResult)).where(
                AnalysisResult.interaction_pk.in_(pks[start : start + _CHUNK])
            )
            self.session.execute(stmt)

    def _lock_present(self, pks: Sequence[int]) -> set[int]:
        """The interactions among ``pks`` that still exist, locked (FOR KEY SHARE) in key order."""
        present: set[int] = set()
        for start in range(0, len(pks), _CHUNK):
            stmt = (
                select(Interaction.pk)
                .where(Interaction.tenant == self.tenant)
                .where(Interaction.pk.in_(pks[start : start + _CHUNK]))
                .order_by(Interaction.pk)
                .with_for_update(key_share=True)
            )
            present.update(self.session.scalars(stmt))
        return present

    def for_interaction(self, interaction_pk: int) -> AnalysisResult | None:
        """The result of one interaction, or None."""
        stmt = self._select().where(AnalysisResult.interaction_pk == interaction_pk)
        return self.session.scalars(stmt).one_or_none()

    def count_with_version(self, stage: str, version: str) -> int:
        """How many results ``stage`` (e.g. ``intents``) made at ``version``."""
        # versions_key is json.dumps(versions, sort_keys=True): the pair appears verbatim.
        fragment = json.dumps({stage: version})[1:-1]
        stmt = self._select(func.count()).where(
            AnalysisResult.versions_key.contains(fragment, autoescape=True)
        )
        return int(self.session.scalar(stmt) or 0)

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
