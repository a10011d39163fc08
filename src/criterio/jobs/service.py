"""Schedules, claims, heartbeats and the end of job runs (the worker's bookkeeping).

A schedule's slots are ``every_seconds`` apart. A worker claims a due slot with a lease
(see :class:`~criterio.jobs.models.JobSchedule`), records a ``jobs`` row as running,
beats while it works and closes the row as succeeded or failed; the schedule then moves
to the first slot after now (missed slots are not piled up). A worker that dies leaves
its row running and its lease expiring: the next tick of any worker marks that run
failed and, the slot being still due, runs it again as the next attempt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from criterio.db import is_postgres
from criterio.errors import InvalidInputError
from criterio.jobs.models import JobRun, JobSchedule
from criterio.jobs.repository import RunRepository, ScheduleRepository
from criterio.jobs.schemas import JOB_NAMES

__all__ = [
    "DEFAULT_EVERY",
    "DEFAULT_JOBS",
    "Claim",
    "beat",
    "claim_next",
    "ensure_default_schedules",
    "finish",
    "list_runs",
    "list_schedules",
    "make_due",
    "next_slot",
    "reap_stale",
    "set_schedule",
    "utcnow",
]

#: Every tenant's schedule until it sets its own: analyse every 5 minutes, detect
#: hourly, refresh topics nightly, bring the metrics' daily aggregates up to date every
#: 5 minutes.
DEFAULT_EVERY = {
    "analyze": 300,
    "detect": 3600,
    "topics": 86400,
    "outcomes": 86400,
    "learn": 86400,
    "metrics": 300,
}
#: Jobs every tenant gets without asking. ``learn`` (nightly when scheduled) is opt-in:
#: a tenant decides when its models may start changing by themselves.
DEFAULT_JOBS = ("analyze", "detect", "topics", "outcomes", "metrics")


def _check_job(job: str) -> None:
    if job not in JOB_NAMES:
        raise InvalidInputError(f"job {job!r}: choose from {', '.join(JOB_NAMES)}")


def set_schedule(
    session: Session, tenant: str, job: str, every_seconds: int | None, *, now: datetime
) -> JobSchedule:
    """Run ``job`` for ``tenant`` every ``every_seconds`` (``None``: turn it off).

    A new schedule is due at once; a changed period starts counting from now.
    """
    _check_job(job)
    repo = ScheduleRepository(session, tenant)
    schedule = repo.get(job)
    if schedule is None:
        schedule = JobSchedule(
            tenant=tenant,
            job=job,
            every_seconds=every_seconds or DEFAULT_EVERY[job],
            enabled=every_seconds is not None,
            next_run_at=now,
            updated_at=now,
        )
        session.add(schedule)
    elif every_seconds is None:
        schedule.enabled = False
    else:
        if not schedule.enabled or schedule.every_seconds != every_seconds:
            schedule.next_run_at = min(schedule.next_run_at, now + timedelta(seconds=every_seconds))
        schedule.every_seconds = every_seconds
        schedule.enabled = True
    schedule.updated_at = now
    session.flush()
    return schedule


def ensure_default_schedules(session: Session, tenant: str, *, now: datetime) -> bool:
    """Give a tenant without any schedule the defaults; True when they were added.

    Two workers may meet a new tenant at once: the insert skips rows that exist.
    """
    if ScheduleRepository(session, tenant).count():
        return False
    insert = pg_insert if is_postgres(session.get_bind().dialect) else sqlite_insert
    rows = [
        {
            "tenant": tenant,
            "job": job,
            "every_seconds": every,
            "enabled": True,
            "next_run_at": now,
            "updated_at": now,
        }
        for job, every in DEFAULT_EVERY.items()
        if job in DEFAULT_JOBS
    ]
    session.execute(insert(JobSchedule).values(rows).on_conflict_do_nothing())
    return True


def make_due(session: Session, tenant: str, job: str, *, now: datetime) -> bool:
    """Bring the tenant's schedule of ``job`` forward to now (True), if it has one enabled."""
    schedule = ScheduleRepository(session, tenant).get(job)
    if schedule is None or not schedule.enabled:
        return False
    schedule.next_run_at = min(schedule.next_run_at, now)
    session.flush()
    return True


def list_schedules(session: Session, tenant: str) -> list[JobSchedule]:
    """The tenant's schedules, by job."""
    return ScheduleRepository(session, tenant).list()


def list_runs(
    session: Session,
    tenant: str,
    *,
    job: str | None = None,
    status: str | None = None,
    limit: int = 50,
) -> list[JobRun]:
    """The tenant's latest runs, newest first."""
    return RunRepository(session, tenant).list(job=job, status=status, limit=limit)


def next_slot(scheduled_for: datetime, every_seconds: int, now: datetime) -> datetime:
    """The first slot after ``now`` on the grid ``scheduled_for + k * every``."""
    step = timedelta(seconds=every_seconds)
    if scheduled_for > now:
        return scheduled_for
    missed = (now - scheduled_for) // step
    return scheduled_for + (missed + 1) * step


def reap_stale(
    session: Session, tenant: str, *, now: datetime, lease: timedelta
) -> Sequence[JobRun]:
    """Mark failed the runs whose worker stopped beating for longer than ``lease``.

    Their schedule keeps its slot, so the next claim runs it again.
    """
    runs = RunRepository(session, tenant).stale(now - lease)
    for run in runs:
        run.status = "failed"
        run.finished_at = now
        run.error = (
            f"worker {run.worker} stopped: no heartbeat since "
            f"{run.heartbeat_at.isoformat(timespec='seconds')}; the run is retried"
        )
    session.flush()
    return runs


@dataclass(frozen=True)
class Claim:
    """A slot of a job this worker holds: its run row and the schedule's period."""

    run_id: int
    tenant: str
    job: str
    scheduled_for: datetime
    attempt: int
    every_seconds: int


def claim_next(
    session: Session,
    tenant: str,
    *,
    worker: str,
    now: datetime,
    lease: timedelta,
    skip: set[str] | None = None,
) -> Claim | None:
    """Take the tenant's most overdue job (not in ``skip``) and record its run as running.

    None when no job is due or another worker holds every due one.
    """
    schedules = ScheduleRepository(session, tenant)
    due = schedules.due(now, skip or set())
    if due is None or not schedules.take(due.id, worker, now, now + lease):
        return None
    runs = RunRepository(session, tenant)
    attempt = runs.attempts(due.job, due.next_run_at) + 1
    run = JobRun(
        tenant=tenant,
        job=due.job,
        scheduled_for=due.next_run_at,
        attempt=attempt,
        status="running",
        worker=worker,
        started_at=now,
        heartbeat_at=now,
    )
    session.add(run)
    session.flush()
    return Claim(run.id, tenant, due.job, due.next_run_at, attempt, due.every_seconds)


def beat(session: Session, claim: Claim, *, worker: str, now: datetime, lease: timedelta) -> bool:
    """Tell the store this worker is still on ``claim``; False when it lost the run."""
    alive = RunRepository(session, claim.tenant).beat(claim.run_id, worker, now)
    if alive:
        ScheduleRepository(session, claim.tenant).extend(claim.job, worker, now + lease)
    return alive


def finish(
    session: Session,
    claim: Claim,
    *,
    worker: str,
    now: datetime,
    error: str | None = None,
    summary: str | None = None,
) -> bool:
    """Close the run (failed when ``error``) and move the schedule to its next slot.

    False when the run had been taken over (this worker was presumed dead): the row
    then stays as the reaper wrote it and the schedule is not touched.
    """
    status = "failed" if error is not None else "succeeded"
    ended = RunRepository(session, claim.tenant).end(
        claim.run_id, worker, status=status, now=now, error=error, summary=summary
    )
    if ended:
        upcoming = next_slot(claim.scheduled_for, claim.every_seconds, now)
        ScheduleRepository(session, claim.tenant).release(claim.job, worker, upcoming, now)
    return ended


def utcnow() -> datetime:
    """The current time in UTC (one clock for every worker's bookkeeping)."""
    return datetime.now(UTC)
