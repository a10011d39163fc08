"""The triage calibration the learning loop keeps: out-of-fold evidence plus human decisions.

Triage automates an intent only as far as evidence the model never learned from shows
its precision (``criterio.triage.calibration``). When `learn` trains a model, that
evidence is cross-validated on its training data (``triage.json`` beside the model).
Every human decision made after the model's training data ends is one more verified
prediction of it: the model's best intent and confidence on that interaction, and
whether people agreed. So each learning run registers the champion's calibration again
as the tenant's ``triage`` entry (``criterio.triage.registry``, which the triager
reads): the out-of-fold evidence plus every verified decision the model never saw
(routed cases people resolved, labels from the teach queue, reviewed labels). Coverage
then grows where people have labelled, with the same proof of precision.

A decision counts once, for the model it was made after: the candidate's own decisions
are training data (and out-of-fold evidence through cross-validation); only those after
its training data ends are added. The evidence is rebuilt from the model's file and the
decisions at every run, never appended to, so nothing is counted twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from criterio.errors import InvalidInputError
from criterio.learning.decisions import HumanLabels, LabelledRow
from criterio.learning.models import RegisteredModel

__all__ = [
    "decisions_after",
    "model_evidence",
    "recalibrate",
    "registered_decisions",
    "with_decisions",
]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def decisions_after(labels: HumanLabels, cutoff: datetime | None, model: Any) -> list[LabelledRow]:
    """People's decisions made after ``cutoff`` (the end of the model's training data;
    None: all of them) about intents the model knows, oldest first."""
    known = {str(c) for c in model.classes_}
    rows = [
        r
        for r in labels.rows
        if r.at is not None and (cutoff is None or _aware(r.at) > cutoff) and r.intent in known
    ]
    return sorted(rows, key=lambda r: (_aware(r.at or datetime.min), r.interaction_id))


def model_evidence(row: RegisteredModel, model: Any) -> Any:
    """The out-of-fold evidence saved beside an intent model (none when it has none)."""
    from criterio.triage.calibration import Evidence
    from criterio.triage.files import load_evidence

    try:
        return load_evidence(Path(row.path))
    except InvalidInputError:  # never calibrated: only verified decisions count
        return Evidence([], [], [], [str(c) for c in model.classes_])


def with_decisions(evidence: Any, model: Any, rows: Sequence[LabelledRow]) -> Any:
    """``evidence`` plus the model's best intent on each decided interaction, and whether
    people decided the same.

    The margins (best minus next-best probability) go along when the evidence has them,
    so a calibration with a margin floor keeps it; evidence written without margins
    stays without (its floor is on the confidence).
    """
    from criterio.triage.calibration import Evidence
    from criterio.triage.scores import top_two

    if not rows:
        return evidence
    best, confidence, margin = top_two(model.predict_proba([r.text for r in rows]))
    predicted = [str(model.classes_[i]) for i in best]
    with_margins = len(evidence.margin) == len(evidence.confidence)
    return Evidence(
        predicted=[*evidence.predicted, *predicted],
        confidence=[*evidence.confidence, *(float(c) for c in confidence)],
        correct=[*evidence.correct, *(p == r.intent for p, r in zip(predicted, rows, strict=True))],
        intents=evidence.intents,
        unseen=evidence.unseen,
        unseen_predicted=evidence.unseen_predicted,
        unseen_group=evidence.unseen_group,
        margin=[*evidence.margin, *(float(m) for m in margin)] if with_margins else [],
        unseen_margin=evidence.unseen_margin,
    )


def registered_decisions(session: Session, tenant: str, intent_model: RegisteredModel) -> Any:
    """(decisions, latest decision time) in the tenant's triage champion when it belongs
    to ``intent_model``; None otherwise."""
    from criterio.learning.service import champion
    from criterio.triage.registry import KIND

    row = champion(session, tenant, KIND)
    if row is None or row.training.get("intent_model", {}).get("id") != intent_model.id:
        return None
    return row.training.get("verified_decisions"), row.training.get("decisions_until")


def recalibrate(
    session: Session,
    tenant: str,
    model: tuple[RegisteredModel, Any],
    base: Any,
    rows: Sequence[LabelledRow],
    *,
    target: float,
    folds: int,
    model_dir: Path,
    by: str,
) -> RegisteredModel | None:
    """Register (and promote) the calibration of ``model`` (its row, the loaded model):
    its out-of-fold evidence ``base`` (None: the file beside it) plus the verified
    decisions ``rows``.

    None (nothing registered) when ``base`` is None and the registered calibration of the
    model already holds the same decisions.
    """
    from criterio.triage.registry import register_calibration

    row, loaded = model
    latest = max((_aware(r.at) for r in rows if r.at is not None), default=None)
    until = None if latest is None else latest.isoformat()
    if base is None and registered_decisions(session, tenant, row) == (len(rows), until):
        return None
    base = model_evidence(row, loaded) if base is None else base
    entry, _ = register_calibration(
        session,
        tenant,
        with_decisions(base, loaded, rows),
        intent_model=row,
        target=target,
        folds=folds,
        seconds=0.0,
        model_dir=model_dir,
        promote=True,
        by=by,
    )
    entry.training = {
        **entry.training,
        "source": "learn: out-of-fold evidence and verified human decisions",
        "out_of_fold": len(base.predicted),
        "verified_decisions": len(rows),
        "decisions_until": until,
    }
    return entry
