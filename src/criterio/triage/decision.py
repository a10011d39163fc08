"""One interaction's decision: automate, route or escalate, with reasons in plain language.

Pure functions of what the model said (intent, confidence), the calibration, the
policy and the interaction's context (channel, attributes, sentiment, earlier
contacts): no store, no I/O, so `criterio triage decide`, the API and the batch run
give the same decision for the same input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from criterio.analysis.names import UNKNOWN

if TYPE_CHECKING:
    from criterio.triage.calibration import Calibration
from criterio.triage.policy import Context, never_automate, priority_for, queue_for
from criterio.triage.schemas import Policy

__all__ = ["Decision", "decide", "without_model"]


@dataclass
class Decision:
    """What triage decided for one interaction, and why."""

    id: str
    action: str
    intent: str
    confidence: float
    threshold: float | None
    expected_precision: float | None
    queue: str | None
    priority: str
    reasons: list[str] = field(default_factory=list)
    answer: dict[str, Any] | None = None
    mode: str = "live"
    model_version: str | None = None
    latency_ms: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The decision as JSON-ready data (what `triage decide` prints, one per line)."""
        return {
            "id": self.id,
            "action": self.action,
            "intent": self.intent,
            "confidence": round(self.confidence, 4),
            "threshold": None if self.threshold is None else round(self.threshold, 4),
            "expected_precision": (
                None if self.expected_precision is None else round(self.expected_precision, 4)
            ),
            "queue": self.queue,
            "priority": self.priority,
            "reasons": self.reasons,
            "answer": self.answer,
            "mode": self.mode,
            "model_version": self.model_version,
            "latency_ms": None if self.latency_ms is None else round(self.latency_ms, 2),
        }


def _pair(value: float, other: float) -> tuple[str, str]:
    """Two numbers with the fewest decimals (2 to 4) that still tell them apart, so a
    reason never reads "at 1.00, under its threshold 1.00"."""
    for digits in (2, 3, 4):
        a, b = f"{value:.{digits}f}", f"{other:.{digits}f}"
        if a != b:
            break
    return a, b


def _automation_blocker(
    intent: str,
    confidence: float,
    calibration: Calibration,
    model_floor: float,
    policy: Policy,
    context: Context,
    margin: float | None,
) -> str | None:
    """Why this interaction may not be automated (None: it may)."""
    floor = max(calibration.floor, model_floor)
    if intent == UNKNOWN or confidence < floor:
        at, under = _pair(confidence, floor)
        return f"no known intent fits: best {intent} at {at}, under the out-of-scope floor {under}"
    needed = calibration.margin_floor
    if needed is not None and (margin is None or margin < needed):
        ahead, under = _pair(margin if margin is not None else 0.0, needed)
        return (
            f"no known intent stands out: best {intent} at {confidence:.2f} but only {ahead} "
            f"ahead of the next best, under the out-of-scope margin {under}"
        )
    if intent in policy.suspended:
        return f"automation of intent {intent} is suspended: {policy.suspended[intent]}"
    entry = calibration.intents.get(intent)
    if entry is None:
        return f"intent {intent} has no calibration: never automated"
    if entry.threshold is None:
        return f"intent {intent} is not automated: {entry.reason}"
    if confidence < entry.threshold:
        at, under = _pair(confidence, entry.threshold)
        return f"intent {intent} at {at}, under its threshold {under}"
    if not policy.may_automate(intent):
        return f"intent {intent} is not among the policy's automated intents"
    if policy.channels is not None and context.channel not in policy.channels:
        return f"automation is not allowed on channel {context.channel or 'unknown'}"
    return None


def decide(
    ident: str,
    intent: str,
    confidence: float,
    *,
    calibration: Calibration,
    model_floor: float,
    policy: Policy,
    context: Context,
    margin: float | None = None,
) -> Decision:
    """The decision for one interaction whose best intent is ``intent`` at ``confidence``.

    ``model_floor`` is the classifier's own out-of-scope threshold; ``margin`` the best
    intent's probability minus the next best's (needed when the calibration has a
    margin floor). Automation needs a known intent above both floors (and the margin
    floor), the intent's calibrated threshold, the policy's consent (intent, channel)
    and no never-automate rule; a never-automate rule escalates; anything else is
    routed to its queue.
    """
    entry = calibration.intents.get(intent)
    threshold = entry.threshold if entry is not None else None
    priority, priority_reasons = priority_for(policy, context)
    queue = queue_for(policy, intent, context.language)
    blocker = _automation_blocker(
        intent, confidence, calibration, model_floor, policy, context, margin
    )
    rules = never_automate(policy, context)
    if blocker is None and not rules:
        assert entry is not None and threshold is not None  # the blocker checked both
        at, above = _pair(confidence, threshold)
        reasons = [f"intent {intent} at {at}, above its threshold {above} ({entry.reason})"]
        return Decision(
            id=ident,
            action="automate",
            intent=intent,
            confidence=confidence,
            threshold=threshold,
            expected_precision=entry.precision,
            queue=None,
            priority=priority,
            reasons=reasons,
            mode=policy.mode,
        )
    reasons = ([blocker] if blocker else []) + rules + priority_reasons
    return Decision(
        id=ident,
        action="escalate" if rules else "route",
        intent=intent,
        confidence=confidence,
        threshold=threshold,
        expected_precision=entry.precision if entry is not None else None,
        queue=policy.escalation_queue if rules else queue,
        priority=priority,
        reasons=reasons,
        mode=policy.mode,
    )


def without_model(ident: str, reason: str, *, policy: Policy, context: Context) -> Decision:
    """The decision when the tenant has no usable model: route (or escalate), never automate."""
    priority, priority_reasons = priority_for(policy, context)
    rules = never_automate(policy, context)
    return Decision(
        id=ident,
        action="escalate" if rules else "route",
        intent=UNKNOWN,
        confidence=0.0,
        threshold=None,
        expected_precision=None,
        queue=policy.escalation_queue if rules else queue_for(policy, UNKNOWN, context.language),
        priority=priority,
        reasons=[reason, *rules, *priority_reasons],
        mode=policy.mode,
    )
