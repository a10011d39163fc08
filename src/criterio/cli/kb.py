"""``criterio kb import | export | search | suggest | draft | gaps | reindex``: the knowledge base.

The knowledge modules (and scikit-learn, bm25s, the static vectors behind search)
are imported inside the commands, so ``criterio --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from criterio.cli._store import run_in_store

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["app"]

app = typer.Typer(
    help="Knowledge base (KCS articles): import, export, search, suggestions.",
    no_args_is_help=True,
)
T = TypeVar("T")
Tenant = Annotated[str, typer.Option(help="Tenant whose knowledge base this is.")]
FORMAT_HELP = (
    "jsonl, markdown (a folder of .md with YAML front matter) or zendesk (Help Center JSON)."
)


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(metavar="FILE|DIR", help="Articles to import.")],
    tenant: Tenant = "default",
    fmt: Annotated[
        str | None,
        typer.Option("--format", help=f"{FORMAT_HELP} Default: from the path."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Create or update articles by external id (importing twice changes nothing)."""
    from criterio.knowledge.formats import FORMATS, read_articles
    from criterio.knowledge.transfer import import_articles

    if fmt is not None and fmt not in FORMATS:
        raise typer.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--format")
    summary = run_in_store(
        lambda s: import_articles(
            s, tenant, read_articles(path, fmt), source=str(path), actor="cli"
        )
    )
    if as_json:
        typer.echo(json.dumps(summary.as_dict(), ensure_ascii=False))
    else:
        typer.echo(
            f"{summary.created} created, {summary.updated} updated, "
            f"{summary.unchanged} unchanged, {len(summary.errors)} rejected"
        )
        for error in summary.errors[:20]:
            typer.secho(f"  {error}", fg="yellow", err=True)
    if summary.errors and not (summary.created or summary.updated or summary.unchanged):
        raise typer.Exit(1)


@app.command()
def export(
    tenant: Tenant = "default",
    fmt: Annotated[str, typer.Option("--format", help="jsonl or markdown.")] = "jsonl",
    out: Annotated[
        Path | None,
        typer.Option(help="File (jsonl) or folder (markdown; required). Default: standard output."),
    ] = None,
) -> None:
    """Write every article of the tenant in a format ``kb import`` reads back."""
    from criterio.knowledge.formats import to_markdown, write_jsonl
    from criterio.knowledge.transfer import export_records

    if fmt not in ("jsonl", "markdown"):
        raise typer.BadParameter("choose jsonl or markdown", param_hint="--format")
    if fmt == "markdown" and out is None:
        raise typer.BadParameter("markdown is written to a folder: give --out DIR")
    records = run_in_store(lambda s: list(export_records(s, tenant)))
    if fmt == "jsonl":
        lines = "".join(write_jsonl(records))
        if out is None:
            sys.stdout.write(lines)
        else:
            out.write_text(lines, encoding="utf-8")
        return
    assert out is not None
    out.mkdir(parents=True, exist_ok=True)
    for position, record in enumerate(records, start=1):
        name = _file_name(record, position)
        (out / name).write_text(to_markdown(record), encoding="utf-8")
    typer.echo(f"{len(records)} articles written to {out}")


def _file_name(record: dict[str, Any], position: int) -> str:
    """A safe file name from the external id (which a re-import reads from the front matter)."""
    stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in str(record["external_id"] or ""))
    return f"{stem.strip('-')[:80] or f'article-{position}'}.md"


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="What to look for (any language, typos welcome).")],
    tenant: Tenant = "default",
    limit: Annotated[int, typer.Option(min=1, max=50, help="How many articles.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """Hybrid search: BM25 words, character n-grams and static vectors, fused by rank."""
    from criterio.knowledge.search import search_articles

    hits = run_in_store(lambda s: search_articles(s, tenant, text, limit=limit))
    if as_json:
        typer.echo(json.dumps([h.model_dump(mode="json") for h in hits], ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(hits)} articles")
    for column in ("article", "score", "state", "title", "passage"):
        table.add_column(column, overflow="fold")
    for h in hits:
        table.add_row(h.article_id, f"{h.score:.2f}", h.state.value, h.title, h.passage)
    Console().print(table)


@app.command()
def suggest(
    path: Annotated[Path, typer.Argument(metavar="FILE.jsonl", help="Interactions, one a line.")],
    tenant: Tenant = "default",
    limit: Annotated[int, typer.Option(min=1, max=50, help="Suggestions per interaction.")] = 5,
) -> None:
    """One JSON line per interaction: ``{"id", "suggestions": [...], "no_match"}``."""
    from criterio.knowledge.search import suggest as suggest_articles

    records: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            typer.secho(f"{path}, line {number}: not valid JSON: {exc}", fg="yellow", err=True)
            continue
        if not isinstance(record, dict) or "id" not in record:
            typer.secho(f"{path}, line {number}: id: required", fg="yellow", err=True)
            continue
        records.append(record)
    results = run_in_store(lambda s: suggest_articles(s, tenant, records, limit=limit))
    for result in results:
        typer.echo(json.dumps(result.model_dump(mode="json"), ensure_ascii=False))


@app.command()
def draft(
    from_interaction: Annotated[
        str | None,
        typer.Option("--from-interaction", metavar="ID", help="A resolved interaction."),
    ] = None,
    gap: Annotated[
        int | None, typer.Option("--gap", metavar="ID", help="A knowledge gap (its insight id).")
    ] = None,
    tenant: Tenant = "default",
    actor: Annotated[str, typer.Option(help="Who drafts it (the article's owner).")] = "cli",
) -> None:
    """A wip article prefilled, redacted, from one interaction or a gap; prints it as JSON."""
    from criterio.knowledge.drafts import draft_from_gap, draft_from_interaction
    from criterio.knowledge.service import to_read

    if (from_interaction is None) == (gap is None):
        raise typer.BadParameter("give exactly one of --from-interaction ID or --gap ID")

    def work(session: Session) -> Any:
        if from_interaction is not None:
            return to_read(draft_from_interaction(session, tenant, from_interaction, actor=actor))
        assert gap is not None
        return to_read(draft_from_gap(session, tenant, gap, actor=actor))

    article = run_in_store(work)
    typer.echo(json.dumps(article.model_dump(mode="json"), ensure_ascii=False))


@app.command()
def gaps(
    tenant: Tenant = "default",
    days: Annotated[int, typer.Option(min=1, help="Look at the last N days of interactions.")] = 30,
    min_size: Annotated[int, typer.Option(min=2, help="Smallest group that is a gap.")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """Groups of recent interactions no article answers; each is kept as a knowledge_gap insight."""
    from criterio.knowledge.gaps import find_gaps

    found = run_in_store(
        lambda s: [g.as_dict() for g in find_gaps(s, tenant, days=days, min_size=min_size)]
    )
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False))
        return
    for gap in found:
        typer.echo(
            f"{gap['id']}: {gap['size']} interactions ({gap['language']}, {gap['trend']}) "
            f"about {gap['label']!r}: {', '.join(gap['examples'][:3])}"
        )
    if not found:
        typer.echo("no knowledge gaps found")


@app.command()
def reindex(tenant: Tenant = "default") -> None:
    """Rebuild the tenant's search index from the store now."""
    from criterio.knowledge.search import rebuild_index

    count = run_in_store(lambda s: rebuild_index(s, tenant))
    typer.echo(f"index rebuilt: {count} articles")
