"""Sentiment of the customer's side: a lexicon and rules analyzer for Spanish and English."""

from criterio.analysis.sentiment.analyzer import (
    LABELS,
    SentimentAnalyzer,
    label_scores,
    trajectory,
)

__all__ = ["LABELS", "SentimentAnalyzer", "label_scores", "trajectory"]
