"""ORM tables of the agents' work: cases (routed interactions), who works which queue,
and who may see a case's personal data beyond their role."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from criterio.db import Base, BigIntPK, UTCDateTime

__all__ = ["CASE_STATUSES", "Case", "PersonalDataGrant", "QueueMember"]

#: ``open`` (waiting in its queue) → ``assigned`` (an agent has it) → ``resolved``; a
#: reopened or escalated case goes back to ``open``.
CASE_STATUSES = ("open", "assigned", "resolved")


class Case(Base):
    """The human work item of one routed interaction."""

    __tablename__ = "cases"
    __table_args__ = (
        # One case per interaction: triaging it again never opens a second one.
        UniqueConstraint("tenant", "interaction_id"),
        Index("ix_cases_tenant_queue_status", "tenant", "queue", "status"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    #: The interaction's id in the data contract (``interactions.external_id``).
    interaction_id: Mapped[str] = mapped_column(String(200))
    #: The triage decision that opened it (None for a case opened by hand).
    decision_id: Mapped[int | None] = mapped_column(BigIntPK)
    queue: Mapped[str] = mapped_column(String(100))
    priority: Mapped[str] = mapped_column(String(16))
    #: 0 (urgent) to 3 (low): queues are worked by rank, then by age.
    priority_rank: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="open")
    #: The intent triage read (agents may correct it: a feedback event).
    intent: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(16))
    channel: Mapped[str | None] = mapped_column(String(32))
    assignee: Mapped[str | None] = mapped_column(String(200))
    resolution_code: Mapped[str | None] = mapped_column(String(100))
    escalation_reason: Mapped[str | None] = mapped_column(Text)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: When the queue's service level says it must be resolved.
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class QueueMember(Base):
    """One agent's membership of one queue of a tenant."""

    __tablename__ = "queue_members"
    __table_args__ = (UniqueConstraint("tenant", "queue", "username"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    queue: Mapped[str] = mapped_column(String(100))
    username: Mapped[str] = mapped_column(String(200))
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PersonalDataGrant(Base):
    """A lead's or admin's grant to one user to see cases' conversations unredacted.

    The role matrix gives ``view_personal_data`` to leads and admins; an agent who must
    verify callers' identity gets it one by one, with a reason. A revoked grant is kept
    (``revoked_at``): the history says who could see what, when.
    """

    __tablename__ = "personal_data_grants"
    __table_args__ = (Index("ix_personal_data_grants_tenant_username", "tenant", "username"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    granted_by: Mapped[str] = mapped_column(String(200))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(200))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
