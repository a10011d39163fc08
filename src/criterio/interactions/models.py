"""ORM table for stored interactions (tenant-scoped; unique by tenant and external id)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Index, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from criterio.db import Base, BigIntPK, JSONType, UTCDateTime

__all__ = ["INSERT_COLUMNS", "UPSERT_COLUMNS", "Interaction"]

#: Columns an import (over)writes; everything but the key, ``pk`` and ``created_at``.
UPSERT_COLUMNS = (
    "channel",
    "started_at",
    "ended_at",
    "customer_id",
    "language",
    "attributes",
    "turns",
    "handled_by",
    "agent_id",
    "resolved",
    "csat",
    "escalated",
    "resolution_code",
    "labels",
    "content_hash",
    "import_id",
    "updated_at",
)
#: Every column an import writes, key and creation time first.
INSERT_COLUMNS = ("tenant", "external_id", "created_at", *UPSERT_COLUMNS)


class Interaction(Base):
    """One customer interaction (conversation, ticket, call transcript) as stored."""

    __tablename__ = "interactions"
    __table_args__ = (
        UniqueConstraint("tenant", "external_id"),
        Index("ix_interactions_tenant_started_at", "tenant", "started_at"),
        Index("ix_interactions_tenant_customer_id", "tenant", "customer_id"),
    )

    pk: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    customer_id: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(16))
    attributes: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    turns: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    handled_by: Mapped[str | None] = mapped_column(String(8))
    agent_id: Mapped[str | None] = mapped_column(String(500))
    resolved: Mapped[bool | None] = mapped_column(Boolean)
    csat: Mapped[int | None] = mapped_column(SmallInteger)
    escalated: Mapped[bool | None] = mapped_column(Boolean)
    resolution_code: Mapped[str | None] = mapped_column(String(500))
    labels: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    #: Digest of the validated record: a re-import with the same digest changes nothing.
    content_hash: Mapped[str] = mapped_column(String(32))
    #: The import run that last wrote the row: tells a repeated id inside one import
    #: from a re-import of the same file.
    import_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @property
    def has_outcome(self) -> bool:
        """Whether any outcome field is known."""
        return any(
            v is not None
            for v in (
                self.handled_by,
                self.agent_id,
                self.resolved,
                self.csat,
                self.escalated,
                self.resolution_code,
            )
        )
