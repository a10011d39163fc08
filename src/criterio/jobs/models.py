"""ORM tables of jobs: each tenant's schedules (which double as locks) and every run."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from criterio.db import Base, BigIntPK, UTCDateTime

__all__ = ["JobRun", "JobSchedule"]


class JobSchedule(Base):
    """How often a job runs for a tenant, when next, and which worker holds it now.

    ``locked_by``/``locked_until`` are the lease: a worker claims a due schedule with a
    conditional UPDATE (and, on PostgreSQL, ``SELECT ... FOR UPDATE SKIP LOCKED`` first),
    and its heartbeat extends the lease while the job runs. A worker that dies stops
    extending it; once it has expired, the next worker takes the job over.
    """

    __tablename__ = "job_schedules"
    __table_args__ = (UniqueConstraint("tenant", "job"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    job: Mapped[str] = mapped_column(String(32))
    every_seconds: Mapped[int] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The slot the job runs for next; slots are ``every_seconds`` apart.
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_by: Mapped[str | None] = mapped_column(String(200))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class JobRun(Base):
    """One run of a job for a tenant: when, by which worker, how it ended."""

    __tablename__ = "jobs"
    __table_args__ = (
        # One run per slot; a run taken over from a dead worker is the next attempt.
        UniqueConstraint("tenant", "job", "scheduled_for", "attempt"),
        Index("ix_jobs_tenant_started_at", "tenant", "started_at"),
        Index("ix_jobs_tenant_status", "tenant", "status"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    job: Mapped[str] = mapped_column(String(32))
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime())
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    #: running, succeeded or failed.
    status: Mapped[str] = mapped_column(String(16))
    worker: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    #: What the run did, in a line (``1,204 interactions analysed``).
    summary: Mapped[str | None] = mapped_column(Text)
