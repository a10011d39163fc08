"""``criterio webhooks``: post each triage decision to a tenant's helpdesk, signed."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from criterio.errors import CriterioError

__all__ = ["app"]

app = typer.Typer(
    help="Post triage decisions to a tenant's URL (a helpdesk's webhook), signed with "
    "HMAC-SHA256 and retried with backoff; needs CRITERIO_SECRET_KEY.",
    no_args_is_help=True,
)

TenantOption = Annotated[str, typer.Option(help="Whose webhooks.")]


def _key() -> str | None:
    from criterio.config import get_settings

    secret = get_settings().secret_key
    return secret.get_secret_value() if secret else None


def _fail(error: CriterioError) -> None:
    typer.secho(f"error: {error.message}", fg="red", err=True)
    raise typer.Exit(1)


@app.command()
def add(
    url: Annotated[str, typer.Argument(help="Where to POST (http or https).")],
    tenant: TenantOption = "default",
    event: Annotated[
        list[str] | None,
        typer.Option(
            help="Event to send: triage.decision, article.flagged (repeatable; default: both)."
        ),
    ] = None,
    by: Annotated[str | None, typer.Option(help="Who registers it (default: cli:<user>).")] = None,
) -> None:
    """Register URL; print its signing secret once (keep it in the receiver, not here).
    The worker then delivers the tenant's webhooks every minute."""
    from datetime import UTC, datetime

    from criterio.cli._store import unit_of_work
    from criterio.cli.models import who
    from criterio.jobs.service import set_schedule
    from criterio.webhooks.service import EVENTS, add_endpoint

    try:
        with unit_of_work() as session:
            endpoint, secret = add_endpoint(
                session, tenant, url, events=event or EVENTS, by=who(by), server_key=_key()
            )
            set_schedule(session, tenant, "webhooks", 60, now=datetime.now(UTC))
            ident = endpoint.id
    except CriterioError as error:
        _fail(error)
    typer.echo(f"webhook endpoint {ident} of tenant {tenant} → {url}", err=True)
    typer.echo(f"signing secret (shown once): {secret}")


@app.command("list")
def list_endpoints(
    tenant: TenantOption = "default",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The tenant's endpoints (never their secrets) and their latest deliveries' status."""
    from collections import Counter

    from criterio.cli._store import unit_of_work
    from criterio.webhooks.repository import DeliveryRepository, EndpointRepository

    with unit_of_work() as session:
        endpoints = EndpointRepository(session, tenant).all()
        recent = DeliveryRepository(session, tenant).recent(1000)
        rows = [
            {
                "id": e.id,
                "url": e.url,
                "events": e.events,
                "active": e.active,
                "recent_deliveries": dict(
                    Counter(d.status for d in recent if d.endpoint_id == e.id)
                ),
            }
            for e in endpoints
        ]
    if as_json:
        typer.echo(json.dumps(rows))
        return
    for row in rows:
        state = "active" if row["active"] else "removed"
        typer.echo(f"{row['id']}\t{state}\t{row['url']}\t{row['recent_deliveries']}")


@app.command()
def remove(
    endpoint_id: Annotated[int, typer.Argument(help="The endpoint's id (see `list`).")],
    tenant: TenantOption = "default",
) -> None:
    """Stop posting to an endpoint (its deliveries stay on record)."""
    from criterio.cli._store import unit_of_work
    from criterio.webhooks.service import remove_endpoint

    try:
        with unit_of_work() as session:
            remove_endpoint(session, tenant, endpoint_id)
    except CriterioError as error:
        _fail(error)
    typer.echo(f"webhook endpoint {endpoint_id} removed", err=True)


@app.command()
def deliver(tenant: TenantOption = "default") -> None:
    """Post the tenant's due deliveries now (what the worker's webhooks job does)."""
    from criterio.cli._store import unit_of_work
    from criterio.webhooks.service import deliver_due

    try:
        with unit_of_work() as session:
            run = deliver_due(session, tenant, server_key=_key())
    except CriterioError as error:
        _fail(error)
    typer.echo(f"{run.delivered} delivered, {run.retrying} to retry, {run.failed} failed")
