"""One place that imports every domain's ORM tables, so Alembic and tests see them all."""

from __future__ import annotations

import importlib

__all__ = ["import_all_models"]

#: Domain packages that own tables; each has a ``models`` module.
MODEL_MODULES = (
    "criterio.interactions.models",
    "criterio.auth.models",
    "criterio.insights.models",
    "criterio.annotations.models",
    "criterio.learning.models",
    "criterio.jobs.models",
    "criterio.knowledge.models",
    "criterio.triage.models",
    "criterio.assist.models",
    "criterio.metrics.models",
    "criterio.webhooks.models",
)


def import_all_models() -> None:
    """Import every domain's ``models`` module so their tables join ``Base.metadata``."""
    for name in MODEL_MODULES:
        importlib.import_module(name)
