"""Liveness, readiness and Prometheus metrics endpoints (no authentication, no tenant data)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from criterio.db import schema_status

__all__ = ["router"]

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process answers (on the event loop: no thread, no database)."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "Database unreachable or outdated"}})
def readyz(request: Request) -> JSONResponse:
    """Readiness: the database answers and its schema is current."""
    engine = request.app.state.engine
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        status = schema_status(engine)
    except SQLAlchemyError:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
    code = 200 if status == "current" else 503
    return JSONResponse({"status": "ok" if code == 200 else "unavailable", "schema": status}, code)


@router.get("/metrics", response_class=Response)
def metrics(request: Request) -> Response:
    """Prometheus metrics: request counts and latencies by route template."""
    data = generate_latest(request.app.state.metrics.registry)
    return Response(data, media_type=CONTENT_TYPE_LATEST)
