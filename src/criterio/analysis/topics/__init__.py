"""Topic discovery: contact reasons found in unlabelled interactions."""

from __future__ import annotations

from criterio.analysis.topics.card import topics_card
from criterio.analysis.topics.evaluate import evaluate_topics, score_topics
from criterio.analysis.topics.model import OUTLIER, TopicModel

__all__ = ["OUTLIER", "TopicModel", "evaluate_topics", "score_topics", "topics_card"]
