"""Prometheus gauges of the operational figures, read from the aggregates at each scrape.

Per tenant with aggregates: contacts, resolution, escalation, automation and
containment over the last 7 days (today included), cases waiting per queue, and the
age of the aggregates. Figures only: no names, texts or ids beyond the tenant's and
queue's names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from criterio.assist.models import Case
from criterio.db import session_scope
from criterio.metrics.definitions import contact_figures
from criterio.metrics.models import MetricSettings
from criterio.metrics.repository import AggregateRepository
from criterio.tenancy import TenantScopedRepository, exempt

__all__ = ["OperationalGauges"]

WINDOW_DAYS = 7
RATES = ("resolution_rate", "escalation_rate", "automation_rate", "containment_rate")


class _OpenCases(TenantScopedRepository):
    model = Case

    def by_queue(self) -> list[tuple[str, int]]:
        stmt = (
            self._select(Case.queue, func.count())
            .where(Case.status != "resolved")
            .group_by(Case.queue)
        )
        return [(q, int(n)) for q, n in self.session.execute(stmt)]


class OperationalGauges(Collector):
    """A collector that reads every tenant's recent figures when Prometheus scrapes."""

    def __init__(self, factory: Callable[[], sessionmaker[Session] | None]) -> None:
        self.factory = factory

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """The gauges, one sample per tenant (and queue)."""
        contacts = GaugeMetricFamily(
            "criterio_contacts_7d", "Contacts started in the last 7 days.", labels=["tenant"]
        )
        rates = {
            name: GaugeMetricFamily(
                f"criterio_{name}_7d", f"{name} over the last 7 days (0..1).", labels=["tenant"]
            )
            for name in RATES
        }
        open_cases = GaugeMetricFamily(
            "criterio_open_cases", "Cases waiting or being worked.", labels=["tenant", "queue"]
        )
        age = GaugeMetricFamily(
            "criterio_metrics_age_seconds",
            "Seconds since the tenant's aggregates were last refreshed.",
            labels=["tenant"],
        )
        factory = self.factory()
        if factory is not None:
            now = datetime.now(UTC)
            with session_scope(factory) as session:
                rows = session.execute(
                    exempt(
                        select(MetricSettings.tenant, MetricSettings.refreshed_at),
                        "gauges list every tenant with aggregates",
                    )
                ).all()
                for tenant, refreshed in rows:
                    today = now.date()
                    sums = AggregateRepository(session, tenant).daily_sums(
                        today - timedelta(days=WINDOW_DAYS - 1), today, {}, None
                    )[0][1]
                    values = contact_figures(sums)
                    contacts.add_metric([tenant], sums["contacts"])
                    for name in RATES:
                        if values[name] is not None:
                            rates[name].add_metric([tenant], values[name])
                    for queue, n in _OpenCases(session, tenant).by_queue():
                        open_cases.add_metric([tenant, queue], n)
                    if refreshed is not None:
                        age.add_metric([tenant], (now - refreshed).total_seconds())
        yield contacts
        yield from rates.values()
        yield open_cases
        yield age
