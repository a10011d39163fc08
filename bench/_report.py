"""Printing a benchmark table and writing its JSON under bench/results/."""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path
from typing import Any

__all__ = ["write_results"]

RESULTS = Path(__file__).resolve().parent / "results"


def write_results(name: str, rows: list[dict[str, Any]], extra: dict[str, Any]) -> Path:
    """Print ``rows`` as a table and write them with the machine to bench/results/NAME.json."""
    keys: list[str] = []
    for row in rows:
        keys += [k for k in row if k not in keys]
    print(" | ".join(keys))
    for row in rows:
        print(" | ".join(_fmt(row.get(k)) for k in keys))
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **extra,
        "rows": rows,
    }
    path.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return path


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return "" if value is None else str(value)
