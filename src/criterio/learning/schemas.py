"""Wire format of the model registry (what `criterio models list --json` prints)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["ModelKind", "ModelRead", "ModelStatus"]

ModelKind = Literal["intent", "topics", "triage", "ranking"]
ModelStatus = Literal["candidate", "champion", "retired"]


class ModelRead(BaseModel):
    """One registered model as shown to people and scripts."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    tenant: str
    kind: ModelKind
    version: int
    status: ModelStatus
    created_at: datetime
    training: dict[str, Any]
    training_hash: str
    metrics: dict[str, Any]
    path: str
    sha256: str
    promoted_by: str | None
    promoted_at: datetime | None
