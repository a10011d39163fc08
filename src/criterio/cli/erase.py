"""``criterio erase customer | interaction``: the right to erasure from the command line."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from criterio.cli._store import cli_actor, unit_of_work

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from criterio.interactions.erasure import Erasure

# The store and the erasure flow are imported inside the commands, so that the CLI
# starts fast (tests/test_cli_startup.py).

__all__ = ["app"]

app = typer.Typer(
    help="Erase personal data: a customer's interactions, or one interaction, with "
    "everything derived from them (analysis results, insight examples). Audited.",
    no_args_is_help=True,
)
TenantOpt = Annotated[str, typer.Option("--tenant", "-t", help="The tenant (client account).")]


def _run(erase: str, tenant: str, target: str) -> Erasure:
    from criterio.db import checkpoint_wal
    from criterio.interactions.erasure import erase_customer, erase_interaction

    def compact(engine: Engine) -> None:
        # After the commit: the SQLite log is emptied of the erased pages.
        if not checkpoint_wal(engine):
            typer.secho(
                "warning: a reader kept the SQLite log busy; the erased pages leave it "
                "at the next checkpoint",
                fg="yellow",
                err=True,
            )

    with unit_of_work(after_commit=compact) as session:
        if erase == "customer":
            return erase_customer(session, tenant, target, actor=cli_actor())
        return erase_interaction(session, tenant, target, actor=cli_actor())


@app.command("customer")
def customer(
    customer_id: Annotated[str, typer.Argument(help="The customer id, as in the records.")],
    tenant: TenantOpt,
) -> None:
    """Erase every interaction of one customer; prints the audit log's reference."""
    done = _run("customer", tenant, customer_id)
    typer.echo(f"{done.deleted:,} interaction(s) erased; audit reference {done.reference}")


@app.command("interaction")
def interaction(
    interaction_id: Annotated[str, typer.Argument(help="The interaction id.")],
    tenant: TenantOpt,
) -> None:
    """Erase one interaction by its id (for records without a customer id); exit 1 if none."""
    done = _run("interaction", tenant, interaction_id)
    if not done.deleted:
        typer.secho(f"tenant {tenant!r} has no interaction {interaction_id!r}", fg="red", err=True)
        raise typer.Exit(1)
    typer.echo(f"interaction {interaction_id!r} erased")
