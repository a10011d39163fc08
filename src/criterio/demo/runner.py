"""Load the demo into a store through the normal ingest path, then run what analysis exists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from criterio.demo.generator import DemoGenerator
from criterio.interactions.ingest import IngestReport, ingest_records
from criterio.interactions.readers.base import RawRecord

__all__ = ["TOP_INSIGHTS", "AnalysisRun", "load_demo", "run_available_analysis"]

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


def run_available_analysis(factory: sessionmaker[Session], tenant: str) -> list[AnalysisRun]:
    """Run every analysis this build of Criterio has over ``tenant``'s stored interactions.

    Today: the analysis pipeline (language, personal-data redaction, sentiment) on the
    local engine, then pattern detection, whose top insights are returned as details.
    """
    from criterio.analysis.pipeline import build_pipeline
    from criterio.annotations.runner import analyze_store
    from criterio.annotations.service import result_counts
    from criterio.db import session_scope
    from criterio.engines.local import LocalEngine

    pipeline = build_pipeline()
    with LocalEngine() as engine:
        report = analyze_store(factory, [tenant], engine=engine, pipeline=pipeline)
    with session_scope(factory) as session:
        counts = result_counts(session, tenant)
    languages = ", ".join(f"{k} {v:,}" for k, v in counts["language"].items())
    moods = ", ".join(f"{k} {v:,}" for k, v in counts["sentiment_label"].items())
    name = " + ".join(pipeline.versions())
    summary = f"{report.total:,} interactions analysed (languages: {languages}; sentiment: {moods})"
    return [AnalysisRun(name, summary), _detect_insights(factory, tenant)]


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
