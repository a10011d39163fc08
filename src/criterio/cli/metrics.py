"""``criterio metrics``: a tenant's impact figures for a period; ``rebuild``; ``costs``."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

import typer

__all__ = ["app"]

app = typer.Typer(
    help="Impact figures (outcomes, automation, knowledge, learning, insights) of a tenant "
    "for a period, read from the daily aggregates (docs/metrics.md defines each).",
    invoke_without_command=True,
)

Tenant = Annotated[str, typer.Option("--tenant", help="The tenant.")]
#: Rows of the table view: (JSON key, label, kind) with kind rate, number or hours.
TABLE = (
    ("contacts", "contacts", "number"),
    ("resolution_rate", "resolution rate", "rate"),
    ("first_contact_resolution", "first-contact resolution", "rate"),
    ("repeat_contact_rate", "repeat contacts", "rate"),
    ("escalation_rate", "escalation rate", "rate"),
    ("csat_mean", "CSAT mean", "number"),
    ("time_to_resolution_p50_hours", "time to resolution p50 (h)", "number"),
    ("automation_rate", "automation rate", "rate"),
    ("automation_precision", "automation precision", "rate"),
    ("containment_rate", "containment", "rate"),
    ("estimated_savings", "estimated savings", "number"),
    ("link_rate", "link rate", "rate"),
    ("reuse_rate", "reuse rate", "rate"),
    ("participation", "participation", "rate"),
    ("articles_created", "articles created", "number"),
    ("articles_validated", "articles validated", "number"),
    ("corrections", "corrections", "number"),
    ("models_promoted", "models promoted", "number"),
    ("insights_actioned", "insights actioned", "number"),
)


def _show(value: Any, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "rate":
        return f"{value:.1%}"
    return f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"


@app.callback()
def metrics(
    ctx: typer.Context,
    tenant: Annotated[str | None, typer.Option("--tenant", help="The tenant.")] = None,
    first: Annotated[
        str | None, typer.Option("--from", help="First day of the period (YYYY-MM-DD, UTC).")
    ] = None,
    last: Annotated[
        str | None, typer.Option("--to", help="Last day of the period, included.")
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Also give a series by day or week.")
    ] = None,
    queue: Annotated[str | None, typer.Option(help="Only contacts of this queue.")] = None,
    channel: Annotated[str | None, typer.Option(help="Only contacts of this channel.")] = None,
    language: Annotated[str | None, typer.Option(help="Only contacts in this language.")] = None,
    intent: Annotated[str | None, typer.Option(help="Only contacts with this intent.")] = None,
    cut: Annotated[
        str | None,
        typer.Option(help="Also give the figures per queue, channel, language or intent."),
    ] = None,
    agents: Annotated[
        bool, typer.Option("--agents", help="Also give each agent's knowledge contribution.")
    ] = False,
    direct: Annotated[
        bool, typer.Option("--direct", help="Compute from the records, not the aggregates.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Print the tenant's figures for the period (subcommands: rebuild, costs)."""
    if ctx.invoked_subcommand is not None:
        return
    if tenant is None or first is None or last is None:
        raise typer.BadParameter("give --tenant, --from and --to (or a subcommand)")
    try:
        start, end = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError as exc:
        raise typer.BadParameter(f"--from/--to: {exc} (use YYYY-MM-DD)") from exc
    from criterio.cli._store import unit_of_work
    from criterio.metrics import ALL_AGENTS, figures

    filters = {
        k: v
        for k, v in (
            ("queue", queue),
            ("channel", channel),
            ("language", language),
            ("intent", intent),
        )
        if v is not None
    }
    with unit_of_work() as session:
        result = figures(
            session,
            tenant,
            first=start,
            last=end,
            by=by,
            filters=filters,
            cut=cut,
            agents=ALL_AGENTS if agents else None,
            direct=direct,
        )
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    _table(result)


def _table(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{result['tenant']}: {result['from']} to {result['to']}")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, label, kind in TABLE:
        table.add_row(label, _show(result[key], kind))
    console = Console()
    console.print(table)
    if "series" in result:
        series = Table(title=f"by {result['by']}")
        for name in ("period", "contacts", "resolution_rate", "automation_rate", "link_rate"):
            series.add_column(name, justify="right")
        for row in result["series"]:
            series.add_row(
                row["period"],
                _show(row["contacts"], "number"),
                *(
                    _show(row[k], "rate")
                    for k in ("resolution_rate", "automation_rate", "link_rate")
                ),
            )
        console.print(series)


@app.command()
def rebuild(tenant: Tenant) -> None:
    """Recompute every one of the tenant's daily aggregates from the records."""
    from criterio.cli._store import unit_of_work
    from criterio.metrics import rebuild as do_rebuild

    with unit_of_work() as session:
        done = do_rebuild(session, tenant)
    typer.echo(done.summary())


@app.command()
def refresh(tenant: Tenant) -> None:
    """Recompute only the days whose records changed since the last refresh."""
    from criterio.cli._store import unit_of_work
    from criterio.metrics import refresh as do_refresh

    with unit_of_work() as session:
        done = do_refresh(session, tenant)
    typer.echo(done.summary())


@app.command()
def costs(
    tenant: Tenant,
    human: Annotated[float, typer.Option(help="Cost of one contact handled by a person.")],
    automated: Annotated[float, typer.Option(help="Cost of one contact answered automatically.")],
    currency: Annotated[str, typer.Option(help="Currency code, e.g. EUR.")] = "EUR",
) -> None:
    """Set the tenant's costs per contact (for estimated_savings)."""
    from criterio.cli._store import unit_of_work
    from criterio.metrics.aggregate import set_costs

    with unit_of_work() as session:
        set_costs(session, tenant, human=human, automated=automated, currency=currency)
    typer.echo(f"{tenant}: {human} per human contact, {automated} per automated ({currency})")
