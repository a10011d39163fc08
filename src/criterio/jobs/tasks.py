"""The jobs themselves: each is the same service a `criterio` command runs, for one tenant.

``analyze`` analyses the tenant's new and changed interactions with its champion
models, discovering its topics first when it has none and refreshing them when too many
interactions fit none (``learning.topics_auto``, as `criterio analyze`); ``detect`` runs
pattern detection and updates its insights; ``topics`` discovers topics again (topics
still there keep their ids) and registers the model: the champion when the tenant has
none or when its champion leaves more than ``topics_refresh_unassigned`` of the
interactions without a topic, else a candidate. It skips the work when the data has not
changed since the last topic model. ``outcomes`` judges the automated answers
(``triage.outcomes``): reverts, realised precision, suspension of intents below target;
``webhooks`` posts the due webhook deliveries (scheduled when an endpoint is added);
``learn`` runs the learning loop (``learning.loop.learn``); ``metrics`` recomputes the
daily aggregates of the days whose records changed (``metrics.aggregate.refresh``).
Each returns the line recorded as the run's summary.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from criterio.db import session_scope

__all__ = ["JOBS", "JobContext", "run_job"]


@dataclass
class JobContext:
    """What every job needs besides its tenant: the store, where models go, the fallbacks."""

    factory: sessionmaker[Session]
    model_dir: Path
    worker: str
    #: Intent and topic model directories used for tenants without a champion.
    fallback_intent: Path | None = None
    fallback_topic: Path | None = None
    #: Processes the analysis job uses (1: in the worker's own process).
    analysis_workers: int = 1
    #: Automatic topics (discovery, refresh): CRITERIO_AUTO_TOPICS and its thresholds.
    auto_topics: bool = True
    topics_min_interactions: int = 100
    topics_refresh_unassigned: float = 0.2
    #: CRITERIO_SECRET_KEY, which webhook signing secrets are derived from.
    secret_key: str | None = field(default=None, repr=False)
    _base: Any = field(default=None, repr=False)

    def base_pipeline(self) -> Any:
        """The analyzers every tenant shares (language, redaction, sentiment), built once."""
        if self._base is None:
            from criterio.analysis.pipeline import build_pipeline

            self._base = build_pipeline()
        return self._base


def analyze(context: JobContext, tenant: str) -> str:
    """Analyse the tenant's pending interactions with its champion models.

    Topics are discovered first when the tenant has none, and refreshed (then the
    interactions analysed again) when this run leaves too many without a topic.
    """
    from criterio.analysis.model_stages import IntentStage, TopicStage
    from criterio.annotations.runner import analyze_store
    from criterio.engines.local import LocalEngine
    from criterio.learning.service import analysis_pipeline

    intent = IntentStage(context.fallback_intent).fit() if context.fallback_intent else None
    topic = TopicStage(context.fallback_topic).fit() if context.fallback_topic else None
    auto = context.auto_topics and topic is None
    notes = [_auto_topics(context, tenant)] if auto else []
    total = 0
    with LocalEngine(workers=context.analysis_workers) as engine:
        for attempt in range(2):
            with session_scope(context.factory) as session:
                pipeline = analysis_pipeline(
                    session,
                    tenant,
                    context.base_pipeline(),
                    fallback_intent=intent,
                    fallback_topic=topic,
                )
            report = analyze_store(context.factory, [tenant], engine=engine, pipeline=pipeline)
            total = max(total, report.total)
            refreshed = _auto_topics(context, tenant) if auto and attempt == 0 else None
            if not refreshed:
                break
            notes.append(refreshed)
    models = ", ".join(
        f"{k} {v}" for k, v in pipeline.versions().items() if k in ("intents", "topics")
    )
    line = f"{total:,} interactions analysed" + (f" (models: {models})" if models else "")
    return "; ".join([line, *(n for n in notes if n)])


def _auto_topics(context: JobContext, tenant: str) -> str | None:
    """Discover or refresh the tenant's topics when due; a note when a model was made."""
    from criterio.learning.topics_auto import auto_topics

    with session_scope(context.factory) as session:
        update = auto_topics(
            session,
            tenant,
            model_dir=context.model_dir,
            min_interactions=context.topics_min_interactions,
            refresh_unassigned=context.topics_refresh_unassigned,
            by=f"worker {context.worker}",
        )
    return None if update is None or update.trained is None else f"topics: {update.message}"


def detect(context: JobContext, tenant: str) -> str:
    """Detect patterns in the tenant's interactions and update its insights."""
    from criterio.insights.service import detect_insights

    with session_scope(context.factory) as session:
        found = detect_insights(session, tenant)
    return f"{len(found.insights)} patterns ({found.created} new insights, {found.updated} updated)"


def topics(context: JobContext, tenant: str) -> str:
    """Discover the tenant's topics again (unchanged topics keep their ids).

    The model becomes the champion when the tenant has none or when its champion leaves
    more than ``topics_refresh_unassigned`` of the interactions it analysed without a
    topic; otherwise it waits as a candidate.
    """
    from criterio.digest import content_digest
    from criterio.learning.service import list_models
    from criterio.learning.topics_auto import unassigned_share
    from criterio.learning.training import discover_topics, training_examples

    with session_scope(context.factory) as session:
        examples = training_examples(session, tenant)
        if len(examples.texts) < context.topics_min_interactions:
            return f"skipped: {len(examples.texts)} interactions with text are too few"
        digest = content_digest([examples.ids, examples.texts])
        latest = list_models(session, tenant, "topics")
        if latest and latest[0].training_hash == digest:
            return f"skipped: no change since topic model {latest[0].id}"
        unassigned, analysed = unassigned_share(session, tenant)
        stale = analysed > 0 and unassigned / analysed > context.topics_refresh_unassigned
        trained = discover_topics(
            session,
            tenant,
            model_dir=context.model_dir,
            examples=examples,
            promote=True if stale else None,
            by=f"worker {context.worker}",
        )
        row = trained.model
        standing = "champion" if trained.promoted else "candidate"
        return (
            f"topic model {row.id} (version {row.version}, {row.metrics['n_topics']} topics) "
            f"registered as {standing}"
        )


def outcomes(context: JobContext, tenant: str) -> str:
    """Judge the tenant's automated answers: reverts, realised precision, suspensions."""
    from criterio.triage.outcomes import review_outcomes

    with session_scope(context.factory) as session:
        report = review_outcomes(session, tenant, by=f"worker {context.worker}")
    suspended = ", ".join(sorted(report.suspended)) or "none"
    return f"{report.new_reverts} new reverted answers; automation suspended: {suspended}"


def webhooks(context: JobContext, tenant: str) -> str:
    """Post the tenant's due webhook deliveries (signed; failures retried with backoff)."""
    from criterio.webhooks.service import deliver_due

    with session_scope(context.factory) as session:
        run = deliver_due(session, tenant, server_key=context.secret_key)
    return f"{run.delivered} delivered, {run.retrying} to retry, {run.failed} failed"


def learn(context: JobContext, tenant: str) -> str:
    """One turn of the learning loop (`criterio learn`): a candidate intent model from
    labels and corrections, and an article ranking from links, accepts and rejects, each
    promoted only when it beats its champion on held-out human decisions."""
    from criterio.learning.loop import learn as learn_once

    with session_scope(context.factory) as session:
        report = learn_once(
            session, tenant, model_dir=context.model_dir, by=f"worker {context.worker}"
        )
    model = "" if report.candidate_id is None else f"candidate model {report.candidate_id}: "
    ranking = report.ranking or {}
    return (
        f"{report.status}: {model}{report.reason}; article ranking "
        f"{ranking.get('status', 'skipped')}: {ranking.get('reason', '')}"
    )


def metrics(context: JobContext, tenant: str) -> str:
    """Recompute the tenant's daily metric aggregates for the days whose records changed."""
    from criterio.metrics import refresh

    with session_scope(context.factory) as session:
        return refresh(session, tenant).summary()


#: Every job a worker can run, by the name schedules use.
JOBS: dict[str, Callable[[JobContext, str], str]] = {
    "analyze": analyze,
    "detect": detect,
    "topics": topics,
    "outcomes": outcomes,
    "webhooks": webhooks,
    "learn": learn,
    "metrics": metrics,
}


def run_job(context: JobContext, job: str, tenant: str) -> str:
    """Run one job for one tenant; its summary line."""
    return JOBS[job](context, tenant)
