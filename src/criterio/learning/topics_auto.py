"""Topics without a manual step: discover a tenant's topics, and refresh them when stale.

`criterio analyze` and the worker's analyze job call :func:`auto_topics` for each
tenant before and after analysing. A tenant with no topic champion and at least
``topics_min_interactions`` interactions with text gets a topic model discovered,
registered and promoted. A tenant whose champion leaves more than
``topics_refresh_unassigned`` of the interactions it analysed without a topic gets its
topics discovered again and the new model promoted; topics that are still there keep
their ids and labels (``TopicModel.align_with``), so insights keep their segment.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from criterio.annotations.models import AnalysisResult
from criterio.learning.service import ChampionError, champion_stage
from criterio.learning.training import Trained, discover_topics, training_examples

__all__ = ["TopicsUpdate", "auto_topics", "unassigned_share"]


@dataclass(frozen=True)
class TopicsUpdate:
    """What :func:`auto_topics` did for a tenant: a line for the user, the new model."""

    message: str
    trained: Trained | None = None


def unassigned_share(session: Session, tenant: str) -> tuple[int, int]:
    """(interactions without a topic, interactions analysed) by the tenant's topic champion.

    Only results the champion produced count: older ones are stale and will be analysed
    again anyway. (0, 0) when there is no champion or it analysed nothing yet.
    """
    stage = champion_stage(session, tenant, "topics")
    if stage is None:
        return 0, 0
    # The stored versions are canonical JSON text; the champion's version holds the
    # model file's digest, so containing it means "analysed by this champion".
    by_champion = (
        (AnalysisResult.tenant == tenant)
        & AnalysisResult.topic_id.is_not(None)
        & AnalysisResult.versions_key.contains(stage.version, autoescape=True)
    )
    total, unassigned = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((AnalysisResult.topic_id < 0, 1), else_=0)), 0),
        ).where(by_champion)
    ).one()
    return int(unassigned), int(total)


def auto_topics(
    session: Session,
    tenant: str,
    *,
    model_dir: Path,
    min_interactions: int,
    refresh_unassigned: float,
    by: str,
) -> TopicsUpdate | None:
    """Discover (no champion) or refresh (too many unassigned) the tenant's topics.

    None when nothing was due (or the champion's files are broken: the analysis then
    stops with the registry's message). The caller commits; the new model is the champion.
    """
    try:
        current = champion_stage(session, tenant, "topics")
    except ChampionError:  # reported, with what to do, where the analysis loads it
        return None
    if current is None:
        reason = "no topic model"
    else:
        unassigned, total = unassigned_share(session, tenant)
        if total == 0 or unassigned / total <= refresh_unassigned:
            return None
        reason = f"{unassigned / total:.0%} of {total:,} interactions fit no topic"
    examples = training_examples(session, tenant)
    if len(examples.texts) < min_interactions:
        if reason != "no topic model":
            return None
        return TopicsUpdate(
            f"no topics yet: {len(examples.texts):,} interactions with text, "
            f"topics are discovered from {min_interactions:,} (CRITERIO_TOPICS_MIN_INTERACTIONS)"
        )
    trained = discover_topics(
        session, tenant, model_dir=model_dir, examples=examples, promote=True, by=by
    )
    metrics = trained.model.metrics
    kept = f", {metrics['topics_kept']} kept their ids" if "topics_kept" in metrics else ""
    return TopicsUpdate(
        f"{reason}: discovered {metrics['n_topics']} topics{kept} "
        f"(model {trained.model.id}, version {trained.model.version}, now the champion)",
        trained,
    )
