"""``criterio demo``: generate a month of a bilingual contact centre and load (or write) it."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel

from criterio.cli._progress import progress_bar
from criterio.cli._store import database_errors, open_store
from criterio.demo.generator import DEFAULT_SEED, DEFAULT_SIZE, DemoGenerator

# The store and the analysis are imported inside the command, so that the CLI starts
# fast (tests/test_cli_startup.py).

__all__ = ["demo", "register"]

console = Console(stderr=True)


def demo(
    size: Annotated[int, typer.Option(min=1, help="How many interactions to generate.")] = (
        DEFAULT_SIZE
    ),
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = (
        DEFAULT_SEED
    ),
    tenant: Annotated[str, typer.Option(help="Tenant the demo data belongs to.")] = "demo",
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh",
            help="Start from an empty demo: delete the SQLite file first when it holds only "
            "this tenant, otherwise delete this tenant's records (interactions and what was "
            "made from them; its users and settings stay).",
        ),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            dir_okay=False,
            help="Write the data to this .jsonl or .parquet file instead of a store.",
        ),
    ] = None,
    models: Annotated[
        Path | None,
        typer.Option(
            file_okay=False,
            help="Where the intent model (trained on the labelled interactions) and the "
            "topic model (discovered in all) are saved; both become the tenant's champions "
            "in the model registry before the analysis uses them (default: "
            "CRITERIO_MODEL_DIR, else `models` beside the SQLite file, else ./criterio-models).",
        ),
    ] = None,
) -> None:
    """Generate a realistic bilingual month of a contact centre, with known injected events.

    Without --out the data goes through the normal import into the configured store
    (CRITERIO_DATABASE_URL), then every available analysis runs on it.
    """
    generator = DemoGenerator(size, seed, tenant=tenant)
    progress = progress_bar("Generating" if out else "Generating and importing", "records", console)
    started = time.perf_counter()
    if out is not None:
        from criterio.demo.output import file_format, write_records

        try:
            file_format(out)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--out") from None
        with progress:
            task = progress.add_task("demo", total=size)
            count = write_records(
                generator.records(), out, on_progress=lambda n: progress.advance(task, n)
            )
        Console().print(
            f"Wrote [bold]{count:,}[/bold] interactions to {out} "
            f"in {time.perf_counter() - started:.1f} s."
        )
        _print_events(generator)
        Console().print(f"Load it with: [bold]criterio ingest {out}[/bold]")
        return
    from criterio.config import get_settings, model_directory
    from criterio.demo.runner import load_demo, run_available_analysis

    settings = get_settings()
    if fresh:
        with database_errors():
            _make_fresh(settings.database_url, tenant)
    store = open_store(settings)
    try:
        with progress:
            task = progress.add_task("demo", total=size)
            report = load_demo(
                store.factory,
                generator,
                chunk_size=settings.ingest_chunk_size,
                on_progress=lambda n: progress.advance(task, n),
            )
        analyses = run_available_analysis(
            store.factory, tenant, models or model_directory(settings)
        )
    finally:
        store.close()
    elapsed = time.perf_counter() - started
    out_console = Console()
    out_console.print(
        f"Loaded the demo into {_describe(settings.database_url)}: "
        f"[bold]{report.inserted:,}[/bold] new, {report.updated:,} updated, "
        f"{report.unchanged:,} unchanged, {report.rejected:,} rejected; loaded and analysed "
        f"in {elapsed:.1f} s."
    )
    if analyses:
        for run in analyses:
            out_console.print(f"[green]✓[/green] {run.name}: {run.summary}")
            for line in run.details:
                out_console.print(f"    {line}", highlight=False, markup=False)
    else:
        out_console.print(
            "[yellow]No analysis is available in this build yet[/yellow]: the interactions are "
            "stored, and nothing has been analysed."
        )
    _print_events(generator)
    _print_next_steps(settings.database_url, tenant, generator)
    if report.rejected:
        raise typer.Exit(1)


def _make_fresh(url: str, tenant: str) -> None:
    """Empty the demo: delete a SQLite file holding only this tenant, else its records."""
    from sqlalchemy.engine import make_url

    from criterio.db import (
        is_sqlite,
        make_engine,
        make_session_factory,
        schema_status,
        session_scope,
    )
    from criterio.demo.reset import delete_tenant_records
    from criterio.interactions.repository import list_tenants

    parsed = make_url(url)
    engine = make_engine(url)
    try:
        if schema_status(engine) == "empty":
            return
        with session_scope(make_session_factory(engine)) as session:
            tenants = set(list_tenants(session))
            sqlite_file = is_sqlite(engine) and parsed.database not in (None, "", ":memory:")
            if not (sqlite_file and tenants <= {tenant}):
                # Other tenants live in this store: remove only the demo tenant's records.
                delete_tenant_records(session, tenant)
                return
    finally:
        engine.dispose()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)


def _describe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _print_events(generator: DemoGenerator) -> None:
    out = Console()
    out.print("[bold]Injected events[/bold] (ground truth the analysis should find):")
    for event in generator.events():
        dates = str(event.start) if event.start == event.end else f"{event.start} → {event.end}"
        segment = ", ".join(f"{k}={v}" for k, v in event.segment.items())
        out.print(
            f"  • [bold]{event.kind}[/bold] {dates} {escape(f'[{segment}]')}", highlight=False
        )
        out.print(f"    {event.description}", highlight=False, markup=False)


def _print_next_steps(url: str, tenant: str, generator: DemoGenerator) -> None:
    prefix = "" if url == "sqlite:///criterio.db" else f"CRITERIO_DATABASE_URL={url} "
    # The report's default comparison: the last two weeks against the two before.
    last = generator.start + timedelta(days=generator.days - 1)
    first = max(generator.start, last - timedelta(days=13))
    lines = [
        f"[bold]{prefix}criterio stats --tenant {tenant}[/bold]   counts by channel, day, "
        "language and who handled them",
        f"[bold]{prefix}criterio stats --json[/bold]   the same for scripts",
        f"[bold]{prefix}criterio export --tenant {tenant} --format parquet --out "
        "demo/interactions.parquet[/bold]   the data for pandas, DuckDB or Dask",
        "[bold]criterio demo --out demo/month.jsonl --size 100000[/bold]   a bigger file to "
        "try `criterio ingest` on",
        f"[bold]{prefix}criterio insights list --tenant {tenant}[/bold]   the detected "
        "patterns, most severe first; [bold]criterio insights show ID[/bold] for one, "
        "[bold]criterio insights review ID --status ...[/bold] to interpret it",
        f"[bold]{prefix}criterio report --tenant {tenant} --from {first} --to {last} --out "
        "demo/report.html[/bold]   the client report (one HTML file that opens offline); "
        "review a few insights first and their interpretations appear in it",
        "Compare the top insights with the injected events above: the spike day in its "
        "region, the new issue growing after mid-month, the CSAT drop in one queue.",
    ]
    Console().print(Panel("\n".join(lines), title="What to look at next", expand=False))


def register(app: typer.Typer) -> None:
    """Add ``criterio demo`` to the root app."""
    app.command()(demo)
