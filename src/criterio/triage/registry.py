"""A tenant's triage calibration as a registry entry of kind ``triage``.

`criterio triage calibrate --tenant T` cross-validates the tenant's intent champion on
its training data and registers the evidence (``triage.json``, with a summary of the
thresholds and floors it gives at the policy's target) as a new ``triage`` model of the
tenant. Like any registry entry it is listed (`criterio models list --kind triage`),
promoted, retired and rolled back (`criterio models rollback --tenant T --kind
triage`), and its file is checked against the SHA-256 stored at registration.

An entry belongs to the intent model it was computed for (its ``training`` names that
model's id, version and SHA-256). The triager uses the triage champion when it belongs
to the intent champion; otherwise the ``triage.json`` beside the intent model, where
calibrations were kept before (and where `calibrate --model DIR` and the learning loop
still write them), so old files stay readable.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from criterio.errors import InvalidInputError
from criterio.triage.calibration import Evidence, calibrate
from criterio.triage.files import FILE_NAME, read_evidence, write_evidence

if TYPE_CHECKING:
    from criterio.learning.models import RegisteredModel

__all__ = [
    "KIND",
    "EvidenceSource",
    "evidence_source",
    "register_calibration",
    "summary",
    "tenant_evidence",
]

KIND = "triage"


def summary(evidence: Evidence, target: float) -> dict[str, Any]:
    """What the evidence gives at ``target``: intents automated, floors, rows behind it."""
    calibration = calibrate(evidence, target=target)
    return {
        "target": target,
        "intents_automated": len(calibration.automatable()),
        "intents": len(calibration.intents),
        "floor": round(calibration.floor, 6),
        "oos_floor": calibration.oos_floor,
        "margin_floor": calibration.margin_floor,
        "pooled": calibration.pooled,
        "verified_rows": len(evidence.correct),
        "unseen_rows": len(evidence.unseen),
        "thresholds": {
            k: v.threshold for k, v in sorted(calibration.intents.items()) if v.threshold
        },
    }


def register_calibration(
    session: Session,
    tenant: str,
    evidence: Evidence,
    *,
    intent_model: RegisteredModel,
    target: float,
    folds: int,
    seconds: float,
    model_dir: Path,
    promote: bool,
    by: str,
) -> tuple[RegisteredModel, bool]:
    """Register ``evidence`` of ``intent_model`` as the tenant's next ``triage`` entry.

    Promoted to champion when ``promote`` (the previous triage champion is retired and
    can be rolled back to). Returns the row and whether it was promoted.
    """
    from criterio.learning.repository import ModelRepository
    from criterio.learning.service import model_directory_for, register_model

    repo = ModelRepository(session, tenant)
    repo.lock_kind(KIND)
    version = repo.next_version(KIND)
    directory = model_directory_for(model_dir, tenant, KIND, version)
    described = summary(evidence, target)
    intent = {
        "id": intent_model.id,
        "version": intent_model.version,
        "sha256": intent_model.sha256,
    }
    write_evidence(
        directory / FILE_NAME,
        evidence,
        model_sha256=intent_model.sha256,
        folds=folds,
        seconds=seconds,
        extra={"intent_model": intent, "summary": described},
    )
    return register_model(
        session,
        tenant,
        kind=KIND,
        version=version,
        directory=directory,
        training={"intent_model": intent, "n_examples": len(evidence.correct), "folds": folds},
        training_hash=intent_model.training_hash,
        metrics=described,
        promote_to_champion=promote,
        by=by,
    )


@dataclass(frozen=True)
class EvidenceSource:
    """Where a tenant's triage evidence is, and a key that changes when it does."""

    path: Path
    intent_sha256: str
    key: tuple[Any, ...]
    #: The registry entry (its file is checked against its SHA-256); None: a file beside
    #: the intent model.
    entry_sha256: str | None = None

    def load(self) -> Evidence:
        """The evidence; InvalidInputError when the file changed since registration."""
        from criterio.digest import file_sha256

        if self.entry_sha256 is not None and (
            not self.path.is_file() or file_sha256(self.path) != self.entry_sha256
        ):
            raise InvalidInputError(
                f"triage calibration {self.path} is missing or changed since it was "
                "registered: calibrate again or roll back"
            )
        return read_evidence(self.path, self.intent_sha256)


def tenant_evidence(session: Session, tenant: str, intent_model: RegisteredModel) -> EvidenceSource:
    """Where the evidence the tenant's triage uses for ``intent_model`` is (nothing read):
    the triage champion computed for that model, else the file beside it.

    InvalidInputError when neither exists (never calibrated, or retrained since).
    """
    from criterio.learning.service import champion

    return evidence_source(tenant, intent_model, champion(session, tenant, KIND))


def evidence_source(
    tenant: str, intent_model: RegisteredModel, row: RegisteredModel | None
) -> EvidenceSource:
    """:func:`tenant_evidence` when the triage champion (``row``, or None) is already known."""
    intent_sha = intent_model.sha256
    if row is not None and row.training.get("intent_model", {}).get("sha256") == intent_sha:
        return EvidenceSource(
            Path(row.path) / FILE_NAME, intent_sha, (KIND, row.id, row.sha256), row.sha256
        )
    beside = Path(intent_model.path) / FILE_NAME
    try:
        stamp = beside.stat().st_mtime_ns
    except OSError:
        raise InvalidInputError(
            f"intent model v{intent_model.version} is not calibrated (`criterio triage "
            f"calibrate --tenant {tenant}`)"
        ) from None
    return EvidenceSource(beside, intent_sha, ("file", str(beside), stamp))
