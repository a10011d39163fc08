"""Every query of the model registry (tenant-scoped, but for two marked operator lookups)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from criterio.db import is_sqlite
from criterio.learning.models import FeedbackEvent, RegisteredModel
from criterio.tenancy import TenantScopedRepository, exempt

__all__ = ["FeedbackRepository", "ModelRepository", "model_tenant", "model_tenants"]


class ModelRepository(TenantScopedRepository):
    """The registered models of one tenant."""

    model = RegisteredModel

    def list(self, kind: str | None = None) -> list[RegisteredModel]:
        """The tenant's models, by kind then newest version first."""
        stmt = self._select()
        if kind is not None:
            stmt = stmt.where(RegisteredModel.kind == kind)
        stmt = stmt.order_by(RegisteredModel.kind, RegisteredModel.version.desc())
        return list(self.session.scalars(stmt))

    def get(self, model_id: int) -> RegisteredModel | None:
        """One model of the tenant by id, or None."""
        return self.session.scalars(
            self._select().where(RegisteredModel.id == model_id)
        ).one_or_none()

    def champion(self, kind: str) -> RegisteredModel | None:
        """The tenant's champion of ``kind``, or None."""
        stmt = self._select().where(
            RegisteredModel.kind == kind, RegisteredModel.status == "champion"
        )
        return self.session.scalars(stmt).one_or_none()

    def champions(self, kinds: Sequence[str]) -> dict[str, RegisteredModel]:
        """The tenant's champions of these kinds, by kind, in one query."""
        stmt = self._select().where(
            RegisteredModel.kind.in_(list(kinds)), RegisteredModel.status == "champion"
        )
        return {row.kind: row for row in self.session.scalars(stmt)}

    def lock_kind(self, kind: str) -> Sequence[RegisteredModel]:
        """Every model of ``kind``, read fresh and locked until the transaction ends.

        Two promotions of the same tenant and kind then run one after the other. On
        PostgreSQL the rows are locked (``FOR UPDATE``); SQLite has no row locks, so a
        write that changes nothing takes its database-wide write lock first, and the
        rows read after it are the latest. The partial unique index is the last guard.
        """
        if is_sqlite(self.session.get_bind().dialect):
            noop = update(RegisteredModel).where(RegisteredModel.kind == kind)
            self.session.execute(self._scoped(noop.values(status=RegisteredModel.status)))
        stmt = (
            self._select()
            .where(RegisteredModel.kind == kind)
            .order_by(RegisteredModel.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return list(self.session.scalars(stmt))

    def next_version(self, kind: str) -> int:
        """One more than the tenant's highest version of ``kind`` (1 for the first)."""
        stmt = self._select(func.max(RegisteredModel.version)).where(RegisteredModel.kind == kind)
        return int(self.session.scalar(stmt) or 0) + 1


def model_tenant(session: Session, model_id: int) -> str | None:
    """The tenant a model id belongs to: a command line names a model by id alone."""
    stmt = exempt(
        select(RegisteredModel.tenant).where(RegisteredModel.id == model_id),
        "a model id from the command line, before its tenant is known",
    )
    return session.scalar(stmt)


def model_tenants(session: Session) -> list[str]:
    """Every tenant that has registered models (an operator's view from the CLI)."""
    stmt = exempt(
        select(RegisteredModel.tenant).distinct().order_by(RegisteredModel.tenant),
        "the operator's list of tenants with models",
    )
    return list(session.scalars(stmt))


class FeedbackRepository(TenantScopedRepository):
    """The feedback events of one tenant."""

    model = FeedbackEvent

    def by_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of these event keys are already recorded."""
        if not keys:
            return set()
        stmt = self._select(FeedbackEvent.event_key).where(FeedbackEvent.event_key.in_(list(keys)))
        return set(self.session.scalars(stmt))

    def list(
        self,
        *,
        kinds: Sequence[str] | None = None,
        interaction_id: str | None = None,
        case_id: int | None = None,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[FeedbackEvent]:
        """Events, oldest first (filtered by kind, interaction, case and time)."""
        stmt = self._select()
        if kinds is not None:
            stmt = stmt.where(FeedbackEvent.kind.in_(list(kinds)))
        if interaction_id is not None:
            stmt = stmt.where(FeedbackEvent.interaction_id == interaction_id)
        if case_id is not None:
            stmt = stmt.where(FeedbackEvent.case_id == case_id)
        if since is not None:
            stmt = stmt.where(FeedbackEvent.at >= since)
        stmt = stmt.order_by(FeedbackEvent.at, FeedbackEvent.id)
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(self.session.scalars(stmt))
