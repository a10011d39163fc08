"""ORM table of the model registry: every trained model of a tenant, and its standing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from criterio.db import Base, BigIntPK, JSONType, UTCDateTime

__all__ = ["KINDS", "STATUSES", "RegisteredModel"]

#: What a model does: intents, topics, and (later) triage calibration and ranking.
KINDS = ("intent", "topics", "triage", "ranking")
#: A candidate is trained; the champion is the one analysis uses; retired ones are kept.
STATUSES = ("candidate", "champion", "retired")


class RegisteredModel(Base):
    """One trained model of a tenant: its files, the data it learned from, its standing."""

    __tablename__ = "models"
    __table_args__ = (
        UniqueConstraint("tenant", "kind", "version"),
        # At most one champion per tenant and kind, whatever the service does: a partial
        # unique index (PostgreSQL and SQLite both have them).
        Index(
            "uq_models_one_champion",
            "tenant",
            "kind",
            unique=True,
            postgresql_where=text("status = 'champion'"),
            sqlite_where=text("status = 'champion'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    #: 1, 2, 3... per tenant and kind.
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="candidate")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: What it learned from: counts, labels, source (never the texts).
    training: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: Digest of the training examples (ids, texts, labels) in order.
    training_hash: Mapped[str] = mapped_column(String(64))
    metrics: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: The model directory (model.skops + model.json), absolute.
    path: Mapped[str] = mapped_column(Text)
    #: SHA-256 of model.skops when registered: a changed file is refused at load.
    sha256: Mapped[str] = mapped_column(String(64))
    promoted_by: Mapped[str | None] = mapped_column(String(200))
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
