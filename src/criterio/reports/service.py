"""Build a tenant's client report for a period: volumes, reasons, sentiment and insights."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from criterio.auth.repository import get_tenant
from criterio.errors import InvalidInputError, NotFoundError
from criterio.insights.browse import customer_text, redacted_examples
from criterio.insights.models import Insight
from criterio.insights.repository import InteractionTableRepository
from criterio.insights.schemas import InsightStatus
from criterio.insights.service import list_insights, statement_in, tenant_language, to_read
from criterio.languages import LANGUAGE_CHOICES, LANGUAGES
from criterio.reports.content import (
    Count,
    InsightEntry,
    Period,
    Reasons,
    Report,
    Sentiment,
    Volumes,
)
from criterio.reports.repository import ReportRepository

__all__ = ["MAX_DAYS", "TOP_REASONS", "build_report"]

#: Reasons (intents, topics) listed in the report.
TOP_REASONS = 10
#: The longest period a report covers (three years): beyond it the file is unreadable.
MAX_DAYS = 1096
#: Channels drawn as their own line in the daily chart.
TOP_CHANNELS = 6
#: Example texts shown per insight, and their length.
EXAMPLES, EXAMPLE_CHARS = 2, 280
#: Where each reason dimension is read from, in order: the analysis table's column
#: (the label where one exists, else the prediction), then the known label alone.
REASON_COLUMNS = {"intent": ("intent", "labels.intent"), "topic": ("topic", "labels.topic")}
SHOWN_STATUSES = {InsightStatus.confirmed.value, InsightStatus.actioned.value}


def build_report(
    session: Session,
    tenant: str,
    start: date,
    end: date,
    *,
    language: str | None = None,
    now: datetime | None = None,
) -> Report:
    """Every figure of the report of ``tenant`` from ``start`` to ``end`` (both included)."""
    if start > end:
        raise InvalidInputError(f"the period starts on {start}, after it ends on {end}")
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidInputError(
            f"the period from {start} to {end} is longer than {MAX_DAYS} days: split it"
        )
    if language is not None and language not in LANGUAGES:
        raise InvalidInputError(f"language must be {LANGUAGE_CHOICES}, not {language!r}")
    record = get_tenant(session, tenant)
    table = InteractionTableRepository(session, tenant).table()
    insights = list_insights(session, tenant)
    if record is None and table.empty and not insights:
        raise NotFoundError(
            f"tenant {tenant!r} is unknown: no tenant record, interactions or insights"
        )
    language = language or tenant_language(session, tenant)
    period = Period(start, end)
    days = _day_index(table, period)
    current = (days >= 0) & (days < period.length)
    previous = (days >= -period.length) & (days < 0)
    repo = ReportRepository(session, tenant)
    intents = _reasons(table, "intent", days, current, previous, period.length)
    topics = _reasons(table, "topic", days, current, previous, period.length)
    return Report(
        tenant=tenant,
        display_name=record.display_name if record is not None else tenant,
        language=language,
        period=period,
        generated_at=now or datetime.now(UTC),
        volumes=_volumes(table, days, current, previous, period.length),
        intents=intents if intents is not None else Reasons("intent", (), int(current.sum())),
        topics=topics,
        sentiment=_sentiment(repo, period),
        automation=_entries(
            repo,
            [
                i
                for i in _overlapping(insights, period)
                if i.type == "automation_opportunity" and i.status != InsightStatus.dismissed
            ],
            language,
        ),
        confirmed=_entries(
            repo,
            [i for i in _overlapping(insights, period) if i.status in SHOWN_STATUSES],
            language,
        ),
        impact=_impact(session, tenant, period),
    )


def _impact(session: Session, tenant: str, period: Period) -> dict[str, Any]:
    """The period's impact and knowledge figures, the daily aggregates brought up to date."""
    from criterio.metrics import figures, refresh

    refresh(session, tenant)
    return figures(session, tenant, first=period.start, last=period.end, by="week")


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _day_index(table: pd.DataFrame, period: Period) -> np.ndarray[Any, Any]:
    """Each interaction's UTC day counted from the period's first (negative before it)."""
    if table.empty:
        return np.zeros(0, dtype=np.int64)
    stamps = pd.to_datetime(table["started_at"], utc=True)
    offsets = (stamps - pd.Timestamp(_midnight(period.start))) // pd.Timedelta(days=1)
    return offsets.to_numpy(dtype=np.int64)


def _daily(days: np.ndarray[Any, Any], length: int, offset: int = 0) -> tuple[int, ...]:
    shifted = days + offset
    inside = shifted[(shifted >= 0) & (shifted < length)]
    return tuple(int(n) for n in np.bincount(inside, minlength=length))


def _counts(
    values: pd.Series,
    days: np.ndarray[Any, Any],
    current: np.ndarray[Any, Any],
    previous: np.ndarray[Any, Any],
    length: int,
    names: Sequence[str],
) -> tuple[Count, ...]:
    total = int(current.sum())
    rows = []
    for name in names:
        mine = (values == name).fillna(False).to_numpy(dtype=bool)
        now = int((mine & current).sum())
        rows.append(
            Count(
                name=name,
                current=now,
                previous=int((mine & previous).sum()),
                share=now / total if total else 0.0,
                daily=_daily(days[mine & current], length),
            )
        )
    return tuple(rows)


def _volumes(
    table: pd.DataFrame,
    days: np.ndarray[Any, Any],
    current: np.ndarray[Any, Any],
    previous: np.ndarray[Any, Any],
    length: int,
) -> Volumes:
    channels = (
        table["channel"].fillna("unknown").astype(str)
        if "channel" in table
        else pd.Series(["unknown"] * len(table), dtype="object")
    )
    both = current | previous
    order = channels[current].value_counts()
    names = list(order.index) + sorted(set(channels[both]) - set(order.index))
    return Volumes(
        total=int(current.sum()),
        previous_total=int(previous.sum()),
        daily=_daily(days[current], length),
        previous_daily=_daily(days[previous], length, offset=length),
        channels=_counts(channels, days, current, previous, length, names),
    )


def _reasons(
    table: pd.DataFrame,
    dimension: str,
    days: np.ndarray[Any, Any],
    current: np.ndarray[Any, Any],
    previous: np.ndarray[Any, Any],
    length: int,
) -> Reasons | None:
    """The top values of ``intent`` or ``topic``; None when the table has none at all."""
    column = next(
        (c for c in REASON_COLUMNS[dimension] if c in table and table[c].notna().any()), None
    )
    if column is None:
        return None
    text = table[column].astype("string").str.strip()
    values = text.mask(text == "")
    top = values[current].dropna().value_counts().head(TOP_REASONS)
    rows = _counts(values, days, current, previous, length, [str(v) for v in top.index])
    return Reasons(dimension, rows, int((current & values.isna().to_numpy(dtype=bool)).sum()))


def _sentiment(repo: ReportRepository, period: Period) -> Sentiment | None:
    """The stored analysis of the period and the one before; None when none is analysed."""
    before = period.previous()
    rows = repo.sentiment(_midnight(before.start), _midnight(period.end + timedelta(days=1)))
    frame = pd.DataFrame(rows, columns=["started_at", "label", "score"])
    frame["day"] = (
        pd.to_datetime(frame["started_at"], utc=True) - pd.Timestamp(_midnight(period.start))
    ) // pd.Timedelta(days=1)
    this, then = frame[frame["day"] >= 0], frame[frame["day"] < 0]
    if this.empty:
        return None
    labels = sorted(set(frame["label"].dropna()))
    per_day = pd.crosstab(this["day"], this["label"].fillna("")).reindex(
        range(period.length), fill_value=0
    )
    totals = per_day.sum(axis=1)

    def share(label: str) -> tuple[float | None, ...]:
        hits = per_day[label] if label in per_day else pd.Series(0, index=per_day.index)
        return tuple(float(h) / float(t) if t else None for h, t in zip(hits, totals, strict=True))

    def mean(scores: pd.Series) -> float | None:
        return float(scores.mean()) if scores.notna().any() else None

    return Sentiment(
        analysed=len(this),
        previous_analysed=len(then),
        counts={
            label: (int((this["label"] == label).sum()), int((then["label"] == label).sum()))
            for label in labels
        },
        daily_negative=share("negative"),
        daily_positive=share("positive"),
        mean_score=mean(this["score"]),
        previous_mean_score=mean(then["score"]),
    )


def _overlapping(insights: list[Insight], period: Period) -> list[Insight]:
    return [i for i in insights if i.period_start <= period.end and i.period_end >= period.start]


def _entries(
    repo: ReportRepository, insights: list[Insight], language: str
) -> tuple[InsightEntry, ...]:
    """Insights with their statement in ``language`` and their examples' redacted texts."""
    return tuple(
        InsightEntry(
            insight=to_read(i),
            statement=statement_in(i, language)[0],
            examples=tuple(
                _clipped(customer_text(e))
                for e in redacted_examples(repo.session, repo.tenant, i, limit=EXAMPLES)
                if e.state == "redacted" and e.turns
            ),
        )
        for i in insights
    )


def _clipped(text: str) -> str:
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1].rstrip() + "…"
