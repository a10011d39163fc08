"""The evidence calibration reads: predictions of models that never saw the example.

Two kinds of rows, both from fits on the training data only. Cross-validated rows: each
example predicted by a model fitted on the other folds (is its intent right, at what
confidence). Unseen-intent rows: the intents are split into groups and each group is
left out of a fit; its examples then stand for out-of-scope traffic, and the confidence
the model gives them is what such traffic looks like.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from criterio.triage.calibration import Evidence
from criterio.triage.scores import top_two

__all__ = [
    "cross_validated_evidence",
    "group_numbers",
    "intent_groups",
    "unseen_intent_confidence",
]


def cross_validated_evidence(
    make_model: Callable[[], Any],
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    folds: int = 5,
    random_state: int = 0,
    unseen_groups: int = 10,
) -> Evidence:
    """Predictions of ``make_model()`` on each fold it did not learn from (stratified K-fold).

    ``make_model`` returns an unfitted classifier with ``fit``, ``predict_proba`` and
    ``classes_`` (the IntentClassifier). The predicted intent is the most probable one;
    the caller's floor and the classifier's own threshold decide out-of-scope later.
    The unseen-intent rows come from ``unseen_groups`` fits, each leaving out about
    1/``unseen_groups`` of the intents (one each when there are no more intents):
    the fewer intents are missing at once, the closer such a model is to the real one,
    which knows every intent but the new one.
    """
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray([str(v) for v in labels], dtype=object)
    items = list(texts)
    if len(items) != len(y):
        raise ValueError(f"{len(items)} texts but {len(y)} labels")
    counts = np.unique(y, return_counts=True)[1]
    if len(counts) < 2 or counts.max() < folds:
        raise ValueError(f"calibration needs two intents and at least {folds} examples of one")
    predicted = np.empty(len(y), dtype=object)
    confidence, margin = np.zeros(len(y)), np.zeros(len(y))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
    with warnings.catch_warnings():
        # Intents with fewer examples than folds are simply missing from some folds.
        warnings.filterwarnings("ignore", message="The least populated class")
        splits = list(splitter.split(np.zeros(len(y)), y))
    for fit_idx, held_idx in splits:
        model = make_model().fit([items[i] for i in fit_idx], list(y[fit_idx]))
        best, confidence[held_idx], margin[held_idx] = top_two(
            model.predict_proba([items[i] for i in held_idx])
        )
        predicted[held_idx] = np.asarray(model.classes_, dtype=object)[best]
    unseen, taken_for, unseen_margin = unseen_intent_confidence(
        make_model, items, list(y), groups=unseen_groups, random_state=random_state
    )
    return Evidence(
        predicted=[str(p) for p in predicted],
        confidence=[float(c) for c in confidence],
        correct=[bool(v) for v in predicted == y],
        intents=sorted({str(v) for v in y}),
        unseen=unseen,
        unseen_predicted=taken_for,
        unseen_group=group_numbers(list(y), unseen_groups, random_state),
        margin=[float(m) for m in margin],
        unseen_margin=unseen_margin,
    )


def intent_groups(labels: Sequence[str], groups: int, random_state: int) -> list[list[str]]:
    """The groups of intents left out one at a time (shuffled with ``random_state``);
    empty when there are too few intents to leave some out and keep a model of the rest."""
    intents = np.asarray(sorted({str(v) for v in labels}), dtype=object)
    groups = min(groups, len(intents))
    if groups < 2 or len(intents) < 4:
        return []
    order = np.random.default_rng(random_state).permutation(len(intents))
    parts = np.array_split(intents[order], groups)
    # Not enough intents left to stand for the model (and a two-intent IntentClassifier's
    # binary SVM has one score column, which it cannot use): such a group is skipped.
    return [[str(v) for v in p] for p in parts if len(intents) - len(p) >= 3]


def group_numbers(labels: Sequence[str], groups: int, random_state: int) -> list[int]:
    """For each unseen-intent row :func:`unseen_intent_confidence` gives, in its order,
    the number of the group of intents it was left out with."""
    y = np.asarray([str(v) for v in labels], dtype=object)
    found: list[int] = []
    for number, part in enumerate(intent_groups(labels, groups, random_state)):
        found += [number] * int(np.isin(y, part).sum())
    return found


def unseen_intent_confidence(
    make_model: Callable[[], Any],
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    groups: int = 5,
    random_state: int = 0,
) -> tuple[list[float], list[str], list[float]]:
    """Best-intent confidence (and that intent, and the margin to the next best) on each
    example, from a model that never saw its intent.

    The intents are shuffled into ``groups`` groups (:func:`intent_groups`); each group
    is left out of one fit (on all examples of the other intents) and its examples are
    scored by it.
    """
    y = np.asarray([str(v) for v in labels], dtype=object)
    scored: list[float] = []
    taken_for: list[str] = []
    margins: list[float] = []
    for part in intent_groups(labels, groups, random_state):
        left_out = np.isin(y, part)
        fit_idx, held_idx = np.flatnonzero(~left_out), np.flatnonzero(left_out)
        model = make_model().fit([texts[int(i)] for i in fit_idx], list(y[fit_idx]))
        best, confidence, margin = top_two(model.predict_proba([texts[int(i)] for i in held_idx]))
        scored += [float(c) for c in confidence]
        taken_for += [str(model.classes_[i]) for i in best]
        margins += [float(m) for m in margin]
    return scored, taken_for, margins
