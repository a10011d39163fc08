"""Request limits: a body-size cap enforced before the body is read, and short 422 bodies.

The cap is an ASGI middleware, so it applies to every route (JSON, forms) and holds for a
declared ``Content-Length`` (answered at once, nothing read) as for a streamed body
(counted as it arrives, refused as soon as it passes the cap).
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from criterio.errors import excerpt

__all__ = ["BodySizeLimit", "short_validation_error"]


class _BodyTooLargeError(Exception):
    """Raised inside ``receive`` once the body passes the cap."""


class BodySizeLimit:
    """Answer 413 to a request whose body is larger than ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with a counting ``receive``; 413 if the cap is passed."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise _BodyTooLargeError
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # the app's answer to a cut-off body (a parse error): ours goes out
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            # Frameworks may wrap the error raised in receive; any error after the cap
            # was passed is the cap's doing.
            if not exceeded:
                raise
        if exceeded and not started:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = orjson.dumps(
            {
                "detail": f"the request body is larger than {self.max_bytes:,} bytes "
                "(CRITERIO_MAX_REQUEST_BYTES)"
            }
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length itself
    return None


async def short_validation_error(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 body, with each offending input cut to a short excerpt.

    The default body repeats the whole input of each error: a 19 MB body came back whole.
    """
    assert isinstance(exc, RequestValidationError)
    errors = []
    for error in exc.errors():
        item: dict[str, Any] = {
            "type": error.get("type"),
            "loc": list(error.get("loc", ())),
            "msg": error.get("msg"),
        }
        if "input" in error:
            value = error["input"]
            small = value is None or isinstance(value, bool | int | float)
            item["input"] = value if small else excerpt(value)
        errors.append(item)
    return JSONResponse({"detail": errors}, status_code=422)
