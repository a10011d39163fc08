"""ORM tables of the metrics: daily aggregates kept up to date from the records, and settings.

Figures for a period are sums over these rows (docs/metrics.md says how each figure is
formed); the rows themselves are recomputed from the records day by day
(``metrics.aggregate``), never edited by hand.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from criterio.db import Base, BigIntPK, JSONType, UTCDateTime

__all__ = [
    "COUNT_COLUMNS",
    "SUM_COLUMNS",
    "TTR_COLUMNS",
    "MetricDaily",
    "MetricDayIntent",
    "MetricDuration",
    "MetricEvent",
    "MetricEventWeek",
    "MetricSettings",
]

#: The additive counts of one day and segment of contacts (columns of ``metric_daily``).
COUNT_COLUMNS = (
    "contacts",
    "resolved",
    "first_contact_resolved",
    "repeats",
    "escalated",
    "csat_responses",
    "csat_sum",
    "csat_1",
    "csat_2",
    "csat_3",
    "csat_4",
    "csat_5",
    "sentiment_known",
    "sentiment_recovered",
    "sentiment_worsened",
    "automated",
    "reverted",
    "contained",
    "human_resolved",
    "linked",
    "linked_new",
)
#: Time to resolution of the contacts resolved by a person: a count per histogram bucket
#: (``metrics.definitions.BUCKET_HOURS``), so percentiles of any period and cut add up.
TTR_COLUMNS = tuple(f"ttr_{k:02d}" for k in range(16))
#: Every column a period sums.
SUM_COLUMNS = COUNT_COLUMNS + TTR_COLUMNS


def _count() -> Mapped[int]:
    return mapped_column(Integer, default=0)


class _ContactCounts:
    """The columns of SUM_COLUMNS, shared by the daily rows and their rollup."""

    contacts: Mapped[int] = _count()
    resolved: Mapped[int] = _count()
    first_contact_resolved: Mapped[int] = _count()
    repeats: Mapped[int] = _count()
    escalated: Mapped[int] = _count()
    csat_responses: Mapped[int] = _count()
    csat_sum: Mapped[int] = _count()
    csat_1: Mapped[int] = _count()
    csat_2: Mapped[int] = _count()
    csat_3: Mapped[int] = _count()
    csat_4: Mapped[int] = _count()
    csat_5: Mapped[int] = _count()
    sentiment_known: Mapped[int] = _count()
    sentiment_recovered: Mapped[int] = _count()
    sentiment_worsened: Mapped[int] = _count()
    automated: Mapped[int] = _count()
    reverted: Mapped[int] = _count()
    contained: Mapped[int] = _count()
    human_resolved: Mapped[int] = _count()
    linked: Mapped[int] = _count()
    linked_new: Mapped[int] = _count()
    ttr_00: Mapped[int] = _count()
    ttr_01: Mapped[int] = _count()
    ttr_02: Mapped[int] = _count()
    ttr_03: Mapped[int] = _count()
    ttr_04: Mapped[int] = _count()
    ttr_05: Mapped[int] = _count()
    ttr_06: Mapped[int] = _count()
    ttr_07: Mapped[int] = _count()
    ttr_08: Mapped[int] = _count()
    ttr_09: Mapped[int] = _count()
    ttr_10: Mapped[int] = _count()
    ttr_11: Mapped[int] = _count()
    ttr_12: Mapped[int] = _count()
    ttr_13: Mapped[int] = _count()
    ttr_14: Mapped[int] = _count()
    ttr_15: Mapped[int] = _count()


class MetricDaily(_ContactCounts, Base):
    """The contacts that started on one day in one segment (queue, channel, language, intent)."""

    __tablename__ = "metric_daily"
    __table_args__ = (
        UniqueConstraint(
            "tenant",
            "day",
            "queue",
            "channel",
            "language",
            "intent",
            name="uq_metric_daily_segment",
        ),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    #: Segment values; ``""`` where the records say nothing.
    queue: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(16))
    intent: Mapped[str] = mapped_column(String(200))


class MetricDayIntent(_ContactCounts, Base):
    """``metric_daily`` of one day summed over queue, channel and language: the rollup an
    unfiltered period reads (about 1/50 of the rows), rewritten with the daily rows."""

    __tablename__ = "metric_day_intent"
    __table_args__ = (UniqueConstraint("tenant", "day", "intent"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    intent: Mapped[str] = mapped_column(String(200))


class MetricDuration(Base):
    """A histogram bucket of durations (capture to validated...) of one day and segment."""

    __tablename__ = "metric_durations"
    __table_args__ = (
        UniqueConstraint(
            "tenant",
            "day",
            "measure",
            "bucket",
            "queue",
            "channel",
            "language",
            "intent",
            name="uq_metric_durations_segment",
        ),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    #: ``capture_to_validated`` or ``detection_to_action``.
    measure: Mapped[str] = mapped_column(String(32))
    #: Index into ``metrics.definitions.BUCKET_HOURS``.
    bucket: Mapped[int] = mapped_column(Integer)
    queue: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(16))
    intent: Mapped[str] = mapped_column(String(200))
    count: Mapped[int] = _count()


class MetricEvent(Base):
    """Knowledge, learning and insight events of one day: a kind, a key (agent, article...)."""

    __tablename__ = "metric_events"
    __table_args__ = (
        UniqueConstraint("tenant", "day", "kind", "key"),
        Index("ix_metric_events_tenant_kind_day", "tenant", "kind", "day"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(32))
    #: Who or what: an agent's username, an article id, a checklist item; ``""``: none.
    key: Mapped[str] = mapped_column(String(200))
    count: Mapped[int] = _count()
    #: A sum that goes with the count (review scores); 0 where the kind has none.
    total: Mapped[float] = mapped_column(Float, default=0.0)


class MetricEventWeek(Base):
    """``metric_events`` of one week (Monday to Sunday) summed: what a long period reads for
    its whole weeks, rewritten with the daily rows of the week."""

    __tablename__ = "metric_event_week"
    __table_args__ = (UniqueConstraint("tenant", "week", "kind", "key"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    #: The Monday the week starts on.
    week: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))
    count: Mapped[int] = _count()
    total: Mapped[float] = mapped_column(Float, default=0.0)


class MetricSettings(Base):
    """A tenant's costs (for the savings estimate) and how far its aggregates are current."""

    __tablename__ = "metric_settings"
    __table_args__ = (UniqueConstraint("tenant"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    #: What one contact handled by a person, and one answered automatically, costs.
    cost_human: Mapped[float | None] = mapped_column(Float)
    cost_automated: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str | None] = mapped_column(String(8))
    #: The high-water marks of the last refresh: times and row ids per source table.
    marks: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
