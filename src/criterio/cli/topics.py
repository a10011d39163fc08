"""``criterio topics discover | show | assign | evaluate``: contact reasons nobody labelled."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from criterio.cli._store import unit_of_work
from criterio.cli._textfiles import TextRows, read_text_rows
from criterio.cli.models import champion_model
from criterio.errors import CriterioError

__all__ = ["app"]

app = typer.Typer(help="Topics discovered in unlabelled interactions.", no_args_is_help=True)
console = Console(stderr=True)

ModelDir = Annotated[
    Path | None,
    typer.Option(
        "--model",
        help="Model directory (model.skops + model.json); default: topic-model, or with "
        "--tenant the tenant's registry.",
    ),
]
Encoder = Annotated[
    str, typer.Option(help="Representation: static, lsa, static:<dir>, st:<model>.")
]
NTopics = Annotated[int | None, typer.Option(help="Number of topics (default: from the volume).")]
Outliers = Annotated[
    float, typer.Option(help="Share of texts left without a topic (the least typical ones).")
]
Seed = Annotated[int, typer.Option(help="Seed: the same texts and seed give the same topics.")]
DEFAULT_DIR = Path("topic-model")


def _rows(file: Path, label: str | None = None) -> TextRows:
    if not file.is_file():
        raise typer.BadParameter(f"{file}: no such file")
    rows = read_text_rows(file, label=label, require_label=label is not None)
    for error in rows.errors[:20]:
        console.print(f"[yellow]skipped[/] {error}")
    return rows


@app.command()
def discover(
    file: Annotated[Path | None, typer.Argument(help="JSONL or CSV of interactions.")] = None,
    model: ModelDir = None,
    tenant: Annotated[
        str | None,
        typer.Option(
            help="Use the tenant's stored interactions and register the model (champion "
            "when the tenant has none; else a candidate for `criterio models promote`). "
            "Topics its champion already has keep their ids and labels."
        ),
    ] = None,
    encoder: Encoder = "static",
    n_topics: NTopics = None,
    outlier_share: Outliers = 0.02,
    random_state: Seed = 0,
) -> None:
    """Discover topics and save the model (key-phrase labels, keywords, examples, sizes,
    hierarchy). `criterio analyze` does this by itself for a tenant without topics."""
    from criterio.analysis.modelstore import save_model
    from criterio.learning.training import fit_topic_model

    if (file is None) == (tenant is None):
        raise typer.BadParameter("give either FILE or --tenant")
    options = {
        "encoder": encoder,
        "n_topics": n_topics,
        "outlier_share": outlier_share,
        "random_state": random_state,
    }
    if tenant is not None:
        if model is not None:
            raise typer.BadParameter("--tenant models go to the registry; --model is for FILE")
        _discover_tenant(tenant, options)
        return
    assert file is not None
    rows = _rows(file)
    try:
        fitted = fit_topic_model(rows.texts, **options)  # type: ignore[arg-type]
    except (ValueError, FileNotFoundError, ImportError) as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from exc
    path = save_model(fitted.model, model or DEFAULT_DIR, "topics", fitted.card)
    outliers = float((fitted.model.labels_ < 0).mean())
    console.print(
        f"{fitted.model.n_topics_} topics in {len(rows.texts)} texts ({outliers:.1%} without a "
        f"topic) in {fitted.seconds:.1f}s → {path}"
    )


def _discover_tenant(tenant: str, options: dict[str, Any]) -> None:
    from criterio.cli.models import who
    from criterio.config import get_settings, model_directory
    from criterio.learning.training import discover_topics

    settings = get_settings()
    with unit_of_work(settings) as session:
        try:
            trained = discover_topics(
                session, tenant, model_dir=model_directory(settings), by=who(None), **options
            )
            row = trained.model
            standing = (
                "the tenant's champion"
                if trained.promoted
                else f"a candidate: `criterio models promote {row.id}` to use it"
            )
            message = (
                f"{row.metrics['n_topics']} topics in {row.training['n_texts']} texts of tenant "
                f"{tenant} ({row.metrics['outlier_share']:.1%} without a topic) in "
                f"{trained.fitted.seconds:.1f}s → model {row.id} (version {row.version}), "
                f"{standing}"
            )
        except (CriterioError, ValueError, FileNotFoundError, ImportError) as exc:
            console.print(f"[red]{exc}[/]")
            raise typer.Exit(1) from exc
    console.print(message)


def _card(model: Path | None, tenant: str | None) -> dict[str, Any]:
    from criterio.analysis.modelstore import read_card

    if model is None and tenant is not None:
        from criterio.learning.service import champion

        with unit_of_work() as session:
            row = champion(session, tenant, "topics")
            model = Path(row.path) if row is not None else None
        if model is None:
            raise typer.BadParameter(
                f"tenant {tenant!r} has no topics champion", param_hint="--tenant"
            )
    card = read_card(model or DEFAULT_DIR)
    if card.get("kind") != "topics":
        raise typer.BadParameter(f"{model}: not a topic model")
    return card


@app.command()
def show(
    model: ModelDir = None,
    tenant: Annotated[
        str | None, typer.Option(help="Show this tenant's champion topic model.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the topics as JSON.")] = False,
) -> None:
    """List the topics of a model: id, size, label (a key phrase), keywords, an example,
    broader topic."""
    from criterio.analysis.text import MASKED_CARD_KEY, model_texts

    card = _card(model, tenant)
    where = model if model is not None else f"tenant {tenant}'s champion"
    if MASKED_CARD_KEY not in card:
        console.print(
            f"[yellow]{where} was trained before personal data was masked from training "
            "texts: its saved files may hold some; discover the topics again[/]"
        )
    # Masked again for display: what an older model's card holds is not shown.
    for topic in card["topics"]:
        topic["label"], *topic["examples"] = model_texts([topic["label"], *topic["examples"]])
        topic["keywords"] = model_texts(topic["keywords"])
    if as_json:
        typer.echo(
            json.dumps(
                {k: card[k] for k in ("n_topics", "topics", "broader")},
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    table = Table(title=f"{card['n_topics']} topics (version {card['version']})")
    for column in ("id", "size", "label", "keywords", "example", "broader"):
        table.add_column(column)
    broader = {g["id"]: g["label"] for g in card["broader"]}
    for topic in sorted(card["topics"], key=lambda t: -t["size"]):
        example = topic["examples"][0] if topic["examples"] else ""
        table.add_row(
            str(topic["id"]),
            str(topic["size"]),
            topic["label"],
            " · ".join(topic["keywords"][:5]),
            example,
            broader[topic["parent"]],
        )
    Console().print(table)


@app.command()
def assign(
    file: Annotated[Path, typer.Argument(help="JSONL or CSV of interactions.")],
    model: ModelDir = None,
    tenant: Annotated[
        str | None, typer.Option(help="Use this tenant's champion topic model.")
    ] = None,
) -> None:
    """Write one JSON line per row: {"id", "topic", "topic_label", "score"} (-1: fits no topic).

    The model is --model, else the tenant's champion (--tenant), else
    CRITERIO_TOPIC_MODEL, else ./topic-model.
    """
    from criterio.analysis.modelstore import load_model
    from criterio.config import get_settings

    rows = _rows(file)
    if model is None and tenant is not None:
        topic_model = champion_model(tenant, "topics")
    else:
        topic_model = load_model(model or get_settings().topic_model or DEFAULT_DIR, "topics")
    topics, scores = topic_model.assign(rows.texts)
    labels = {t: topic_model.topic_label(t) for t in {*topics.tolist()}}
    out = sys.stdout.buffer
    for ident, topic, score in zip(rows.ids, topics.tolist(), scores.tolist(), strict=True):
        record = {
            "id": ident,
            "topic": topic,
            "topic_label": labels[topic],
            "score": round(score, 4),
        }
        out.write(orjson.dumps(record) + b"\n")
    out.flush()


@app.command()
def evaluate(
    file: Annotated[Path, typer.Argument(help="JSONL or CSV with texts and a label column.")],
    label_column: Annotated[str, typer.Option(help="Column holding the reference label.")],
    encoder: Encoder = "static",
    n_topics: NTopics = None,
    outlier_share: Outliers = 0.02,
    random_state: Seed = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Discover topics without the labels, then score them against the labels (NMI, ARI)."""
    from criterio.analysis.topics import TopicModel, evaluate_topics

    rows = _rows(file, label=label_column)
    topic_model = TopicModel(
        encoder=encoder, n_topics=n_topics, outlier_share=outlier_share, random_state=random_state
    )
    figures = evaluate_topics(topic_model, rows.texts, [str(v) for v in rows.labels])
    if as_json:
        typer.echo(json.dumps(figures, indent=2))
        return
    for key, value in figures.items():
        typer.echo(f"{key:16} {value:.4f}" if isinstance(value, float) else f"{key:16} {value}")
