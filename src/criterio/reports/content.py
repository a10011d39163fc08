"""What a report holds: the figures, computed once, before any of them is formatted."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from criterio.insights.schemas import InsightRead

__all__ = [
    "Count",
    "InsightEntry",
    "Period",
    "Reasons",
    "Report",
    "Sentiment",
    "Volumes",
    "change",
]


def change(current: float, previous: float) -> float | None:
    """Relative change from ``previous`` to ``current``; None when there was nothing before."""
    if previous == 0:
        return None if current else 0.0
    return (current - previous) / previous


@dataclass(frozen=True)
class Period:
    """First and last day of a report, both included (UTC calendar days)."""

    start: date
    end: date

    @property
    def days(self) -> list[date]:
        """Every day of the period."""
        return [self.start + timedelta(days=d) for d in range((self.end - self.start).days + 1)]

    @property
    def length(self) -> int:
        """How many days the period has."""
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of equal length that ends the day before this one starts."""
        return Period(self.start - timedelta(days=self.length), self.start - timedelta(days=1))


@dataclass(frozen=True)
class Count:
    """How many contacts one value (a channel, a reason) had, now and in the previous period.

    ``daily`` holds the counts of each day of the report's period.
    """

    name: str
    current: int
    previous: int
    share: float = 0.0
    daily: tuple[int, ...] = ()

    @property
    def change(self) -> float | None:
        """Relative change against the previous period (None: none before)."""
        return change(self.current, self.previous)


@dataclass(frozen=True)
class Volumes:
    """Contacts of the period, per day and per channel, against the previous period."""

    total: int
    previous_total: int
    daily: tuple[int, ...]
    #: The previous period's days, aligned with this period's by position.
    previous_daily: tuple[int, ...]
    channels: tuple[Count, ...]

    @property
    def change(self) -> float | None:
        """Relative change of the total against the previous period."""
        return change(self.total, self.previous_total)


@dataclass(frozen=True)
class Reasons:
    """The most frequent values of one dimension (intent or topic) in the period."""

    dimension: str
    rows: tuple[Count, ...]
    #: Contacts of the period with no value of the dimension.
    without: int


@dataclass(frozen=True)
class Sentiment:
    """The stored sentiment analysis of the period's contacts."""

    analysed: int
    previous_analysed: int
    #: label -> (contacts this period, contacts in the previous period)
    counts: dict[str, tuple[int, int]]
    daily_negative: tuple[float | None, ...]
    daily_positive: tuple[float | None, ...]
    mean_score: float | None
    previous_mean_score: float | None

    def share(self, label: str) -> float:
        """Share of the period's analysed contacts with that label."""
        return self.counts.get(label, (0, 0))[0] / self.analysed if self.analysed else 0.0

    def previous_share(self, label: str) -> float | None:
        """Share in the previous period (None when nothing was analysed then)."""
        if not self.previous_analysed:
            return None
        return self.counts.get(label, (0, 0))[1] / self.previous_analysed


@dataclass(frozen=True)
class InsightEntry:
    """An insight as the report shows it: its statement in the report's language."""

    insight: InsightRead
    statement: str
    #: Customer texts of its examples, with personal data already replaced.
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Report:
    """Everything one report shows, for one tenant and one period."""

    tenant: str
    display_name: str
    language: str
    period: Period
    generated_at: datetime
    volumes: Volumes
    intents: Reasons
    #: None when the interactions have no topic at all.
    topics: Reasons | None
    sentiment: Sentiment | None
    automation: tuple[InsightEntry, ...] = field(default_factory=tuple)
    confirmed: tuple[InsightEntry, ...] = field(default_factory=tuple)
    #: Impact and knowledge figures of the period (``metrics.figures``, by week).
    impact: dict[str, Any] | None = None
