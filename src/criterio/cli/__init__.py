"""The ``criterio`` command line: a Typer root app with one sub-app per domain."""

from __future__ import annotations

import typer

from criterio.cli import analysis, auth, db, demo, erase, insights, interactions, kb, report
from criterio.cli import feedback as feedback_cli
from criterio.cli import intents as intents_cli
from criterio.cli import jobs as jobs_cli
from criterio.cli import learn as learn_cli
from criterio.cli import metrics as metrics_cli
from criterio.cli import models as models_cli
from criterio.cli import queues as queues_cli
from criterio.cli import topics as topics_cli
from criterio.cli import triage as triage_cli
from criterio.cli import webhooks as webhooks_cli
from criterio.cli._help import use_plain_labels

__all__ = ["app", "main"]

app = typer.Typer(
    name="criterio",
    help="Criterio: analyse every customer interaction, automate what is automatable, "
    "and support the people who decide.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(db.app, name="db")
app.add_typer(erase.app, name="erase")
app.add_typer(insights.app, name="insights")
app.add_typer(kb.app, name="kb")
app.add_typer(intents_cli.app, name="intents")
app.add_typer(topics_cli.app, name="topics")
app.add_typer(models_cli.app, name="models")
app.add_typer(jobs_cli.app, name="jobs")
app.add_typer(triage_cli.app, name="triage")
app.add_typer(queues_cli.app, name="queues")
app.add_typer(metrics_cli.app, name="metrics")
app.add_typer(webhooks_cli.app, name="webhooks")
app.add_typer(feedback_cli.app, name="feedback")
app.add_typer(learn_cli.app, name="learn")
interactions.register(app)
demo.register(app)
auth.register(app)
analysis.register(app)
report.register(app)
jobs_cli.register(app)
use_plain_labels(app)


def main() -> None:
    """Entry point of the ``criterio`` script."""
    app()
