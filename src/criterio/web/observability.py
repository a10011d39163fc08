"""Structured JSON logs, Prometheus metrics and request ids, as one ASGI middleware.

Log lines carry method, route template, status, duration, request id, tenant and actor:
never headers, query strings or bodies, so tokens, passwords and message texts cannot
reach the logs through this path.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["JsonFormatter", "Metrics", "ObservabilityMiddleware", "configure_logging"]

#: Fields of a LogRecord that are not user data; everything else given in ``extra`` is kept.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
ACCESS_LOGGER = "criterio.access"


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message and the ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record as a JSON line."""
        payload: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        payload.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str, ensure_ascii=False)


def configure_logging(level: str) -> None:
    """Send the ``criterio`` loggers to stderr as JSON lines (once per process)."""
    logger = logging.getLogger("criterio")
    logger.setLevel(level.upper())
    if not any(getattr(h, "_criterio", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        handler._criterio = True  # type: ignore[attr-defined]
        logger.addHandler(handler)


@dataclass
class Metrics:
    """The app's own Prometheus registry (no global state shared between apps)."""

    registry: CollectorRegistry
    requests: Counter
    latency: Histogram

    @classmethod
    def create(cls) -> Metrics:
        """A fresh registry with the request counter and latency histogram."""
        registry = CollectorRegistry()
        requests = Counter(
            "criterio_http_requests",
            "HTTP requests handled, by method, route template and status.",
            ["method", "route", "status"],
            registry=registry,
        )
        latency = Histogram(
            "criterio_http_request_duration_seconds",
            "Time to handle an HTTP request, by method and route template.",
            ["method", "route"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=registry,
        )
        return cls(registry, requests, latency)


class ObservabilityMiddleware:
    """Give each request an id, then count, time and log it."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self.log = logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        start = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - start
            route = scope.get("route")
            template = getattr(route, "path", "(unmatched)")
            method = scope["method"]
            self.metrics.requests.labels(method, template, str(status)).inc()
            self.metrics.latency.labels(method, template).observe(elapsed)
            principal = scope["state"].get("principal")
            self.log.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": method,
                    "route": template,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "tenant": getattr(principal, "tenant", None),
                    "actor": getattr(principal, "username", None),
                },
            )
