"""Webhooks: register a tenant's endpoint, queue its events, deliver them signed and retried.

Events are queued in the same transaction as what they report (a triage decision is
stored and its delivery queued together), and posted later by `criterio webhooks
deliver` or the worker's ``webhooks`` job: a 2xx answer marks the delivery
``delivered``; anything else (an error status, a timeout, a refused connection) is
retried with exponential backoff, and after ``MAX_ATTEMPTS`` the delivery is
``failed``. Every attempt's status code or error is kept on the delivery.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from criterio.errors import InvalidInputError, NotFoundError
from criterio.webhooks.models import WebhookDelivery, WebhookEndpoint
from criterio.webhooks.repository import DeliveryRepository, EndpointRepository
from criterio.webhooks.signing import SIGNATURE_HEADER, endpoint_secret, sign

__all__ = [
    "EVENTS",
    "MAX_ATTEMPTS",
    "DeliveryRun",
    "add_endpoint",
    "deliver_due",
    "enqueue",
    "remove_endpoint",
    "secret_of",
]

#: What can be posted: ``triage.decision`` (every stored decision) and ``article.flagged``
#: (a flag on a knowledge article, for its owner), see docs/webhooks.md.
EVENTS = ("triage.decision", "article.flagged")
#: Attempts before a delivery is given up as failed.
MAX_ATTEMPTS = 8
#: Seconds before the first retry; doubled after each failure, at most ``MAX_DELAY``.
FIRST_DELAY = 30
MAX_DELAY = 6 * 3600
#: Seconds a receiver has to answer.
TIMEOUT = 5.0


def _server_key(server_key: str | None) -> str:
    if not server_key:
        raise InvalidInputError(
            "webhooks need CRITERIO_SECRET_KEY (a long random string) to derive their "
            "signing secrets: set it for the server, the worker and the CLI"
        )
    return server_key


def add_endpoint(
    session: Session,
    tenant: str,
    url: str,
    *,
    events: Sequence[str] = EVENTS,
    by: str,
    server_key: str | None,
) -> tuple[WebhookEndpoint, str]:
    """Register ``url`` for ``events``; returns the endpoint and its signing secret."""
    key = _server_key(server_key)
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise InvalidInputError(f"url: {url!r} is not an http(s) URL")
    unknown = sorted(set(events) - set(EVENTS))
    if unknown or not events:
        raise InvalidInputError(f"events: choose from {', '.join(EVENTS)}")
    endpoint = WebhookEndpoint(
        tenant=tenant,
        url=url,
        events=sorted(set(events)),
        salt=secrets.token_hex(16),
        active=True,
        created_by=by,
        created_at=datetime.now(UTC),
    )
    session.add(endpoint)
    session.flush()
    return endpoint, endpoint_secret(key, tenant, endpoint.id, endpoint.salt)


def secret_of(endpoint: WebhookEndpoint, server_key: str | None) -> str:
    """The endpoint's signing secret (derived again, never read from the store)."""
    return endpoint_secret(_server_key(server_key), endpoint.tenant, endpoint.id, endpoint.salt)


def remove_endpoint(session: Session, tenant: str, endpoint_id: int) -> None:
    """Stop posting to an endpoint (its deliveries stay on record)."""
    endpoint = EndpointRepository(session, tenant).get(endpoint_id)
    if endpoint is None:
        raise NotFoundError(f"webhook endpoint {endpoint_id} not found")
    endpoint.active = False
    session.flush()


def enqueue(session: Session, tenant: str, event: str, payloads: Sequence[dict[str, Any]]) -> int:
    """Queue one delivery per payload and active endpoint of ``event``; how many were queued."""
    endpoints = EndpointRepository(session, tenant).active_for(event)
    if not endpoints or not payloads:
        return 0
    now = datetime.now(UTC)
    rows = [
        WebhookDelivery(
            tenant=tenant,
            endpoint_id=endpoint.id,
            event=event,
            payload=payload,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        for endpoint in endpoints
        for payload in payloads
    ]
    session.add_all(rows)
    session.flush()
    return len(rows)


@dataclass
class DeliveryRun:
    """What one delivery pass did."""

    delivered: int = 0
    retrying: int = 0
    failed: int = 0


def _body(delivery: WebhookDelivery, tenant: str) -> bytes:
    envelope = {
        "id": f"dlv_{delivery.id}",
        "event": delivery.event,
        "tenant": tenant,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()


def deliver_due(
    session: Session,
    tenant: str,
    *,
    server_key: str | None,
    now: datetime | None = None,
    limit: int = 500,
) -> DeliveryRun:
    """Post the tenant's due deliveries, signed; record each attempt and schedule retries."""
    import httpx

    now = now or datetime.now(UTC)
    run = DeliveryRun()
    due = DeliveryRepository(session, tenant).due(now, limit)
    if not due:
        return run
    key = _server_key(server_key)
    endpoints = {e.id: e for e in EndpointRepository(session, tenant).all()}
    with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client:
        for delivery in due:
            endpoint = endpoints.get(delivery.endpoint_id)
            if endpoint is None or not endpoint.active:
                delivery.status, delivery.last_error = "failed", "the endpoint was removed"
                run.failed += 1
                continue
            body = _body(delivery, tenant)
            stamp = int(now.timestamp())
            secret = endpoint_secret(key, tenant, endpoint.id, endpoint.salt)
            headers = {
                "Content-Type": "application/json",
                "User-Agent": "Criterio-Webhooks/1",
                "Criterio-Event": delivery.event,
                "Criterio-Delivery": f"dlv_{delivery.id}",
                SIGNATURE_HEADER: sign(secret, stamp, body),
            }
            delivery.attempts += 1
            try:
                response = client.post(endpoint.url, content=body, headers=headers)
                delivery.last_status_code = response.status_code
                delivery.last_error = (
                    None if response.is_success else f"HTTP {response.status_code}"
                )
                ok = response.is_success
            except httpx.HTTPError as error:
                delivery.last_status_code = None
                delivery.last_error = f"{type(error).__name__}: {error}"[:500]
                ok = False
            if ok:
                delivery.status, delivery.delivered_at = "delivered", now
                run.delivered += 1
            elif delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = "failed"
                run.failed += 1
            else:
                delay = min(MAX_DELAY, FIRST_DELAY * 2 ** (delivery.attempts - 1))
                delivery.next_attempt_at = now + timedelta(seconds=delay)
                run.retrying += 1
    session.flush()
    return run
