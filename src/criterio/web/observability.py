"""Structured JSON logs, Prometheus metrics and request ids, as one ASGI middleware.

Log lines carry method, route template, status, duration, request id, tenant and actor:
never headers, query strings or bodies, so tokens, passwords and message texts cannot
reach the logs through this path. An unhandled error is answered 500 here and logged
as its type and stack frames only: the message of a database error quotes the row or
key values it failed on (a customer id, a text), so it is never written.
"""

from __future__ import annotations

import json
import logging
import re
import time
import traceback
import uuid
from dataclasses import dataclass
from typing import Any

import orjson
from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "JsonFormatter",
    "Metrics",
    "ObservabilityMiddleware",
    "configure_logging",
    "describe_error",
]

#: Fields of a LogRecord that are not user data; everything else given in ``extra`` is kept.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
ACCESS_LOGGER = "criterio.access"
ERROR_LOGGER = "criterio.error"


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message and the ``extra`` fields.

    Written with orjson (an access line per request: several times cheaper than
    ``json.dumps``); values it cannot serialise are written as their ``str``, and a
    record orjson refuses (an integer past 64 bits, a lone surrogate) falls back to
    ``json.dumps``, so a log line is never lost.
    """

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
        try:
            return orjson.dumps(payload, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
        except orjson.JSONEncodeError:
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


def describe_error(exc: BaseException) -> dict[str, Any]:
    """What may be logged of an error: its types and stack frames, never its messages.

    Messages are left out on purpose: a driver's message quotes values (``Key
    (customer_id)=(k-88)``, ``Failing row contains (...)``) that must not reach logs.
    """
    chain: list[str] = []
    seen: BaseException | None = exc
    while seen is not None and len(chain) < 5:
        chain.append(f"{type(seen).__module__}.{type(seen).__qualname__}")
        seen = seen.__cause__ or seen.__context__
    frames = traceback.extract_tb(exc.__traceback__)
    described: dict[str, Any] = {
        "error": chain[0],
        "caused_by": chain[1:],
        "stack": [f"{f.filename}:{f.lineno} in {f.name}" for f in frames[-15:]],
    }
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None)
    if isinstance(sqlstate, str):
        described["sqlstate"] = sqlstate
    return described


async def _internal_error(send: Send, request_id: str) -> None:
    body = json.dumps({"detail": "internal error", "request_id": request_id}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


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
        self.error_log = logging.getLogger(ERROR_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((v for k, v in scope["headers"] if k == b"x-request-id"), b"")
        text = incoming.decode("latin-1")
        request_id = text if _REQUEST_ID.match(text) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        started = False
        start = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status = message["status"]
                started = True
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:
            # Handled here, not re-raised: the server's own handler would print the
            # traceback with the exception's message (see describe_error).
            status = 500
            route = getattr(scope.get("route"), "path", "(unmatched)")
            self.error_log.error(
                "unhandled error",
                extra={"request_id": request_id, "route": route, **describe_error(exc)},
            )
            if not started:
                await _internal_error(send_wrapper, request_id)
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
