"""The interactive API documentation (Swagger UI), served from this app's own files.

FastAPI's default ``/docs`` loads Swagger UI from a CDN and ``/redoc`` likewise; both
are turned off in :func:`criterio.web.app.create_app`. This page takes the scripts and
styles that the ``swagger-ui-bundle-v2`` package ships, so it works offline and sends
nothing to third parties. FastAPI's own page starts Swagger UI with an inline script,
which the Content-Security-Policy forbids (see ``criterio.web.security``): this one
loads ``/static/swagger-init.js`` instead. ``/openapi.json`` is unchanged.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

__all__ = ["ASSETS", "install_docs", "router"]

#: Where the Swagger UI files are served.
ASSETS = "/static/swagger-ui"
router = APIRouter(include_in_schema=False)


_PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
<link rel="icon" href="{ASSETS}/favicon-32x32.png">
<title>Criterio API</title>
</head>
<body>
<div id="swagger-ui"></div>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script>
</body>
</html>
"""


@router.get("/docs", response_class=HTMLResponse)
def docs() -> HTMLResponse:
    """Swagger UI over ``/openapi.json``, every asset from this server, no inline script."""
    return HTMLResponse(_PAGE)


def install_docs(app: FastAPI) -> None:
    """Serve the Swagger UI files (mounted before the pages' ``/static``, which is broader)."""
    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui")
