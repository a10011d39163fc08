"""Insights: detected patterns with evidence, kept one per ongoing pattern, and their review."""

from criterio.insights.schemas import TRANSITIONS, InsightRead, InsightStatus, ReviewIn
from criterio.insights.service import (
    DetectSummary,
    detect_insights,
    get_insight,
    list_insights,
    review_insight,
    to_read,
)

__all__ = [
    "TRANSITIONS",
    "DetectSummary",
    "InsightRead",
    "InsightStatus",
    "ReviewIn",
    "detect_insights",
    "get_insight",
    "list_insights",
    "review_insight",
    "to_read",
]
