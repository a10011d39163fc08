"""``criterio feedback import``: decisions people made in another tool, as feedback events."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["app"]

app = typer.Typer(
    help="Human decisions about machine outputs (the learning loop's raw material).",
    no_args_is_help=True,
)


@app.command("import")
def import_(
    file: Annotated[
        Path,
        typer.Argument(
            help='JSON Lines: {"interaction_id", "kind", "value", "by", "at"} a line '
            '(optional "reason", "before", "model_version").',
            dir_okay=False,
        ),
    ],
    tenant: Annotated[str, typer.Option(help="Whose interactions the decisions are about.")] = (
        "default"
    ),
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report (counts and errors) as JSON.")
    ] = False,
) -> None:
    """Record each decision once (a re-import records nothing new); a bad record is reported
    with its line and field and the good ones are kept. Exits 1 when any record was refused."""
    from criterio.cli._store import unit_of_work
    from criterio.learning.feedback_import import import_feedback, parse_feedback_lines

    if not file.is_file():
        raise typer.BadParameter(f"{file}: no such file")
    with file.open(encoding="utf-8") as handle:
        items, errors = parse_feedback_lines(handle, name=file.name)
    with unit_of_work() as session:
        report = import_feedback(session, tenant, items)
    report.errors[:0] = errors
    report.errors.sort(key=lambda e: int(e.where.rsplit(":", 1)[1]))
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        for error in report.errors:
            typer.echo(f"skipped {error}", err=True)
        typer.echo(
            f"tenant {tenant}: {report.recorded} feedback events recorded, "
            f"{report.duplicates} already recorded, {len(report.errors)} refused",
            err=True,
        )
    if report.errors:
        raise typer.Exit(1)
