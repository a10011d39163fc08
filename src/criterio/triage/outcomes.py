"""What happened after automated answers: reverts, realised precision, and suspension.

An automated answer is **reverted** when the same customer comes back about the same
intent within 72 hours (the later contact's human label, else its triage intent), or
when the interaction's case was reopened or escalated; a person's review also counts
(a ``triage_override`` event, or an ``intent`` correction naming another intent, marks
it wrong). Each revert is recorded once as an ``automation_reverted`` feedback event.

The **realised precision** of an intent in a week is 1 − (reverted or reviewed
wrong) ÷ answered. When, over the last four weeks, an intent answered at least
``MIN_ANSWERS`` times and realised less than the target, its automation is suspended
by itself: a new policy version lists it under ``suspended`` with the figures, and an
``automation_suspended`` insight says so, for a lead to review.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from criterio.assist.repository import CaseRepository
from criterio.learning.feedback import Feedback, record_feedback, record_many
from criterio.learning.models import FeedbackEvent
from criterio.learning.repository import FeedbackRepository
from criterio.triage.models import TriageDecision
from criterio.triage.repository import ContactRepository, DecisionRepository

__all__ = [
    "MIN_ANSWERS",
    "REVERT_HOURS",
    "WINDOW_DAYS",
    "IntentWeek",
    "OutcomeReport",
    "record_review",
    "review_outcomes",
    "review_sample",
]

#: A customer back about the same intent within this many hours reverts the answer.
REVERT_HOURS = 72
#: Answers an intent needs in the window before its realised precision can suspend it.
MIN_ANSWERS = 20
#: The window realised precision is judged on.
WINDOW_DAYS = 28
#: Who records what the system finds.
SYSTEM = "criterio"


@dataclass
class IntentWeek:
    """Realised precision of one intent's automated answers in one ISO week."""

    intent: str
    week: str
    answered: int = 0
    reverted: int = 0
    #: Answers a person checked (right or wrong), and those found wrong.
    reviewed: int = 0
    reviewed_wrong: int = 0

    @property
    def precision(self) -> float:
        """1 − (reverted or reviewed wrong) ÷ answered."""
        return 1.0 - (self.reverted + self.reviewed_wrong) / self.answered if self.answered else 1.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready figures."""
        return {
            "intent": self.intent,
            "week": self.week,
            "answered": self.answered,
            "reverted": self.reverted,
            "reviewed": self.reviewed,
            "reviewed_wrong": self.reviewed_wrong,
            "realised_precision": round(self.precision, 4),
        }


@dataclass
class OutcomeReport:
    """What one review of outcomes found and did."""

    new_reverts: int = 0
    weeks: list[IntentWeek] = field(default_factory=list)
    #: intent → the reason written into the policy.
    suspended: dict[str, str] = field(default_factory=dict)
    policy_version: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready report (what `criterio triage outcomes --json` prints)."""
        return {
            "new_reverts": self.new_reverts,
            "weeks": [w.as_dict() for w in self.weeks],
            "suspended": self.suspended,
            "policy_version": self.policy_version,
        }


def _week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


Contacts = dict[str, tuple[str | None, datetime]]


def _find_reverts(
    session: Session, tenant: str, answers: list[TriageDecision], contacts: Contacts
) -> list[Feedback]:
    """Revert events for answers whose customer came back, or whose case was reopened."""
    ids = [d.interaction_id for d in answers]
    events: list[Feedback] = []
    customers = sorted({c for c, _ in contacts.values() if c})
    if customers:
        starts = [t for _, t in contacts.values()]
        later = ContactRepository(session, tenant).later_contacts(
            customers, min(starts), max(starts) + timedelta(hours=REVERT_HOURS)
        )
        intents = DecisionRepository(session, tenant).intents_of([row[0] for row in later])
        by_customer: dict[str, list[tuple[str, datetime, str | None]]] = defaultdict(list)
        for other, customer, started, labels in later:
            by_customer[customer].append(
                (other, _aware(started), labels.get("intent") or intents.get(other))
            )
        for answer in answers:
            if answer.interaction_id not in contacts:
                continue
            who, started = contacts[answer.interaction_id]
            if who is None:
                continue
            for other, when, intent in sorted(by_customer.get(who, []), key=lambda r: r[1]):
                hours = (when - started).total_seconds() / 3600
                if (
                    other != answer.interaction_id
                    and 0 < hours <= REVERT_HOURS
                    and intent == answer.intent
                ):
                    events.append(
                        _revert(answer, {"returned_with": other, "hours": round(hours, 1)}, when)
                    )
                    break
    cases = CaseRepository(session, tenant).by_interactions(ids)
    for answer in answers:
        case = cases.get(answer.interaction_id)
        if case is not None and (case.reopen_count > 0 or case.escalated_at is not None):
            what = "reopened" if case.reopen_count > 0 else "escalated"
            moment = case.reopened_at or case.escalated_at or answer.decided_at
            events.append(_revert(answer, {"case": what, "case_id": case.id}, _aware(moment)))
    return events


def _revert(answer: TriageDecision, after: dict[str, Any], at: datetime) -> Feedback:
    return Feedback(
        kind="automation_reverted",
        by=SYSTEM,
        source="system",
        interaction_id=answer.interaction_id,
        before={"intent": answer.intent, "decision_id": answer.id},
        after=after,
        model_version=answer.model_version,
        at=at,
    )


def _weeks(
    session: Session, tenant: str, answers: list[TriageDecision], contacts: Contacts
) -> dict[tuple[str, str], IntentWeek]:
    """Answered, reverted and reviewed-wrong counts per intent and week of the contact."""
    ids = [a.interaction_id for a in answers]
    feedback = FeedbackRepository(session, tenant).list(
        kinds=["automation_reverted", "triage_override", "intent"]
    )
    wanted = set(ids)
    reverted = {e.interaction_id for e in feedback if e.kind == "automation_reverted"}
    overridden = {e.interaction_id for e in feedback if e.kind == "triage_override"}
    corrected = {
        e.interaction_id: e.after.get("intent")
        for e in feedback
        if e.kind == "intent" and e.interaction_id in wanted
    }
    weeks: dict[tuple[str, str], IntentWeek] = {}
    for answer in answers:
        contact = contacts.get(answer.interaction_id)
        key = (answer.intent, _week(contact[1] if contact else _aware(answer.decided_at)))
        cell = weeks.setdefault(key, IntentWeek(*key))
        cell.answered += 1
        if answer.interaction_id in overridden or answer.interaction_id in corrected:
            cell.reviewed += 1
        if answer.interaction_id in reverted:
            cell.reverted += 1
        elif (
            answer.interaction_id in overridden
            or corrected.get(answer.interaction_id, answer.intent) != answer.intent
        ):
            cell.reviewed_wrong += 1
    return weeks


def review_outcomes(
    session: Session, tenant: str, *, now: datetime | None = None, by: str = SYSTEM
) -> OutcomeReport:
    """Record new reverts, compute realised precision, and suspend intents below target."""
    from criterio.triage.service import current_policy, set_policy

    now = _aware(now or datetime.now(UTC))
    since = now - timedelta(days=WINDOW_DAYS)
    latest = {a.interaction_id: a for a in DecisionRepository(session, tenant).automated(since)}
    answers = sorted(latest.values(), key=lambda a: (a.decided_at, a.id))
    contacts: Contacts = {
        i: (c, _aware(t)) for i, c, t in ContactRepository(session, tenant).contacts(list(latest))
    }
    report = OutcomeReport()
    rows, _ = record_many(session, tenant, _find_reverts(session, tenant, answers, contacts))
    report.new_reverts = len(rows)
    weeks = _weeks(session, tenant, answers, contacts)
    report.weeks = sorted(weeks.values(), key=lambda w: (w.intent, w.week))
    policy = current_policy(session, tenant)
    totals: dict[str, IntentWeek] = {}
    for cell in weeks.values():
        total = totals.setdefault(cell.intent, IntentWeek(cell.intent, "window"))
        total.answered += cell.answered
        total.reverted += cell.reverted
        total.reviewed_wrong += cell.reviewed_wrong
    for intent, total in sorted(totals.items()):
        if (
            intent in policy.suspended
            or total.answered < MIN_ANSWERS
            or total.precision >= policy.target_precision
        ):
            continue
        report.suspended[intent] = (
            f"realised precision {total.precision:.2f} under the target "
            f"{policy.target_precision:.2f} on {total.answered} answers in the "
            f"{WINDOW_DAYS} days to {now.date()} ({total.reverted} reverted, "
            f"{total.reviewed_wrong} reviewed wrong)"
        )
    if report.suspended:
        body = policy.model_dump(mode="json", exclude={"version"})
        body["suspended"] = {**policy.suspended, **report.suspended}
        report.policy_version = set_policy(session, tenant, body, by=by).version
        for intent, total in totals.items():
            if intent in report.suspended:
                _suspension_insight(session, tenant, total, policy.target_precision, since, now)
    return report


def _suspension_insight(
    session: Session,
    tenant: str,
    total: IntentWeek,
    target: float,
    since: datetime,
    now: datetime,
) -> None:
    """An insight saying the intent went back to routing, in the review flow."""
    from criterio.insights.models import Insight
    from criterio.insights.repository import InsightRepository

    figures = {
        "intent": total.intent,
        "answered": total.answered,
        "reverted": total.reverted,
        "reviewed_wrong": total.reviewed_wrong,
        "realised_precision": round(total.precision, 4),
        "target": target,
    }
    start: date = since.date()
    fingerprint = hashlib.sha256(
        f"automation_suspended:{total.intent}:{now.date()}".encode()
    ).hexdigest()[:32]
    repo = InsightRepository(session, tenant)
    if repo.by_fingerprint(fingerprint):
        return
    from criterio.patterns import Detection, segment_key, statement

    detection = Detection(
        type="automation_suspended",
        segment=segment_key({"intent": total.intent}),
        start=start,
        end=now.date(),
        impact=0.0,
        strength=0.0,
        magnitude=0.0,
        figures=figures,
    )
    repo.add(
        Insight(
            tenant=tenant,
            fingerprint=fingerprint,
            type="automation_suspended",
            segment={"intent": total.intent},
            period_start=start,
            period_end=now.date(),
            severity=float(min(100, 50 + 100 * (target - total.precision))),
            statement=statement(detection, "en"),
            language="en",
            evidence={"figures": figures, "chart": {}, "examples": []},
            status="new",
            history=[],
            detections=1,
            ongoing=True,
            last_detected_at=now,
            created_at=now,
            updated_at=now,
        )
    )


def review_sample(
    session: Session, tenant: str, *, size: int = 50, days: int = WINDOW_DAYS, seed: int = 0
) -> list[TriageDecision]:
    """A seeded random sample of recent automated answers nobody reviewed yet."""
    import random

    since = datetime.now(UTC) - timedelta(days=days)
    latest = {a.interaction_id: a for a in DecisionRepository(session, tenant).automated(since)}
    reviewed = {
        e.interaction_id
        for e in FeedbackRepository(session, tenant).list(kinds=["triage_override", "intent"])
    }
    pool = sorted((a for i, a in latest.items() if i not in reviewed), key=lambda a: a.id)
    return random.Random(seed).sample(pool, min(size, len(pool)))  # noqa: S311 - a sample


def record_review(
    session: Session,
    tenant: str,
    interaction_id: str,
    *,
    right: bool,
    by: str,
    intent: str | None = None,
    note: str | None = None,
    source: str = "cli",
) -> FeedbackEvent | None:
    """A person's verdict on an automated answer: right (the intent confirmed) or wrong.

    Wrong is a ``triage_override`` (with the right intent when given); right is an
    ``intent`` event confirming the answered intent. Both count in realised precision.
    """
    from criterio.errors import NotFoundError

    answered = DecisionRepository(session, tenant).intents_of([interaction_id])
    if interaction_id not in answered:
        raise NotFoundError(f"interaction {interaction_id!r} has no triage decision")
    machine = {"intent": answered[interaction_id], "action": "automate"}
    feedback = (
        Feedback(
            kind="intent",
            by=by,
            interaction_id=interaction_id,
            before=machine,
            after={"intent": answered[interaction_id]},
            reason=note,
            source=source,
        )
        if right
        else Feedback(
            kind="triage_override",
            by=by,
            interaction_id=interaction_id,
            before=machine,
            after={"action": "route", "intent": intent},
            reason=note,
            source=source,
        )
    )
    return record_feedback(session, tenant, feedback)
