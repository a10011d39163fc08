"""What triage reads from the intent classifier: best intent, its confidence, its margin.

The margin is the best intent's probability minus the next best's: the out-of-scope
score when the calibration has a margin floor (``criterio.triage.calibration``). The
evidence (``criterio.triage.evidence``) and the decisions (``criterio.triage.engine``)
take all three from here, so both read the model the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from criterio.analysis.names import UNKNOWN

if TYPE_CHECKING:
    from criterio.triage.calibration import Calibration

__all__ = ["automatable", "predictions", "top_two"]


def top_two(
    proba: np.ndarray[Any, Any],
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Per row of probabilities: the best column, its probability, and the margin."""
    proba = np.asarray(proba, dtype=float)
    if proba.shape[0] == 0:
        empty = np.zeros(0)
        return empty.astype(int), empty, empty
    best = proba.argmax(axis=1)
    confidence = proba[np.arange(len(proba)), best]
    if proba.shape[1] < 2:
        return best, confidence, confidence.copy()
    second = np.partition(proba, -2, axis=1)[:, -2]
    return best, confidence, confidence - second


def predictions(
    classifier: Any, texts: Sequence[str]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any] | None]:
    """(labels, confidence, margin) of ``texts``: labels are ``unknown`` under the
    classifier's own ``threshold_``, as its ``predict_with_confidence`` gives them.

    A classifier without ``predict_proba`` gives no margin (None): a calibration with a
    margin floor then automates none of its predictions.
    """
    if not (hasattr(classifier, "predict_proba") and hasattr(classifier, "classes_")):
        labels, confidence = classifier.predict_with_confidence(list(texts))
        return np.asarray(labels, dtype=object), np.asarray(confidence, dtype=float), None
    proba = classifier.predict_proba(list(texts))
    best, confidence, margin = top_two(proba)
    labels = np.asarray(classifier.classes_, dtype=object)[best]
    labels[confidence < float(getattr(classifier, "threshold_", 0.0))] = UNKNOWN
    return labels, confidence, margin


def automatable(
    classifier: Any, calibration: Calibration, texts: Sequence[str]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """(predicted intents, which of them the calibration lets through): the model's part of
    a decision (floors, margin floor, intent thresholds), without the policy's rules.

    For callers that score many texts at once (the learning loop's comparisons); a
    decision itself goes through ``criterio.triage.decision.decide``.
    """
    labels, confidence, margin = predictions(classifier, texts)
    floor = max(calibration.floor, float(getattr(classifier, "threshold_", 0.0)))
    thresholds = np.array(
        [getattr(calibration.intents.get(str(p)), "threshold", None) or np.inf for p in labels]
    )
    mask = (confidence >= floor) & (confidence >= thresholds) & (labels != UNKNOWN)
    if calibration.margin_floor is not None:
        mask &= margin is not None and margin >= calibration.margin_floor
    return labels, mask
