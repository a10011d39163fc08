"""The public surface of the analysis, annotations and engines packages."""

from __future__ import annotations

import importlib

import pytest

MODULES = [
    "criterio.analysis.base",
    "criterio.analysis.language",
    "criterio.analysis.sentiment",
    "criterio.analysis.pipeline",
    "criterio.analysis.annotate",
    "criterio.annotations.service",
    "criterio.annotations.runner",
    "criterio.engines",
]


@pytest.mark.parametrize("name", MODULES)
def test_all_names_exist(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__, name
    for exported in module.__all__:
        assert hasattr(module, exported), f"{name}.{exported}"


def test_analysis_never_imports_db_or_web() -> None:
    """DESIGN convention 5: analysis/ stays pure so engines can fan it out."""
    from pathlib import Path

    root = Path(importlib.import_module("criterio.analysis").__file__ or "").parent
    for path in root.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for forbidden in ("criterio.db", "criterio.web", "sqlalchemy", "fastapi"):
            assert forbidden not in source, f"{path} imports {forbidden}"
