"""Analysis results as Criterio returns them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["AnalysisResultRead"]


class AnalysisResultRead(BaseModel):
    """One interaction's analysis (text only in redacted form)."""

    model_config = ConfigDict(from_attributes=True)

    language: str | None
    sentiment_score: float | None
    sentiment_label: str | None
    sentiment_first: float | None
    sentiment_last: float | None
    trajectory: str | None
    intent_label: str | None
    intent_confidence: float | None
    topic_id: int | None
    topic_label: str | None
    redacted_turns: list[dict[str, Any]] | None
    pii: list[dict[str, Any]] | None
    versions: dict[str, str]
    analyzed_at: datetime
