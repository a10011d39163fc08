"""Webhook signatures: HMAC-SHA256 over the timestamp and the body, as receivers verify them.

Header ``Criterio-Signature: t=<unix seconds>,v1=<hex>`` where ``hex`` is
HMAC-SHA256(secret, ``"<t>." + body``). A receiver recomputes it with the secret it was
given, compares in constant time, and refuses timestamps older than a few minutes
(replays). Each endpoint's secret is derived from the server's CRITERIO_SECRET_KEY and
the endpoint's random salt, so the store never holds it.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["SIGNATURE_HEADER", "endpoint_secret", "sign", "verify"]

SIGNATURE_HEADER = "Criterio-Signature"


def endpoint_secret(server_key: str, tenant: str, endpoint_id: int, salt: str) -> str:
    """The signing secret of one endpoint (shown once to whoever registers it)."""
    message = f"criterio-webhook:{tenant}:{endpoint_id}:{salt}".encode()
    return "whsec_" + hmac.new(server_key.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Criterio-Signature`` header value of ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify(secret: str, header: str, body: bytes, *, now: int, tolerance: int = 300) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` within ``tolerance`` seconds of ``now``."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
