"""Intents learned from the tenant's labelled examples, with out-of-scope detection."""

from __future__ import annotations

from criterio.analysis.intents.classifier import UNKNOWN, IntentClassifier
from criterio.analysis.intents.evaluate import OOS_LABELS, evaluate_intents

__all__ = ["OOS_LABELS", "UNKNOWN", "IntentClassifier", "evaluate_intents"]
