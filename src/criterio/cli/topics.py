"""``criterio topics discover | show | assign | evaluate``: contact reasons nobody labelled."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table

from criterio.cli._textfiles import TextRows, read_text_rows, store_text_rows

__all__ = ["app"]

app = typer.Typer(help="Topics discovered in unlabelled interactions.", no_args_is_help=True)
console = Console(stderr=True)

ModelDir = Annotated[
    Path, typer.Option("--model", help="Model directory (model.skops + model.json).")
]
Encoder = Annotated[
    str, typer.Option(help="Representation: static, lsa, static:<dir>, st:<model>.")
]
NTopics = Annotated[int | None, typer.Option(help="Number of topics (default: from the volume).")]
Outliers = Annotated[
    float, typer.Option(help="Share of texts left without a topic (the least typical ones).")
]
Seed = Annotated[int, typer.Option(help="Seed: the same texts and seed give the same topics.")]


def _rows(file: Path | None, tenant: str | None, label: str | None = None) -> TextRows:
    if (file is None) == (tenant is None):
        raise typer.BadParameter("give either FILE or --tenant")
    if file is not None:
        if not file.is_file():
            raise typer.BadParameter(f"{file}: no such file")
        rows = read_text_rows(file, label=label, require_label=label is not None)
    else:
        rows = store_text_rows(str(tenant))
    for error in rows.errors[:20]:
        console.print(f"[yellow]skipped[/] {error}")
    return rows


@app.command()
def discover(
    file: Annotated[Path | None, typer.Argument(help="JSONL or CSV of interactions.")] = None,
    model: ModelDir = Path("topic-model"),
    tenant: Annotated[
        str | None, typer.Option(help="Use the tenant's stored interactions.")
    ] = None,
    encoder: Encoder = "static",
    n_topics: NTopics = None,
    outlier_share: Outliers = 0.02,
    random_state: Seed = 0,
) -> None:
    """Discover topics and save the model (labels, keywords, examples, sizes, hierarchy)."""
    from criterio.analysis.modelstore import save_model
    from criterio.analysis.text import masking_card
    from criterio.analysis.topics import TopicModel, topics_card

    rows = _rows(file, tenant)
    start = time.perf_counter()
    topic_model = TopicModel(
        encoder=encoder, n_topics=n_topics, outlier_share=outlier_share, random_state=random_state
    )
    try:
        topic_model.fit(rows.texts)
    except (ValueError, FileNotFoundError, ImportError) as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from exc
    seconds = time.perf_counter() - start
    n_groups = max(2, topic_model.n_topics_ // 5)
    card = {
        "n_texts": len(rows.texts),
        "seconds": round(seconds, 2),
        **masking_card(),
        **topics_card(topic_model, n_groups),
    }
    save_model(topic_model, model, "topics", card)
    outliers = float((topic_model.labels_ < 0).mean())
    console.print(
        f"{topic_model.n_topics_} topics in {len(rows.texts)} texts ({outliers:.1%} without a "
        f"topic) in {seconds:.1f}s → {model}"
    )


@app.command()
def show(
    model: ModelDir = Path("topic-model"),
    as_json: Annotated[bool, typer.Option("--json", help="Print the topics as JSON.")] = False,
) -> None:
    """List the topics of a model: label, size, keywords, an example, broader topic."""
    from criterio.analysis.modelstore import read_card
    from criterio.analysis.text import MASKED_CARD_KEY, model_texts

    card = read_card(model)
    if card.get("kind") != "topics":
        raise typer.BadParameter(f"{model}: not a topic model")
    if MASKED_CARD_KEY not in card:
        console.print(
            f"[yellow]{model} was trained before personal data was masked from training "
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
    for column in ("id", "size", "label", "example", "broader"):
        table.add_column(column)
    broader = {g["id"]: g["label"] for g in card["broader"]}
    for topic in sorted(card["topics"], key=lambda t: -t["size"]):
        example = topic["examples"][0] if topic["examples"] else ""
        table.add_row(
            str(topic["id"]), str(topic["size"]), topic["label"], example, broader[topic["parent"]]
        )
    Console().print(table)


@app.command()
def assign(
    file: Annotated[Path, typer.Argument(help="JSONL or CSV of interactions.")],
    model: ModelDir = Path("topic-model"),
) -> None:
    """Write one JSON line per row: {"id", "topic", "topic_label", "score"} (-1: fits no topic)."""
    from criterio.analysis.modelstore import load_model

    rows = _rows(file, None)
    topic_model = load_model(model, "topics")
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

    rows = _rows(file, None, label=label_column)
    topic_model = TopicModel(
        encoder=encoder, n_topics=n_topics, outlier_share=outlier_share, random_state=random_state
    )
    figures = evaluate_topics(topic_model, rows.texts, [str(v) for v in rows.labels])
    if as_json:
        typer.echo(json.dumps(figures, indent=2))
        return
    for key, value in figures.items():
        typer.echo(f"{key:16} {value:.4f}" if isinstance(value, float) else f"{key:16} {value}")
