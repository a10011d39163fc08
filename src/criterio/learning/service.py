"""The model registry: register, promote, retire, and the champion each analysis loads.

Every tenant has its own models of each kind; exactly one of them (or none) is the
champion, which `criterio analyze`, the worker and `criterio intents predict --tenant`
use. A promotion locks the tenant's models of that kind (a row lock on PostgreSQL, the
write lock on SQLite) and a partial unique index refuses a second champion whatever
happens. The files are checked against the SHA-256 stored at registration
whenever a champion is loaded.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from criterio.analysis.model_stages import IntentStage, ModelStageError, TopicStage
from criterio.digest import file_sha256
from criterio.errors import ConflictError, InvalidInputError, NotFoundError
from criterio.learning.models import KINDS, RegisteredModel
from criterio.learning.repository import ModelRepository, model_tenant

if TYPE_CHECKING:
    from criterio.analysis.pipeline import AnalysisPipeline

__all__ = [
    "STORE_KINDS",
    "ChampionError",
    "analysis_pipeline",
    "champion",
    "champion_stage",
    "get_model",
    "list_models",
    "model_directory_for",
    "model_file",
    "owner_of",
    "promote",
    "register_model",
    "retire",
    "rollback",
]

#: The registry's kind and the kind written in a model directory's card.
STORE_KINDS = {"intent": "intents", "topics": "topics"}
_STAGES: dict[str, type[IntentStage] | type[TopicStage]] = {
    "intent": IntentStage,
    "topics": TopicStage,
}

#: The file a model's SHA-256 is taken of, by kind, when it is not ``model.skops``: a
#: ranking is JSON (never pickle), a triage calibration is evidence
#: (``criterio.triage.registry``), not a fitted model.
MODEL_FILES = {"ranking": "ranking.json", "triage": "triage.json"}

#: Tenant names as the data contract allows them: safe as one directory name.
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class ChampionError(ModelStageError):
    """A tenant's champion whose files are missing, changed or unloadable."""


def _now() -> datetime:
    return datetime.now(UTC)


def model_file(kind: str) -> str:
    """The name of the file that holds a model of ``kind`` in its directory."""
    return MODEL_FILES.get(kind, "model.skops")


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise InvalidInputError(f"kind {kind!r}: choose from {', '.join(KINDS)}")


def list_models(session: Session, tenant: str, kind: str | None = None) -> list[RegisteredModel]:
    """The tenant's registered models (of one kind), newest version first."""
    if kind is not None:
        _check_kind(kind)
    return ModelRepository(session, tenant).list(kind)


def get_model(session: Session, tenant: str, model_id: int) -> RegisteredModel:
    """One of the tenant's models; NotFoundError when it has no model with that id."""
    model = ModelRepository(session, tenant).get(model_id)
    if model is None:
        raise NotFoundError(f"model {model_id}: no such model of tenant {tenant!r}")
    return model


def owner_of(session: Session, model_id: int) -> str:
    """The tenant of a model named by id alone (the CLI's `models promote ID`)."""
    tenant = model_tenant(session, model_id)
    if tenant is None:
        raise NotFoundError(f"model {model_id}: no such model")
    return tenant


def champion(session: Session, tenant: str, kind: str) -> RegisteredModel | None:
    """The tenant's champion of ``kind``, or None."""
    _check_kind(kind)
    return ModelRepository(session, tenant).champion(kind)


def model_directory_for(model_dir: Path, tenant: str, kind: str, version: int) -> Path:
    """A new, unused directory for a model's files under the registry's model directory.

    ``<model_dir>/<tenant>/<kind>/v<version>-<random>``: the random part keeps two
    trainings that race for the same version from writing into one directory.
    """
    if not _SAFE_NAME.fullmatch(tenant):
        raise InvalidInputError(f"tenant {tenant!r}: not usable as a directory name")
    return Path(model_dir) / tenant / kind / f"v{version}-{secrets.token_hex(3)}"


def register_model(
    session: Session,
    tenant: str,
    *,
    kind: str,
    version: int,
    directory: Path,
    training: dict[str, Any],
    training_hash: str,
    metrics: dict[str, Any],
    promote_to_champion: bool | None = None,
    by: str,
) -> tuple[RegisteredModel, bool]:
    """Record a trained model as a candidate; promote it when asked, or (``None``) when
    the tenant has no champion of that kind yet. Returns the row and whether it was promoted.
    """
    _check_kind(kind)
    directory = Path(directory).resolve()
    repo = ModelRepository(session, tenant)
    repo.lock_kind(kind)
    row = RegisteredModel(
        tenant=tenant,
        kind=kind,
        version=version,
        status="candidate",
        created_at=_now(),
        training=training,
        training_hash=training_hash,
        metrics=metrics,
        path=str(directory),
        sha256=file_sha256(directory / model_file(kind)),
    )
    session.add(row)
    session.flush()
    if promote_to_champion is None:
        promote_to_champion = repo.champion(kind) is None
    if promote_to_champion:
        promote(session, tenant, row.id, by=by)
    return row, promote_to_champion


def promote(session: Session, tenant: str, model_id: int, *, by: str) -> RegisteredModel:
    """Make a model its tenant's champion of its kind; the previous champion is retired.

    The model's files must still match their registered SHA-256 (a broken model is
    never promoted). Promoting the champion again changes nothing.
    """
    repo = ModelRepository(session, tenant)
    kind = get_model(session, tenant, model_id).kind
    rows = repo.lock_kind(kind)
    target = next(r for r in rows if r.id == model_id)
    if target.status == "champion":
        return target
    _verify_files(target)
    for row in rows:
        if row.status == "champion":
            row.status = "retired"
    # The retirement is written first: the partial unique index allows one champion.
    session.flush()
    target.status = "champion"
    target.promoted_by = by
    target.promoted_at = _now()
    session.flush()
    return target


def rollback(
    session: Session, tenant: str, kind: str, *, by: str
) -> tuple[RegisteredModel, RegisteredModel | None]:
    """Make the champion before the current one champion again; (restored, replaced).

    The previous champion is the retired model of ``kind`` promoted most recently;
    NotFoundError when there is none.
    """
    _check_kind(kind)
    rows = ModelRepository(session, tenant).lock_kind(kind)
    current = next((r for r in rows if r.status == "champion"), None)
    earlier = [r for r in rows if r.status == "retired" and r.promoted_at is not None]
    if not earlier:
        raise NotFoundError(f"tenant {tenant!r} has no earlier {kind} champion to roll back to")
    previous = max(earlier, key=lambda r: (r.promoted_at, r.id))
    return promote(session, tenant, previous.id, by=by), current


def retire(session: Session, tenant: str, model_id: int) -> RegisteredModel:
    """Retire a model; a retired champion leaves its tenant without one of that kind."""
    target = get_model(session, tenant, model_id)
    ModelRepository(session, tenant).lock_kind(target.kind)
    if target.status != "retired":
        target.status = "retired"
        session.flush()
    return target


def _verify_files(model: RegisteredModel) -> None:
    file = Path(model.path) / model_file(model.kind)
    if not file.is_file():
        raise ConflictError(f"model {model.id}: {file} is missing; it cannot be promoted")
    if file_sha256(file) != model.sha256:
        raise ConflictError(
            f"model {model.id}: {file} does not match its registered SHA-256; it cannot be promoted"
        )


def champion_stage(session: Session, tenant: str, kind: str) -> IntentStage | TopicStage | None:
    """The tenant's champion of ``kind`` as a fitted pipeline stage, or None.

    The files are checked against the registered SHA-256 here and again in every
    process that loads them; a champion that fails raises :class:`ChampionError`.
    """
    row = champion(session, tenant, kind)
    if row is None:
        return None
    stage = _STAGES[kind](row.path, sha256=row.sha256)
    try:
        stage.fit()
    except ModelStageError as error:
        raise ChampionError(
            f"the {kind} champion of tenant {tenant!r} (model {row.id}, version "
            f"{row.version}) cannot be used: {error}. Promote another model or retire it."
        ) from None
    return stage


def analysis_pipeline(
    session: Session,
    tenant: str,
    base: AnalysisPipeline,
    *,
    intent_stage: IntentStage | None = None,
    topic_stage: TopicStage | None = None,
    fallback_intent: IntentStage | None = None,
    fallback_topic: TopicStage | None = None,
) -> AnalysisPipeline:
    """``base`` with the intent and topic stages this tenant's analysis uses.

    For each kind: the stage given explicitly (a --intent-model/--topic-model option),
    else the tenant's champion, else the fallback (the global settings), else none.
    Another tenant's champion is never used.
    """
    intents = intent_stage or champion_stage(session, tenant, "intent") or fallback_intent
    topics = topic_stage or champion_stage(session, tenant, "topics") or fallback_topic
    return replace(base, intents=intents, topics=topics)
