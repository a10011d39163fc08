"""Figures of topic discovery against known labels (used only to score, never to fit)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from criterio.analysis.topics.model import OUTLIER, TopicModel

__all__ = ["evaluate_topics", "score_topics"]


def score_topics(labels: Sequence[str], topics: np.ndarray[Any, Any]) -> dict[str, Any]:
    """NMI and ARI of ``topics`` against ``labels`` (outliers count as one more cluster)."""
    truth = np.asarray([str(v) for v in labels], dtype=object)
    topics = np.asarray(topics)
    return {
        "n": len(truth),
        "nmi": float(normalized_mutual_info_score(truth, topics)),
        "ari": float(adjusted_rand_score(truth, topics)),
        "topics": len(set(topics.tolist()) - {OUTLIER}),
        "outlier_share": float(np.mean(topics == OUTLIER)) if len(topics) else 0.0,
    }


def evaluate_topics(
    model: TopicModel, texts: Sequence[str], labels: Sequence[str]
) -> dict[str, Any]:
    """Fit ``model`` on ``texts`` and score its topics against ``labels``, with seconds taken."""
    start = time.perf_counter()
    topics = model.fit_predict(texts)
    seconds = time.perf_counter() - start
    return {**score_topics(labels, topics), "seconds": round(seconds, 2)}
