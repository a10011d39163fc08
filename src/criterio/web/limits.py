"""Request limits: no NUL in the URL, a body-size cap enforced before the body is read,
and short 422 bodies.

Both checks are one ASGI middleware, so they apply to every route (JSON, forms) before
any dependency runs. The cap holds for a declared ``Content-Length`` (answered at once,
nothing read) as for a streamed body (counted as it arrives, refused as soon as it
passes the cap). The NUL check was a FastAPI dependency of every route; here it costs a
substring search instead of a dependency resolution and a parsed URL per request.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from criterio.errors import excerpt

__all__ = ["BodySizeLimit", "has_nul", "short_validation_error"]

#: What PostgreSQL cannot compare text with: answered 422 before anything reads the URL.
NUL_IN_URL = "the URL contains a NUL character"


class _BodyTooLargeError(Exception):
    """Raised inside ``receive`` once the body passes the cap."""


def has_nul(scope: Scope) -> bool:
    """Whether the request's path or query string holds a NUL character.

    The path in the scope is already percent-decoded; in the query string a NUL can only
    be ``%00`` (or a raw NUL byte), which is what Starlette's parser would decode to NUL.
    """
    query: bytes = scope.get("query_string", b"")
    return "\x00" in scope.get("path", "") or b"%00" in query or b"\x00" in query


class BodySizeLimit:
    """Answer 422 to a URL with a NUL character, 413 to a body larger than ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with a counting ``receive``; 413 if the cap is passed."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if has_nul(scope):
            await _answer(send, 422, {"detail": NUL_IN_URL})
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
        detail = (
            f"the request body is larger than {self.max_bytes:,} bytes (CRITERIO_MAX_REQUEST_BYTES)"
        )
        await _answer(send, 413, {"detail": detail}, close=True)


async def _answer(send: Send, status: int, content: dict[str, Any], *, close: bool = False) -> None:
    """Send a whole JSON answer (``close``: and ask the client to close the connection)."""
    body = orjson.dumps(content)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
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
