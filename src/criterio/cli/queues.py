"""``criterio queues set | list``: who works which queue of the agents' workspace.

The store is opened inside the commands, so ``criterio --help`` stays fast.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from criterio.cli._store import run_in_store

__all__ = ["app"]

app = typer.Typer(
    help="Queues of the agents' workspace: who works which queue.",
    no_args_is_help=True,
)
Tenant = Annotated[str, typer.Option("--tenant", "-t", help="Tenant whose queues these are.")]


@app.command("set")
def set_(
    queue: Annotated[str, typer.Argument(help="The queue (as triage names it).")],
    users: Annotated[
        list[str] | None,
        typer.Argument(metavar="USER...", help="Its members (none: the queue has no members)."),
    ] = None,
    tenant: Tenant = "default",
) -> None:
    """Say who works QUEUE, replacing its members (users of the tenant only)."""
    from criterio.assist.workspace import set_queue

    members = run_in_store(lambda s: set_queue(s, tenant, queue, users or [], by="cli"))
    typer.echo(f"{queue}: {', '.join(members) if members else 'no members'}")


@app.command("list")
def list_(
    tenant: Tenant = "default",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every queue with members, and its members."""
    from criterio.assist.service import queue_members

    members = run_in_store(lambda s: queue_members(s, tenant))
    if as_json:
        typer.echo(json.dumps(members, ensure_ascii=False, sort_keys=True))
        return
    if not members:
        typer.echo(f"No queue of tenant {tenant!r} has members yet.")
    for queue, names in sorted(members.items()):
        typer.echo(f"{queue}: {', '.join(names)}")
