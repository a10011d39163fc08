"""ORM table for analysis results (one row per analysed interaction)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from criterio.db import Base, BigIntPK, JSONType, UTCDateTime

__all__ = ["AnalysisResult"]


class AnalysisResult(Base):
    """What the analysis pipeline found in one interaction, and which analyzers found it."""

    __tablename__ = "analysis_results"
    __table_args__ = (
        Index("ix_analysis_results_tenant_language", "tenant", "language"),
        Index("ix_analysis_results_tenant_sentiment_label", "tenant", "sentiment_label"),
        Index("ix_analysis_results_tenant_intent_label", "tenant", "intent_label"),
        Index("ix_analysis_results_tenant_topic_id", "tenant", "topic_id"),
    )

    pk: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    #: Erasing an interaction erases what was derived from it.
    interaction_pk: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("interactions.pk", ondelete="CASCADE"), unique=True
    )
    tenant: Mapped[str] = mapped_column(String(64))
    #: The interaction's content hash when analysed: a changed interaction is stale.
    input_hash: Mapped[str] = mapped_column(String(32))
    #: Analyzer versions as canonical JSON text: a changed analyzer makes results stale.
    versions_key: Mapped[str] = mapped_column(String(300))
    versions: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    language: Mapped[str | None] = mapped_column(String(16))
    sentiment_score: Mapped[float | None] = mapped_column(Float)
    sentiment_label: Mapped[str | None] = mapped_column(String(16))
    sentiment_first: Mapped[float | None] = mapped_column(Float)
    sentiment_last: Mapped[float | None] = mapped_column(Float)
    trajectory: Mapped[str | None] = mapped_column(String(16))
    #: Predicted intent (``unknown``: none fits) and its calibrated confidence; null when
    #: no intent model was given.
    intent_label: Mapped[str | None] = mapped_column(String(200))
    intent_confidence: Mapped[float | None] = mapped_column(Float)
    #: Assigned topic (-1: none fits) and its label; null when no topic model was given.
    topic_id: Mapped[int | None] = mapped_column(Integer)
    topic_label: Mapped[str | None] = mapped_column(Text)
    #: Turns with personal data replaced; null when no redactor ran (no text is kept).
    redacted_turns: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType)
    pii: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType)
    analyzed_at: Mapped[datetime] = mapped_column(UTCDateTime())
