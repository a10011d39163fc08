"""Keeping the daily aggregates current: recompute the days the records changed, or all.

A refresh finds the days touched since the last one (interactions imported, analysed
or worked on; events recorded; models promoted; insights reviewed), widens each
contact day to the seven days before it (a new contact can make an earlier one a
repeat), and recomputes those days from the records. A rebuild recomputes every day.
Both flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from criterio.metrics.definitions import REPEAT_DAYS
from criterio.metrics.models import MetricSettings
from criterio.metrics.record_queries import ContactRecords, EventRecords
from criterio.metrics.records import contact_rows, event_rows, merge
from criterio.metrics.repository import AggregateRepository, SettingsRepository

__all__ = ["Refreshed", "rebuild", "recompute_days", "refresh", "set_costs", "settings_of"]

#: Records whose times fall this close before the last refresh are looked at again: a
#: transaction that committed late with an earlier timestamp is not missed.
OVERLAP = timedelta(minutes=10)
#: Days recomputed together (one read of the records per span).
SPAN_DAYS = 14
#: Before any record: a rebuild looks at everything since then.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class Refreshed:
    """What a refresh or rebuild did."""

    days: int
    rows: int

    def summary(self) -> str:
        """One line for a job's run or a command's output."""
        return f"{self.days} days recomputed ({self.rows} contact rows)"


def settings_of(session: Session, tenant: str, *, lock: bool = False) -> MetricSettings:
    """The tenant's metric settings row, made on first use."""
    repo = SettingsRepository(session, tenant)
    found = repo.get(lock=lock)
    if found is None:
        found = repo.add(MetricSettings(tenant=tenant, marks={}))
    return found


def set_costs(
    session: Session, tenant: str, *, human: float, automated: float, currency: str
) -> MetricSettings:
    """Set what one human and one automated contact cost the tenant."""
    from criterio.errors import InvalidInputError

    if human < 0 or automated < 0:
        raise InvalidInputError("costs: must be zero or more")
    if not currency.strip() or len(currency.strip()) > 8:
        raise InvalidInputError(f"currency: {currency!r} is not a currency code")
    settings = settings_of(session, tenant, lock=True)
    settings.cost_human, settings.cost_automated = human, automated
    settings.currency = currency.strip().upper()
    session.flush()
    return settings


def _spans(days: Iterable[date]) -> list[tuple[date, date]]:
    """Runs of consecutive days, each at most SPAN_DAYS long."""
    spans: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if (
            spans
            and day == spans[-1][1] + timedelta(days=1)
            and (day - spans[-1][0]).days < SPAN_DAYS
        ):
            spans[-1] = (spans[-1][0], day)
        else:
            spans.append((day, day))
    return spans


def recompute_days(session: Session, tenant: str, days: Iterable[date]) -> Refreshed:
    """Replace the aggregate rows of these days with rows computed from the records."""
    repo = AggregateRepository(session, tenant)
    total_days = rows = 0
    for first, last in _spans(days):
        part = merge(
            [contact_rows(session, tenant, first, last), event_rows(session, tenant, first, last)]
        )
        span = [first + timedelta(days=k) for k in range((last - first).days + 1)]
        repo.delete_days(span)
        repo.insert(part)
        repo.roll_up(first, last)
        total_days += len(span)
        rows += len(part.daily)
    session.flush()
    return Refreshed(days=total_days, rows=rows)


def refresh(session: Session, tenant: str) -> Refreshed:
    """Recompute the days whose records changed since the tenant's last refresh."""
    settings = settings_of(session, tenant, lock=True)
    if settings.refreshed_at is None:
        return rebuild(session, tenant)
    marks = {k: int(v) for k, v in (settings.marks or {}).items()}
    return _recompute_changed(session, tenant, settings, settings.refreshed_at - OVERLAP, marks)


def _recompute_changed(
    session: Session,
    tenant: str,
    settings: MetricSettings,
    since: datetime,
    marks: dict[str, int],
) -> Refreshed:
    now = datetime.now(UTC)
    contacts = ContactRecords(session, tenant)
    events = EventRecords(session, tenant)
    top = events.top_ids()
    touched = contacts.changed_days(since)
    touched |= contacts.days_of(sorted(events.new_event_interactions(marks)))
    days = {d - timedelta(days=k) for d in touched for k in range(REPEAT_DAYS + 1)}
    days |= events.changed_days(since, marks)
    days |= _insight_days(events, since)
    done = recompute_days(session, tenant, days)
    settings.marks = top
    settings.refreshed_at = now
    session.flush()
    return done


def _insight_days(events: EventRecords, since: datetime) -> set[date]:
    days = set()
    for row in events.insights_touched(since):
        if row.created_at >= since:
            days.add(row.created_at.date())
        for step in row.history or []:
            at = datetime.fromisoformat(step["at"])
            if at.tzinfo is None:
                at = at.replace(tzinfo=UTC)
            if at >= since:
                days.add(at.astimezone(UTC).date())
    return days


def rebuild(session: Session, tenant: str) -> Refreshed:
    """Delete the tenant's aggregates and recompute every day that has records."""
    settings = settings_of(session, tenant, lock=True)
    AggregateRepository(session, tenant).delete_days(None)
    return _recompute_changed(session, tenant, settings, EPOCH, {})
