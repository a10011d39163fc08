"""The learning loop: human decisions → candidate intent model → paired test → promotion.

:func:`learn` is what `criterio learn` and the nightly ``learn`` job run:

1. training data: stored labels and people's corrections (``learning.decisions``);
2. the held-out slice: the most recent human decisions made after the champion's own
   training data ends (``training.decided_until`` in the registry), so neither model
   learned from them; the candidate trains on everything else;
3. the candidate is registered, and calibrated for triage (cross-validated evidence on
   its training data, saved as ``triage.json`` beside it); the champion's calibration
   for the comparison is its own out-of-fold evidence plus the human decisions made
   since its training data ended (``learning.recalibrate``), the held-out slice left out;
4. both models answer the held-out slice: McNemar's exact test (statsmodels) on the
   pairs where one is right and the other wrong, and the realised precision of what
   each would automate at the policy's target;
5. promotion only when the candidate is better (``p < alpha`` and more pairs won than
   lost) and its realised automation precision is not worse: at least the champion's,
   or at least the target when the champion's is higher;
6. the champion after the run (the promoted candidate, or the one kept) has its triage
   calibration registered as the tenant's ``triage`` entry: its out-of-fold evidence
   plus every verified human decision it never trained on (``learning.recalibrate``),
   so automation grows where people have labelled; also when too few decisions came in
   to compare models. After a promotion the tenant's analyze job is made due and the
   interactions analysed by the old version are counted: analysis results carry the
   versions of their models, so only those are analysed again.

Every step is written into the candidate's registry row (``training`` and ``metrics``),
with ``heldout_accuracy`` in both models' metrics. The same run then learns the article
ranking from links, accepts and rejects (:mod:`criterio.learning.ranking`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from criterio.digest import content_digest
from criterio.learning.comparison import Comparison, compare_models, verdict
from criterio.learning.decisions import HumanLabels, LabelledRow, human_labels
from criterio.learning.models import RegisteredModel
from criterio.learning.recalibrate import (
    decisions_after,
    model_evidence,
    recalibrate,
    with_decisions,
)
from criterio.learning.service import champion, champion_stage, get_model, rollback
from criterio.learning.training import NotEnoughDataError, fit_intent_model, register_fitted

__all__ = ["LearnReport", "LearnSettings", "learn", "mark_reanalysis", "roll_back"]


@dataclass(frozen=True)
class LearnSettings:
    """How a learning run holds out, tests and calibrates."""

    holdout_share: float = 0.2
    min_holdout: int = 30
    alpha: float = 0.05
    #: Folds of the triage evidence, and groups of intents left out to stand for
    #: out-of-scope traffic: 5, as `criterio triage calibrate` (with 3, a third of the
    #: intents left out at once made the out-of-scope floor far higher; issue 17).
    calibration_folds: int = 5
    #: Target precision of automation (None: the tenant's policy).
    target: float | None = None
    #: Sentence encoder of the candidate (None: the champion's, else ``static``).
    encoder: str | None = None
    random_state: int = 0
    #: Fewest held-out decisions about articles the ranking's evaluation needs.
    ranking_min_holdout: int = 10


@dataclass
class LearnReport:
    """What one learning run did, step by step."""

    tenant: str
    status: str  # promoted, kept, skipped
    reason: str
    candidate_id: int | None = None
    candidate_version: int | None = None
    champion_id: int | None = None
    comparison: Comparison | None = None
    training: dict[str, Any] = field(default_factory=dict)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    reanalysis: int = 0
    steps: list[str] = field(default_factory=list)
    #: The article ranking's run (``learning.ranking.RankingReport``).
    ranking: dict[str, Any] | None = None
    #: The triage calibration registered by this run (None: none).
    triage_version: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (what `criterio learn --json` prints)."""
        out = dict(self.__dict__)
        out["comparison"] = None if self.comparison is None else self.comparison.to_dict()
        return out


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _split(
    labels: HumanLabels, cutoff: datetime | None, settings: LearnSettings
) -> tuple[list[LabelledRow], list[LabelledRow]]:
    """(training rows, held-out rows): the most recent decisions after ``cutoff`` held out."""
    eligible = sorted(
        (r for r in labels.rows if r.at is not None and (cutoff is None or _aware(r.at) > cutoff)),
        key=lambda r: (_aware(r.at or datetime.min), r.interaction_id),
    )
    size = max(settings.min_holdout, round(settings.holdout_share * len(eligible)))
    held = eligible[-size:] if len(eligible) >= settings.min_holdout else []
    held_ids = {r.interaction_id for r in held}
    return [r for r in labels.rows if r.interaction_id not in held_ids], held


def _calibration(evidence: Any, target: float) -> Any:
    from criterio.triage.calibration import calibrate

    return calibrate(evidence, target=target)


def learn(
    session: Session,
    tenant: str,
    *,
    model_dir: Path,
    by: str,
    settings: LearnSettings | None = None,
) -> LearnReport:
    """One turn of the learning loop for ``tenant`` (see the module's docstring): the
    intent model, then the article ranking (``learning.ranking``)."""
    from criterio.learning.ranking import learn_ranking

    settings = settings or LearnSettings()
    intent_of: dict[str, str] = {}
    report = _learn_intent(session, tenant, model_dir, by, settings, intent_of)
    ranking = learn_ranking(
        session,
        tenant,
        intents=intent_of,
        model_dir=model_dir,
        by=by,
        min_holdout=settings.ranking_min_holdout,
    )
    report.ranking = ranking.to_dict()
    report.steps.append(f"article ranking {ranking.status}: {ranking.reason}")
    session.flush()
    return report


def _learn_intent(
    session: Session,
    tenant: str,
    model_dir: Path,
    by: str,
    settings: LearnSettings,
    intent_of: dict[str, str],
) -> LearnReport:
    """The intent model's turn; fills ``intent_of`` (interaction → intent people decided)."""
    from criterio.triage.files import evidence_for_model, save_evidence
    from criterio.triage.service import current_policy

    policy = current_policy(session, tenant)
    target = settings.target if settings.target is not None else policy.target_precision
    old = champion(session, tenant, "intent")
    stage = champion_stage(session, tenant, "intent") if old is not None else None
    old_model = None if stage is None else stage.model
    known = None if old_model is None else {str(c) for c in old_model.classes_}
    labels = human_labels(session, tenant, known_intents=known)
    intent_of.update((r.interaction_id, r.intent) for r in labels.rows)
    report = LearnReport(tenant, "skipped", "", champion_id=None if old is None else old.id)
    report.training = labels.summary()
    report.conflicts = [c.to_dict() for c in labels.conflicts]
    cutoff = None if old is None else _when(old.training.get("decided_until"))
    train, held = _split(labels, cutoff, settings)
    where = (model_dir, by, target)
    report.steps.append(
        f"{len(labels.rows)} labelled interactions ({report.training['from_corrections']} "
        f"from corrections, {len(labels.conflicts)} conflicts resolved and flagged); "
        f"{len(held)} recent decisions held out"
    )
    if old is not None and not held:
        report.reason = (
            f"fewer than {settings.min_holdout} human decisions since the champion's data: "
            "nothing to compare on yet"
        )
        if old_model is not None:
            rows = decisions_after(labels, cutoff, old_model)
            champ = (get_model(session, tenant, old.id), old_model)
            _recalibrate(session, tenant, champ, None, rows, settings, where, report)
        return report
    texts, intents = [r.text for r in train], [r.intent for r in train]
    try:
        fitted = fit_intent_model(
            texts,
            intents,
            encoder=settings.encoder or getattr(old_model, "encoder", None) or "static",
            random_state=settings.random_state,
        )
    except NotEnoughDataError as error:
        report.reason = str(error)
        return report
    decided = [r.at for r in train if r.at is not None]
    training = {
        "source": "learn: stored labels and human corrections",
        **report.training,
        "n_examples": len(train),
        "n_held_out": len(held),
        "decided_until": max(map(_aware, decided)).isoformat() if decided else None,
    }
    ids = [r.interaction_id for r in train]
    trained = register_fitted(
        session,
        tenant,
        "intent",
        fitted,
        training=training,
        training_hash=content_digest([ids, texts, intents]),
        metrics={k: fitted.card[k] for k in ("threshold", "temperature", "false_rejection")},
        model_dir=model_dir,
        promote=False,
        by=by,
    )
    row = trained.model
    report.candidate_id, report.candidate_version = row.id, row.version
    report.steps.append(f"candidate model {row.id} (version {row.version}) trained on {len(train)}")
    evidence, _ = evidence_for_model(fitted.model, texts, intents, folds=settings.calibration_folds)
    calibration = _calibration(evidence, target)
    report.steps.append(
        f"calibrated at target {target}: {len(calibration.automatable())} of "
        f"{len(calibration.intents)} intents may be automated"
    )
    held_ids = {r.interaction_id for r in held}
    incumbent = None
    if old is not None and old_model is not None:
        # The champion's calibration on everything but the held-out slice it is judged on.
        seen = [
            r
            for r in decisions_after(labels, cutoff, old_model)
            if r.interaction_id not in held_ids
        ]
        incumbent = (
            old_model,
            _calibration(with_decisions(model_evidence(old, old_model), old_model, seen), target),
        )
    result = compare_models((fitted.model, calibration), incumbent, held, policy) if held else None
    report.comparison = result
    if old is None:
        promote_it, reason = True, "the tenant has no intent champion yet"
    else:
        assert result is not None
        promote_it, reason = verdict(result, settings.alpha, target)
    folds = settings.calibration_folds
    save_evidence(Path(row.path), evidence, folds=folds, seconds=0.0)
    row.metrics = {
        **row.metrics,
        "held_out": None if result is None else result.to_dict(),
        "decision": "promoted" if promote_it else "kept as candidate",
        "reason": reason,
        "triage": {"target": target, "automatable": len(calibration.automatable())},
        "compared_with": None if old is None else old.id,
    }
    if result is not None:
        # The champion's row read again: reading the training data detached ``old``.
        _record_heldout(row, None if old is None else get_model(session, tenant, old.id), result)
        session.flush()  # before promote() locks (and re-reads) the kind's rows
    report.status, report.reason = ("promoted" if promote_it else "kept"), reason
    report.steps.append(reason)
    if promote_it:
        from criterio.learning.service import promote

        promote(session, tenant, row.id, by=by)
        report.reanalysis = mark_reanalysis(session, tenant, old)
        report.steps.append(
            f"promoted; {report.reanalysis} interactions analysed by the old version will be "
            "analysed again"
        )
        _recalibrate(session, tenant, (row, fitted.model), evidence, held, settings, where, report)
    elif old is not None and old_model is not None:
        rows = decisions_after(labels, cutoff, old_model)
        champ = (get_model(session, tenant, old.id), old_model)
        _recalibrate(session, tenant, champ, None, rows, settings, where, report)
    session.flush()
    return report


def _recalibrate(
    session: Session,
    tenant: str,
    model: tuple[RegisteredModel, Any],
    base: Any,
    rows: list[LabelledRow],
    settings: LearnSettings,
    where: tuple[Path, str, float],
    report: LearnReport,
) -> None:
    """The champion's triage calibration registered again (``learning.recalibrate``)."""
    model_dir, by, target = where
    entry = recalibrate(
        session,
        tenant,
        model,
        base,
        rows,
        target=target,
        folds=settings.calibration_folds,
        model_dir=model_dir,
        by=by,
    )
    if entry is not None:
        report.triage_version = entry.version
        report.steps.append(
            f"triage calibration v{entry.version} of intent model v{model[0].version}: "
            f"{entry.training['out_of_fold']} out-of-fold predictions and "
            f"{entry.training['verified_decisions']} verified decisions; "
            f"{entry.metrics['intents_automated']} of {entry.metrics['intents']} intents "
            f"may be automated at target {target}"
        )


def _record_heldout(
    candidate: RegisteredModel, incumbent: RegisteredModel | None, result: Comparison
) -> None:
    """``heldout_accuracy`` of both models on this run's held-out decisions, into their
    registry metrics (what the impact dashboard plots over time); the champion's is
    replaced by the latest evaluation."""
    candidate.metrics = {
        **candidate.metrics,
        "heldout_accuracy": round(result.candidate_accuracy, 4),
        "heldout_n": result.n,
    }
    if incumbent is not None and result.champion_accuracy is not None:
        incumbent.metrics = {
            **(incumbent.metrics or {}),
            "heldout_accuracy": round(result.champion_accuracy, 4),
            "heldout_n": result.n,
            "heldout_by_candidate": candidate.id,
        }


def mark_reanalysis(session: Session, tenant: str, previous: RegisteredModel | None) -> int:
    """After a change of intent champion: how many results the old version made (they are
    analysed again on the next run), and the tenant's analyze job made due now."""
    from criterio.analysis.model_stages import ModelStageError, model_version
    from criterio.annotations.repository import AnalysisResultRepository
    from criterio.jobs.service import make_due

    make_due(session, tenant, "analyze", now=datetime.now(UTC))
    if previous is None:
        return 0
    try:
        version = model_version(Path(previous.path), "intents", previous.sha256)
    except (ModelStageError, OSError):
        return 0
    return AnalysisResultRepository(session, tenant).count_with_version("intents", version)


def roll_back(session: Session, tenant: str, kind: str, *, by: str) -> tuple[RegisteredModel, int]:
    """Make the previous champion of ``kind`` the champion again; (it, results to redo)."""
    restored, replaced = rollback(session, tenant, kind, by=by)
    redo = mark_reanalysis(session, tenant, replaced) if kind == "intent" else 0
    return restored, redo
