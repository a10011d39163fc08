"""The web layer: the FastAPI app, request dependencies and the routers' mounting.

``create_app`` is imported on first use, not here: the domains' routers import
``criterio.web.deps`` and friends, and an eager import of the app (which imports every
router) would make importing any one router circular.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from criterio.web.app import create_app

        return create_app
    raise AttributeError(f"module 'criterio.web' has no attribute {name!r}")
