"""Every query of the metric tables (tenant-scoped): write a range of days, read sums.

Reads sum in SQL, so a period of a tenant with millions of interactions costs one pass
over its aggregate rows, not over its interactions. Two rollups keep that pass short
for the dashboard: contacts by day and intent (``metric_day_intent``, read when no
segment is filtered or cut) and events by week (``metric_event_week``, read for the
whole weeks of a period; its first and last days come from the daily rows).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, delete, func, insert, literal
from sqlalchemy.orm import Session

from criterio.metrics.models import (
    SUM_COLUMNS,
    MetricDaily,
    MetricDayIntent,
    MetricDuration,
    MetricEvent,
    MetricEventWeek,
    MetricSettings,
)
from criterio.metrics.records import Rows
from criterio.tenancy import TenantScopedRepository

__all__ = ["AggregateRepository", "SettingsRepository", "monday"]

#: Rows written per INSERT statement.
CHUNK = 5000
#: The columns ``daily_sums`` can group the day-and-intent rollup by.
ROLLUP_GROUPS = frozenset({"day", "intent"})
WEEK = timedelta(days=7)
ONE = timedelta(days=1)


def monday(day: date) -> date:
    """The first day of the week ``day`` falls in."""
    return day - timedelta(days=day.weekday())


def _whole_weeks(first: date, last: date) -> tuple[date, date] | None:
    """The first and last Monday of the weeks that lie wholly in first..last, if any."""
    start = monday(first + timedelta(days=6))
    end = monday(last + ONE) - WEEK
    return (start, end) if start <= end else None


class _Table(TenantScopedRepository):
    def __init__(self, session: Session, tenant: str, model: Any) -> None:
        super().__init__(session, tenant)
        self.model = model


class AggregateRepository:
    """The daily aggregates of one tenant: replace days, read sums over a period."""

    def __init__(self, session: Session, tenant: str) -> None:
        self.session = session
        self.tenant = tenant
        self.daily = _Table(session, tenant, MetricDaily)
        self.durations = _Table(session, tenant, MetricDuration)
        self.events = _Table(session, tenant, MetricEvent)
        self.by_intent = _Table(session, tenant, MetricDayIntent)
        self.weeks = _Table(session, tenant, MetricEventWeek)

    def delete_days(self, days: Sequence[date] | None) -> None:
        """Remove the rows of these days (None: every row of the tenant, rollups too).

        The rollups of the days are rewritten by ``roll_up`` after the new rows."""
        tables = [self.daily, self.durations, self.events]
        if days is None:
            tables += [self.by_intent, self.weeks]
        for table in tables:
            stmt = delete(table.model)
            if days is not None:
                stmt = stmt.where(table.model.day.in_(list(days)))
            self.session.execute(table._scoped(stmt).execution_options(synchronize_session=False))

    def roll_up(self, first: date, last: date) -> None:
        """Rewrite the rollups of days first..last (and of the weeks they touch) from the
        daily rows, in SQL."""
        d, r = MetricDaily, MetricDayIntent
        self._delete(self.by_intent, r.day >= first, r.day <= last)
        sums = [func.sum(getattr(d, c)) for c in SUM_COLUMNS]
        rows = self.daily._select(d.tenant, d.day, d.intent, *sums).where(
            d.day >= first, d.day <= last
        )
        self.session.execute(
            insert(r).from_select(
                ["tenant", "day", "intent", *SUM_COLUMNS],
                rows.group_by(d.tenant, d.day, d.intent),
            )
        )
        e, w = MetricEvent, MetricEventWeek
        week = monday(first)
        self._delete(self.weeks, w.week >= week, w.week <= last)
        while week <= last:
            rows = self.events._select(
                e.tenant, literal(week, Date), e.kind, e.key, func.sum(e.count), func.sum(e.total)
            ).where(e.day >= week, e.day < week + WEEK)
            self.session.execute(
                insert(w).from_select(
                    ["tenant", "week", "kind", "key", "count", "total"],
                    rows.group_by(e.tenant, e.kind, e.key),
                )
            )
            week += WEEK

    def _delete(self, table: _Table, *where: Any) -> None:
        stmt = table._scoped(delete(table.model).where(*where))
        self.session.execute(stmt.execution_options(synchronize_session=False))

    def insert(self, rows: Rows) -> None:
        """Store rows computed from the records."""
        for model, items in (
            (MetricDaily, rows.daily),
            (MetricDuration, rows.durations),
            (MetricEvent, rows.events),
        ):
            for k in range(0, len(items), CHUNK):
                self.session.execute(insert(model), items[k : k + CHUNK])

    def _where(self, table: _Table, first: date, last: date, filters: Mapping[str, str]) -> Any:
        m = table.model
        conditions = [m.day >= first, m.day <= last]
        conditions += [getattr(m, dim) == value for dim, value in filters.items()]
        return conditions

    def daily_sums(
        self,
        first: date,
        last: date,
        filters: Mapping[str, str],
        group: str | tuple[str, ...] | None,
    ) -> list[tuple[Any, dict[str, int]]]:
        """Summed contact counts of the period, whole or by ``group`` (day and/or segments;
        a tuple of columns gives tuple keys)."""
        names = (group,) if isinstance(group, str) else (group or ())
        table = self.by_intent if not filters and ROLLUP_GROUPS.issuperset(names) else self.daily
        m = table.model
        sums = [func.coalesce(func.sum(getattr(m, c)), 0) for c in SUM_COLUMNS]
        keys = [getattr(m, name) for name in names]
        stmt = table._select(*keys, *sums).where(*self._where(table, first, last, filters))
        if keys:
            stmt = stmt.group_by(*keys).order_by(*keys)
        out = []
        for row in self._rows(stmt):
            values = list(row)
            found = tuple(values[: len(keys)])
            key = found if isinstance(group, tuple) else (found[0] if keys else None)
            counts = values[len(keys) :]
            out.append((key, {c: int(v) for c, v in zip(SUM_COLUMNS, counts, strict=True)}))
        return out

    def histogram(
        self, first: date, last: date, filters: Mapping[str, str], measure: str
    ) -> dict[int, int]:
        """Bucket → count of one duration measure over the period."""
        m = MetricDuration
        stmt = (
            self.durations._select(m.bucket, func.sum(m.count))
            .where(*self._where(self.durations, first, last, filters), m.measure == measure)
            .group_by(m.bucket)
        )
        return {int(b): int(n) for b, n in self._rows(stmt)}

    def event_sums(
        self,
        first: date,
        last: date,
        *,
        per: str | None = None,
        kinds: Sequence[str] | None = None,
        key: str | None = None,
        by_key: bool = True,
    ) -> list[tuple[date | None, str, str, int, float]]:
        """(period or None, kind, key, count, total) summed over the period, or per day or
        week (``per``; a week is named by its Monday); without ``by_key`` the keys are
        summed together (key ``""``). Whole weeks are read from the weekly rollup."""
        weeks = None if per == "day" else _whole_weeks(first, last)
        if weeks is None:
            return self._event_rows(self.events, first, last, per, kinds, key, by_key)
        start, end = weeks
        rows = self._event_rows(self.weeks, start, end, per, kinds, key, by_key)
        for lo, hi in ((first, start - ONE), (end + WEEK, last)):
            if lo <= hi:
                rows += self._event_rows(self.events, lo, hi, per, kinds, key, by_key)
        if per is not None:
            return rows  # the first and last days fall in other weeks: no slot repeats
        sums: dict[tuple[date | None, str, str], list[Any]] = {}
        for period, kind, name, count, total in rows:
            slot = sums.setdefault((period, kind, name), [0, 0.0])
            slot[0] += count
            slot[1] += total
        return [(*slot, n, t) for slot, (n, t) in sums.items()]

    def _event_rows(
        self,
        table: _Table,
        first: date,
        last: date,
        per: str | None,
        kinds: Sequence[str] | None,
        key: str | None,
        by_key: bool,
    ) -> list[tuple[date | None, str, str, int, float]]:
        m = table.model
        day = m.week if m is MetricEventWeek else m.day
        columns: list[Any] = [m.kind, m.key] if by_key else [m.kind]
        if per is not None:
            columns.insert(0, day)
        # The weekly rows are one per week, kind and key already: nothing to sum.
        unique = m is MetricEventWeek and per == "week" and by_key
        sums = [m.count, m.total] if unique else [func.sum(m.count), func.sum(m.total)]
        stmt = table._select(*columns, *sums).where(day >= first, day <= last)
        if kinds is not None:
            stmt = stmt.where(m.kind.in_(list(kinds)))
        if key is not None:
            stmt = stmt.where(m.key == key)
        if not unique:
            stmt = stmt.group_by(*columns)
        rows = self._rows(stmt)
        if unique:
            return rows  # (week, kind, key, count, total) as stored
        if per is None:
            rows = [(None, *row) for row in rows]
        elif per == "week" and m is MetricEvent:
            rows = [(monday(_as_date(row[0])), *row[1:]) for row in rows]
        if not by_key:
            rows = [(row[0], row[1], "", *row[2:]) for row in rows]
        return [(p, kind, name, int(n), float(t or 0.0)) for p, kind, name, n, t in rows]

    def _rows(self, stmt: Any) -> list[Any]:
        # Read through the connection: these are plain column sums, and the ORM's row
        # handling cost more than the query on a year of weekly rows.
        return list(self.session.connection().execute(stmt).all())

    def last_day(self) -> date | None:
        """The last day with contacts in the aggregates."""
        value = self.session.scalar(self.by_intent._select(func.max(MetricDayIntent.day)))
        return None if value is None else _as_date(value)

    def count_rows(self) -> int:
        """How many contact rows the tenant has (a rebuild's summary)."""
        return int(self.session.scalar(self.daily._select(func.count())) or 0)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


class SettingsRepository(TenantScopedRepository):
    """A tenant's metric settings row."""

    model = MetricSettings

    def get(self, *, lock: bool = False) -> MetricSettings | None:
        """The tenant's settings, or None."""
        stmt = self._select()
        if lock:
            stmt = stmt.with_for_update()
        return self.session.scalars(stmt).one_or_none()

    def add(self, settings: MetricSettings) -> MetricSettings:
        """Store a new settings row."""
        self.session.add(settings)
        self.session.flush()
        return settings
