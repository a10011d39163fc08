"""The worker loop: every tick, for each tenant, reap dead runs and run the due jobs.

Several workers (processes, machines) may share one store: a job's slot is run by
exactly one of them, which holds the schedule's lease and beats while it works (see
:mod:`criterio.jobs.service`). A job that raises is recorded as failed with its error
and the worker goes on with the next one.
"""

from __future__ import annotations

import logging
import random
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from criterio.db import session_scope
from criterio.interactions.repository import list_tenants
from criterio.jobs.repository import scheduled_tenants
from criterio.jobs.service import (
    Claim,
    beat,
    claim_next,
    ensure_default_schedules,
    finish,
    reap_stale,
    utcnow,
)
from criterio.jobs.tasks import JobContext, run_job

__all__ = ["RunOutcome", "WorkerOptions", "run_tick", "run_worker"]

log = logging.getLogger("criterio.jobs")


@dataclass(frozen=True)
class WorkerOptions:
    """How a worker runs: its name, its lease, which tenants, whether to add defaults."""

    worker: str
    lease: timedelta = timedelta(minutes=2)
    tenant: str | None = None
    #: Give tenants with interactions and no schedule the default schedules.
    default_schedules: bool = True


@dataclass(frozen=True)
class RunOutcome:
    """One job run as the worker saw it (for its log lines)."""

    claim: Claim
    seconds: float
    summary: str | None
    error: str | None
    #: False when another worker had taken the run over (this one was presumed dead).
    recorded: bool


class _Heartbeat:
    """A thread that beats for a claim every third of the lease until stopped."""

    def __init__(self, factory: sessionmaker[Session], claim: Claim, options: WorkerOptions):
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(factory, claim, options), daemon=True
        )

    def _run(self, factory: sessionmaker[Session], claim: Claim, options: WorkerOptions) -> None:
        interval = options.lease.total_seconds() / 3
        while not self._stop.wait(interval):
            try:
                with session_scope(factory) as session:
                    alive = beat(
                        session, claim, worker=options.worker, now=utcnow(), lease=options.lease
                    )
            except Exception as error:  # a busy store: try again at the next beat
                log.warning("heartbeat of run %s failed: %s", claim.run_id, error)
                continue
            if not alive:
                return

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _tenants(factory: sessionmaker[Session], options: WorkerOptions) -> list[str]:
    with session_scope(factory) as session:
        if options.tenant is not None:
            tenants = [options.tenant]
        else:
            tenants = sorted(set(scheduled_tenants(session)) | set(list_tenants(session)))
        if options.default_schedules:
            known = set(scheduled_tenants(session))
            for tenant in tenants:
                if tenant not in known:
                    ensure_default_schedules(session, tenant, now=utcnow())
    # Workers visit tenants in different orders, so they spread over them.
    random.shuffle(tenants)
    return tenants


def _execute(context: JobContext, claim: Claim, options: WorkerOptions) -> RunOutcome:
    started = utcnow()
    summary: str | None = None
    error: str | None = None
    with _Heartbeat(context.factory, claim, options):
        try:
            summary = run_job(context, claim.job, claim.tenant)
        except Exception as exc:  # recorded on the run; the worker goes on
            error = f"{type(exc).__name__}: {exc}"[:2000]
            error += "\n" + "".join(traceback.format_exception(exc)[-3:])[:4000]
    with session_scope(context.factory) as session:
        recorded = finish(
            session, claim, worker=options.worker, now=utcnow(), error=error, summary=summary
        )
    seconds = (utcnow() - started).total_seconds()
    return RunOutcome(claim, seconds, summary, error, recorded)


def _interrupted(context: JobContext, claim: Claim, options: WorkerOptions) -> None:
    """Record a run stopped by Ctrl-C or SIGTERM (nothing when it had already ended)."""
    with session_scope(context.factory) as session:
        finish(session, claim, worker=options.worker, now=utcnow(), error="interrupted")


def run_tick(
    context: JobContext,
    options: WorkerOptions,
    on_outcome: Callable[[RunOutcome], None] | None = None,
    on_reaped: Callable[[str, str, int], None] | None = None,
) -> list[RunOutcome]:
    """One tick: for each tenant, fail dead runs, then run each due job at most once."""
    outcomes: list[RunOutcome] = []
    for tenant in _tenants(context.factory, options):
        with session_scope(context.factory) as session:
            for run in reap_stale(session, tenant, now=utcnow(), lease=options.lease):
                if on_reaped is not None:
                    on_reaped(tenant, run.job, run.id)
        done: set[str] = set()
        while True:
            claim: Claim | None = None
            try:
                with session_scope(context.factory) as session:
                    claim = claim_next(
                        session,
                        tenant,
                        worker=options.worker,
                        now=utcnow(),
                        lease=options.lease,
                        skip=done,
                    )
                if claim is None:
                    break
                done.add(claim.job)
                outcome = _execute(context, claim, options)
            except BaseException:
                # Interrupted anywhere from the claim to the end of the run: record it
                # now rather than leave it running until its lease expires.
                if claim is not None:
                    _interrupted(context, claim, options)
                raise
            outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
    return outcomes


def run_worker(
    context: JobContext,
    options: WorkerOptions,
    *,
    ticks: int | None,
    interval: float,
    on_outcome: Callable[[RunOutcome], None] | None = None,
    on_reaped: Callable[[str, str, int], None] | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Tick every ``interval`` seconds, ``ticks`` times (forever when None); runs done."""
    stop = stop or threading.Event()
    done, tick = 0, 0
    while ticks is None or tick < ticks:
        done += len(run_tick(context, options, on_outcome, on_reaped))
        tick += 1
        if (ticks is not None and tick >= ticks) or stop.wait(interval):
            break
    return done
