"""The web layer: the FastAPI app, request dependencies and the routers' mounting."""

from criterio.web.app import create_app

__all__ = ["create_app"]
