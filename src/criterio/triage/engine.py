"""A calibrated model plus a policy, deciding batches of interactions (data-contract records).

The same object serves `criterio triage decide` (records from a file, no store) and the
service (records from the API or the store): the model predicts a batch at once, then
each record gets its decision and, when automated, its answer.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from criterio.analysis.text import interaction_text, model_texts
from criterio.triage.answers import answer_for
from criterio.triage.calibration import Calibration
from criterio.triage.decision import Decision, decide
from criterio.triage.policy import Context
from criterio.triage.schemas import Policy
from criterio.triage.scores import predictions

__all__ = ["Triager", "context_of", "when"]


def when(value: Any, *, assume_utc: bool = False) -> datetime | None:
    """A data-contract timestamp (ISO 8601 string or datetime), or None when it is not one.

    A time without an offset is ambiguous: None, unless ``assume_utc`` (then it is UTC).
    """
    parsed: datetime
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC) if assume_utc else None
    return parsed


def _sentiment(record: dict[str, Any]) -> str | None:
    for source in (record, record.get("labels") or {}, record.get("analysis") or {}):
        value = source.get("sentiment") if isinstance(source, dict) else None
        if isinstance(value, str):
            return value.lower()
    return None


def context_of(record: dict[str, Any], previous: datetime | None = None) -> Context:
    """The rules' view of a data-contract record; ``previous``: the customer's last contact."""
    started = when(record.get("started_at"))
    days = None
    if started is not None and previous is not None and previous <= started:
        days = (started - previous).total_seconds() / 86400
    attributes = record.get("attributes")
    return Context(
        text=interaction_text(record),
        channel=record.get("channel") if isinstance(record.get("channel"), str) else None,
        language=record.get("language") if isinstance(record.get("language"), str) else None,
        attributes={str(k): str(v) for k, v in attributes.items()}
        if isinstance(attributes, dict)
        else {},
        sentiment=_sentiment(record),
        days_since_previous=days,
    )


@dataclass
class Triager:
    """An intent classifier, its calibration at the policy's target and the policy."""

    classifier: Any
    calibration: Calibration
    policy: Policy
    model_version: str = ""
    #: customer id → started_at of the latest contact seen (repeat contacts in a stream).
    history: dict[str, datetime] = field(default_factory=dict)

    def decide_batch(
        self,
        records: Sequence[dict[str, Any]],
        *,
        tenant: str,
        session: Session | None = None,
        previous: Sequence[datetime | None] | None = None,
    ) -> list[Decision]:
        """Decisions for ``records`` (each with text); ``previous`` overrides the history."""
        start = time.perf_counter()
        texts = model_texts([interaction_text(r) for r in records])
        labels, confidence, margin = predictions(self.classifier, texts)
        proba_floor = float(getattr(self.classifier, "threshold_", 0.0))
        decisions = []
        for i, record in enumerate(records):
            customer = record.get("customer_id")
            if previous is not None:
                # The caller knows the earlier contacts (the store): no history kept, so a
                # triager shared between requests holds no state of theirs.
                context = context_of(record, previous[i])
            else:
                before = self.history.get(str(customer))
                context = context_of(record, before if customer is not None else None)
                started = when(record.get("started_at"))
                if customer is not None and started is not None:
                    self.history[str(customer)] = max(started, before) if before else started
            decision = decide(
                str(record.get("id")),
                str(labels[i]),
                float(confidence[i]),
                calibration=self.calibration,
                model_floor=proba_floor,
                policy=self.policy,
                context=context,
                margin=None if margin is None else float(margin[i]),
            )
            if decision.action == "automate":
                decision.answer = answer_for(
                    session, tenant, self.policy.entry(decision.intent), context.language
                )
            decisions.append(decision)
        per_item = (time.perf_counter() - start) * 1000 / max(1, len(records))
        for decision in decisions:
            decision.latency_ms = per_item
            decision.model_version = self.model_version or None
        return decisions
