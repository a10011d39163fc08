"""The interactive API documentation (Swagger UI), served from this app's own files.

FastAPI's default ``/docs`` loads Swagger UI from a CDN and ``/redoc`` likewise; both
are turned off in :func:`criterio.web.app.create_app`. This page takes the scripts and
styles that the ``swagger-ui-bundle-v2`` package ships, so it works offline and sends
nothing to third parties. ``/openapi.json`` is unchanged.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

__all__ = ["ASSETS", "install_docs", "router"]

#: Where the Swagger UI files are served.
ASSETS = "/static/swagger-ui"
router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def docs() -> HTMLResponse:
    """Swagger UI over ``/openapi.json``, every asset from this server."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Criterio API",
        swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
    )


def install_docs(app: FastAPI) -> None:
    """Serve the Swagger UI files (mounted before the pages' ``/static``, which is broader)."""
    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui")
