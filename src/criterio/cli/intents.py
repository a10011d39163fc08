"""``criterio intents train | predict | evaluate``: intents learned from labelled examples."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console

from criterio.cli._textfiles import TextRows, read_text_rows, store_text_rows

__all__ = ["app"]

app = typer.Typer(help="Intents learned from the tenant's labelled examples.", no_args_is_help=True)
console = Console(stderr=True)

ModelDir = Annotated[
    Path, typer.Option("--model", help="Model directory (model.skops + model.json).")
]
InputFile = Annotated[
    Path | None,
    typer.Argument(help="JSONL or CSV with `text` (or `turns`) and the label.", dir_okay=False),
]


def _rows(file: Path | None, tenant: str | None, label: str, require: bool) -> TextRows:
    if (file is None) == (tenant is None):
        raise typer.BadParameter("give either FILE or --tenant")
    if file is not None:
        if not file.is_file():
            raise typer.BadParameter(f"{file}: no such file")
        rows = read_text_rows(file, label=label, require_label=require)
    else:
        rows = store_text_rows(str(tenant), label=label, require_label=require)
    for error in rows.errors[:20]:
        console.print(f"[yellow]skipped[/] {error}")
    if len(rows.errors) > 20:
        console.print(f"[yellow]... and {len(rows.errors) - 20} more skipped rows[/]")
    return rows


@app.command()
def train(
    file: InputFile = None,
    model: ModelDir = Path("intent-model"),
    tenant: Annotated[
        str | None, typer.Option(help="Train from the tenant's stored labels.intent instead.")
    ] = None,
    label: Annotated[str, typer.Option(help="Column (or labels key) with the intent.")] = "intent",
    encoder: Annotated[
        str,
        typer.Option(
            help="Representation: static+use, static, use, lsa, static:<dir>, st:<model>."
        ),
    ] = "static+use",
    false_rejection: Annotated[
        float,
        typer.Option(help="Share of known-intent texts allowed to come out `unknown`."),
    ] = 0.05,
    random_state: Annotated[int, typer.Option(help="Seed for the calibration split.")] = 0,
) -> None:
    """Train (or retrain) an intent model; a retrain writes the next version into --model."""
    from criterio.analysis.intents import IntentClassifier
    from criterio.analysis.modelstore import save_model

    rows = _rows(file, tenant, label, require=True)
    if len(set(rows.labels)) < 2:
        console.print("[red]need labelled examples of at least two intents[/]")
        raise typer.Exit(1)
    start = time.perf_counter()
    classifier = IntentClassifier(
        encoder=encoder, false_rejection=false_rejection, random_state=random_state
    )
    try:
        classifier.fit(rows.texts, [str(v) for v in rows.labels])
    except (ValueError, FileNotFoundError, ImportError) as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from exc
    seconds = time.perf_counter() - start
    card = {
        "n_examples": len(rows.texts),
        "intents": [str(c) for c in classifier.classes_],
        "threshold": classifier.threshold_,
        "temperature": classifier.temperature_,
        "false_rejection": false_rejection,
        "seconds": round(seconds, 2),
        "skipped_rows": len(rows.errors),
    }
    path = save_model(classifier, model, "intents", card)
    console.print(
        f"trained {len(classifier.classes_)} intents on {len(rows.texts)} examples "
        f"in {seconds:.1f}s → {path}"
    )


@app.command()
def predict(file: InputFile, model: ModelDir = Path("intent-model")) -> None:
    """Write one JSON line per row: {"id", "intent", "confidence"} (`unknown`: out of scope)."""
    from criterio.analysis.modelstore import load_model

    rows = _rows(file, None, "intent", require=False)
    classifier = load_model(model, "intents")
    labels, confidence = classifier.predict_with_confidence(rows.texts)
    out = sys.stdout.buffer
    for ident, intent, conf in zip(rows.ids, labels, confidence, strict=True):
        out.write(
            orjson.dumps({"id": ident, "intent": str(intent), "confidence": round(float(conf), 4)})
        )
        out.write(b"\n")
    out.flush()


@app.command()
def evaluate(
    file: InputFile,
    model: ModelDir = Path("intent-model"),
    label: Annotated[
        str, typer.Option(help="Column with the true intent (`oos`: none).")
    ] = "intent",
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Accuracy, macro-F1; with `oos` rows also in-scope accuracy, OOS recall/precision, AUROC."""
    from criterio.analysis.intents import evaluate_intents
    from criterio.analysis.modelstore import load_model

    rows = _rows(file, None, label, require=True)
    figures = evaluate_intents(
        load_model(model, "intents"), rows.texts, [str(v) for v in rows.labels]
    )
    if as_json:
        typer.echo(json.dumps(figures, indent=2))
        return
    for key, value in figures.items():
        typer.echo(f"{key:32} {value:.4f}" if isinstance(value, float) else f"{key:32} {value}")
