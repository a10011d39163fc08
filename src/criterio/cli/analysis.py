"""``criterio analyze | annotate``: run the analysis pipeline on the store or on a stream."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from criterio.analysis.names import ANALYZER_NAMES
from criterio.cli._progress import progress_bar
from criterio.cli._store import open_store

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from criterio.analysis.annotate import LineError
    from criterio.analysis.model_stages import IntentStage, TopicStage
    from criterio.analysis.pipeline import AnalysisPipeline

# The analysis (scikit-learn, pyarrow) and the store are imported inside the commands
# that use them, so that every other command starts fast (tests/test_cli_startup.py).

__all__ = ["analyze", "annotate", "register"]

console = Console(stderr=True)

IntentModel = Annotated[
    Path | None,
    typer.Option(
        "--intent-model",
        help="Intent model directory (criterio intents train --model); default: the tenant's "
        "champion (criterio models list), else CRITERIO_INTENT_MODEL.",
        file_okay=False,
    ),
]
TopicModel = Annotated[
    Path | None,
    typer.Option(
        "--topic-model",
        help="Topic model directory (criterio topics discover --model); default: the tenant's "
        "champion (criterio models list), else CRITERIO_TOPIC_MODEL.",
        file_okay=False,
    ),
]


def _with_models(
    pipeline: AnalysisPipeline, intent_model: Path | None, topic_model: Path | None
) -> AnalysisPipeline:
    """Add the intent and topic stages (options first, then settings); a bad dir exits 2."""
    from criterio.analysis.model_stages import IntentStage, TopicStage
    from criterio.config import get_settings

    settings = get_settings()
    intents = intent_model or settings.intent_model
    if intents is not None:
        hint = "--intent-model" if intent_model else "CRITERIO_INTENT_MODEL"
        pipeline.intents = _stage(IntentStage(intents), hint)
    topics = topic_model or settings.topic_model
    if topics is not None:
        hint = "--topic-model" if topic_model else "CRITERIO_TOPIC_MODEL"
        pipeline.topics = _stage(TopicStage(topics), hint)
    return pipeline


def _stage(stage: IntentStage | TopicStage, hint: str) -> IntentStage | TopicStage:
    from criterio.analysis.model_stages import ModelStageError

    try:
        stage.fit()
    except ModelStageError as error:
        raise typer.BadParameter(str(error), param_hint=hint) from None
    return stage


def _fitted(
    path: Path | None, kind: type[IntentStage] | type[TopicStage], hint: str
) -> IntentStage | TopicStage | None:
    return None if path is None else _stage(kind(path), hint)


@dataclass
class _Stages:
    """The model stages the command line chose: options, and the settings as fallback."""

    intents: Any = None
    topics: Any = None
    fallback_intents: Any = None
    fallback_topics: Any = None

    @classmethod
    def from_options(cls, intent_model: Path | None, topic_model: Path | None) -> _Stages:
        """Fit the options' models, and the settings' where no option is given."""
        from criterio.analysis.model_stages import IntentStage, TopicStage
        from criterio.config import get_settings

        settings = get_settings()
        return cls(
            _fitted(intent_model, IntentStage, "--intent-model"),
            _fitted(topic_model, TopicStage, "--topic-model"),
            None
            if intent_model
            else _fitted(settings.intent_model, IntentStage, "CRITERIO_INTENT_MODEL"),
            None
            if topic_model
            else _fitted(settings.topic_model, TopicStage, "CRITERIO_TOPIC_MODEL"),
        )


def _tenant_pipelines(
    session: Session, tenants: list[str], stages: _Stages
) -> dict[str, AnalysisPipeline]:
    """Each tenant's pipeline: the options, else its champions, else the settings."""
    from criterio.analysis.pipeline import build_pipeline
    from criterio.learning.service import ChampionError, analysis_pipeline

    base = build_pipeline()
    shared: dict[str, AnalysisPipeline] = {}
    out: dict[str, AnalysisPipeline] = {}
    for tenant in tenants:
        try:
            pipeline = analysis_pipeline(
                session,
                tenant,
                base,
                intent_stage=stages.intents,
                topic_stage=stages.topics,
                fallback_intent=stages.fallback_intents,
                fallback_topic=stages.fallback_topics,
            )
        except ChampionError as error:
            console.print(f"[red]{error}[/]")
            raise typer.Exit(1) from None
        # Tenants with the same models share one pipeline object, so the process pool
        # is started once for all of them.
        key = json.dumps(pipeline.versions(), sort_keys=True)
        out[tenant] = shared.setdefault(key, pipeline)
    return out


def _analyzers(value: str) -> list[str]:
    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = sorted(set(names) - set(ANALYZER_NAMES))
    if unknown or not names:
        raise typer.BadParameter(
            f"choose from {', '.join(ANALYZER_NAMES)} (comma-separated)", param_hint="--analyzers"
        )
    return names


def analyze(
    tenant: Annotated[str | None, typer.Option(help="Only this tenant (default: all).")] = None,
    since: Annotated[
        str | None,
        typer.Option(help="Only interactions started on or after this date (YYYY-MM-DD)."),
    ] = None,
    engine: Annotated[str, typer.Option(help="local (process pool) or dask.")] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(help="Dask scheduler address (tcp://host:8786); default: a local cluster."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Worker processes (default: every core).")
    ] = None,
    batch_size: Annotated[
        int, typer.Option(min=1, max=100_000, help="Interactions a batch.")
    ] = 2000,
    intent_model: IntentModel = None,
    topic_model: TopicModel = None,
) -> None:
    """Analyse stored interactions: language, redaction, sentiment, intent and topic.

    Intents and topics come from each tenant's champion models (criterio models list),
    unless --intent-model/--topic-model say otherwise. A tenant without a topic model
    gets one discovered, registered and promoted first (once it has
    CRITERIO_TOPICS_MIN_INTERACTIONS interactions with text); when more than
    CRITERIO_TOPICS_REFRESH_UNASSIGNED of its interactions fit no topic, its topics are
    discovered again (unchanged topics keep their ids) and the interactions analysed again.
    CRITERIO_AUTO_TOPICS=false turns both off.

    Only new interactions, changed ones and those analysed by older analyzer versions (a
    retrained or newly promoted model included) are analysed; each batch is committed as
    it finishes, so an interrupted run resumes.
    """
    from criterio.config import get_settings
    from criterio.engines.base import make_engine

    start = _since(since)
    stages = _Stages.from_options(intent_model, topic_model)  # bad ones exit before the store
    settings = get_settings()
    auto = settings.auto_topics and stages.topics is None and stages.fallback_topics is None
    store = open_store(settings)
    run = _Run(store.factory, stages, start, batch_size)
    try:
        tenants = run.tenants(tenant)
        if auto:
            run.topics(tenants, settings)
        if run.pending(tenants) == 0:
            typer.echo("Nothing to analyse: every interaction is up to date.")
            return
        runner = make_engine(engine, workers=workers, scheduler=scheduler)
        try:
            run.analyse(tenants, runner)
            # Topics are refreshed when this run left too many interactions without
            # one; the refreshed model's results are then computed at once.
            again = run.topics(tenants, settings, after=True) if auto else []
            if again and run.pending(again):
                run.analyse(again, runner)
        finally:
            runner.close()
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error
    finally:
        store.close()
    table = Table(title="Analysis", show_header=False)
    for name, n in run.analysed.items():
        models = ", ".join(
            f"{k} {v}"
            for k, v in run.pipelines[name].versions().items()
            if k in ("intents", "topics")
        )
        erased = run.skipped.get(name, 0)
        note = f", {erased:,} erased during the run (skipped)" if erased else ""
        table.add_row(name, f"{n:,} analysed{note}", models)
    Console().print(table)


@dataclass
class _Run:
    """One `criterio analyze`: the tenants' pipelines, and what was analysed."""

    factory: Any
    stages: _Stages
    since: datetime | None
    batch_size: int
    pipelines: dict[str, AnalysisPipeline] = field(default_factory=dict)
    analysed: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)

    def tenants(self, tenant: str | None) -> list[str]:
        """The tenant asked for, else every tenant in the store."""
        from criterio.db import session_scope
        from criterio.interactions.repository import list_tenants

        with session_scope(self.factory) as session:
            return [tenant] if tenant else list_tenants(session)

    def topics(self, tenants: list[str], settings: Any, *, after: bool = False) -> list[str]:
        """Discover or refresh topics where due; the tenants that got a new champion.

        ``after`` (the check after analysing) says only what it did, not again why a
        tenant has no topics yet.
        """
        from criterio.config import model_directory
        from criterio.db import session_scope
        from criterio.learning.topics_auto import auto_topics

        changed: list[str] = []
        for name in tenants:
            with session_scope(self.factory) as session:
                update = auto_topics(
                    session,
                    name,
                    model_dir=model_directory(settings),
                    min_interactions=settings.topics_min_interactions,
                    refresh_unassigned=settings.topics_refresh_unassigned,
                    by="criterio analyze",
                )
            if update is not None and (update.trained is not None or not after):
                console.print(f"{name}: {update.message}")
                if update.trained is not None:
                    changed.append(name)
        return changed

    def pending(self, tenants: list[str]) -> int:
        """Build the tenants' pipelines (their current champions); how many are pending."""
        from criterio.annotations.runner import pending_total
        from criterio.db import session_scope

        with session_scope(self.factory) as session:
            self.pipelines.update(_tenant_pipelines(session, tenants, self.stages))
        return sum(pending_total(self.factory, [t], self.pipelines[t], self.since) for t in tenants)

    def analyse(self, tenants: list[str], runner: Any) -> None:
        """Analyse the tenants' pending interactions, with a progress bar."""
        from criterio.annotations.runner import analyze_store, pending_total

        totals = {
            t: pending_total(self.factory, [t], self.pipelines[t], self.since) for t in tenants
        }
        progress = progress_bar("Analysing", "interactions", console)
        with progress:
            task = progress.add_task("analyze", total=sum(totals.values()))
            for name in tenants:
                report = analyze_store(
                    self.factory,
                    [name],
                    engine=runner,
                    pipeline=self.pipelines[name],
                    since=self.since,
                    batch_size=self.batch_size,
                    on_progress=lambda n: progress.advance(task, n),
                )
                # A second pass (after a topic refresh) analyses the same interactions.
                for key, n in report.analysed.items():
                    self.analysed[key] = max(self.analysed.get(key, 0), n)
                self.skipped.update(report.skipped)


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint="--since") from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def annotate(
    source: Annotated[
        str, typer.Argument(help="JSON Lines file to read, or - for standard input.")
    ] = "-",
    analyzers: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated analyzers among " + ", ".join(ANALYZER_NAMES) + " (default: all)."
        ),
    ] = None,
    intent_model: IntentModel = None,
    topic_model: TopicModel = None,
) -> None:
    """Annotate JSON Lines ({"id", "text"} or the interaction contract) to standard output.

    Streams: one output line per good input line, in order; bad lines are reported on
    standard error (line, id, field) and skipped, and the exit status is then 1. With
    models, each line also has "intent": {"label", "confidence"} and "topic": {"id", "label"}.
    """
    from criterio.analysis.annotate import annotate_lines
    from criterio.analysis.pipeline import available_analyzers, build_pipeline

    names = _analyzers(analyzers) if analyzers else available_analyzers()
    try:
        pipeline = build_pipeline(names)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--analyzers") from error
    pipeline = _with_models(pipeline, intent_model, topic_model)

    def on_error(error: LineError) -> None:
        typer.echo(str(error), err=True)

    out = sys.stdout.buffer
    if source == "-":
        report = annotate_lines(sys.stdin.buffer, pipeline, out, on_error=on_error)
    else:
        path = Path(source)
        if not path.is_file():
            raise typer.BadParameter(f"{source} is not a file", param_hint="SOURCE")
        with path.open("rb") as handle:
            report = annotate_lines(handle, pipeline, out, on_error=on_error)
    if report.rejected:
        console.print(f"{report.rejected:,} line(s) rejected, {report.annotated:,} annotated.")
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add these commands to the root app."""
    app.command()(analyze)
    app.command()(annotate)
