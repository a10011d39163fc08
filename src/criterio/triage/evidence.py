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
from scipy.special import softmax

from criterio.triage.calibration import Evidence
from criterio.triage.scores import top_two

__all__ = [
    "cross_validated_evidence",
    "intent_groups",
    "shared_feature_evidence",
]


#: Rows an SVM is fitted on and rows it then scores, one pair per fit.
Task = tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]
#: A fit's outcome: the classes it learned and the scored rows' probabilities.
Scored = tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]


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

    Every fit is a whole ``fit`` of a new model; :func:`shared_feature_evidence` gives
    the same kind of evidence for an IntentClassifier at about a quarter of the cost.
    """
    y = _labels(texts, labels, folds)
    items = list(texts)

    def score(task: Task) -> Scored:
        fit_idx, held_idx = task
        model = make_model().fit([items[i] for i in fit_idx], list(y[fit_idx]))
        proba = model.predict_proba([items[int(i)] for i in held_idx])
        return np.asarray(model.classes_, dtype=object), proba

    cv, unseen = _tasks(y, folds, random_state, unseen_groups)
    return _evidence(
        y,
        cv,
        unseen,
        [score(t) for t in cv],
        [score(t) for t in unseen],
    )


def shared_feature_evidence(
    model: Any,
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    folds: int = 5,
    random_state: int = 0,
    unseen_groups: int = 10,
) -> Evidence:
    """The evidence of :func:`cross_validated_evidence` for an IntentClassifier's
    settings, with its features built once (``IntentClassifier.subset_fits``).

    The same folds and the same groups of left-out intents; each fit is one SVM on the
    shared features (the n-gram vocabularies and sentence vectors of all the texts,
    which involve no labels), instead of a whole classifier (features, three SVMs for
    its temperature, the final SVM). The temperature that turns the fits' scores into
    probabilities is fitted once, on the cross-validated scores themselves (each row
    scored by a fit that did not see it), as the classifier fits its own on its
    out-of-fold scores. On 12 BANKING77 intents (``tests/test_triage_evidence.py``) and
    on the Spanish set (``bench/triage.py --evidence both``) the two kinds of evidence
    give the same calibration within noise; this one costs 15 SVM fits where the other
    costs 60 and 15 feature builds.
    """
    from criterio.analysis.intents.classifier import fit_temperature

    y = _labels(texts, labels, folds)
    fits = model.subset_fits(texts)
    cv, unseen = _tasks(y, folds, random_state, unseen_groups)
    raw = [fits.scores(fit_idx, list(y[fit_idx]), held_idx) for fit_idx, held_idx in cv]
    known = []  # each fit's scores of the rows whose intent it learned, and their column
    for (classes, scores), (_, held) in zip(raw, cv, strict=True):
        keep = np.isin(y[held], classes)
        known.append((scores[keep], np.searchsorted(classes, y[held][keep])))
    temperature = fit_temperature(known)
    unseen_raw = [fits.scores(fit_idx, list(y[fit_idx]), held) for fit_idx, held in unseen]
    return _evidence(
        y,
        cv,
        unseen,
        [(c, softmax(s / temperature, axis=1)) for c, s in raw],
        [(c, softmax(s / temperature, axis=1)) for c, s in unseen_raw],
    )


def _labels(texts: Sequence[str], labels: Sequence[str], folds: int) -> np.ndarray[Any, Any]:
    y = np.asarray([str(v) for v in labels], dtype=object)
    if len(texts) != len(y):
        raise ValueError(f"{len(texts)} texts but {len(y)} labels")
    counts = np.unique(y, return_counts=True)[1]
    if len(counts) < 2 or counts.max() < folds:
        raise ValueError(f"calibration needs two intents and at least {folds} examples of one")
    return y


def _tasks(
    y: np.ndarray[Any, Any], folds: int, random_state: int, unseen_groups: int
) -> tuple[list[Task], list[Task]]:
    """The fits evidence needs: stratified folds, then one per group of left-out intents."""
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
    with warnings.catch_warnings():
        # Intents with fewer examples than folds are simply missing from some folds.
        warnings.filterwarnings("ignore", message="The least populated class")
        cv = list(splitter.split(np.zeros(len(y)), y))
    unseen = []
    for part in intent_groups(list(y), unseen_groups, random_state):
        left_out = np.isin(y, part)
        unseen.append((np.flatnonzero(~left_out), np.flatnonzero(left_out)))
    return cv, unseen


def _evidence(
    y: np.ndarray[Any, Any],
    cv: list[Task],
    unseen: list[Task],
    cv_scored: list[Scored],
    unseen_scored: list[Scored],
) -> Evidence:
    """The evidence from every fit's probabilities (cross-validated, then unseen-intent)."""
    predicted = np.empty(len(y), dtype=object)
    confidence, margin = np.zeros(len(y)), np.zeros(len(y))
    for (_, held_idx), (classes, proba) in zip(cv, cv_scored, strict=True):
        best, confidence[held_idx], margin[held_idx] = top_two(proba)
        predicted[held_idx] = classes[best]
    scored: list[float] = []
    taken_for: list[str] = []
    margins: list[float] = []
    for classes, proba in unseen_scored:
        best, top, gap = top_two(proba)
        scored += [float(c) for c in top]
        taken_for += [str(classes[i]) for i in best]
        margins += [float(m) for m in gap]
    return Evidence(
        predicted=[str(p) for p in predicted],
        confidence=[float(c) for c in confidence],
        correct=[bool(v) for v in predicted == y],
        intents=sorted({str(v) for v in y}),
        unseen=scored,
        unseen_predicted=taken_for,
        # The number of the fit (the group of intents left out) of each unseen row.
        unseen_group=[k for k, (_, held) in enumerate(unseen) for _ in held],
        margin=[float(m) for m in margin],
        unseen_margin=margins,
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
