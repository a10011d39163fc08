"""Interactions: the data contract, file readers, import, export and counts."""

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
