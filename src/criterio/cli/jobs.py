"""``criterio worker`` and ``criterio jobs list | schedule | schedules``."""

from __future__ import annotations

import json
import os
import signal
import socket
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from criterio.cli._store import open_store, unit_of_work
from criterio.errors import CriterioError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["app", "register", "worker"]

app = typer.Typer(
    help="Scheduled jobs (analysis, detection, topic refresh) and their runs.",
    no_args_is_help=True,
)
console = Console(stderr=True)

Tenant = Annotated[str | None, typer.Option(help="Only this tenant (default: all).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _period(value: str, hint: str) -> float:
    from criterio.jobs.schemas import parse_every

    try:
        return float(parse_every(value))
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint=hint) from None


def _tenants(session: Session, tenant: str | None) -> list[str]:
    from criterio.jobs.repository import scheduled_tenants

    return [tenant] if tenant else scheduled_tenants(session)


@app.command("list")
def list_(
    tenant: Tenant = None,
    job: Annotated[str | None, typer.Option(help="Only this job.")] = None,
    status: Annotated[
        str | None, typer.Option(help="Only runs with this status: running, succeeded, failed.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="Runs per tenant.")] = 50,
    as_json: AsJson = False,
) -> None:
    """The latest job runs: start, end, status, worker, error, what each did."""
    from criterio.jobs.schemas import JobRunRead
    from criterio.jobs.service import list_runs

    with unit_of_work() as session:
        runs = [
            JobRunRead.model_validate(r)
            for t in _tenants(session, tenant)
            for r in list_runs(session, t, job=job, status=status, limit=limit)
        ]
    runs.sort(key=lambda r: (r.started_at, r.id), reverse=True)
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in runs], indent=2))
        return
    table = Table(title="Job runs")
    for column in ("id", "tenant", "job", "status", "started", "ended", "worker", "summary/error"):
        table.add_column(column)
    for run in runs:
        ended = run.finished_at.strftime("%H:%M:%S") if run.finished_at else ""
        note = (run.error or "").splitlines()[0] if run.error else run.summary or ""
        table.add_row(
            str(run.id),
            run.tenant,
            run.job,
            run.status,
            run.started_at.strftime("%Y-%m-%d %H:%M:%S"),
            ended,
            run.worker,
            note,
        )
    Console().print(table)


@app.command()
def schedule(
    tenant: Annotated[str, typer.Option(help="The tenant whose job this is.")],
    job: Annotated[str, typer.Option(help="analyze, detect, topics, outcomes, webhooks or learn.")],
    every: Annotated[
        str, typer.Option(help="How often: 30s, 5m, 1h, 1d, 1h30m; `off` turns the job off.")
    ],
) -> None:
    """Set how often the worker runs a job for a tenant (a new schedule is due at once)."""
    from criterio.jobs.schemas import format_every
    from criterio.jobs.service import set_schedule, utcnow

    seconds = None if every.strip().lower() == "off" else int(_period(every, "--every"))
    with unit_of_work() as session:
        try:
            row = set_schedule(session, tenant, job, seconds, now=utcnow())
            state = f"every {format_every(row.every_seconds)}" if row.enabled else "off"
        except CriterioError as error:
            raise typer.BadParameter(error.message) from None
    typer.echo(f"{job} for tenant {tenant}: {state}")


@app.command()
def schedules(tenant: Tenant = None, as_json: AsJson = False) -> None:
    """Each tenant's job schedules: period, next slot, which worker holds the job now."""
    from criterio.jobs.schemas import ScheduleRead, format_every
    from criterio.jobs.service import list_schedules

    with unit_of_work() as session:
        rows = [
            ScheduleRead.model_validate(s)
            for t in _tenants(session, tenant)
            for s in list_schedules(session, t)
        ]
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))
        return
    table = Table(title="Job schedules")
    for column in ("tenant", "job", "every", "next", "held by"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row.tenant,
            row.job,
            format_every(row.every_seconds) if row.enabled else "off",
            row.next_run_at.strftime("%Y-%m-%d %H:%M:%S"),
            row.locked_by or "",
        )
    Console().print(table)


def worker(
    once: Annotated[bool, typer.Option("--once", help="Run one tick and stop.")] = False,
    ticks: Annotated[
        int | None, typer.Option(min=1, help="Stop after this many ticks (default: never).")
    ] = None,
    interval: Annotated[str, typer.Option(help="Time between ticks (30s, 1m...).")] = "30s",
    lease: Annotated[
        str,
        typer.Option(
            help="How long a job stays held without a heartbeat before another worker "
            "declares it failed and runs it again."
        ),
    ] = "2m",
    tenant: Annotated[str | None, typer.Option(help="Only this tenant's jobs.")] = None,
    worker_id: Annotated[
        str | None, typer.Option(help="This worker's name in the jobs table (default: host:pid).")
    ] = None,
    analysis_workers: Annotated[
        int, typer.Option(min=1, help="Processes the analysis job uses.")
    ] = 1,
) -> None:
    """Run the scheduled jobs of every tenant (analysis, detection, topic refresh).

    Each tick, for each tenant: runs whose worker died (no heartbeat for the lease) are
    marked failed and run again, then every due job runs once. Several workers can share
    a store; each job's slot runs on exactly one. A tenant with interactions and no
    schedule gets the defaults (analyze every 5m, detect every 1h, topics every 1d);
    `criterio jobs schedule` changes them, and turns on the learning loop
    (`--job learn --every 1d`). Ctrl-C or SIGTERM records the run in progress
    as failed ("interrupted") and exits with status 130.
    """
    from criterio.config import get_settings, model_directory
    from criterio.jobs.tasks import JobContext
    from criterio.jobs.worker import RunOutcome, WorkerOptions, run_worker

    pause = _period(interval, "--interval")
    held = timedelta(seconds=_period(lease, "--lease"))
    name = worker_id or f"{socket.gethostname()}:{os.getpid()}"
    settings = get_settings()
    store = open_store(settings)
    context = JobContext(
        factory=store.factory,
        model_dir=model_directory(settings),
        worker=name,
        fallback_intent=settings.intent_model,
        fallback_topic=settings.topic_model,
        analysis_workers=analysis_workers,
        auto_topics=settings.auto_topics,
        topics_min_interactions=settings.topics_min_interactions,
        topics_refresh_unassigned=settings.topics_refresh_unassigned,
        secret_key=settings.secret_key.get_secret_value() if settings.secret_key else None,
    )
    options = WorkerOptions(worker=name, lease=held, tenant=tenant)

    def show(outcome: RunOutcome) -> None:
        claim = outcome.claim
        head = f"{claim.tenant} {claim.job} (run of {claim.scheduled_for:%H:%M:%S}"
        head += f", attempt {claim.attempt})" if claim.attempt > 1 else ")"
        if outcome.error is not None:
            console.print(f"[red]✗[/] {head} failed: {outcome.error.splitlines()[0]}")
        else:
            console.print(f"[green]✓[/] {head} in {outcome.seconds:.1f}s: {outcome.summary}")

    def reaped(tenant: str, job: str, run_id: int) -> None:
        console.print(f"[yellow]![/] {tenant} {job}: run {run_id} lost its worker; failed, rerun")

    console.print(f"worker {name}: every {interval}, lease {lease}")
    # SIGTERM (a service manager stopping the worker) ends it like Ctrl-C: the run in
    # progress is recorded as interrupted instead of waiting for its lease to expire.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        done = run_worker(
            context,
            options,
            ticks=1 if once else ticks,
            interval=pause,
            on_outcome=show,
            on_reaped=reaped,
        )
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    finally:
        store.close()
    console.print(f"worker {name}: {done} job run(s)")


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def register(root: typer.Typer) -> None:
    """Add ``criterio worker`` to the root app."""
    root.command()(worker)
