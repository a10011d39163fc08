"""Insights: detected patterns with evidence, kept one per ongoing pattern, and their review.

The public names are imported on first use (PEP 562): the CLI reads the review
statuses from ``criterio.insights.schemas`` without loading the detection.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_SCHEMAS = {"TRANSITIONS", "InsightRead", "InsightStatus", "ReviewIn"}


def __getattr__(name: str) -> Any:
    """A public name, imported from its module when first asked for."""
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    home = "schemas" if name in _SCHEMAS else "service"
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
