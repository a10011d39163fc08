"""The figures themselves: formulas from summed daily counts (docs/metrics.md says each).

Everything here is arithmetic on counts, so figures read from the daily aggregates and
figures computed straight from the records (``metrics.records``) agree by construction.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from typing import Any

__all__ = [
    "AGENT_KINDS",
    "BUCKET_HOURS",
    "DIMENSIONS",
    "REPEAT_DAYS",
    "bucket_of",
    "contact_figures",
    "percentile",
    "ratio",
    "savings",
]

#: Segments a period can be cut by (columns of the daily aggregates).
DIMENSIONS = ("queue", "channel", "language", "intent")
#: A contact "comes back" when the same customer writes about the same intent within this.
REPEAT_DAYS = 7
#: Upper bounds (hours) of the duration histogram's buckets; the last holds everything
#: longer than 720 hours. Percentiles are read as the bound of the bucket they fall in.
BUCKET_HOURS = (
    5 / 60,
    0.25,
    0.5,
    1.0,
    2.0,
    4.0,
    8.0,
    12.0,
    24.0,
    48.0,
    72.0,
    120.0,
    168.0,
    336.0,
    720.0,
    math.inf,
)
#: Knowledge events counted as an agent's contribution (``metric_events`` kinds).
AGENT_KINDS = (
    "link_reused",
    "link_created",
    "link_improved",
    "article_created",
    "article_improved",
    "article_validated",
)


def bucket_of(hours: float) -> int:
    """The histogram bucket of a duration in hours (negative durations count as zero)."""
    return bisect.bisect_left(BUCKET_HOURS, max(hours, 0.0))


def percentile(histogram: Mapping[int, int], q: float) -> float | None:
    """The ``q`` quantile of a histogram: the upper bound of the bucket it falls in.

    The last bucket (over 720 h) answers 720. None when the histogram is empty.
    """
    total = sum(histogram.values())
    if total <= 0:
        return None
    seen = 0
    for bucket in sorted(histogram):
        seen += histogram[bucket]
        if seen >= q * total:
            return min(BUCKET_HOURS[bucket], BUCKET_HOURS[-2])
    return BUCKET_HOURS[-2]


def ratio(part: float, whole: float) -> float | None:
    """``part / whole``, or None when there is nothing to divide by."""
    return part / whole if whole else None


def savings(
    automated: int, reverted: int, cost_human: float | None, cost_automated: float | None
) -> float | None:
    """What automation saved: each automated contact saves the difference in cost; each
    reverted one needed a person as well, so it cost the automated answer extra."""
    if cost_human is None or cost_automated is None:
        return None
    return round(automated * (cost_human - cost_automated) - reverted * cost_human, 2)


def contact_figures(c: Mapping[str, int]) -> dict[str, Any]:
    """Outcome, automation and link figures of summed contact counts (``SUM_COLUMNS``)."""
    ttr = {k: c.get(f"ttr_{k:02d}", 0) for k in range(len(BUCKET_HOURS))}
    n = c["contacts"]
    linked = c["linked"]
    return {
        "contacts": n,
        "resolution_rate": ratio(c["resolved"], n),
        "first_contact_resolution": ratio(c["first_contact_resolved"], n),
        "repeat_contact_rate": ratio(c["repeats"], n),
        "escalation_rate": ratio(c["escalated"], n),
        "csat_responses": c["csat_responses"],
        "csat_mean": ratio(c["csat_sum"], c["csat_responses"]),
        "csat_distribution": {
            str(k): ratio(c[f"csat_{k}"], c["csat_responses"]) for k in range(1, 6)
        },
        "sentiment_recovered_rate": ratio(c["sentiment_recovered"], c["sentiment_known"]),
        "sentiment_worsened_rate": ratio(c["sentiment_worsened"], c["sentiment_known"]),
        "time_to_resolution_p50_hours": percentile(ttr, 0.5),
        "time_to_resolution_p90_hours": percentile(ttr, 0.9),
        "automated": c["automated"],
        "automation_rate": ratio(c["automated"], n),
        "automation_precision": (1 - c["reverted"] / c["automated"] if c["automated"] else None),
        "containment_rate": ratio(c["contained"], n),
        "human_resolved": c["human_resolved"],
        "link_rate": ratio(linked, c["human_resolved"]),
        "known_cases": linked - c["linked_new"],
        "new_cases": c["linked_new"],
        "reuse_rate": ratio(linked - c["linked_new"], linked),
    }
