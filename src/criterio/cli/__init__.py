"""The ``criterio`` command line: a Typer root app with one sub-app per domain."""

from __future__ import annotations

import typer

from criterio.cli import analysis, auth, db, demo, insights, interactions, kb, report
from criterio.cli import intents as intents_cli
from criterio.cli import topics as topics_cli

__all__ = ["app", "main"]

app = typer.Typer(
    name="criterio",
    help="Criterio: analyse every customer interaction, automate what is automatable, "
    "and support the people who decide.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(db.app, name="db")
app.add_typer(insights.app, name="insights")
app.add_typer(kb.app, name="kb")
app.add_typer(intents_cli.app, name="intents")
app.add_typer(topics_cli.app, name="topics")
interactions.register(app)
demo.register(app)
auth.register(app)
analysis.register(app)
report.register(app)


def main() -> None:
    """Entry point of the ``criterio`` script."""
    app()
