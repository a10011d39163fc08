"""Interactions: the data contract, file readers, import, export and counts.

The public names are imported on first use (PEP 562), so that importing a submodule
such as ``criterio.interactions.readers`` does not load the store (SQLAlchemy).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from criterio.interactions.ingest import IngestReport, ingest_files, ingest_records
    from criterio.interactions.schemas import (
        Channel,
        InteractionIn,
        InteractionRead,
        Outcome,
        Role,
        Turn,
    )

__all__ = [
    "Channel",
    "IngestReport",
    "InteractionIn",
    "InteractionRead",
    "Outcome",
    "Role",
    "Turn",
    "ingest_files",
    "ingest_records",
]

_HOMES = {
    "IngestReport": "ingest",
    "ingest_files": "ingest",
    "ingest_records": "ingest",
    "Channel": "schemas",
    "InteractionIn": "schemas",
    "InteractionRead": "schemas",
    "Outcome": "schemas",
    "Role": "schemas",
    "Turn": "schemas",
}


def __getattr__(name: str) -> Any:
    """A public name, imported from its module when first asked for."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
