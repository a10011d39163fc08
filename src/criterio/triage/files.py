"""Calibration evidence files (``triage.json``): in the registry or beside a model.

The file holds a model's cross-validated predictions on its training data, not
thresholds: any target precision is calibrated from it at decision time. It names the
SHA-256 of the ``model.skops`` it was computed for, and a changed model refuses it. A
tenant's calibrations are registry entries of kind ``triage``
(``criterio.triage.registry``); without a store (``triage calibrate --model DIR``) the
file sits beside the model, as every calibration did before the registry held them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from criterio.digest import file_sha256
from criterio.errors import InvalidInputError
from criterio.triage.calibration import Evidence
from criterio.triage.evidence import cross_validated_evidence, shared_feature_evidence

__all__ = [
    "FILE_NAME",
    "evidence_for_model",
    "load_evidence",
    "read_evidence",
    "save_evidence",
    "write_evidence",
]

FILE_NAME = "triage.json"


def evidence_for_model(
    model: Any, texts: Sequence[str], labels: Sequence[str], *, folds: int = 5
) -> tuple[Evidence, float]:
    """Cross-validated evidence of a classifier's settings on its training data (the
    IntentClassifier's with its features built once: ``shared_feature_evidence``)."""
    from sklearn.base import clone

    start = time.perf_counter()
    seed = model.random_state
    if hasattr(model, "subset_fits"):
        evidence = shared_feature_evidence(model, texts, labels, folds=folds, random_state=seed)
    else:
        evidence = cross_validated_evidence(
            lambda: clone(model), texts, labels, folds=folds, random_state=seed
        )
    return evidence, time.perf_counter() - start


def write_evidence(
    path: Path,
    evidence: Evidence,
    *,
    model_sha256: str,
    folds: int,
    seconds: float,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Write the evidence for the model whose ``model.skops`` has ``model_sha256``."""
    data = {
        "kind": "triage-calibration",
        "model_sha256": model_sha256,
        "method": f"{folds}-fold cross-validation on the training data",
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "n": len(evidence.predicted),
        **(extra or {}),
        "evidence": evidence.to_dict(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, separators=(",", ":")), "utf-8")
    return path


def save_evidence(directory: Path, evidence: Evidence, *, folds: int, seconds: float) -> Path:
    """Write ``triage.json`` beside ``model.skops`` in ``directory``."""
    return write_evidence(
        Path(directory) / FILE_NAME,
        evidence,
        model_sha256=file_sha256(Path(directory) / "model.skops"),
        folds=folds,
        seconds=seconds,
    )


def read_evidence(path: Path, model_sha256: str) -> Evidence:
    """The evidence in ``path``; InvalidInputError when unreadable or for another model."""
    try:
        data = json.loads(path.read_text("utf-8"))
        evidence = Evidence.from_dict(data["evidence"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInputError(f"{path}: unreadable calibration ({exc})") from None
    if data.get("model_sha256") != model_sha256:
        raise InvalidInputError(
            f"{path}: computed for another model.skops (the model was retrained): "
            "run `criterio triage calibrate` again"
        )
    return evidence


def load_evidence(directory: Path) -> Evidence:
    """The evidence beside the model in ``directory``; InvalidInputError if absent or stale."""
    path = Path(directory) / FILE_NAME
    if not path.is_file():
        raise InvalidInputError(
            f"{directory}: no {FILE_NAME}: run `criterio triage calibrate` on the model's "
            "training data first"
        )
    return read_evidence(path, file_sha256(Path(directory) / "model.skops"))
