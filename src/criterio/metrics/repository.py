"""Every query of the metric tables (tenant-scoped): write a range of days, read sums.

Reads sum in SQL, so a period of a tenant with millions of interactions costs one pass
over its daily rows (a few thousand per month), not over its interactions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, func, insert
from sqlalchemy.orm import Session

from criterio.metrics.models import (
    SUM_COLUMNS,
    MetricDaily,
    MetricDuration,
    MetricEvent,
    MetricSettings,
)
from criterio.metrics.records import Rows
from criterio.tenancy import TenantScopedRepository

__all__ = ["AggregateRepository", "SettingsRepository"]

#: Rows written per INSERT statement.
CHUNK = 5000


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

    def delete_days(self, days: Sequence[date] | None) -> None:
        """Remove the rows of these days (None: every row of the tenant)."""
        for table in (self.daily, self.durations, self.events):
            stmt = delete(table.model)
            if days is not None:
                stmt = stmt.where(table.model.day.in_(list(days)))
            self.session.execute(table._scoped(stmt).execution_options(synchronize_session=False))

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
        m = MetricDaily
        names = (group,) if isinstance(group, str) else (group or ())
        sums = [func.coalesce(func.sum(getattr(m, c)), 0) for c in SUM_COLUMNS]
        keys = [getattr(m, name) for name in names]
        stmt = self.daily._select(*keys, *sums).where(
            *self._where(self.daily, first, last, filters)
        )
        if keys:
            stmt = stmt.group_by(*keys).order_by(*keys)
        out = []
        for row in self.session.execute(stmt):
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
        return {int(b): int(n) for b, n in self.session.execute(stmt)}

    def event_sums(
        self,
        first: date,
        last: date,
        *,
        by_day: bool = False,
        kinds: Sequence[str] | None = None,
        key: str | None = None,
        by_key: bool = True,
    ) -> list[tuple[date | None, str, str, int, float]]:
        """(day or None, kind, key, count, total) summed over the period (or per day);
        without ``by_key`` the keys are summed together (key ``""``)."""
        m = MetricEvent
        columns: list[Any] = [m.kind, m.key] if by_key else [m.kind]
        if by_day:
            columns.insert(0, m.day)
        stmt = self.events._select(*columns, func.sum(m.count), func.sum(m.total)).where(
            m.day >= first, m.day <= last
        )
        if kinds is not None:
            stmt = stmt.where(m.kind.in_(list(kinds)))
        if key is not None:
            stmt = stmt.where(m.key == key)
        stmt = stmt.group_by(*columns)
        out = []
        for row in self.session.execute(stmt):
            values = list(row)
            day = values.pop(0) if by_day else None
            if not by_key:
                values.insert(1, "")
            kind, name, count, total = values
            out.append((day, kind, name, int(count), float(total or 0.0)))
        return out

    def last_day(self) -> date | None:
        """The last day with contacts in the aggregates."""
        value = self.session.scalar(self.daily._select(func.max(MetricDaily.day)))
        if value is None or isinstance(value, date):
            return value
        return date.fromisoformat(str(value))

    def count_rows(self) -> int:
        """How many contact rows the tenant has (a rebuild's summary)."""
        return int(self.session.scalar(self.daily._select(func.count())) or 0)


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
