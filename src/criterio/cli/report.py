"""``criterio report``: the client report of one tenant and period as a self-contained HTML file."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from criterio.cli._help import plural
from criterio.cli._store import unit_of_work
from criterio.errors import CriterioError
from criterio.languages import LANGUAGE_CHOICES, LANGUAGES

__all__ = ["register", "report"]


def _day(value: str) -> date:
    """A calendar day written YYYY-MM-DD."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date: write it YYYY-MM-DD") from None


def report(
    tenant: Annotated[str, typer.Option(help="Tenant the report is for.")],
    from_: Annotated[
        date,
        typer.Option(
            "--from", parser=_day, metavar="YYYY-MM-DD", help="First day of the period (UTC)."
        ),
    ],
    to: Annotated[
        date,
        typer.Option(parser=_day, metavar="YYYY-MM-DD", help="Last day of the period, included."),
    ],
    out: Annotated[Path, typer.Option(dir_okay=False, help="Where to write the HTML file.")] = Path(
        "report.html"
    ),
    language: Annotated[
        str | None,
        typer.Option(help=f"{LANGUAGE_CHOICES} (default: the tenant's majority language)."),
    ] = None,
) -> None:
    """Write the client report of a period as one HTML file that opens offline.

    Volumes by day and channel, top contact reasons, sentiment, automation
    opportunities and the insights the team confirmed, each against the previous
    period of the same length. Styles and charts are inline (no URL); no personal data.
    """
    if from_ > to:
        raise typer.BadParameter(f"--from {from_} is after --to {to}", param_hint="--from")
    if language is not None and language not in LANGUAGES:
        raise typer.BadParameter(f"choose {LANGUAGE_CHOICES}", param_hint="--language")
    from criterio.reports import build_report, render_html

    with unit_of_work() as session:
        try:
            content = build_report(session, tenant, from_, to, language=language)
        except CriterioError as exc:
            typer.secho(f"Error: {exc.message}", fg="red", err=True)
            raise typer.Exit(2) from None
    html = render_html(content)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(html, encoding="utf-8")
    except OSError as exc:
        typer.secho(f"Error: cannot write {out}: {exc.strerror}", fg="red", err=True)
        raise typer.Exit(2) from None
    volumes = content.volumes
    Console().print(
        f"Wrote the report of [bold]{content.display_name}[/bold] ({from_} … {to}, "
        f"{plural(volumes.total, 'contact')}, "
        f"{plural(len(content.confirmed), 'confirmed insight')}) to {out}."
    )


def register(app: typer.Typer) -> None:
    """Add ``criterio report`` to the root app."""
    app.command()(report)
