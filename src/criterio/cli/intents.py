"""``criterio intents train | predict | evaluate``: intents learned from labelled examples."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console

from criterio.cli._store import unit_of_work
from criterio.cli._textfiles import TextRows, read_text_rows
from criterio.cli.models import champion_model
from criterio.errors import CriterioError

__all__ = ["app"]

app = typer.Typer(help="Intents learned from the tenant's labelled examples.", no_args_is_help=True)
console = Console(stderr=True)

ModelDir = Annotated[
    Path | None,
    typer.Option(
        "--model",
        help="Model directory (model.skops + model.json); default: intent-model, or with "
        "--tenant the tenant's registry.",
    ),
]
InputFile = Annotated[
    Path | None,
    typer.Argument(help="JSONL or CSV with `text` (or `turns`) and the label.", dir_okay=False),
]
DEFAULT_DIR = Path("intent-model")


def _file_rows(file: Path | None, label: str, require: bool) -> TextRows:
    if file is None:
        raise typer.BadParameter("give FILE")
    if not file.is_file():
        raise typer.BadParameter(f"{file}: no such file")
    rows = read_text_rows(file, label=label, require_label=require)
    for error in rows.errors[:20]:
        console.print(f"[yellow]skipped[/] {error}")
    if len(rows.errors) > 20:
        console.print(f"[yellow]... and {len(rows.errors) - 20} more skipped rows[/]")
    return rows


@app.command()
def train(
    file: InputFile = None,
    model: ModelDir = None,
    tenant: Annotated[
        str | None,
        typer.Option(
            help="Train from the tenant's stored labels.intent and register the model "
            "(champion when the tenant has none; else a candidate for `criterio models "
            "promote`)."
        ),
    ] = None,
    label: Annotated[str, typer.Option(help="Column (or labels key) with the intent.")] = "intent",
    encoder: Annotated[
        str,
        typer.Option(
            help="Representation: static+use, static+use-static (faster), static, use, "
            "use-static, lsa, static:<dir>, st:<model>."
        ),
    ] = "static+use",
    false_rejection: Annotated[
        float,
        typer.Option(help="Share of known-intent texts allowed to come out `unknown`."),
    ] = 0.05,
    random_state: Annotated[int, typer.Option(help="Seed for the calibration split.")] = 0,
) -> None:
    """Train (or retrain) an intent model: from FILE into --model (a retrain writes the next
    version there), or from a tenant's stored interactions into its model registry."""
    if (file is None) == (tenant is None):
        raise typer.BadParameter("give either FILE or --tenant")
    if tenant is not None:
        if model is not None:
            raise typer.BadParameter("--tenant models go to the registry; --model is for FILE")
        _train_tenant(tenant, label, encoder, false_rejection, random_state)
        return
    from criterio.analysis.modelstore import save_model
    from criterio.learning.training import fit_intent_model

    rows = _file_rows(file, label, require=True)
    try:
        fitted = fit_intent_model(
            rows.texts,
            [str(v) for v in rows.labels],
            encoder=encoder,
            false_rejection=false_rejection,
            random_state=random_state,
        )
    except (CriterioError, ValueError, FileNotFoundError, ImportError) as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from exc
    card = {**fitted.card, "skipped_rows": len(rows.errors)}
    path = save_model(fitted.model, model or DEFAULT_DIR, "intents", card)
    console.print(
        f"trained {len(card['intents'])} intents on {len(rows.texts)} examples "
        f"in {fitted.seconds:.1f}s → {path}"
    )


def _train_tenant(
    tenant: str, label: str, encoder: str, false_rejection: float, random_state: int
) -> None:
    from criterio.cli.models import who
    from criterio.config import get_settings, model_directory
    from criterio.learning.training import train_intents, training_examples

    settings = get_settings()
    with unit_of_work(settings) as session:
        try:
            trained = train_intents(
                session,
                tenant,
                model_dir=model_directory(settings),
                examples=training_examples(session, tenant, label=label),
                encoder=encoder,
                false_rejection=false_rejection,
                random_state=random_state,
                by=who(None),
            )
            row = trained.model
            message = (
                f"trained {row.metrics['n_intents']} intents on {row.training['n_examples']} "
                f"examples of tenant {tenant} in {trained.fitted.seconds:.1f}s → model "
                f"{row.id} (version {row.version}), "
                + (
                    "the tenant's champion"
                    if trained.promoted
                    else f"a candidate: `criterio models promote {row.id}` to use it"
                )
            )
        except (CriterioError, ValueError, FileNotFoundError, ImportError) as exc:
            console.print(f"[red]{exc}[/]")
            raise typer.Exit(1) from exc
    console.print(message)


def _classifier(model: Path | None, tenant: str | None) -> Any:
    """--model, else the tenant's champion, else CRITERIO_INTENT_MODEL, else ./intent-model."""
    from criterio.analysis.modelstore import load_model
    from criterio.config import get_settings

    if model is None and tenant is not None:
        return champion_model(tenant, "intent")
    return load_model(model or get_settings().intent_model or DEFAULT_DIR, "intents")


@app.command()
def predict(
    file: InputFile,
    model: ModelDir = None,
    tenant: Annotated[
        str | None, typer.Option(help="Use this tenant's champion intent model.")
    ] = None,
) -> None:
    """Write one JSON line per row: {"id", "intent", "confidence"} (`unknown`: out of scope).

    The model is --model, else the tenant's champion (--tenant), else
    CRITERIO_INTENT_MODEL, else ./intent-model.
    """
    rows = _file_rows(file, "intent", require=False)
    classifier = _classifier(model, tenant)
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
    model: ModelDir = None,
    label: Annotated[
        str, typer.Option(help="Column with the true intent (`oos`: none).")
    ] = "intent",
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Accuracy, macro-F1; with `oos` rows also in-scope accuracy, OOS recall/precision, AUROC."""
    from criterio.analysis.intents import evaluate_intents
    from criterio.analysis.modelstore import load_model

    rows = _file_rows(file, label, require=True)
    figures = evaluate_intents(
        load_model(model or DEFAULT_DIR, "intents"), rows.texts, [str(v) for v in rows.labels]
    )
    if as_json:
        typer.echo(json.dumps(figures, indent=2))
        return
    for key, value in figures.items():
        typer.echo(f"{key:32} {value:.4f}" if isinstance(value, float) else f"{key:32} {value}")
