"""Feedback events: every decision a person makes about a machine output, recorded once.

Pages, API, CLI and imports all record through :func:`record_feedback`, so the
learning loop and the metrics read one table. An event's key is a digest of what it
says (interaction, kind, decision, who, when): a retried request or a re-imported file
records nothing new.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from criterio.errors import InvalidInputError
from criterio.learning.models import FEEDBACK_KINDS, FeedbackEvent
from criterio.learning.repository import FeedbackRepository

__all__ = ["SOURCES", "Feedback", "event_key", "record_feedback", "record_many"]

#: Where a decision was made.
SOURCES = ("page", "api", "cli", "import", "system")


@dataclass
class Feedback:
    """One decision to record (what :func:`record_feedback` takes)."""

    kind: str
    by: str
    after: dict[str, Any] = field(default_factory=dict)
    interaction_id: str | None = None
    before: dict[str, Any] | None = None
    reason: str | None = None
    source: str = "api"
    case_id: int | None = None
    model_version: str | None = None
    at: datetime | None = None


def event_key(feedback: Feedback, at: datetime) -> str:
    """The digest that identifies an event: the same decision twice has the same key."""
    body = json.dumps(
        [feedback.interaction_id, feedback.kind, feedback.after, feedback.by, at.isoformat()],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _check(feedback: Feedback) -> None:
    if feedback.kind not in FEEDBACK_KINDS:
        raise InvalidInputError(
            f"kind: {feedback.kind!r} is not one of {', '.join(FEEDBACK_KINDS)}"
        )
    if feedback.source not in SOURCES:
        raise InvalidInputError(f"source: {feedback.source!r} is not one of {', '.join(SOURCES)}")
    if not feedback.by.strip():
        raise InvalidInputError("by: who decided is required")


def record_many(
    session: Session, tenant: str, items: list[Feedback]
) -> tuple[list[FeedbackEvent], int]:
    """Record decisions not recorded yet; returns the new rows and how many were repeats."""
    now = datetime.now(UTC)
    keyed: dict[str, tuple[Feedback, datetime]] = {}
    for item in items:
        _check(item)
        at = item.at if item.at is not None else now
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        keyed.setdefault(event_key(item, at), (item, at))
    seen = FeedbackRepository(session, tenant).by_keys(list(keyed))
    rows = [
        FeedbackEvent(
            tenant=tenant,
            interaction_id=item.interaction_id,
            kind=item.kind,
            before=item.before,
            after=item.after,
            reason=item.reason,
            source=item.source,
            case_id=item.case_id,
            model_version=item.model_version,
            by=item.by,
            at=at,
            event_key=key,
        )
        for key, (item, at) in keyed.items()
        if key not in seen
    ]
    session.add_all(rows)
    session.flush()
    return rows, len(items) - len(rows)


def record_feedback(session: Session, tenant: str, feedback: Feedback) -> FeedbackEvent | None:
    """Record one decision; None when the same decision was recorded before."""
    rows, _ = record_many(session, tenant, [feedback])
    return rows[0] if rows else None
