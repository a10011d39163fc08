"""The ``criterio`` command line: a Typer root app with one sub-app per domain."""

from __future__ import annotations

import typer

from criterio.cli import analysis, db, demo, interactions

__all__ = ["app", "main"]

app = typer.Typer(
    name="criterio",
    help="Criterio: analyse every customer interaction, automate what is automatable, "
    "and support the people who decide.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(db.app, name="db")
interactions.register(app)
demo.register(app)
analysis.register(app)


def main() -> None:
    """Entry point of the ``criterio`` script."""
    app()
