"""``criterio insights detect | list | show | review``: patterns people review and act on."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from criterio.cli._help import plural
from criterio.cli._store import run_in_store
from criterio.errors import CriterioError
from criterio.insights.schemas import InsightRead, InsightStatus, ReviewIn
from criterio.languages import LANGUAGE_CHOICES, LANGUAGES

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from criterio.insights.service import DetectSummary

# The detection and the store are imported inside the commands, so that the CLI starts
# fast (tests/test_cli_startup.py).

__all__ = ["app", "detect", "list_", "review", "show"]

app = typer.Typer(
    help="Insights: detected patterns with evidence, and their review by people.",
    no_args_is_help=True,
)
T = TypeVar("T")
TenantOption = Annotated[
    str | None,
    typer.Option(help="Tenant (may be left out when the store holds a single tenant)."),
]


def _one_tenant(session: Session, tenant: str | None) -> str:
    from criterio.insights.repository import list_insight_tenants
    from criterio.interactions.repository import list_tenants

    if tenant:
        return tenant
    tenants = sorted(set(list_insight_tenants(session)) | set(list_tenants(session)))
    if len(tenants) == 1:
        return tenants[0]
    if not tenants:
        return "default"
    raise CriterioError(
        f"several tenants in the store ({', '.join(tenants)}): name one with --tenant"
    )


@app.command()
def detect(
    tenant: Annotated[
        str | None, typer.Option(help="Only this tenant (default: every tenant).")
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(
            help=f"{LANGUAGE_CHOICES} for the statements (default: the tenant's majority language)."
        ),
    ] = None,
) -> None:
    """Find patterns in the stored interactions; each becomes (or updates) an insight.

    Prints what was left out of the period analysed and, when nothing is found, why.
    """
    from criterio.insights.service import detect_insights
    from criterio.interactions.repository import list_tenants

    if language is not None and language not in LANGUAGES:
        raise typer.BadParameter(f"choose {LANGUAGE_CHOICES}", param_hint="--language")

    def work(session: Session) -> list[tuple[str, DetectSummary]]:
        return [
            (name, detect_insights(session, name, language=language))
            for name in ([tenant] if tenant else list_tenants(session))
        ]

    rows = run_in_store(work)
    table = Table(title="Insight detection")
    for column in ("tenant", "new", "updated", "patterns"):
        table.add_column(column, justify="left" if column == "tenant" else "right")
    for name, summary in rows:
        table.add_row(name, str(summary.created), str(summary.updated), str(len(summary.insights)))
    console = Console()
    console.print(table)
    for name, summary in rows:
        for note in summary.notes:
            console.print(f"{name}: {note}", markup=False, highlight=False)


@app.command("list")
def list_(
    status: Annotated[
        InsightStatus | None, typer.Option(help="Only insights with this status.")
    ] = None,
    type_: Annotated[
        str | None, typer.Option("--type", help="Only this type (spike, ...).")
    ] = None,
    tenant: Annotated[str | None, typer.Option(help="Only this tenant (default: all).")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many per tenant.")] = None,
    ongoing: Annotated[
        bool | None,
        typer.Option(
            "--ongoing/--ended",
            help="Only patterns still going on in the latest detection, or only ended ones.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """Insights, most severe first."""
    from criterio.insights.repository import list_insight_tenants
    from criterio.insights.service import list_insights, to_read
    from criterio.patterns import INSIGHT_TYPES

    if type_ is not None and type_ not in INSIGHT_TYPES:
        raise typer.BadParameter(
            f"unknown type {type_!r}; choose one of {', '.join(INSIGHT_TYPES)}",
            param_hint="--type",
        )

    def work(session: Session) -> list[InsightRead]:
        names = [tenant] if tenant else list_insight_tenants(session)
        return [
            to_read(i)
            for name in names
            for i in list_insights(
                session, name, status=status, type_=type_, limit=limit, ongoing=ongoing
            )
        ]

    insights = run_in_store(work)
    if as_json:
        typer.echo(json.dumps([i.model_dump(mode="json") for i in insights], ensure_ascii=False))
        return
    table = Table(title=plural(len(insights), "insight"))
    for column in ("id", "severity", "type", "status", "period", "statement"):
        table.add_column(column, overflow="fold")
    for i in insights:
        period = f"{i.period.start} … {i.period.end}" + ("" if i.ongoing else " (ended)")
        table.add_row(str(i.id), f"{i.severity:.0f}", i.type, i.status.value, period, i.statement)
    Console().print(table)


@app.command()
def show(
    insight_id: Annotated[int, typer.Argument(metavar="ID", help="The insight's id.")],
    tenant: TenantOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One insight with its evidence; example interactions are shown with personal data redacted."""
    from criterio.insights.browse import customer_text, redacted_examples
    from criterio.insights.service import get_insight, to_read

    def work(session: Session) -> tuple[InsightRead, list[tuple[str, str]]]:
        name = _one_tenant(session, tenant)
        stored = get_insight(session, name, insight_id)
        shown = redacted_examples(session, name, stored, redact_unanalysed=True)
        return to_read(stored), [(e.id, customer_text(e)) for e in shown if e.turns]

    insight, examples = run_in_store(work)
    if as_json:
        payload = insight.model_dump(mode="json")
        payload["examples_redacted"] = [{"id": i, "text": t} for i, t in examples]
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    out = Console()
    head = f"#{insight.id} {insight.type} · severity {insight.severity:.0f} · "
    out.print(head + f"{insight.status.value} · {insight.period.start} … {insight.period.end}")
    out.print(insight.statement)
    out.print(f"segment: {json.dumps(insight.segment, ensure_ascii=False)}")
    for key, value in insight.evidence.figures.items():
        out.print(f"  {key}: {value}")
    out.print("examples (personal data redacted):" if examples else "examples: -")
    for example_id, text in examples:
        out.print(f"  {example_id}: {text[:300]}", markup=False, highlight=False)
    for label, value in (
        ("interpretation", insight.interpretation),
        ("proposal", insight.proposal),
        ("owner", insight.owner),
    ):
        if value:
            out.print(f"{label}: {value}")
    for change in insight.history:
        out.print(
            f"  {change['at']}: {change['from']} → {change['to']} ({change.get('by') or '-'})"
        )


@app.command()
def review(
    insight_id: Annotated[int, typer.Argument(metavar="ID", help="The insight's id.")],
    status: Annotated[
        InsightStatus | None,
        typer.Option(
            help="New status: new → in_review → confirmed | dismissed; confirmed → actioned."
        ),
    ] = None,
    interpretation: Annotated[
        str | None, typer.Option(help="What the pattern means (required to confirm or dismiss).")
    ] = None,
    proposal: Annotated[
        str | None, typer.Option(help="What to do about it (required, with --owner, for actioned).")
    ] = None,
    owner: Annotated[str | None, typer.Option(help="Who acts on it.")] = None,
    by: Annotated[str | None, typer.Option(help="Who is reviewing (kept in the history).")] = None,
    tenant: TenantOption = None,
) -> None:
    """Move an insight through its review and record the interpretation and proposal."""
    from pydantic import ValidationError

    from criterio.insights.service import review_insight, to_read
    from criterio.validation import first_problem

    try:
        change = ReviewIn(
            status=status, interpretation=interpretation, proposal=proposal, owner=owner
        )
    except ValidationError as exc:
        field, message = first_problem(exc)
        raise typer.BadParameter(message, param_hint=f"--{field}") from None
    insight = run_in_store(
        lambda s: to_read(review_insight(s, _one_tenant(s, tenant), insight_id, change, actor=by))
    )
    typer.echo(f"Insight {insight.id} is {insight.status.value}.")
