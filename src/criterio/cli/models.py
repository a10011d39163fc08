"""``criterio models list | promote | retire | rollback``: each tenant's model registry."""

from __future__ import annotations

import getpass
import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from criterio.cli._store import unit_of_work
from criterio.errors import CriterioError

__all__ = ["app", "champion_model", "who"]

app = typer.Typer(
    help="Each tenant's trained models: candidates, the champion analysis uses, retired ones.",
    no_args_is_help=True,
)
console = Console(stderr=True)

By = Annotated[
    str | None, typer.Option("--by", help="Who decides (default: cli:<your user name>).")
]


def who(by: str | None) -> str:
    """The name recorded for a decision taken on the command line."""
    return by or f"cli:{getpass.getuser()}"


def champion_model(tenant: str, kind: str) -> Any:
    """The tenant's champion of ``kind``, checked against its SHA-256 and loaded.

    Exits 1 with the reason when the tenant has none or its files do not match.
    """
    from criterio.analysis.model_stages import ModelStageError
    from criterio.learning.service import champion_stage

    with unit_of_work() as session:
        try:
            stage = champion_stage(session, tenant, kind)
        except ModelStageError as error:
            console.print(f"[red]{error}[/]")
            raise typer.Exit(1) from None
    if stage is None:
        command = "intents train" if kind == "intent" else "topics discover"
        console.print(
            f"[red]tenant {tenant!r} has no {kind} champion: train one with "
            f"`criterio {command} --tenant {tenant}` or promote one with "
            "`criterio models promote ID`[/]"
        )
        raise typer.Exit(1)
    return stage.model


@app.command("list")
def list_(
    tenant: Annotated[str | None, typer.Option(help="Only this tenant (default: all).")] = None,
    kind: Annotated[
        str | None, typer.Option(help="Only this kind: intent, topics, triage or ranking.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the models as JSON.")] = False,
) -> None:
    """List registered models: id, tenant, kind, version, status, data size, files.

    With --json, everything: training summary and hash, metrics, SHA-256, who promoted.
    """
    from criterio.learning.repository import model_tenants
    from criterio.learning.schemas import ModelRead
    from criterio.learning.service import list_models

    with unit_of_work() as session:
        try:
            tenants = [tenant] if tenant else model_tenants(session)
            rows = [
                ModelRead.model_validate(m) for t in tenants for m in list_models(session, t, kind)
            ]
        except CriterioError as error:
            raise typer.BadParameter(error.message) from None
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))
        return
    if not rows:
        typer.echo("No models registered: train one with `criterio intents train --tenant T`.")
        return
    table = Table(title="Models")
    for column in ("id", "tenant", "kind", "version", "status", "trained on", "created", "path"):
        table.add_column(column)
    for row in rows:
        size = row.training.get("n_examples", row.training.get("n_texts", ""))
        table.add_row(
            str(row.id),
            row.tenant,
            row.kind,
            str(row.version),
            row.status,
            f"{size:,}" if isinstance(size, int) else str(size),
            row.created_at.strftime("%Y-%m-%d %H:%M"),
            row.path,
        )
    Console().print(table)


def _decide(model_id: int, action: str, by: str | None = None) -> None:
    from criterio.learning.service import owner_of, promote, retire

    with unit_of_work() as session:
        tenant = owner_of(session, model_id)
        if action == "promote":
            row = promote(session, tenant, model_id, by=who(by))
        else:
            row = retire(session, tenant, model_id)
        message = (
            f"model {row.id} ({row.kind} version {row.version}) of tenant {row.tenant} "
            f"is now {row.status}"
        )
    typer.echo(message)


@app.command()
def promote(
    model_id: Annotated[int, typer.Argument(metavar="ID", help="The model's id (models list).")],
    by: By = None,
) -> None:
    """Make a model its tenant's champion of its kind; the previous champion is retired."""
    _decide(model_id, "promote", by)


@app.command()
def retire(
    model_id: Annotated[int, typer.Argument(metavar="ID", help="The model's id (models list).")],
) -> None:
    """Retire a model; retiring the champion leaves the tenant without one of that kind."""
    _decide(model_id, "retire")


@app.command()
def rollback(
    kind: Annotated[str, typer.Option(help="intent, topics, triage or ranking.")] = "intent",
    tenant: Annotated[str, typer.Option(help="Whose models.")] = "default",
    by: By = None,
) -> None:
    """Make the previous champion of KIND the champion again (the current one is retired);
    interactions analysed by the replaced intent model are analysed again on the next run."""
    from criterio.learning.loop import roll_back

    try:
        with unit_of_work() as session:
            row, redo = roll_back(session, tenant, kind, by=who(by))
            message = (
                f"model {row.id} ({row.kind} version {row.version}) of tenant {tenant} is "
                f"champion again; {redo} interactions will be analysed again"
            )
    except CriterioError as error:
        typer.secho(error.message, fg="red", err=True)
        raise typer.Exit(1) from None
    typer.echo(message)
