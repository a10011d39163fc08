"""Mounts every domain's router on the app (one line per domain)."""

from __future__ import annotations

from fastapi import FastAPI

from criterio.assist.api import router as assist_router
from criterio.assist.pages import pages as assist_pages
from criterio.assist.queue_pages import queue_pages as assist_queue_pages
from criterio.auth.api import router as auth_router
from criterio.auth.pages import pages as auth_pages
from criterio.insights.api import router as insights_router
from criterio.insights.pages import pages as insights_pages
from criterio.interactions.api import router as interactions_router
from criterio.interactions.erasure_api import router as erasure_router
from criterio.knowledge.api import router as knowledge_router
from criterio.knowledge.editor import editor_pages as knowledge_editor
from criterio.knowledge.pages import pages as knowledge_pages
from criterio.learning.api import router as learning_router
from criterio.learning.pages import pages as learning_pages
from criterio.metrics.api import router as metrics_router
from criterio.metrics.pages import pages as metrics_pages
from criterio.triage.api import router as triage_router
from criterio.web.docs import router as docs_router
from criterio.web.health import router as health_router

__all__ = ["mount_routers"]


def mount_routers(app: FastAPI) -> None:
    """Add the routers of each domain."""
    app.include_router(health_router)
    app.include_router(auth_router)
    app.include_router(auth_pages)
    app.include_router(interactions_router)
    app.include_router(erasure_router)
    app.include_router(insights_router)
    app.include_router(insights_pages)
    app.include_router(knowledge_router)
    # The editor first: its /kb/new must not be read as the article page /kb/{id}.
    app.include_router(knowledge_editor)
    app.include_router(knowledge_pages)
    app.include_router(triage_router)
    app.include_router(learning_router)
    app.include_router(learning_pages)
    app.include_router(assist_router)
    app.include_router(assist_pages)
    app.include_router(assist_queue_pages)
    app.include_router(metrics_router)
    app.include_router(metrics_pages)
    app.include_router(docs_router)
