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
    factory: sessionmaker[Session], tenant: str, models: Path | None = None, *, triage: bool = True
) -> list[AnalysisRun]:
    """Run every analysis this build of Criterio has over ``tenant``'s stored interactions.

    With ``models`` (the model registry's directory), an intent model is first trained
    on the interactions that carry ``labels.intent`` and topics are discovered in all of
    them, as a team would with `criterio intents train --tenant` and `criterio topics
    discover --tenant`; both are registered as the tenant's champions. Then the
    analysis pipeline (language, personal-data redaction, sentiment, and the tenant's
    champion models) runs on the local engine, then pattern detection, whose top
    insights are returned as details. With ``models`` (and ``triage``), the month is then triaged
    (``criterio.demo.triage``): articles imported, a policy set, the champion
    calibrated, and routed interactions open cases; then simulated agents work part of
    those cases (``criterio.demo.agents``).
    """
    from criterio.analysis.pipeline import build_pipeline
    from criterio.annotations.runner import analyze_store
    from criterio.annotations.service import result_counts
    from criterio.db import session_scope
    from criterio.engines.local import LocalEngine
    from criterio.learning.service import analysis_pipeline

    runs: list[AnalysisRun] = []
    if models is not None:
        runs.append(train_models(factory, tenant, models))
    with session_scope(factory) as session:
        pipeline = analysis_pipeline(session, tenant, build_pipeline())
    with LocalEngine() as engine:
        report = analyze_store(factory, [tenant], engine=engine, pipeline=pipeline)
    with session_scope(factory) as session:
        counts = result_counts(session, tenant)
    languages = ", ".join(f"{k} {v:,}" for k, v in counts["language"].items())
    moods = ", ".join(f"{k} {v:,}" for k, v in counts["sentiment_label"].items())
    name = " + ".join(pipeline.versions())
    summary = f"{report.total:,} interactions analysed (languages: {languages}; sentiment: {moods})"
    runs += [AnalysisRun(name, summary), _detect_insights(factory, tenant)]
    if models is not None and triage:
        from criterio.demo.agents import simulate_agents
        from criterio.demo.triage import triage_demo

        runs.append(triage_demo(factory, tenant))
        runs.append(simulate_agents(factory, tenant))
    runs.append(_impact_metrics(factory, tenant))
    return runs


def _impact_metrics(factory: sessionmaker[Session], tenant: str) -> AnalysisRun:
    """Build the tenant's daily metric aggregates; the last four weeks' headline figures."""
    from datetime import timedelta

    from criterio.db import session_scope
    from criterio.metrics import figures, rebuild
    from criterio.metrics.repository import AggregateRepository

    with session_scope(factory) as session:
        rebuild(session, tenant)
        last = AggregateRepository(session, tenant).last_day()
        if last is None:
            return AnalysisRun("metrics", "no contacts to measure")
        first = last - timedelta(days=27)
        f = figures(session, tenant, first=first, last=last)

    def pct(name: str) -> str:
        value = f[name]
        return "–" if value is None else f"{value:.1%}"

    csat = "–" if f["csat_mean"] is None else f"{f['csat_mean']:.2f}"
    summary = (
        f"{first} to {last}: {f['contacts']:,} contacts, resolution {pct('resolution_rate')}, "
        f"first-contact resolution {pct('first_contact_resolution')}, repeat contacts "
        f"{pct('repeat_contact_rate')}, automation {pct('automation_rate')}, containment "
        f"{pct('containment_rate')}, CSAT {csat} (`criterio metrics`, the /impact page)"
    )
    return AnalysisRun("metrics", summary)


#: Below this many texts, or with fewer than two labelled intents, no model is trained.
MIN_TEXTS = 50


def train_models(factory: sessionmaker[Session], tenant: str, directory: Path) -> AnalysisRun:
    """Train an intent model on the labelled interactions and discover topics in all.

    Both go through the learning service into the tenant's model registry (files under
    ``directory``) and are promoted at once: the demo shows what its own data teaches.
    """
    from criterio.db import session_scope
    from criterio.learning.training import discover_topics, train_intents, training_examples

    with session_scope(factory) as session:
        examples = training_examples(session, tenant)
        labelled = examples.labelled()[2]
        if len(examples.texts) < MIN_TEXTS or len(set(labelled)) < 2:
            summary = (
                f"not trained: {len(examples.texts)} interactions with customer text and "
                f"{len(set(labelled))} labelled intents are too few"
            )
            return AnalysisRun("models", summary)
        intents = train_intents(
            session, tenant, model_dir=directory, examples=examples, promote=True, by="demo"
        )
        topics = discover_topics(
            session, tenant, model_dir=directory, examples=examples, promote=True, by="demo"
        )
    summary = (
        f"intents learned from {len(labelled):,} labelled interactions "
        f"({intents.model.metrics['n_intents']} intents), {topics.model.metrics['n_topics']} "
        f"topics discovered in {len(examples.texts):,}; champions of tenant {tenant} "
        f"(models {intents.model.id} and {topics.model.id}, files in {directory})"
    )
    return AnalysisRun("models", summary)


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
