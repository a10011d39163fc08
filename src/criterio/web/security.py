"""Security headers on every answer: one ASGI middleware, the policy in one place.

- ``Content-Security-Policy``: scripts, styles, images and fetches from this server
  only, no inline script (the pages have none; ``/docs`` starts Swagger UI from a
  file), no plug-ins, no ``<base>``, forms post here only, never framed.
- ``X-Content-Type-Options: nosniff`` and ``X-Frame-Options: DENY`` (older browsers).
- ``Referrer-Policy: no-referrer``: page addresses (insight ids, filters) stay here.
- ``Cache-Control: no-store`` on everything but the static files: pages and API
  answers hold tenant data and must not be kept by a browser or a shared cache.
- ``Strict-Transport-Security`` when the request came over HTTPS, directly or through
  a proxy trusted by ``--forwarded-allow-ips`` (Uvicorn then sets the scheme).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CONTENT_SECURITY_POLICY", "HSTS", "SecurityHeadersMiddleware"]

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # Swagger UI's stylesheet draws its icons as data: SVG images.
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
#: One year; no includeSubDomains: other hosts of the domain are not ours to decide.
HSTS = "max-age=31536000"
_ALWAYS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)
#: Paths of files that are the same for everyone and may be cached.
_STATIC_PREFIX = "/static/"


class SecurityHeadersMiddleware:
    """Add the security headers to every HTTP answer (unless the answer sets its own)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(_ALWAYS)
        if not str(scope.get("path", "")).startswith(_STATIC_PREFIX):
            extra.append((b"cache-control", b"no-store"))
        if scope.get("scheme") == "https":
            extra.append((b"strict-transport-security", HSTS.encode()))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((name, value) for name, value in extra if name not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
