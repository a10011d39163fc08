"""Training as a service: a tenant's examples, fitted models, registered candidates.

`criterio intents train --tenant`, `criterio topics discover --tenant`, the demo and the
worker's topic refresh all come here. The texts a model learns from are produced in one
place, :func:`training_examples`. scikit-learn is imported inside the functions, so a
command that never trains does not pay for it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from criterio.analysis.text import interaction_text, masking_card, model_texts
from criterio.digest import content_digest
from criterio.errors import InvalidInputError
from criterio.interactions.repository import InteractionRepository
from criterio.learning.models import RegisteredModel
from criterio.learning.repository import ModelRepository
from criterio.learning.service import STORE_KINDS, model_directory_for, register_model

__all__ = [
    "Fitted",
    "NotEnoughDataError",
    "Trained",
    "TrainingExamples",
    "discover_topics",
    "fit_intent_model",
    "fit_topic_model",
    "register_fitted",
    "train_intents",
    "training_examples",
]


class NotEnoughDataError(InvalidInputError):
    """Too few examples (or too few labelled intents) to train a model."""


@dataclass
class TrainingExamples:
    """A tenant's interactions as training rows: id, text, and the label when known."""

    ids: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    labels: list[str | None] = field(default_factory=list)

    def labelled(self) -> tuple[list[str], list[str], list[str]]:
        """(ids, texts, labels) of the rows that carry a label."""
        rows = [
            (i, t, lab)
            for i, t, lab in zip(self.ids, self.texts, self.labels, strict=True)
            if lab is not None
        ]
        return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def training_examples(session: Session, tenant: str, label: str = "intent") -> TrainingExamples:
    """The tenant's stored interactions as training texts, with ``labels[label]`` when set.

    The text is what analysis applies the models to (``interaction_text``: the customer's
    turns joined), masked (``model_texts``: personal data and long digit runs become
    ``[TYPE]`` placeholders), so no model ever learns, keeps or shows personal data.
    Interactions without any text are left out.
    """
    examples = TrainingExamples()
    for item in InteractionRepository(session, tenant).iter_all():
        text = interaction_text({"turns": item.turns})
        if not text:
            continue
        value = (item.labels or {}).get(label)
        examples.ids.append(item.external_id)
        examples.texts.append(text)
        examples.labels.append(
            None if value is None or not str(value).strip() else str(value).strip()
        )
    examples.texts = model_texts(examples.texts)
    return examples


@dataclass(frozen=True)
class Fitted:
    """A fitted model and its card (what `model.json` says about it)."""

    model: Any
    card: dict[str, Any]
    seconds: float


def fit_intent_model(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    encoder: str = "static",
    false_rejection: float = 0.05,
    random_state: int = 0,
) -> Fitted:
    """Fit an intent classifier; NotEnoughDataError with fewer than two intents."""
    from criterio.analysis.intents import IntentClassifier

    if len(set(labels)) < 2:
        raise NotEnoughDataError("need labelled examples of at least two intents")
    start = time.perf_counter()
    classifier = IntentClassifier(
        encoder=encoder, false_rejection=false_rejection, random_state=random_state
    ).fit(list(texts), [str(v) for v in labels])
    seconds = time.perf_counter() - start
    card = {
        "n_examples": len(texts),
        "intents": [str(c) for c in classifier.classes_],
        "threshold": classifier.threshold_,
        "temperature": classifier.temperature_,
        "false_rejection": false_rejection,
        "seconds": round(seconds, 2),
        **masking_card(),
    }
    return Fitted(classifier, card, seconds)


def fit_topic_model(
    texts: Sequence[str],
    *,
    encoder: str = "static",
    n_topics: int | None = None,
    outlier_share: float = 0.02,
    random_state: int = 0,
    previous: Any = None,
) -> Fitted:
    """Discover topics in ``texts``; the card lists each topic and the broader groups.

    With ``previous`` (the topic model in use), topics that are still there keep their
    ids and labels (``TopicModel.align_with``); the card says how many were kept.
    """
    from criterio.analysis.topics import TopicModel, topics_card

    start = time.perf_counter()
    model = TopicModel(
        encoder=encoder, n_topics=n_topics, outlier_share=outlier_share, random_state=random_state
    ).fit(list(texts))
    kept: dict[str, Any] = {}
    if previous is not None:
        matched = model.align_with(previous)
        kept = {"topics_kept": len(matched), "topics_new": model.n_topics_ - len(matched)}
    seconds = time.perf_counter() - start
    card = {
        "n_texts": len(texts),
        "seconds": round(seconds, 2),
        **kept,
        **masking_card(),
        **topics_card(model, max(2, model.n_topics_ // 5)),
    }
    return Fitted(model, card, seconds)


@dataclass(frozen=True)
class Trained:
    """A model trained on a tenant's data and registered: the row, and whether it is champion."""

    model: RegisteredModel
    promoted: bool
    fitted: Fitted


def train_intents(
    session: Session,
    tenant: str,
    *,
    model_dir: Path,
    examples: TrainingExamples | None = None,
    encoder: str = "static",
    false_rejection: float = 0.05,
    random_state: int = 0,
    promote: bool | None = None,
    by: str,
) -> Trained:
    """Train an intent model on the tenant's labelled interactions and register it.

    It becomes the champion when ``promote`` is true, or (``None``) when the tenant has
    no intent champion yet; otherwise it waits as a candidate.
    """
    if examples is None:
        examples = training_examples(session, tenant)
    ids, texts, labels = examples.labelled()
    fitted = fit_intent_model(
        texts,
        [str(v) for v in labels],
        encoder=encoder,
        false_rejection=false_rejection,
        random_state=random_state,
    )
    training = {
        "source": "stored interactions with labels.intent",
        "n_examples": len(texts),
        "labels": dict(Counter(labels).most_common()),
    }
    metrics = {k: fitted.card[k] for k in ("threshold", "temperature", "false_rejection")}
    metrics["n_intents"] = len(fitted.card["intents"])
    return register_fitted(
        session,
        tenant,
        "intent",
        fitted,
        training=training,
        training_hash=content_digest([ids, texts, labels]),
        metrics={**metrics, "seconds": fitted.card["seconds"]},
        model_dir=model_dir,
        promote=promote,
        by=by,
    )


def discover_topics(
    session: Session,
    tenant: str,
    *,
    model_dir: Path,
    examples: TrainingExamples | None = None,
    encoder: str = "static",
    n_topics: int | None = None,
    outlier_share: float = 0.02,
    random_state: int = 0,
    promote: bool | None = None,
    by: str,
) -> Trained:
    """Discover topics in all the tenant's interactions and register the topic model.

    Topics the tenant's champion already has keep their ids and labels, so insights
    keep their segment and history; new topics get ids never used before.
    """
    if examples is None:
        examples = training_examples(session, tenant)
    fitted = fit_topic_model(
        examples.texts,
        encoder=encoder,
        n_topics=n_topics,
        outlier_share=outlier_share,
        random_state=random_state,
        previous=_usable_champion(session, tenant),
    )
    model = fitted.model
    metrics: dict[str, Any] = {
        "n_topics": int(model.n_topics_),
        "outlier_share": round(float((model.labels_ < 0).mean()), 4),
        "seconds": fitted.card["seconds"],
        **{k: fitted.card[k] for k in ("topics_kept", "topics_new") if k in fitted.card},
    }
    training = {"source": "stored interactions", "n_texts": len(examples.texts)}
    return register_fitted(
        session,
        tenant,
        "topics",
        fitted,
        training=training,
        training_hash=content_digest([examples.ids, examples.texts]),
        metrics=metrics,
        model_dir=model_dir,
        promote=promote,
        by=by,
    )


def _usable_champion(session: Session, tenant: str) -> Any:
    """The tenant's topic champion as a model to continue, or None (none, or unloadable)."""
    from criterio.learning.service import ChampionError, champion_stage

    try:
        stage = champion_stage(session, tenant, "topics")
    except ChampionError:  # a broken champion: new ids are better than no new model
        return None
    return None if stage is None else stage.model


def register_fitted(
    session: Session,
    tenant: str,
    kind: str,
    fitted: Fitted,
    *,
    training: dict[str, Any],
    training_hash: str,
    metrics: dict[str, Any],
    model_dir: Path,
    promote: bool | None,
    by: str,
) -> Trained:
    """Save a fitted model in a new directory of the registry and register it."""
    from criterio.analysis.modelstore import save_model

    # The version is taken after fitting (which may take minutes), with the tenant's
    # models of this kind locked until the caller commits.
    ModelRepository(session, tenant).lock_kind(kind)
    version = ModelRepository(session, tenant).next_version(kind)
    directory = model_directory_for(model_dir, tenant, kind, version)
    card = {**fitted.card, "tenant": tenant, "training_hash": training_hash}
    save_model(fitted.model, directory, STORE_KINDS[kind], card, version=version)
    row, promoted = register_model(
        session,
        tenant,
        kind=kind,
        version=version,
        directory=directory,
        training=training,
        training_hash=training_hash,
        metrics=metrics,
        promote_to_champion=promote,
        by=by,
    )
    return Trained(row, promoted, fitted)
