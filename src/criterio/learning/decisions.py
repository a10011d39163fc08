"""Human intent decisions as training data: labels, corrections, and their conflicts.

A stored label (``labels.intent`` of an interaction, known ground truth) is the base;
an ``intent`` feedback event (a person corrected or confirmed the model) outranks it,
and a model's prediction is never training data. When people disagree on one
interaction, each person's latest decision is one vote; the intent with most votes
wins, a tie goes to the most recent vote; every such interaction is flagged with the
votes so a lead can look. Decisions naming "other" (no intent fits) or an intent the
tenant does not know are kept apart: they are material for new intents.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from criterio.analysis.names import UNKNOWN
from criterio.learning.repository import FeedbackRepository
from criterio.learning.training import training_examples

__all__ = [
    "NEW_INTENT_REASON",
    "OTHER_LABELS",
    "Conflict",
    "HumanLabels",
    "LabelledRow",
    "human_labels",
]

#: What a person writes when no known intent fits.
OTHER_LABELS = frozenset({"other", UNKNOWN, "oos", "none"})
#: The reason of a lead's decision naming a proposed intent (``learning.new_intents``):
#: it outranks the earlier votes on those interactions and makes the name known.
NEW_INTENT_REASON = "new_intent"


@dataclass(frozen=True)
class LabelledRow:
    """One interaction's intent as people decided it (``at`` None: a stored label)."""

    interaction_id: str
    text: str
    intent: str
    at: datetime | None
    source: str  # "label" or "correction"


@dataclass(frozen=True)
class Conflict:
    """People disagreed on one interaction: the votes and how it was resolved."""

    interaction_id: str
    chosen: str
    votes: dict[str, int]
    resolved_by: str  # "agreement" (most votes) or "recency" (a tie, latest vote)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return dict(self.__dict__)


@dataclass
class HumanLabels:
    """Every labelled interaction of a tenant, and what was set apart or flagged."""

    rows: list[LabelledRow] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    #: Labels a correction replaced.
    overridden: int = 0
    #: Interactions people said no known intent fits, or named an intent not known yet.
    unknown: list[LabelledRow] = field(default_factory=list)
    #: Interactions with text and no human label (what active learning chooses from).
    unlabelled_ids: list[str] = field(default_factory=list)
    unlabelled_texts: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """Counts for the registry and the report (never texts)."""
        sources = Counter(r.source for r in self.rows)
        return {
            "n_examples": len(self.rows),
            "from_labels": sources.get("label", 0),
            "from_corrections": sources.get("correction", 0),
            "labels_overridden": self.overridden,
            "conflicts": len(self.conflicts),
            "set_apart_unknown": len(self.unknown),
        }


def _resolve(events: list[tuple[datetime, int, str, str]]) -> tuple[str, datetime, Conflict | None]:
    """(intent, latest time, conflict or None) from ``(at, id, by, intent)`` events."""
    latest_by: dict[str, tuple[datetime, int, str]] = {}
    for at, ident, by, intent in events:
        if by not in latest_by or (at, ident) > latest_by[by][:2]:
            latest_by[by] = (at, ident, intent)
    votes = Counter(v[2] for v in latest_by.values())
    last_vote = {
        intent: max(v[:2] for v in latest_by.values() if v[2] == intent) for intent in votes
    }
    most = max(votes.values())
    tied = [i for i, n in votes.items() if n == most]
    chosen = max(tied, key=lambda i: last_vote[i])
    when = max(e[0] for e in events)
    if len(votes) == 1:
        return chosen, when, None
    how = "agreement" if len(tied) == 1 else "recency"
    return chosen, when, Conflict("", chosen, dict(votes.most_common()), how)


def human_labels(
    session: Session, tenant: str, *, known_intents: set[str] | None = None
) -> HumanLabels:
    """The tenant's interactions labelled by people, corrections over stored labels.

    ``known_intents``: intents a correction may name to enter training (None: any);
    stored labels always define intents. Others go to ``unknown`` with "other".
    """
    examples = training_examples(session, tenant)
    known = set(known_intents or ()) | {str(v) for v in examples.labels if v is not None}
    events: dict[str, list[tuple[datetime, int, str, str]]] = {}
    named: dict[str, list[tuple[datetime, int, str, str]]] = {}
    for event in FeedbackRepository(session, tenant).list(kinds=["intent"]):
        intent = (event.after or {}).get("intent")
        if event.interaction_id is None or not isinstance(intent, str) or not intent.strip():
            continue
        item = (event.at, event.id, event.by, intent.strip())
        events.setdefault(event.interaction_id, []).append(item)
        if event.reason == NEW_INTENT_REASON:
            named.setdefault(event.interaction_id, []).append(item)
            known.add(intent.strip())
    out = HumanLabels()
    for ident, text, label in zip(examples.ids, examples.texts, examples.labels, strict=True):
        if ident not in events:
            if label is not None and label not in OTHER_LABELS:
                out.rows.append(LabelledRow(ident, text, label, None, "label"))
            else:
                out.unlabelled_ids.append(ident)
                out.unlabelled_texts.append(text)
            continue
        # A lead naming a proposed intent decides for everyone before.
        intent, at, conflict = _resolve(named.get(ident) or events[ident])
        if conflict is not None:
            out.conflicts.append(
                Conflict(ident, conflict.chosen, conflict.votes, conflict.resolved_by)
            )
        row = LabelledRow(ident, text, intent, at, "correction")
        if intent.lower() in OTHER_LABELS or (known_intents is not None and intent not in known):
            out.unknown.append(row)
            continue
        if label is not None and label != intent:
            out.overridden += 1
        out.rows.append(row)
    return out
