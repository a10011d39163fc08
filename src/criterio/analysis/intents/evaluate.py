"""Figures of an intent model on labelled examples, with or without out-of-scope ones."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

from criterio.analysis.intents.classifier import UNKNOWN, IntentClassifier

__all__ = ["OOS_LABELS", "evaluate_intents"]

#: Labels in an evaluation file that mean "belongs to no known intent".
OOS_LABELS = frozenset({"oos", UNKNOWN})


def evaluate_intents(
    model: IntentClassifier, texts: Sequence[str], labels: Sequence[str]
) -> dict[str, Any]:
    """Accuracy and macro-F1; with ``oos`` rows also in-scope accuracy, OOS recall/precision, AUROC.

    ``accuracy`` counts a rejected in-scope text as wrong and a rejected ``oos`` text as right.
    """
    truth = np.asarray([UNKNOWN if str(v) in OOS_LABELS else str(v) for v in labels], dtype=object)
    predicted, _ = model.predict_with_confidence(texts)
    score = model.scope_score(texts)
    oos = truth == UNKNOWN
    result: dict[str, Any] = {
        "n": len(truth),
        "accuracy": float(accuracy_score(truth, predicted)),
        "macro_f1": float(f1_score(truth, predicted, average="macro", zero_division=0)),
        "rejected_share": float(np.mean(predicted == UNKNOWN)) if len(truth) else 0.0,
    }
    in_scope = ~oos
    if in_scope.any():
        result["in_scope_accuracy"] = float(np.mean(predicted[in_scope] == truth[in_scope]))
        best = np.asarray(model.classes_, dtype=object)[
            model.predict_proba(
                [t for t, keep in zip(texts, in_scope, strict=True) if keep]
            ).argmax(axis=1)
        ]
        result["in_scope_accuracy_no_rejection"] = float(np.mean(best == truth[in_scope]))
    if oos.any():
        flagged = predicted == UNKNOWN
        result["n_oos"] = int(oos.sum())
        result["oos_recall"] = float(np.mean(flagged[oos]))
        result["oos_precision"] = float(np.mean(oos[flagged])) if flagged.any() else 0.0
        if in_scope.any():
            result["oos_auroc"] = float(roc_auc_score(oos, -score))
    return result
