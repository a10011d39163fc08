"""Decisions made in another tool, brought in as feedback events (file or API).

One record a line (JSON Lines) or one item of the API's list::

    {"interaction_id": "c-1", "kind": "intent", "value": "card_arrival",
     "by": "ana", "at": "2026-11-02T09:14:05Z"}

``value`` is what the person decided: an object is stored as it is (the event's
``after``); a plain value is stored under the kind's own key (``intent`` for an intent,
``action`` for a triage override, ``article_id`` for article decisions...). ``at`` is
required, with its zone: it is part of what makes a re-import of the same file record
nothing new. A bad record is reported with its line (or index) and field, and the good
ones are recorded.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from criterio.errors import InvalidInputError
from criterio.interactions.repository import InteractionRepository
from criterio.learning.feedback import Feedback, record_many
from criterio.learning.models import FEEDBACK_KINDS

__all__ = [
    "VALUE_KEYS",
    "FeedbackFieldError",
    "ImportReport",
    "RecordError",
    "import_feedback",
    "parse_feedback_lines",
    "parse_feedback_record",
]

#: The key a plain ``value`` is stored under, by kind (others: ``value``).
VALUE_KEYS = {
    "intent": "intent",
    "triage_override": "action",
    "article_link": "article_id",
    "article_created": "article_id",
    "article_flagged": "article_id",
    "suggestion_accepted": "article_id",
    "suggestion_rejected": "article_id",
    "reply_sent": "text",
    "resolution": "resolution_code",
    "escalation": "queue",
    "automation_reverted": "reverted",
    "insight_reviewed": "status",
}
_FIELDS = {"interaction_id", "kind", "value", "by", "at", "reason", "before", "model_version"}
MAX_TEXT = 200


@dataclass(frozen=True)
class RecordError:
    """Why one record was refused: where (line or index), which field, what is wrong."""

    where: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: field {self.field!r}: {self.message}"


class FeedbackFieldError(InvalidInputError):
    """A record refused because of one field (``field``) and why (``detail``)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.field = name
        self.detail = message


def _text(record: dict[str, Any], name: str, *, required: bool) -> str | None:
    value = record.get(name)
    if value is None:
        if required:
            raise FeedbackFieldError(name, "is required")
        return None
    if not isinstance(value, str) or not value.strip():
        raise FeedbackFieldError(name, "must be a non-empty string")
    if len(value) > MAX_TEXT:
        raise FeedbackFieldError(name, f"longer than {MAX_TEXT} characters")
    return value.strip()


def _when(value: Any) -> datetime:
    if not isinstance(value, str):
        raise FeedbackFieldError("at", "is required: an ISO 8601 time with its zone")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise FeedbackFieldError("at", f"{value!r} is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        raise FeedbackFieldError("at", f"{value!r} has no time zone (add Z or +01:00)")
    return parsed


def parse_feedback_record(record: Any, *, source: str = "import") -> Feedback:
    """One import record as a :class:`Feedback`; InvalidInputError naming the field."""
    if not isinstance(record, dict):
        raise FeedbackFieldError("(record)", "not a JSON object")
    unknown = sorted(str(k) for k in record if k not in _FIELDS)
    if unknown:
        raise FeedbackFieldError(unknown[0], f"unknown field (known: {', '.join(sorted(_FIELDS))})")
    kind = record.get("kind")
    if kind not in FEEDBACK_KINDS:
        raise FeedbackFieldError("kind", f"{kind!r} is not one of {', '.join(FEEDBACK_KINDS)}")
    interaction_id = _text(record, "interaction_id", required=kind != "insight_reviewed")
    by = _text(record, "by", required=True)
    assert by is not None
    at = _when(record.get("at"))
    if "value" not in record or record["value"] is None:
        raise FeedbackFieldError("value", "is required: what the person decided")
    value = record["value"]
    if isinstance(value, dict):
        after = {str(k): v for k, v in value.items()}
    elif isinstance(value, (str, int, float, bool)) and not (
        isinstance(value, str) and not value.strip()
    ):
        after = {VALUE_KEYS.get(kind, "value"): value.strip() if isinstance(value, str) else value}
    else:
        raise FeedbackFieldError(
            "value", "must be a non-empty string, a number, a boolean or an object"
        )
    if not after:
        raise FeedbackFieldError("value", "an empty object says nothing")
    intent = after.get("intent")
    if kind == "intent" and not (isinstance(intent, str) and intent.strip()):
        raise FeedbackFieldError(
            "value", 'an intent decision names the intent ("x" or {"intent": "x"})'
        )
    before = record.get("before")
    if before is not None and not isinstance(before, dict):
        raise FeedbackFieldError("before", "must be an object (what the machine said)")
    reason = record.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise FeedbackFieldError("reason", "must be a string")
    return Feedback(
        kind=kind,
        by=by,
        after=after,
        interaction_id=interaction_id,
        before=before,
        reason=reason,
        source=source,
        model_version=_text(record, "model_version", required=False),
        at=at,
    )


def parse_feedback_lines(
    lines: Iterable[str], *, name: str = "(input)"
) -> tuple[list[tuple[str, Feedback]], list[RecordError]]:
    """Records of a JSON Lines text: ``(where, feedback)`` of the good ones, and the errors."""
    good: list[tuple[str, Feedback]] = []
    errors: list[RecordError] = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        where = f"{name}:{number}"
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            errors.append(RecordError(where, "(line)", f"not JSON ({exc.msg})"))
            continue
        try:
            good.append((where, parse_feedback_record(record)))
        except FeedbackFieldError as exc:
            errors.append(RecordError(where, exc.field, exc.detail))
    return good, errors


@dataclass
class ImportReport:
    """What an import did: events recorded, repeats skipped, records refused."""

    recorded: int = 0
    duplicates: int = 0
    errors: list[RecordError] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (errors as where, field, message)."""
        return {
            "recorded": self.recorded,
            "duplicates": self.duplicates,
            "errors": [e.__dict__ for e in self.errors],
        }


def import_feedback(
    session: Session, tenant: str, items: list[tuple[str, Feedback]]
) -> ImportReport:
    """Record parsed decisions of interactions the tenant has; an unknown id is an error.

    Re-importing the same records records nothing new (their keys are known).
    """
    report = ImportReport()
    ids = sorted({f.interaction_id for _, f in items if f.interaction_id is not None})
    known = set(InteractionRepository(session, tenant).existing(ids))
    keep: list[Feedback] = []
    for where, item in items:
        if item.interaction_id is not None and item.interaction_id not in known:
            report.errors.append(
                RecordError(
                    where,
                    "interaction_id",
                    f"no interaction {item.interaction_id!r} in tenant {tenant!r}",
                )
            )
            continue
        keep.append(item)
    rows, repeats = record_many(session, tenant, keep)
    report.recorded, report.duplicates = len(rows), repeats
    return report
