"""What to teach Criterio next (active learning) and which labels look wrong (confident learning).

**Teach queue.** Of the interactions no person has labelled, the ones whose label would
teach the champion most: the most uncertain (smallest margin between the two most
probable intents), spread over the kinds of text (diversity): the ``pool_factor ×
budget`` most uncertain are clustered (k-means on the model's sentence vectors, as
many clusters as the budget) and the most uncertain of each cluster is taken, so one
confusing phrasing does not fill the queue. A tenant labels at most ``budget`` a day:
the labels given today from the queue (``intent`` events with reason ``teach``) are
taken off it.

**Suspect labels.** Confident learning (Northcutt et al., via cleanlab) on
cross-validated probabilities: an example whose given intent the models that did not
see it find much less likely than another intent, by each intent's own confidence
threshold, is listed for review with the intent the models suggest. Nothing is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from criterio.learning.decisions import human_labels
from criterio.learning.repository import FeedbackRepository
from criterio.learning.service import champion_stage

__all__ = [
    "TEACH_REASON",
    "Suspect",
    "TeachItem",
    "doubtful_decisions",
    "find_suspects",
    "select_to_teach",
    "suspect_labels",
    "taught_today",
    "teach_queue",
]

#: The reason an ``intent`` event carries when its label came from the teach queue.
TEACH_REASON = "teach"


@dataclass(frozen=True)
class TeachItem:
    """One interaction to label: the model's two best guesses and their margin."""

    interaction_id: str
    best: str
    second: str
    margin: float
    #: The text the model read (masked), for the person who labels it.
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {**self.__dict__, "margin": round(self.margin, 4)}


def select_to_teach(
    model: Any,
    ids: Sequence[str],
    texts: Sequence[str],
    budget: int,
    *,
    pool_factor: int = 5,
    random_state: int = 0,
) -> list[TeachItem]:
    """The ``budget`` interactions to label first: uncertain, and unlike one another."""
    from sklearn.cluster import KMeans

    if budget <= 0 or not texts:
        return []
    proba = model.predict_proba(list(texts))
    order = np.argsort(-proba, axis=1)
    rows = np.arange(len(proba))
    margin = proba[rows, order[:, 0]] - proba[rows, order[:, 1]]
    pool = np.argsort(margin, kind="stable")[: budget * pool_factor]
    if len(pool) > budget:
        vectors = model.encoder_.transform([texts[i] for i in pool])
        clusters = KMeans(budget, n_init=1, random_state=random_state).fit_predict(vectors)
        # The most uncertain of each cluster (the pool is in order of margin).
        _, first = np.unique(clusters, return_index=True)
        pool = pool[np.sort(first)]
    classes = np.asarray(model.classes_, dtype=object)
    return [
        TeachItem(
            str(ids[i]),
            str(classes[order[i, 0]]),
            str(classes[order[i, 1]]),
            float(margin[i]),
            str(texts[i]),
        )
        for i in pool[:budget]
    ]


def taught_today(session: Session, tenant: str, *, now: datetime | None = None) -> int:
    """How many labels the tenant gave from the teach queue today (UTC days)."""
    now = now or datetime.now(UTC)
    midnight = datetime.combine(now.date(), time(0), tzinfo=now.tzinfo or UTC)
    return sum(
        e.reason == TEACH_REASON
        for e in FeedbackRepository(session, tenant).list(kinds=["intent"], since=midnight)
    )


def teach_queue(
    session: Session,
    tenant: str,
    *,
    budget: int,
    now: datetime | None = None,
    random_state: int = 0,
    model: Any = None,
) -> list[TeachItem]:
    """The tenant's teach queue for today: what is left of the daily ``budget``
    (``model``: the champion intent model when the caller has loaded it already)."""
    left = budget - taught_today(session, tenant, now=now)
    if model is None and left > 0:
        stage = champion_stage(session, tenant, "intent")
        model = None if stage is None else stage.model
    if left <= 0 or model is None:
        return []
    labels = human_labels(session, tenant)
    return select_to_teach(
        model, labels.unlabelled_ids, labels.unlabelled_texts, left, random_state=random_state
    )


@dataclass(frozen=True)
class Suspect:
    """A label that looks wrong: what it says, what the models suggest, how sure they are."""

    interaction_id: str
    given: str
    suggested: str
    #: Cross-validated probability of the given label (lowest first).
    given_probability: float
    suggested_probability: float

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        out = dict(self.__dict__)
        for key in ("given_probability", "suggested_probability"):
            out[key] = round(out[key], 4)
        return out


def find_suspects(
    proba: np.ndarray[Any, Any], labels: Sequence[str], classes: Sequence[str]
) -> list[tuple[int, str, float, float]]:
    """Rows whose label confident learning finds doubtful: (row, suggested intent,
    probability of the given one, of the suggested one), the least likely label first."""
    from cleanlab.filter import find_label_issues

    index = {c: i for i, c in enumerate(classes)}
    given = np.asarray([index[str(v)] for v in labels])
    if len(given) == 0 or len(classes) < 2:
        return []
    issues = find_label_issues(
        labels=given,
        pred_probs=proba,
        return_indices_ranked_by="self_confidence",
        n_jobs=1,  # no process pool inside a request, a command or the worker
    )
    best = proba.argmax(axis=1)
    out = []
    for row in issues:
        suggested = int(best[row]) if best[row] != given[row] else int(np.argsort(-proba[row])[1])
        out.append(
            (
                int(row),
                str(classes[suggested]),
                float(proba[row, given[row]]),
                float(proba[row, suggested]),
            )
        )
    return out


def doubtful_decisions(
    model: Any, ids: Sequence[str], texts: Sequence[str], intents: Sequence[str]
) -> list[Suspect]:
    """Decisions people made that ``model``, which never trained on them, finds doubtful.

    Confident learning on the model's probabilities for those interactions (held out from
    it, so no cross-validation is needed): what a lead reviews soon after the decisions,
    before they train or calibrate anything. Intents the model does not know are left
    out (they are material for new intents). The least likely label comes first.
    """
    classes = [str(c) for c in model.classes_]
    known = set(classes)
    keep = [k for k, intent in enumerate(intents) if intent in known]
    if not keep:
        return []
    proba = model.predict_proba([texts[k] for k in keep])
    found = find_suspects(proba, [intents[k] for k in keep], classes)
    return [
        Suspect(str(ids[keep[row]]), str(intents[keep[row]]), suggested, given, other)
        for row, suggested, given, other in found
    ]


def _cross_validated(
    make_model: Callable[[], Any], texts: list[str], labels: list[str], folds: int, seed: int
) -> tuple[np.ndarray[Any, Any], list[str]]:
    """Out-of-fold probabilities of every example (columns: the sorted intents)."""
    import warnings

    from sklearn.model_selection import StratifiedKFold

    classes = sorted(set(labels))
    y = np.asarray(labels, dtype=object)
    proba = np.zeros((len(y), len(classes)))
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class")
        splits = list(splitter.split(np.zeros(len(y)), y))
    for fit_idx, held_idx in splits:
        model = make_model().fit([texts[i] for i in fit_idx], list(y[fit_idx]))
        columns = [classes.index(str(c)) for c in model.classes_]
        proba[np.ix_(held_idx, columns)] = model.predict_proba([texts[i] for i in held_idx])
    return proba, classes


def suspect_labels(
    session: Session,
    tenant: str,
    *,
    folds: int = 3,
    encoder: str = "static",
    random_state: int = 0,
) -> list[Suspect]:
    """Labels of the tenant that look wrong, for people to review (none is changed)."""
    from criterio.analysis.intents import IntentClassifier

    labels = human_labels(session, tenant)
    rows = labels.rows
    if len({r.intent for r in rows}) < 2 or len(rows) < folds * 2:
        return []
    texts, intents = [r.text for r in rows], [r.intent for r in rows]
    proba, classes = _cross_validated(
        lambda: IntentClassifier(encoder=encoder, random_state=random_state),
        texts,
        intents,
        folds,
        random_state,
    )
    return [
        Suspect(rows[i].interaction_id, rows[i].intent, suggested, p_given, p_suggested)
        for i, suggested, p_given, p_suggested in find_suspects(proba, intents, classes)
    ]
