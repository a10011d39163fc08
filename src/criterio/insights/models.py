"""ORM table for insights: one row per ongoing pattern of a tenant, with its review."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Float, Index, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from criterio.db import Base, BigIntPK, JSONType, UTCDateTime

__all__ = ["Insight"]


class Insight(Base):
    """A detected pattern with its evidence, and what people made of it."""

    __tablename__ = "insights"
    __table_args__ = (
        Index("ix_insights_tenant_fingerprint", "tenant", "fingerprint"),
        Index("ix_insights_tenant_status", "tenant", "status"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    #: Digest of type + segment (+ measure): the same ongoing pattern keeps one row.
    fingerprint: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(32))
    segment: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    severity: Mapped[float] = mapped_column(Float)
    statement: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    #: figures, chart data and example interaction ids (ids only: texts are shown redacted).
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="new")
    interpretation: Mapped[str | None] = mapped_column(Text)
    proposal: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(200))
    #: Every status change: ``{"at", "from", "to", "by"}``.
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    detections: Mapped[int] = mapped_column(Integer, default=1)
    #: Whether the latest detection run found the pattern reaching its latest data.
    ongoing: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    last_detected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
