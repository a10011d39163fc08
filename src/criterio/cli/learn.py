"""``criterio learn``: the learning loop, what to teach next, and labels to check."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

__all__ = ["app"]

app = typer.Typer(
    help="Learn from people's decisions: train a candidate intent model from labels and "
    "corrections, and an article ranking from links, accepts and rejects; each is promoted "
    "only when it beats the champion on held-out decisions.",
    invoke_without_command=True,
)

Tenant = Annotated[str, typer.Option(help="Whose models and decisions.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


@app.callback()
def learn(
    ctx: typer.Context,
    tenant: Tenant = "default",
    as_json: AsJson = False,
    holdout_share: Annotated[
        float,
        typer.Option(min=0.05, max=0.5, help="Share of the recent decisions held out."),
    ] = 0.2,
    min_holdout: Annotated[
        int, typer.Option(min=10, help="Fewest held-out decisions a comparison needs.")
    ] = 30,
    alpha: Annotated[
        float,
        typer.Option(
            min=0.0001,
            max=0.5,
            help="Significance of McNemar's tests (right answers; right answers automated).",
        ),
    ] = 0.05,
    by: Annotated[str | None, typer.Option(help="Who runs it (default cli:<user>).")] = None,
) -> None:
    """Run one turn of the learning loop for TENANT (the nightly `learn` job does the same):
    train, calibrate, compare on held-out human decisions, promote only if better (more
    right answers, or more right answers triage would automate, and no worse precision); then
    the article ranking (top-3 hit rate on held-out links and accepts)."""
    if ctx.invoked_subcommand is not None:
        return
    from criterio.cli._store import unit_of_work
    from criterio.cli.models import who
    from criterio.config import get_settings, model_directory
    from criterio.errors import CriterioError
    from criterio.learning.loop import LearnSettings
    from criterio.learning.loop import learn as learn_once
    from criterio.learning.service import ChampionError

    settings = LearnSettings(holdout_share=holdout_share, min_holdout=min_holdout, alpha=alpha)
    try:
        with unit_of_work() as session:
            report = learn_once(
                session,
                tenant,
                model_dir=model_directory(get_settings()),
                by=who(by),
                settings=settings,
            )
    except CriterioError as error:
        typer.secho(error.message, fg="red", err=True)
        raise typer.Exit(1) from None
    except ChampionError as error:  # the champion's files are missing or changed
        typer.secho(str(error), fg="red", err=True)
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2, default=str))
        return
    for step in report.steps:
        typer.echo(f"- {step}")
    for conflict in report.conflicts:
        typer.echo(f"  conflict on {conflict['interaction_id']}: {_votes(conflict)}")
    typer.echo(f"{report.status}: {report.reason}")


def _votes(conflict: dict[str, Any]) -> str:
    votes = ", ".join(f"{k} ×{v}" for k, v in conflict["votes"].items())
    return f"{votes} → {conflict['chosen']} (by {conflict['resolved_by']})"


@app.command("teach-queue")
def teach_queue_(
    tenant: Tenant = "default",
    budget: Annotated[
        int, typer.Option(min=1, help="Labels a day the tenant gives from the queue.")
    ] = 100,
    as_json: AsJson = False,
) -> None:
    """The interactions whose label would teach the champion most (uncertain and varied),
    up to what is left of today's budget. Label them with reason `teach`."""
    from criterio.cli._store import unit_of_work
    from criterio.learning.active import teach_queue

    with unit_of_work() as session:
        items = teach_queue(session, tenant, budget=budget)
    if as_json:
        typer.echo(json.dumps([i.to_dict() for i in items], indent=2))
        return
    if not items:
        typer.echo(
            "Nothing to teach now (no champion, nothing unlabelled, or today's budget used)."
        )
    for item in items:
        typer.echo(f"{item.interaction_id}\t{item.best} or {item.second}\tmargin {item.margin:.3f}")


@app.command("suspect-labels")
def suspect_labels_(
    tenant: Tenant = "default",
    folds: Annotated[int, typer.Option(min=2, max=10, help="Cross-validation folds.")] = 3,
    as_json: AsJson = False,
) -> None:
    """Labels that look wrong (confident learning on cross-validated probabilities), least
    likely first, with the intent the models suggest; for review, nothing is changed."""
    from criterio.cli._store import unit_of_work
    from criterio.learning.active import suspect_labels

    with unit_of_work() as session:
        suspects = suspect_labels(session, tenant, folds=folds)
    if as_json:
        typer.echo(json.dumps([s.to_dict() for s in suspects], indent=2))
        return
    if not suspects:
        typer.echo("No label looks wrong.")
    for s in suspects:
        typer.echo(
            f"{s.interaction_id}\tlabelled {s.given} ({s.given_probability:.2f})\t"
            f"maybe {s.suggested} ({s.suggested_probability:.2f})"
        )


@app.command("proposals")
def proposals_(
    tenant: Tenant = "default",
    min_size: Annotated[int, typer.Option(min=2, help="Fewest interactions a proposal has.")] = 3,
    as_json: AsJson = False,
) -> None:
    """Proposed new intents: routed interactions people marked "other" (or named an intent
    the model does not know), clustered, with examples and a suggested name."""
    from criterio.cli._store import unit_of_work
    from criterio.learning.new_intents import propose_intents

    with unit_of_work() as session:
        found = propose_intents(session, tenant, min_size=min_size)
    if as_json:
        typer.echo(json.dumps([p.to_dict() for p in found], indent=2, ensure_ascii=False))
        return
    if not found:
        typer.echo("No proposed intents.")
    for p in found:
        typer.echo(f"{p.key}\t{len(p.members)} interactions\tsuggested name: {p.suggested_name}")
        for example in p.examples:
            typer.echo(f"    {example}")


@app.command("accept-intent")
def accept_intent(
    key: Annotated[str, typer.Argument(help="The proposal's key (learn proposals).")],
    name: Annotated[
        str, typer.Option(help="The intent's name: a new one, or an existing one to merge into.")
    ],
    tenant: Tenant = "default",
    by: Annotated[str | None, typer.Option(help="Who decides (default cli:<user>).")] = None,
) -> None:
    """Accept a proposed intent under NAME: its interactions are labelled so and the next
    `criterio learn` trains on them. Two proposals given one name are merged."""
    from criterio.cli._store import unit_of_work
    from criterio.cli.models import who
    from criterio.errors import CriterioError
    from criterio.learning.new_intents import accept_proposal

    try:
        with unit_of_work() as session:
            count = accept_proposal(session, tenant, key, name=name, by=who(by))
    except CriterioError as error:
        typer.secho(error.message, fg="red", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{count} interactions labelled {name}; `criterio learn` will train on them")
