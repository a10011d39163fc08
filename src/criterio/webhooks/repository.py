"""Every query of webhooks (tenant-scoped)."""

from __future__ import annotations

from datetime import datetime

from criterio.tenancy import TenantScopedRepository
from criterio.webhooks.models import WebhookDelivery, WebhookEndpoint

__all__ = ["DeliveryRepository", "EndpointRepository"]


class EndpointRepository(TenantScopedRepository):
    """The webhook endpoints of one tenant."""

    model = WebhookEndpoint

    def get(self, endpoint_id: int) -> WebhookEndpoint | None:
        """One endpoint by id, or None."""
        stmt = self._select().where(WebhookEndpoint.id == endpoint_id)
        return self.session.scalars(stmt).one_or_none()

    def all(self) -> list[WebhookEndpoint]:
        """Every endpoint, oldest first."""
        return list(self.session.scalars(self._select().order_by(WebhookEndpoint.id)))

    def active_for(self, event: str) -> list[WebhookEndpoint]:
        """Active endpoints that receive ``event``."""
        stmt = self._select().where(WebhookEndpoint.active.is_(True))
        return [e for e in self.session.scalars(stmt) if event in (e.events or [])]


class DeliveryRepository(TenantScopedRepository):
    """The webhook deliveries of one tenant."""

    model = WebhookDelivery

    def due(self, now: datetime, limit: int) -> list[WebhookDelivery]:
        """Pending deliveries due by ``now``, oldest first."""
        stmt = (
            self._select()
            .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))

    def recent(self, limit: int) -> list[WebhookDelivery]:
        """The newest deliveries first."""
        stmt = self._select().order_by(WebhookDelivery.id.desc()).limit(limit)
        return list(self.session.scalars(stmt))
