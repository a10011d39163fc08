"""ORM tables of triage: each tenant's policy versions and the decisions taken."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from criterio.db import Base, BigIntPK, JSONType, UTCDateTime

__all__ = ["ACTIONS", "TriageDecision", "TriagePolicy"]

ACTIONS = ("automate", "route", "escalate")


class TriagePolicy(Base):
    """One version of a tenant's triage policy (the newest is in force)."""

    __tablename__ = "triage_policies"
    __table_args__ = (UniqueConstraint("tenant", "version"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    #: The policy as validated (schemas.Policy), without its version.
    body: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(200))


class TriageDecision(Base):
    """What triage decided for one interaction, why, and with which model and policy."""

    __tablename__ = "triage_decisions"
    __table_args__ = (Index("ix_triage_decisions_tenant_decided_at", "tenant", "decided_at"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    #: The interaction's id in the data contract (``interactions.external_id``).
    interaction_id: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(8))
    intent: Mapped[str] = mapped_column(String(200))
    confidence: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float | None] = mapped_column(Float)
    expected_precision: Mapped[float | None] = mapped_column(Float)
    queue: Mapped[str | None] = mapped_column(String(100))
    priority: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[list[str]] = mapped_column(JSONType)
    #: For automation: article id, language and reply text.
    answer: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    model_version: Mapped[str | None] = mapped_column(String(100))
    policy_version: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[float | None] = mapped_column(Float)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
