"""Aggregates brought up to date when an operation that changes them commits.

The worker's ``metrics`` job refreshes every few minutes; an import, a triage run, a
case action or an erasure also says which days it touched (:func:`touch`), and those
days are recomputed just before its transaction commits, so figures read right after
it (``criterio metrics``, ``/impact``) already count it; an interactive action does so
only on days of at most ``INLINE_CONTACTS`` contacts. An erasure must say so
before it deletes: a deleted interaction leaves no trace for the job to find. Records
posted one by one through the API are left to the job: a recompute per post would
cost more than the post. Work that rebuilds the aggregates itself afterwards (the
demo's simulated agents) runs :func:`suspended`.

A contact day touched by a new or removed contact is widened to the seven days before
it (``widen``): the contact can make an earlier one of the same customer a repeat.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

__all__ = ["interaction_days", "pending", "refresh_now", "suspended", "touch"]

_KEY = "criterio.metrics.dirty"
#: An interactive action (a case resolved or escalated, an article linked) recomputes
#: its days at commit only while they hold at most this many contacts; busier days are
#: left to the worker's ``metrics`` job (minutes later), so an agent's click never waits
#: on a whole day's recompute (15–50 s for a day of 27,000 contacts on the bench VM).
INLINE_CONTACTS = 2_000
_SUSPENDED: ContextVar[bool] = ContextVar("criterio_metrics_suspended", default=False)


@contextmanager
def suspended() -> Iterator[None]:
    """Within: operations mark nothing (the caller recomputes the aggregates after)."""
    token = _SUSPENDED.set(True)
    try:
        yield
    finally:
        _SUSPENDED.reset(token)


def interaction_days(session: Session, tenant: str, interaction_ids: Iterable[str]) -> set[date]:
    """The start days of these interactions (read before they change or go)."""
    from criterio.metrics.record_queries import ContactRecords

    return ContactRecords(session, tenant).days_of(sorted(set(interaction_ids)))


def touch(
    session: Session,
    tenant: str,
    *,
    contact_days: Iterable[date] = (),
    event_days: Iterable[date] = (),
    widen: bool = False,
    today: bool = True,
    interactive: bool = False,
) -> None:
    """Mark days of ``tenant`` to recompute when ``session`` commits.

    ``contact_days``: start days of contacts added, changed or removed (with ``widen``,
    the seven days before each too); ``event_days``: days of knowledge, learning or
    insight events; ``today`` adds the current UTC day (an action is an event now);
    ``interactive``: a person's click waits on the commit, so days holding more than
    ``INLINE_CONTACTS`` contacts are left to the worker's job.
    """
    from criterio.metrics.definitions import REPEAT_DAYS
    from criterio.metrics.record_queries import ContactRecords

    if _SUSPENDED.get():
        return
    back = REPEAT_DAYS if widen else 0
    days = {d - timedelta(days=k) for d in contact_days for k in range(back + 1)}
    days.update(event_days)
    if today:
        days.add(datetime.now(UTC).date())
    if not days:
        return
    if interactive and ContactRecords(session, tenant).count_on(days) > INLINE_CONTACTS:
        return
    _listen()
    session.info.setdefault(_KEY, {}).setdefault(tenant, set()).update(days)


def pending(session: Session) -> dict[str, set[date]]:
    """The days each tenant has waiting for the commit (empty after it)."""
    return dict(session.info.get(_KEY, {}))


def refresh_now(factory: Any, days: dict[str, set[date]], *, widen: bool = True) -> None:
    """Recompute, in a transaction of its own, the contact days of each tenant (an import's)."""
    from criterio.db import session_scope

    for tenant, found in sorted(days.items()):
        if found:
            with session_scope(factory) as session:
                touch(session, tenant, contact_days=found, widen=widen, today=False)


def _recompute(session: Session) -> None:
    dirty: dict[str, set[date]] = session.info.pop(_KEY, {})
    if not dirty:
        return
    from criterio.metrics.aggregate import recompute_days, settings_of

    session.flush()  # the operation's own changes first: the records are read back
    for tenant, days in sorted(dirty.items()):
        settings_of(session, tenant, lock=True)  # one writer of a tenant's rows at a time
        recompute_days(session, tenant, days)


def _forget(session: Session, *_: Any) -> None:
    session.info.pop(_KEY, None)


def _listen() -> None:
    if not event.contains(Session, "before_commit", _recompute):
        event.listen(Session, "before_commit", _recompute)
        event.listen(Session, "after_rollback", _forget)
