"""Daily rows from the records: what the aggregates hold, computed for a range of days.

``contact_rows`` reads the interactions that started in the range (and the seven days
after it, to know who came back) with what happened to each; ``event_rows`` reads the
knowledge, learning and insight events of the range. Both return plain dicts in the
shape of the aggregate tables (``metrics.models``), so the refresh can store them and a
direct computation can sum them without storing anything.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from criterio.metrics.definitions import REPEAT_DAYS, bucket_of
from criterio.metrics.models import SUM_COLUMNS
from criterio.metrics.record_queries import ContactRecords, EventRecords

__all__ = ["Rows", "contact_rows", "day_start", "event_rows", "merge"]

Segment = tuple[date, str, str, str, str]


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of ``day``."""
    return datetime.combine(day, time(), tzinfo=UTC)


@dataclass
class Rows:
    """Aggregate rows of a range of days, as dicts keyed like the tables' columns."""

    daily: list[dict[str, Any]]
    durations: list[dict[str, Any]]
    events: list[dict[str, Any]]


@dataclass
class _Contact:
    id: str
    started: datetime
    customer: str | None
    segment: Segment
    resolved: bool
    escalated: bool
    csat: int | None
    trajectory: str | None
    automated: bool
    reverted: bool
    human: bool
    linked: bool
    new: bool
    hours: float | None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _contacts(records: ContactRecords, lo: datetime, hi: datetime) -> list[_Contact]:
    decisions = {row.interaction_id: row for row in records.decisions(lo, hi)}  # latest wins
    reverted, fed_links, fed_new = set(), set(), set()
    for row in records.feedback(lo, hi, ("automation_reverted", "article_link")):
        if row.kind == "automation_reverted":
            reverted.add(row.interaction_id)
        else:
            fed_links.add(row.interaction_id)
            if (row.after or {}).get("kind") == "created":
                fed_new.add(row.interaction_id)
    linked, created = set(), set()
    for row in records.links(lo, hi):
        if row.kind in ("reused", "created", "improved"):
            linked.add(row.interaction_id)
        if row.kind == "created":
            created.add(row.interaction_id)
    out = []
    for r in records.contacts(lo, hi):
        d = decisions.get(r.external_id)
        started = _aware(r.started_at)
        intent = (r.labels or {}).get("intent") or r.case_intent or (d.intent if d else None)
        segment = (
            started.date(),
            _text(r.queue or (d.queue if d else None) or (r.attributes or {}).get("queue")),
            _text(r.channel),
            _text(r.analysed_language or r.language),
            _text(intent or r.intent_label),
        )
        has_case = r.status is not None
        automated = d.action == "automate" if d is not None else r.handled_by == "bot"
        back = automated and r.external_id in reverted
        if has_case:
            resolved = r.status == "resolved"
        elif automated:
            resolved = not back
        else:
            resolved = r.resolved is True
        human = not automated and (has_case or r.handled_by == "human")
        hours = None
        if human and resolved:
            if has_case and r.resolved_at is not None:
                hours = (_aware(r.resolved_at) - _aware(r.opened_at)).total_seconds() / 3600
            elif not has_case and r.ended_at is not None:
                hours = (_aware(r.ended_at) - started).total_seconds() / 3600
        out.append(
            _Contact(
                id=r.external_id,
                started=started,
                customer=r.customer_id,
                segment=segment,
                resolved=resolved,
                escalated=(d is not None and d.action == "escalate")
                or r.escalated_at is not None
                or r.escalated is True,
                csat=r.csat if r.csat in (1, 2, 3, 4, 5) else None,
                trajectory=r.trajectory,
                automated=automated,
                reverted=back,
                human=human,
                linked=r.external_id in linked or r.external_id in fed_links,
                new=r.external_id in created or r.external_id in fed_new,
                hours=hours,
            )
        )
    return out


def _followed(contacts: list[_Contact]) -> set[str]:
    """Contacts the same customer followed with another about the same intent in 7 days."""
    groups: dict[tuple[str, str], list[_Contact]] = defaultdict(list)
    for c in contacts:
        if c.customer:
            groups[(c.customer, c.segment[4])].append(c)
    window = timedelta(days=REPEAT_DAYS)
    found = set()
    for group in groups.values():
        group.sort(key=lambda c: (c.started, c.id))
        for first, then in itertools.pairwise(group):
            if then.started - first.started <= window:
                found.add(first.id)
    return found


def contact_rows(session: Session, tenant: str, first: date, last: date) -> Rows:
    """The contact rows (``metric_daily``) of days first..last."""
    records = ContactRecords(session, tenant)
    lo, hi = day_start(first), day_start(last + timedelta(days=1))
    contacts = _contacts(records, lo, hi + timedelta(days=REPEAT_DAYS))
    followed = _followed(contacts)
    daily: dict[Segment, Counter[str]] = defaultdict(Counter)
    for c in contacts:
        if c.started >= hi:
            continue
        row = daily[c.segment]
        back = c.id in followed
        row["contacts"] += 1
        row["resolved"] += c.resolved
        row["first_contact_resolved"] += c.resolved and not back
        row["repeats"] += back
        row["escalated"] += c.escalated
        if c.csat is not None:
            row["csat_responses"] += 1
            row["csat_sum"] += c.csat
            row[f"csat_{c.csat}"] += 1
        if c.trajectory in ("recovered", "worsened", "steady"):
            row["sentiment_known"] += 1
            row["sentiment_recovered"] += c.trajectory == "recovered"
            row["sentiment_worsened"] += c.trajectory == "worsened"
        row["automated"] += c.automated
        row["reverted"] += c.reverted
        row["contained"] += c.automated and not c.reverted and not back
        human_resolved = c.human and c.resolved
        row["human_resolved"] += human_resolved
        row["linked"] += human_resolved and c.linked
        row["linked_new"] += human_resolved and c.linked and c.new
        if c.hours is not None:
            row[f"ttr_{bucket_of(c.hours):02d}"] += 1
    return Rows(
        daily=[
            {"tenant": tenant, **_dims(seg), **{k: counts[k] for k in SUM_COLUMNS}}
            for seg, counts in daily.items()
        ],
        durations=[],
        events=[],
    )


def _dims(segment: Segment) -> dict[str, Any]:
    day, queue, channel, language, intent = segment
    return {"day": day, "queue": queue, "channel": channel, "language": language, "intent": intent}


class _Events:
    """Event counts and durations being gathered for a range of days."""

    def __init__(self, tenant: str) -> None:
        self.tenant = tenant
        self.counts: Counter[tuple[date, str, str]] = Counter()
        self.totals: defaultdict[tuple[date, str, str], float] = defaultdict(float)
        self.hours: Counter[tuple[date, str, int]] = Counter()

    def add(self, at: datetime, kind: str, key: Any = "", total: float = 0.0) -> None:
        slot = (_aware(at).date(), kind, _text(key)[:200])
        self.counts[slot] += 1
        self.totals[slot] += total

    def duration(self, at: datetime, measure: str, since: datetime) -> None:
        hours = (_aware(at) - _aware(since)).total_seconds() / 3600
        self.hours[(_aware(at).date(), measure, bucket_of(hours))] += 1

    def rows(self) -> Rows:
        return Rows(
            daily=[],
            durations=[
                {
                    "tenant": self.tenant,
                    **_dims((day, "", "", "", "")),
                    "measure": measure,
                    "bucket": bucket,
                    "count": n,
                }
                for (day, measure, bucket), n in self.hours.items()
            ],
            events=[
                {
                    "tenant": self.tenant,
                    "day": day,
                    "kind": kind,
                    "key": key,
                    "count": n,
                    "total": float(self.totals[(day, kind, key)]),
                }
                for (day, kind, key), n in self.counts.items()
            ],
        )


def event_rows(session: Session, tenant: str, first: date, last: date) -> Rows:
    """The event rows (``metric_events``) and durations of days first..last."""
    lo, hi = day_start(first), day_start(last + timedelta(days=1))
    reader = EventRecords(session, tenant)
    out = _Events(tenant)
    _knowledge(reader, out, lo, hi)
    for row in reader.feedback(lo, hi, ("intent", "triage_override", "article_link")):
        if row.kind == "article_link":
            created = (row.after or {}).get("kind") == "created"
            out.add(row.at, "link_created" if created else "link_reused", row.by)
        elif row.kind == "triage_override" or (row.before or {}).get("intent") != (
            row.after or {}
        ).get("intent"):
            out.add(row.at, "correction", row.by)
    for row in reader.promotions(lo, hi):
        out.add(row.promoted_at, "model_promoted", row.kind)
    for row in reader.resolved_cases(lo, hi):
        if row.assignee:
            out.add(row.resolved_at, "agent_active", row.assignee)
    for row in ContactRecords(session, tenant).human_agents(lo, hi):
        out.add(row.started_at, "agent_active", row.agent_id)
    for row in reader.automated_answers(lo, hi):
        article = (row.answer or {}).get("article")
        if article and (row.answer or {}).get("source") == "article":
            out.add(row.decided_at, "automatic_answer", article)
    for row in reader.insights_touched(lo):
        _insight(out, row, lo, hi)
    return out.rows()


def _knowledge(reader: EventRecords, out: _Events, lo: datetime, hi: datetime) -> None:
    versions = reader.versions(lo, hi)
    validations = [v for v in versions if v.action == "state" and _state(v) == "validated"]
    earlier: dict[int, list[tuple[int, str | None]]] = defaultdict(list)
    if validations:
        for row in reader.state_versions(sorted({v.article_id for v in validations})):
            earlier[row.article_id].append((row.version, (row.content or {}).get("state")))
    for v in versions:
        if v.action == "create":
            out.add(v.at, "article_created", v.by)
        elif v.action == "edit":
            out.add(v.at, "article_improved", v.by)
    for v in validations:
        out.add(v.at, "article_validated", v.by)
        if not any(n < v.version and s == "validated" for n, s in earlier[v.article_id]):
            out.duration(v.at, "capture_to_validated", v.created_at)
    for link in reader.links(lo, hi):
        by = link.by if link.via != "automated" else None
        if link.kind == "flagged":
            out.add(link.at, "article_flagged", by)
        else:
            out.add(link.at, f"link_{link.kind}", by)
        if link.kind == "reused":
            out.add(link.at, "article_reused", link.external_id or link.article_id)
    for review in reader.reviews(lo, hi):
        out.add(review.at, "review", total=float(review.score))
        for item, met in (review.items or {}).items():
            out.add(review.at, "review_item", item, total=1.0 if met else 0.0)


def _insight(out: _Events, row: Any, lo: datetime, hi: datetime) -> None:
    created = _aware(row.created_at)
    gap = row.type == "knowledge_gap"
    if gap and lo <= created < hi:
        out.add(created, "gap_opened")
    for step in row.history or []:
        at = _aware(datetime.fromisoformat(step["at"]))
        if not lo <= at < hi:
            continue
        if step.get("to") == "confirmed":
            out.add(at, "insight_confirmed")
        elif step.get("to") == "actioned":
            out.add(at, "insight_actioned")
            out.duration(at, "detection_to_action", created)
        if gap and step.get("to") in ("actioned", "dismissed"):
            out.add(at, "gap_closed")


def _state(version: Any) -> str | None:
    return (version.content or {}).get("state")


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def merge(parts: Iterable[Rows]) -> Rows:
    """One set of rows from several."""
    rows = Rows([], [], [])
    for part in parts:
        rows.daily += part.daily
        rows.durations += part.durations
        rows.events += part.events
    return rows
