"""The FastAPI application: ``create_app(settings)`` builds everything in its lifespan."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.templating import Jinja2Templates

from criterio.config import Settings
from criterio.db import make_engine, make_session_factory, schema_status
from criterio.errors import CriterioError
from criterio.metrics.gauges import OperationalGauges
from criterio.web.api import mount_routers
from criterio.web.docs import install_docs
from criterio.web.limits import BodySizeLimit, short_validation_error
from criterio.web.observability import Metrics, ObservabilityMiddleware, configure_logging
from criterio.web.pages import install_pages
from criterio.web.security import SecurityHeadersMiddleware
from criterio.web.threads import SESSION_SLOTS

__all__ = ["create_app"]

log = logging.getLogger("criterio.web")


def create_app(settings: Settings) -> FastAPI:
    """An app over the database named in ``settings`` (opened when the app starts)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(
            settings.database_url,
            pool_size=SESSION_SLOTS,
            max_overflow=SESSION_SLOTS,
            json_serializer=_json_text,
        )
        status = schema_status(engine)
        if status != "current":
            engine.dispose()
            raise RuntimeError(
                f"database schema is {status}: run `criterio db upgrade` before serving"
            )
        app.state.engine = engine
        app.state.session_factory = make_session_factory(engine)
        # Requests holding a session at once (one pooled connection each; the overflow
        # connections are left for the extra sessions some requests open, such as the
        # audit of a refused one): see web.deps.get_session.
        app.state.session_slots = asyncio.Semaphore(SESSION_SLOTS)
        log.info("started", extra={"database": engine.url.render_as_string(hide_password=True)})
        try:
            yield
        finally:
            engine.dispose()

    configure_logging(settings.log_level)
    app = FastAPI(
        title="Criterio API",
        version="1",
        description="Interactions in and out, per tenant. Authenticate with "
        "`Authorization: Bearer <token>` (see `criterio tokens create`).",
        lifespan=lifespan,
        # FastAPI's own /docs and /redoc pull their scripts from a CDN: see web/docs.py.
        docs_url=None,
        redoc_url=None,
        # Starlette's slash redirect builds an absolute URL from the Host header, which a
        # client chooses: /path/ is answered 404 instead of a redirect to another site.
        redirect_slashes=False,
    )
    metrics = Metrics.create()
    metrics.registry.register(
        OperationalGauges(lambda: getattr(app.state, "session_factory", None))
    )
    app.state.metrics = metrics
    app.state.settings = settings
    app.state.templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
    # Inside the observability middleware, so a 413 (or the 422 of a NUL in the URL) is
    # counted and logged like any answer.
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(ObservabilityMiddleware, metrics=metrics)
    # Added last, so outermost: the headers reach every answer, a 500 included.
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_exception_handler(CriterioError, _criterio_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, short_validation_error)
    install_docs(app)
    install_pages(app)
    mount_routers(app)
    return app


def _json_text(value: Any) -> str:
    """JSON columns written with orjson: several times faster than ``json.dumps``."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


async def _criterio_error(request: Request, exc: CriterioError) -> JSONResponse:
    """Every CriterioError becomes its HTTP status with the user-facing message."""
    headers = None
    if exc.status_code == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    elif exc.status_code == 503:
        headers = {"Retry-After": "1"}
    return JSONResponse({"detail": exc.message}, exc.status_code, headers=headers)
