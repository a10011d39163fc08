"""Analysis results: finding what to analyse, storing what was found, reading it back."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
from sqlalchemy.orm import Session

from criterio.annotations.repository import (
    AnalysisResultRepository,
    PendingInteractionRepository,
)
from criterio.annotations.schemas import AnalysisResultRead
from criterio.interactions.repository import InteractionRepository

__all__ = [
    "count_pending",
    "get_result",
    "pending_page",
    "result_counts",
    "store_results",
]


def count_pending(
    session: Session, tenant: str, *, versions_key: str, since: datetime | None = None
) -> int:
    """How many interactions are new, changed, or analysed by other analyzer versions."""
    return PendingInteractionRepository(session, tenant).count(versions_key, since)


def pending_page(
    session: Session,
    tenant: str,
    *,
    versions_key: str,
    after_pk: int = 0,
    limit: int = 2000,
    since: datetime | None = None,
) -> list[dict[str, Any]]:
    """The next pending interactions after ``after_pk``, in key order (keyset paging)."""
    repo = PendingInteractionRepository(session, tenant)
    return repo.page(versions_key, after_pk=after_pk, limit=limit, since=since)


def store_results(session: Session, tenant: str, *, batch: pa.RecordBatch) -> int:
    """Store one batch of pipeline results (with pk, tenant, content_hash); returns rows stored.

    Results of interactions erased since the batch was read are left out (see
    ``AnalysisResultRepository.replace``), so the count can be below the batch's rows.
    """
    now = datetime.now(UTC)
    rows = []
    for row in batch.to_pylist():
        if row["tenant"] != tenant:
            raise ValueError(f"result for interaction {row['id']} belongs to another tenant")
        rows.append(
            {
                "interaction_pk": row["pk"],
                "tenant": tenant,
                "input_hash": row["content_hash"],
                "versions_key": row["versions"],
                "versions": json.loads(row["versions"]),
                "language": row["language"],
                "sentiment_score": row["sentiment_score"],
                "sentiment_label": row["sentiment_label"],
                "sentiment_first": row["sentiment_first"],
                "sentiment_last": row["sentiment_last"],
                "trajectory": row["trajectory"],
                "intent_label": row["intent_label"],
                "intent_confidence": row["intent_confidence"],
                "topic_id": row["topic_id"],
                "topic_label": row["topic_label"],
                "redacted_turns": row["redacted_turns"],
                "pii": row["pii"],
                "analyzed_at": now,
            }
        )
    stored = AnalysisResultRepository(session, tenant).replace(rows)
    session.flush()
    return stored


def get_result(session: Session, tenant: str, *, external_id: str) -> AnalysisResultRead | None:
    """The stored analysis of one interaction (by its id), or None."""
    interaction = InteractionRepository(session, tenant).get(external_id)
    if interaction is None:
        return None
    result = AnalysisResultRepository(session, tenant).for_interaction(interaction.pk)
    return None if result is None else AnalysisResultRead.model_validate(result)


def result_counts(session: Session, tenant: str) -> dict[str, dict[str, int]]:
    """Counts of results by language, sentiment label and trajectory."""
    repo = AnalysisResultRepository(session, tenant)
    return {
        column: {str(value): n for value, n in repo.count_by(column)}
        for column in ("language", "sentiment_label", "trajectory")
    }
