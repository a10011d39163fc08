"""Per-batch intent and topic annotations in the shape ``criterio annotate`` shows.

Pure functions of a fitted model and a batch of texts (no store), so the analysis
pipeline and its engines can call them per partition: ``{"label", "confidence"}`` for
the intent and ``{"id", "label"}`` for the topic of each text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["intent_annotations", "topic_annotations"]


def intent_annotations(model: Any, texts: Sequence[str]) -> list[dict[str, Any]]:
    """One ``{"label", "confidence"}`` per text (label ``unknown`` when no intent fits)."""
    labels, confidence = model.predict_with_confidence(list(texts))
    return [
        {"label": str(label), "confidence": round(float(conf), 4)}
        for label, conf in zip(labels, confidence, strict=True)
    ]


def topic_annotations(model: Any, texts: Sequence[str]) -> list[dict[str, Any]]:
    """One ``{"id", "label"}`` per text (id -1 when no topic fits)."""
    topics, _ = model.assign(list(texts))
    names = {t: model.topic_label(t) for t in set(topics.tolist())}
    return [{"id": t, "label": names[t]} for t in topics.tolist()]
