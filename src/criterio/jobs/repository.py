"""Every query of jobs: schedules and runs of one tenant, plus the worker's tenant list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from criterio.db import is_postgres
from criterio.jobs.models import JobRun, JobSchedule
from criterio.tenancy import TenantScopedRepository, exempt

__all__ = ["RunRepository", "ScheduleRepository", "scheduled_tenants"]


class ScheduleRepository(TenantScopedRepository):
    """The job schedules of one tenant."""

    model = JobSchedule

    def list(self) -> list[JobSchedule]:
        """Every schedule of the tenant, by job."""
        return list(self.session.scalars(self._select().order_by(JobSchedule.job)))

    def get(self, job: str) -> JobSchedule | None:
        """The tenant's schedule of ``job``, or None."""
        return self.session.scalars(self._select().where(JobSchedule.job == job)).one_or_none()

    def count(self) -> int:
        """How many schedules the tenant has (enabled or not)."""
        return int(self.session.scalar(self._select(func.count(JobSchedule.id))) or 0)

    def due(self, now: datetime, skip: set[str]) -> JobSchedule | None:
        """The most overdue enabled schedule whose lease is free, row-locked on PostgreSQL.

        ``FOR UPDATE SKIP LOCKED`` makes a second worker pass over a schedule the first
        is claiming instead of waiting for it; the conditional UPDATE in :meth:`take`
        is the lock on SQLite (one writer at a time) and the last word on both.
        """
        stmt = (
            self._select()
            .where(
                JobSchedule.enabled.is_(True),
                JobSchedule.next_run_at <= now,
                or_(JobSchedule.locked_until.is_(None), JobSchedule.locked_until < now),
            )
            .order_by(JobSchedule.next_run_at, JobSchedule.job)
            .limit(1)
        )
        if skip:
            stmt = stmt.where(JobSchedule.job.not_in(sorted(skip)))
        if is_postgres(self.session.get_bind().dialect):
            stmt = stmt.with_for_update(skip_locked=True)
        return self.session.scalars(stmt).one_or_none()

    def take(self, schedule_id: int, worker: str, now: datetime, until: datetime) -> bool:
        """Lease a schedule to ``worker`` if nobody holds it; False when another worker won."""
        stmt = self._scoped(
            update(JobSchedule)
            .where(
                JobSchedule.id == schedule_id,
                or_(JobSchedule.locked_until.is_(None), JobSchedule.locked_until < now),
            )
            .values(locked_by=worker, locked_until=until, updated_at=now)
        )
        return bool(self.session.execute(stmt).rowcount == 1)  # type: ignore[attr-defined]

    def extend(self, job: str, worker: str, until: datetime) -> None:
        """Push the lease of ``worker`` on ``job`` to ``until`` (a heartbeat)."""
        stmt = self._scoped(
            update(JobSchedule)
            .where(JobSchedule.job == job, JobSchedule.locked_by == worker)
            .values(locked_until=until)
        )
        self.session.execute(stmt)

    def release(self, job: str, worker: str, next_run_at: datetime | None, now: datetime) -> None:
        """Give the lease back; with ``next_run_at``, the schedule moves to that slot."""
        values: dict[str, object] = {"locked_by": None, "locked_until": None, "updated_at": now}
        if next_run_at is not None:
            values["next_run_at"] = next_run_at
        stmt = self._scoped(
            update(JobSchedule)
            .where(JobSchedule.job == job, JobSchedule.locked_by == worker)
            .values(**values)
        )
        self.session.execute(stmt)


class RunRepository(TenantScopedRepository):
    """The job runs of one tenant."""

    model = JobRun

    def list(
        self, *, job: str | None = None, status: str | None = None, limit: int = 50
    ) -> list[JobRun]:
        """The tenant's runs, newest first."""
        stmt = self._select()
        if job is not None:
            stmt = stmt.where(JobRun.job == job)
        if status is not None:
            stmt = stmt.where(JobRun.status == status)
        stmt = stmt.order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)
        return list(self.session.scalars(stmt))

    def get(self, run_id: int) -> JobRun | None:
        """One run of the tenant, or None."""
        return self.session.scalars(self._select().where(JobRun.id == run_id)).one_or_none()

    def attempts(self, job: str, scheduled_for: datetime) -> int:
        """How many runs a slot of ``job`` has had."""
        stmt = self._select(func.count(JobRun.id)).where(
            JobRun.job == job, JobRun.scheduled_for == scheduled_for
        )
        return int(self.session.scalar(stmt) or 0)

    def stale(self, before: datetime) -> Sequence[JobRun]:
        """Runs still marked running whose last heartbeat is older than ``before``."""
        stmt = self._select().where(JobRun.status == "running", JobRun.heartbeat_at < before)
        return list(self.session.scalars(stmt.order_by(JobRun.id)))

    def beat(self, run_id: int, worker: str, now: datetime) -> bool:
        """Record a heartbeat; False when the run is no longer this worker's running run."""
        stmt = self._scoped(
            update(JobRun)
            .where(JobRun.id == run_id, JobRun.worker == worker, JobRun.status == "running")
            .values(heartbeat_at=now)
        )
        return bool(self.session.execute(stmt).rowcount == 1)  # type: ignore[attr-defined]

    def end(
        self,
        run_id: int,
        worker: str,
        *,
        status: str,
        now: datetime,
        error: str | None,
        summary: str | None,
    ) -> bool:
        """Close this worker's running run; False when it was taken over meanwhile."""
        stmt = self._scoped(
            update(JobRun)
            .where(JobRun.id == run_id, JobRun.worker == worker, JobRun.status == "running")
            .values(status=status, finished_at=now, error=error, summary=summary, heartbeat_at=now)
        )
        return bool(self.session.execute(stmt).rowcount == 1)  # type: ignore[attr-defined]


def scheduled_tenants(session: Session) -> list[str]:
    """Every tenant with a job schedule (the worker's view, across tenants)."""
    stmt = exempt(
        select(JobSchedule.tenant).distinct().order_by(JobSchedule.tenant),
        "the worker's list of tenants with schedules",
    )
    return list(session.scalars(stmt))
