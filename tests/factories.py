"""Builders of realistic records for tests (written here, no external data)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def interaction(i: int, **overrides: Any) -> dict[str, Any]:
    """A valid contract record number ``i``."""
    record: dict[str, Any] = {
        "id": f"c-{i:06d}",
        "tenant": "acme",
        "channel": "chat",
        "started_at": f"2026-11-{1 + i % 28:02d}T09:{i % 60:02d}:05Z",
        "customer_id": f"k-{i % 50}",
        "language": "es" if i % 2 else "en",
        "attributes": {"queue": ["billing", "tech"][i % 2], "region": "ES-MD"},
        "turns": [
            {"role": "customer", "text": f"Hola, me han cobrado dos veces la factura {i}"},
            {"role": "agent", "text": "Lo reviso ahora mismo."},
        ],
        "outcome": {"handled_by": "human", "resolved": True, "csat": 1 + i % 5},
        "labels": {"intent": "double_charge"},
    }
    record.update(overrides)
    return record


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    """Write records as JSON Lines."""
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    return path
