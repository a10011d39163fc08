"""ORM tables of webhooks: where a tenant wants its events posted, and every delivery."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from criterio.db import Base, BigIntPK, JSONType, UTCDateTime

__all__ = ["DELIVERY_STATUSES", "WebhookDelivery", "WebhookEndpoint"]

#: ``pending`` (due at ``next_attempt_at``) → ``delivered``, or ``failed`` after the
#: last retry.
DELIVERY_STATUSES = ("pending", "delivered", "failed")


class WebhookEndpoint(Base):
    """A URL of a tenant's that receives signed events (e.g. a helpdesk's webhook)."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(Text)
    #: Event names it receives (``triage.decision``).
    events: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: Random salt of its signing secret; the secret itself is derived from the server's
    #: CRITERIO_SECRET_KEY and never stored.
    salt: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebhookDelivery(Base):
    """One event for one endpoint, and how its delivery went."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_tenant_status_next", "tenant", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    endpoint_id: Mapped[int] = mapped_column(BigIntPK)
    event: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
