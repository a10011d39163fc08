"""The app factory Uvicorn calls in each worker (settings read from the environment)."""

from __future__ import annotations

from fastapi import FastAPI

from criterio.config import get_settings
from criterio.web.app import create_app

__all__ = ["app"]


def app() -> FastAPI:
    """Build the app from ``CRITERIO_*`` settings."""
    return create_app(get_settings())
