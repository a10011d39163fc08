"""The rows calibration reads (``Evidence``): verified predictions and unseen-intent rows.

Kept apart from ``criterio.triage.calibration`` (which re-exports it) so that each
module stays small; ``criterio.triage.evidence`` computes these rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Evidence"]


@dataclass(frozen=True)
class Evidence:
    """Held-out predictions: predicted intent, its confidence, whether it was right."""

    predicted: list[str]
    confidence: list[float]
    correct: list[bool]
    intents: list[str]
    #: Confidence of the best intent on examples of intents left out of the fit.
    unseen: list[float] = field(default_factory=list)
    #: The known intent each of those examples was taken for.
    unseen_predicted: list[str] = field(default_factory=list)
    #: The group of intents each of those examples was left out with (empty in
    #: evidence written before groups were kept).
    unseen_group: list[int] = field(default_factory=list)
    #: Best minus next-best probability of each verified row, and of each unseen row
    #: (empty in evidence written before margins were kept: the confidence is then the
    #: out-of-scope score).
    margin: list[float] = field(default_factory=list)
    unseen_margin: list[float] = field(default_factory=list)

    def has_margins(self) -> bool:
        """Whether every verified and unseen row has its margin."""
        return len(self.margin) == len(self.confidence) and (
            len(self.unseen_margin) == len(self.unseen) > 0
        )

    def to_dict(self) -> dict[str, Any]:
        """A compact JSON-ready dict (confidences rounded to 6 digits)."""
        return {
            "intents": self.intents,
            "predicted": self.predicted,
            "confidence": [round(float(c), 6) for c in self.confidence],
            "correct": [int(c) for c in self.correct],
            "unseen": [round(float(c), 6) for c in self.unseen],
            "unseen_predicted": self.unseen_predicted,
            "unseen_group": self.unseen_group,
            "margin": [round(float(c), 6) for c in self.margin],
            "unseen_margin": [round(float(c), 6) for c in self.unseen_margin],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evidence:
        """Read what :meth:`to_dict` wrote; ValueError naming the field when it is wrong."""
        try:
            predicted = [str(v) for v in data["predicted"]]
            confidence = [float(v) for v in data["confidence"]]
            correct = [bool(v) for v in data["correct"]]
            intents = [str(v) for v in data["intents"]]
            unseen = [float(v) for v in data.get("unseen", [])]
            unseen_predicted = [str(v) for v in data.get("unseen_predicted", [])]
            unseen_group = [int(v) for v in data.get("unseen_group", [])]
            margin = [float(v) for v in data.get("margin", [])]
            unseen_margin = [float(v) for v in data.get("unseen_margin", [])]
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"calibration evidence: missing or bad field ({exc})") from None
        if not len(predicted) == len(confidence) == len(correct):
            raise ValueError(
                "calibration evidence: predicted, confidence, correct differ in length"
            )
        return cls(
            predicted,
            confidence,
            correct,
            intents,
            unseen,
            unseen_predicted,
            unseen_group,
            margin,
            unseen_margin,
        )
