"""``criterio schema | ingest | stats | export``: getting interactions in and out."""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from criterio.cli._help import plural
from criterio.cli._progress import progress_bar
from criterio.cli._store import open_store, unit_of_work
from criterio.interactions.readers import FORMATS, parse_format

if TYPE_CHECKING:
    from criterio.interactions.ingest import IngestReport
    from criterio.interactions.readers.base import RecordError

# The store and the validation models are imported inside each command, so that
# `criterio --help` and unrelated commands start without SQLAlchemy (see
# tests/test_cli_startup.py).

__all__ = ["export", "ingest", "register", "schema", "stats"]

console = Console(stderr=True)
FORMAT_HELP = (
    "Input format: auto (from name and content), "
    + ", ".join(sorted(FORMATS))
    + ". Export formats take options after a colon, e.g. abcd:epoch=2024-01-01T00:00:00Z "
    "or zendesk:internal_notes=true (see docs/data-contract.md)."
)


def schema() -> None:
    """Print the JSON Schema of one interaction (the data contract)."""
    from criterio.interactions.schemas import InteractionIn

    typer.echo(json.dumps(InteractionIn.model_json_schema(), indent=2, ensure_ascii=False))


def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Files to import.", exists=True, dir_okay=False, readable=True),
    ],
    fmt: Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)] = "auto",
    tenant: Annotated[
        str | None,
        typer.Option(
            help="Tenant for records that name none; records naming another tenant are rejected."
        ),
    ] = None,
    errors: Annotated[
        Path | None,
        typer.Option(
            help="Write every rejected record as a JSON line (source, location, record_id, "
            "field, message) to this file."
        ),
    ] = None,
    encoding: Annotated[str, typer.Option(help="Text encoding of the files.")] = "utf-8",
) -> None:
    """Import interactions; bad records are reported and skipped, re-runs change nothing.

    Gzipped files are read whatever their name. A byte that is not valid in --encoding
    rejects only its row. A tenant the records name (or --tenant names) that does not
    exist yet is created, and the summary says so.

    Exits with status 1 when any record was rejected.
    """
    from criterio.config import get_settings
    from criterio.interactions.ingest import ingest_files
    from criterio.metrics.freshness import refresh_now

    try:
        parse_format(fmt)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--format") from None
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise typer.BadParameter(
            f"unknown encoding {encoding!r}", param_hint="--encoding"
        ) from None
    settings = get_settings()
    store = open_store(settings)
    error_handle: IO[str] | None = errors.open("w", encoding="utf-8") if errors else None

    def on_error(error: RecordError) -> None:
        if error_handle is not None:
            error_handle.write(json.dumps(error.as_dict(), ensure_ascii=False) + "\n")

    progress = progress_bar("Importing", "records", console)
    try:
        with progress:
            task = progress.add_task("import", total=None)
            report = ingest_files(
                store.factory,
                paths,
                fmt=fmt,
                tenant=tenant,
                encoding=encoding,
                chunk_size=settings.ingest_chunk_size,
                on_error=on_error,
                on_progress=lambda n: progress.advance(task, n),
            )
        # The impact metrics of the days written, current before the command returns.
        refresh_now(store.factory, report.days)
    finally:
        store.close()
        if error_handle is not None:
            error_handle.close()
    _print_report(report, errors)
    if report.rejected:
        raise typer.Exit(1)


def _print_report(report: IngestReport, errors: Path | None) -> None:
    table = Table(title="Import summary", show_header=False)
    for label, value in (
        ("records read", report.read),
        ("inserted", report.inserted),
        ("updated", report.updated),
        ("unchanged", report.unchanged),
        ("rejected", report.rejected),
    ):
        table.add_row(label, f"{value:,}")
    out = Console()
    out.print(table)
    for name in report.new_tenants:
        out.print(
            f"Tenant [bold]{name}[/bold] did not exist and was created; add people to it with "
            f"[bold]criterio users create NAME -t {name} --role ROLE[/bold].",
            highlight=False,
        )
    if report.errors:
        out.print(f"[red]{report.rejected:,} rejected[/red]; the first ones:")
        for error in report.errors[:10]:
            out.print(f"  {error}", markup=False, highlight=False)
        if errors:
            out.print(f"Every rejected record is listed in {errors}.")
        else:
            out.print("Use --errors FILE to keep the full list.")


def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    tenant: Annotated[str | None, typer.Option(help="Only this tenant.")] = None,
) -> None:
    """Counts of stored interactions by tenant, channel, day, language and handled_by.

    The language is the record's own, else the one `criterio analyze` detected.
    """
    from criterio.interactions.stats import store_stats

    with unit_of_work() as session:
        result = store_stats(session, tenant)
    if as_json:
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    out = Console()
    out.print(f"[bold]{result['total']:,}[/bold] interactions")
    for name, entry in result["tenants"].items():
        table = Table(title=f"tenant {name}: {entry['total']:,}")
        table.add_column("by")
        table.add_column("value")
        table.add_column("count", justify="right")
        for key in ("by_channel", "by_language", "by_handled_by"):
            for value, n in entry[key].items():
                table.add_row(key[3:], value, f"{n:,}")
        days = entry["by_day"]
        if days:
            table.add_row("day", f"{min(days)} … {max(days)}", plural(len(days), "day"))
        out.print(table)


def export(
    out: Annotated[Path, typer.Option(help="File to write.", dir_okay=False)],
    fmt: Annotated[str, typer.Option("--format", "-f", help="parquet or jsonl.")] = "parquet",
    tenant: Annotated[str | None, typer.Option(help="Only this tenant (default: all).")] = None,
) -> None:
    """Write stored interactions in the contract's shape; `criterio ingest` reads them back."""
    if fmt not in ("parquet", "jsonl"):
        raise typer.BadParameter("choose parquet or jsonl", param_hint="--format")
    from criterio.interactions.export import export_interactions
    from criterio.interactions.repository import list_tenants

    with unit_of_work() as session:
        tenants = [tenant] if tenant else list_tenants(session)
        count = export_interactions(session, tenants, out, fmt)
    typer.echo(f"Wrote {count:,} interactions to {out}.")


def register(app: typer.Typer) -> None:
    """Add these commands to the root app."""
    app.command()(schema)
    app.command()(ingest)
    app.command()(stats)
    app.command()(export)
