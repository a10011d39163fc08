"""Load the demo into a store through the normal ingest path, then run what analysis exists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from criterio.demo.generator import DemoGenerator
from criterio.interactions.ingest import IngestReport, ingest_records
from criterio.interactions.readers.base import RawRecord

__all__ = [
    "TOP_INSIGHTS",
    "AnalysisRun",
    "TrainedModels",
    "load_demo",
    "run_available_analysis",
    "train_models",
]

#: How many insights the demo shows after detection.
TOP_INSIGHTS = 10


@dataclass(frozen=True)
class AnalysisRun:
    """One analysis that ran on the demo data, and what it produced (for the summary)."""

    name: str
    summary: str
    #: Lines worth showing under the summary (e.g. the top insights' statements).
    details: tuple[str, ...] = ()


def load_demo(
    factory: sessionmaker[Session],
    generator: DemoGenerator,
    *,
    chunk_size: int = 5000,
    on_progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """Generate the demo interactions and store them with the same service as `criterio ingest`."""
    raw = (
        RawRecord("demo", f"record {number}", record)
        for number, record in enumerate(generator.records(), start=1)
    )
    return ingest_records(
        factory, raw, tenant=generator.tenant, chunk_size=chunk_size, on_progress=on_progress
    )


def run_available_analysis(
    factory: sessionmaker[Session], tenant: str, models: Path | None = None
) -> list[AnalysisRun]:
    """Run every analysis this build of Criterio has over ``tenant``'s stored interactions.

    With ``models`` (a directory), an intent model is first trained on the interactions
    that carry ``labels.intent`` and topics are discovered in all of them, as a team
    would with `criterio intents train --tenant` and `criterio topics discover --tenant`;
    both are saved there. Then the analysis pipeline (language, personal-data
    redaction, sentiment, and those models) runs on the local engine, then pattern
    detection, whose top insights are returned as details.
    """
    from criterio.analysis.pipeline import build_pipeline
    from criterio.annotations.runner import analyze_store
    from criterio.annotations.service import result_counts
    from criterio.db import session_scope
    from criterio.engines.local import LocalEngine

    runs: list[AnalysisRun] = []
    pipeline = build_pipeline()
    if models is not None:
        trained = train_models(factory, tenant, models)
        runs.append(trained.run)
        if trained.intent_model is not None and trained.topic_model is not None:
            pipeline = build_pipeline(
                intent_model=trained.intent_model, topic_model=trained.topic_model
            )
    with LocalEngine() as engine:
        report = analyze_store(factory, [tenant], engine=engine, pipeline=pipeline)
    with session_scope(factory) as session:
        counts = result_counts(session, tenant)
    languages = ", ".join(f"{k} {v:,}" for k, v in counts["language"].items())
    moods = ", ".join(f"{k} {v:,}" for k, v in counts["sentiment_label"].items())
    name = " + ".join(pipeline.versions())
    summary = f"{report.total:,} interactions analysed (languages: {languages}; sentiment: {moods})"
    return [*runs, AnalysisRun(name, summary), _detect_insights(factory, tenant)]


@dataclass(frozen=True)
class TrainedModels:
    """The model directories (``None`` when there was too little data) and the summary."""

    intent_model: Path | None
    topic_model: Path | None
    run: AnalysisRun


#: Below this many texts, or with fewer than two labelled intents, no model is trained.
MIN_TEXTS = 50


def train_models(factory: sessionmaker[Session], tenant: str, directory: Path) -> TrainedModels:
    """Train an intent model on the labelled interactions and discover topics in all.

    Saved as ``directory/intent-model`` and ``directory/topic-model`` (a retrain writes
    the next version), the directories `criterio analyze --intent-model/--topic-model`
    take.
    """
    from criterio.analysis.intents import IntentClassifier
    from criterio.analysis.modelstore import save_model
    from criterio.analysis.text import interaction_text, masking_card, model_texts
    from criterio.analysis.topics import TopicModel, topics_card
    from criterio.db import session_scope
    from criterio.interactions.repository import InteractionRepository

    texts: list[str] = []
    intents_of: list[str | None] = []
    with session_scope(factory) as session:
        for item in InteractionRepository(session, tenant).iter_all():
            text = interaction_text({"turns": item.turns})
            if not text:
                continue
            texts.append(text)
            intent = (item.labels or {}).get("intent")
            intents_of.append(str(intent) if intent else None)
    # Models learn from masked texts only: no personal data in what they save or show.
    texts = model_texts(texts)
    labelled = [(t, i) for t, i in zip(texts, intents_of, strict=True) if i is not None]
    if len(texts) < MIN_TEXTS or len({i for _, i in labelled}) < 2:
        summary = (
            f"not trained: {len(texts)} interactions with customer text and "
            f"{len({i for _, i in labelled})} labelled intents are too few"
        )
        return TrainedModels(None, None, AnalysisRun("models", summary))
    classifier = IntentClassifier().fit([t for t, _ in labelled], [i for _, i in labelled])
    intents = [str(c) for c in classifier.classes_]
    intent_dir = save_model(
        classifier,
        directory / "intent-model",
        "intents",
        {
            "n_examples": len(labelled),
            "intents": intents,
            "source": f"tenant {tenant}",
            **masking_card(),
        },
    )
    topics = TopicModel().fit(texts)
    card = {"n_texts": len(texts), "source": f"tenant {tenant}", **masking_card()}
    card |= topics_card(topics, max(2, topics.n_topics_ // 5))
    topic_dir = save_model(topics, directory / "topic-model", "topics", card)
    summary = (
        f"intents learned from {len(labelled):,} labelled interactions ({len(intents)} intents), "
        f"{topics.n_topics_} topics discovered in {len(texts):,}; saved in {directory}"
    )
    return TrainedModels(intent_dir, topic_dir, AnalysisRun("models", summary))


def _detect_insights(factory: sessionmaker[Session], tenant: str) -> AnalysisRun:
    from criterio.db import session_scope
    from criterio.insights.service import detect_insights, list_insights

    with session_scope(factory) as session:
        found = detect_insights(session, tenant)
        top = list_insights(session, tenant, limit=TOP_INSIGHTS)
        details = tuple(f"[{i.id}] {i.type}, severity {i.severity:.0f}: {i.statement}" for i in top)
    summary = (
        f"{len(found.insights)} patterns ({found.created} new insights, {found.updated} updated); "
        f"the {len(top)} most severe:"
    )
    return AnalysisRun("insights", summary, details)
