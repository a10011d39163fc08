"""Sentiment of the customer's side: a learned model (default) and the lexicon it builds on."""

from criterio.analysis.sentiment.learned import SentimentAnalyzer, default_model_path
from criterio.analysis.sentiment.lexicon import (
    LABELS,
    LexiconSentimentAnalyzer,
    label_scores,
    trajectory,
)

__all__ = [
    "LABELS",
    "LexiconSentimentAnalyzer",
    "SentimentAnalyzer",
    "default_model_path",
    "label_scores",
    "trajectory",
]
