"""Where figures read their sums: the daily aggregates, or the records themselves.

Both answer the same three questions (contact counts, a duration histogram, event
counts) for a period, so the service computes every figure the same way from either;
the records source exists to check the aggregates and to measure what they save.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from sqlalchemy.orm import Session

from criterio.metrics.models import SUM_COLUMNS
from criterio.metrics.records import contact_rows, event_rows, merge
from criterio.metrics.repository import AggregateRepository, monday

__all__ = ["AggregateSource", "RecordSource", "Source"]

EventSum = tuple[date | None, str, str, int, float]


class Source(Protocol):
    """Sums over a period."""

    def daily_sums(
        self,
        first: date,
        last: date,
        filters: Mapping[str, str],
        group: str | tuple[str, ...] | None,
    ) -> list[tuple[Any, dict[str, int]]]:
        """Summed contact counts, whole or by ``group`` (day and/or segments)."""
        ...

    def histogram(
        self, first: date, last: date, filters: Mapping[str, str], measure: str
    ) -> dict[int, int]:
        """Bucket → count of a duration measure."""
        ...

    def event_sums(
        self,
        first: date,
        last: date,
        *,
        per: str | None = None,
        kinds: Sequence[str] | None = None,
        key: str | None = None,
        by_key: bool = True,
    ) -> list[EventSum]:
        """(period or None, kind, key, count, total) over the period, or per ``day`` or
        ``week`` (named by its Monday); keys summed together under ``""`` without
        ``by_key``."""
        ...


def AggregateSource(session: Session, tenant: str) -> Source:  # noqa: N802
    """Sums read from the stored daily aggregates."""
    return AggregateRepository(session, tenant)


class RecordSource:
    """Sums computed from the records of the period, without the aggregates."""

    def __init__(self, session: Session, tenant: str, first: date, last: date) -> None:
        self.rows = merge(
            [contact_rows(session, tenant, first, last), event_rows(session, tenant, first, last)]
        )

    def daily_sums(
        self,
        first: date,
        last: date,
        filters: Mapping[str, str],
        group: str | tuple[str, ...] | None,
    ) -> list[tuple[Any, dict[str, int]]]:
        """Summed contact counts, whole or by ``group`` (day and/or segments)."""
        sums: dict[Any, Counter[str]] = defaultdict(Counter)
        for row in self.rows.daily:
            if not _keep(row, first, last, filters):
                continue
            if isinstance(group, tuple):
                key: Any = tuple(row[g] for g in group)
            else:
                key = row[group] if group else None
            sums[key].update({c: row[c] for c in SUM_COLUMNS})
        if not group and not sums:
            sums[None] = Counter()
        return [(k, {c: v[c] for c in SUM_COLUMNS}) for k, v in sorted(sums.items(), key=_key)]

    def histogram(
        self, first: date, last: date, filters: Mapping[str, str], measure: str
    ) -> dict[int, int]:
        """Bucket → count of a duration measure."""
        out: Counter[int] = Counter()
        for row in self.rows.durations:
            if row["measure"] == measure and _keep(row, first, last, filters):
                out[row["bucket"]] += row["count"]
        return dict(out)

    def event_sums(
        self,
        first: date,
        last: date,
        *,
        per: str | None = None,
        kinds: Sequence[str] | None = None,
        key: str | None = None,
        by_key: bool = True,
    ) -> list[EventSum]:
        """(period or None, kind, key, count, total) over the period."""
        counts: Counter[tuple[date | None, str, str]] = Counter()
        totals: Counter[tuple[date | None, str, str]] = Counter()
        for row in self.rows.events:
            if not first <= row["day"] <= last or (kinds is not None and row["kind"] not in kinds):
                continue
            if key is not None and row["key"] != key:
                continue
            period = None if per is None else row["day"] if per == "day" else monday(row["day"])
            slot = (period, row["kind"], row["key"] if by_key else "")
            counts[slot] += row["count"]
            totals[slot] += row["total"]
        return [(*slot, n, float(totals[slot])) for slot, n in counts.items()]


def _keep(row: Mapping[str, Any], first: date, last: date, filters: Mapping[str, str]) -> bool:
    return first <= row["day"] <= last and all(row[k] == v for k, v in filters.items())


def _key(item: tuple[Any, Any]) -> str:
    return "" if item[0] is None else str(item[0])
