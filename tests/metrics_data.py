"""A small hand-built week of records whose every metric is known (docs/metrics.md).

Week of Monday 2026-11-02 to Sunday 2026-11-08, tenant ``acme``; ``c9`` falls after the
week and only makes ``c8`` a repeat. The expected figures are in ``EXPECTED``, worked
out by hand beside each record.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from criterio.annotations.models import AnalysisResult
from criterio.assist.models import Case
from criterio.insights.models import Insight
from criterio.interactions.models import Interaction
from criterio.knowledge.models import Article, ArticleLink, ArticleReview, ArticleVersion
from criterio.learning.models import FeedbackEvent, RegisteredModel
from criterio.metrics.models import MetricSettings
from criterio.triage.models import TriageDecision

T = "acme"
FIRST, LAST = date(2026, 11, 2), date(2026, 11, 8)


def at(day: int, hour: float = 9.0) -> datetime:
    """A time in November 2026 (UTC)."""
    return datetime(2026, 11, day, tzinfo=UTC) + timedelta(hours=hour)


def _interaction(key: str, day: int, customer: str, intent: str, **kw: Any) -> Interaction:
    now = at(day)
    values: dict[str, Any] = {
        "tenant": T, "external_id": key, "channel": "chat", "started_at": now,
        "customer_id": customer, "language": "es", "attributes": {"queue": "billing"},
        "turns": [], "labels": {"intent": intent} if intent else {}, "content_hash": key,
        "created_at": now, "updated_at": now,
    }  # fmt: skip
    values.update(kw)
    return Interaction(**values)


def _decision(key: str, day: int, action: str, intent: str, **kw: Any) -> TriageDecision:
    values: dict[str, Any] = {
        "tenant": T, "interaction_id": key, "action": action, "mode": "live",
        "intent": intent, "confidence": 0.9, "priority": "normal", "reasons": [],
        "decided_at": at(day, 9.01),
    }  # fmt: skip
    values.update(kw)
    return TriageDecision(**values)


def _case(key: str, day: int, queue: str, who: str, hours: float, **kw: Any) -> Case:
    kw.setdefault("intent", "card")
    return Case(
        tenant=T,
        interaction_id=key,
        queue=queue,
        priority="normal",
        priority_rank=2,
        status="resolved",
        assignee=who,
        resolution_code="done",
        reopen_count=0,
        opened_at=at(day, 10),
        due_at=at(day + 1, 10),
        resolved_at=at(day, 10 + hours),
        **kw,
    )


def _feedback(kind: str, key: str | None, by: str, when: datetime, **kw: Any) -> FeedbackEvent:
    return FeedbackEvent(
        tenant=T,
        interaction_id=key,
        kind=kind,
        after=kw.pop("after", {}),
        source="import",
        by=by,
        at=when,
        event_key=f"{kind}-{key}-{by}-{when.isoformat()}",
        **kw,
    )


def _article(external_id: str, title: str, created: datetime) -> Article:
    return Article(
        tenant=T,
        external_id=external_id,
        title=title,
        language="es",
        state="validated",
        audience="customer",
        tags=[],
        intents=[],
        topics=[],
        version=1,
        created_at=created,
        updated_at=created,
    )


def _version(article: Article, n: int, action: str, by: str, when: datetime, state: str) -> Any:
    return ArticleVersion(
        tenant=T,
        article_id=article.id,
        version=n,
        action=action,
        changed=[],
        content={"state": state},
        by=by,
        at=when,
    )


def build(session: Session) -> None:
    """Store the week's records."""
    rows = [
        # c1: imported, person (dan), resolved in 2 h, CSAT 5; k1 writes again on the 5th.
        _interaction("c1", 2, "k1", "billing", handled_by="human", agent_id="dan",
                     resolved=True, csat=5, ended_at=at(2, 11)),
        # c2: k1 again about billing, not resolved, CSAT 1.
        _interaction("c2", 5, "k1", "billing", handled_by="human", agent_id="dan",
                     resolved=False, csat=1),
        # c3: automated, never back: contained.
        _interaction("c3", 2, "k2", ""),
        # c4: automated, reverted; k3 comes back next day (c5).
        _interaction("c4", 3, "k3", ""),
        # c5: routed to cards; ana resolves in 30 min, reusing kb-1.
        _interaction("c5", 4, "k3", ""),
        # c6: escalated; ben resolves in 10 h, creating an article.
        _interaction("c6", 4, "k4", ""),
        # c7: imported, person (cid), resolved, CSAT 4, email in English; linked by import.
        _interaction("c7", 6, "k5", "card", channel="email", language="en",
                     handled_by="human", agent_id="cid", resolved=True, csat=4),
        # c8: imported, answered by a bot; k6 writes again on the 12th (c9).
        _interaction("c8", 8, "k6", "card", handled_by="bot", resolved=True),
        _interaction("c9", 12, "k6", "card", handled_by="human", resolved=True),
    ]  # fmt: skip
    session.add_all(rows)
    session.flush()
    pk = {row.external_id: row.pk for row in rows}
    for key, path in (("c1", "recovered"), ("c2", "worsened"), ("c3", "steady")):
        session.add(
            AnalysisResult(
                interaction_pk=pk[key],
                tenant=T,
                input_hash=key,
                versions_key="{}",
                versions={},
                trajectory=path,
                analyzed_at=at(9),
            )
        )
    kb1 = _article("kb-1", "Cobro duplicado", at(2))
    kb2 = _article("kb-2", "Tarjeta bloqueada", at(5))
    old = _article("kb-old", "Fax", at(1) - timedelta(days=120))
    session.add_all([kb1, kb2, old])
    session.flush()
    session.add_all(
        [
            _decision("c1", 2, "automate", "billing", mode="shadow"),  # shadow: ignored
            _decision("c3", 2, "automate", "card", answer={"article": "kb-1", "source": "article"}),
            _decision("c4", 3, "automate", "card"),
            _decision("c5", 4, "route", "card", queue="cards"),
            _decision("c6", 4, "escalate", "billing", queue="billing"),
            _case("c5", 4, "cards", "ana", 0.5),
            _case("c6", 4, "billing", "ben", 10, escalated_at=at(4, 11), intent="billing"),
            _feedback("automation_reverted", "c4", "system", at(4)),
            _feedback(
                "article_link", "c7", "cid", at(6, 10), after={"article": "kb-1", "kind": "reused"}
            ),
            _feedback(
                "intent",
                "c5",
                "ana",
                at(4, 10),
                before={"intent": "card"},
                after={"intent": "card_lost"},
            ),
            _feedback(
                "intent",
                "c6",
                "ben",
                at(4, 10),
                before={"intent": "billing"},
                after={"intent": "billing"},
            ),
            _version(kb1, 1, "create", "ana", at(2), "wip"),
            _version(kb1, 2, "edit", "ben", at(3), "wip"),
            _version(kb1, 3, "state", "lea", at(4), "validated"),
            _version(kb2, 1, "create", "ben", at(5), "wip"),
            _version(old, 1, "import", "lea", at(1) - timedelta(days=120), "validated"),
            ArticleLink(
                tenant=T,
                article_id=kb1.id,
                article_version=3,
                interaction_id="c5",
                kind="reused",
                via="suggested",
                by="ana",
                at=at(4, 10.5),
            ),
            ArticleLink(
                tenant=T,
                article_id=kb2.id,
                article_version=1,
                interaction_id="c6",
                kind="created",
                via="searched",
                by="ben",
                at=at(5),
            ),
            ArticleLink(
                tenant=T,
                article_id=kb1.id,
                article_version=3,
                interaction_id=None,
                kind="flagged",
                via="searched",
                by="cid",
                at=at(6),
                reason="stale",
            ),
            ArticleReview(
                tenant=T,
                article_id=kb1.id,
                article_version=3,
                score=0.75,
                by="lea",
                at=at(4),
                items={"title": True, "resolution": True, "environment": True, "cause": False},
            ),
            ArticleReview(
                tenant=T,
                article_id=kb2.id,
                article_version=1,
                score=0.5,
                by="lea",
                at=at(6),
                items={"title": True, "resolution": False},
            ),
            RegisteredModel(
                tenant=T,
                kind="intent",
                version=2,
                status="champion",
                created_at=at(6),
                training={},
                training_hash="h",
                path="/m",
                sha256="s",
                metrics={"heldout_accuracy": 0.91},
                promoted_by="lea",
                promoted_at=at(6),
            ),
            _insight("spike", at(2), [("confirmed", at(3)), ("actioned", at(4))]),
            _insight("knowledge_gap", at(3), [("in_review", at(5)), ("dismissed", at(6))]),
            MetricSettings(tenant=T, cost_human=5.0, cost_automated=1.0, currency="EUR", marks={}),
        ]
    )
    session.flush()


def _insight(kind: str, created: datetime, steps: list[tuple[str, datetime]]) -> Insight:
    history, current = [], "new"
    for status, when in steps:
        history.append({"at": when.isoformat(), "from": current, "to": status, "by": "lea"})
        current = status
    return Insight(
        tenant=T,
        fingerprint=kind,
        type=kind,
        segment={},
        period_start=created.date(),
        period_end=created.date(),
        severity=1.0,
        statement=kind,
        language="es",
        evidence={},
        status=current,
        history=history,
        detections=1,
        last_detected_at=created,
        created_at=created,
        updated_at=steps[-1][1],
    )


#: Every figure of the week, worked out by hand from the records above.
EXPECTED: dict[str, Any] = {
    "contacts": 8,  # c1..c8
    "resolution_rate": 6 / 8,  # c1 c3 c5 c6 c7 c8
    "first_contact_resolution": 4 / 8,  # resolved and not followed: c3 c5 c6 c7
    "repeat_contact_rate": 3 / 8,  # c1 (by c2), c4 (by c5), c8 (by c9)
    "escalation_rate": 1 / 8,  # c6
    "csat_responses": 3,
    "csat_mean": 10 / 3,
    "csat_distribution": {"1": 1 / 3, "2": 0.0, "3": 0.0, "4": 1 / 3, "5": 1 / 3},
    "sentiment_recovered_rate": 1 / 3,
    "sentiment_worsened_rate": 1 / 3,
    "time_to_resolution_p50_hours": 2.0,  # 0.5 h, 2 h, 10 h (bucket ≤ 12 h)
    "time_to_resolution_p90_hours": 12.0,
    "automated": 3,  # c3 c4 (triage), c8 (history: bot)
    "automation_rate": 3 / 8,
    "automation_precision": 2 / 3,  # c4 reverted
    "containment_rate": 1 / 8,  # c3 only (c8 came back)
    "human_resolved": 4,  # c1 c5 c6 c7
    "link_rate": 3 / 4,  # c5 reused, c6 created, c7 linked by import
    "known_cases": 2,
    "new_cases": 1,
    "reuse_rate": 2 / 3,
    "coverage_by_intent": {"billing": 0.0, "card": 3 / 5},
    "estimated_savings": 7.0,  # 3 × (5 − 1) − 1 × 5
    "currency": "EUR",
    "links": 3,  # ana reused, ben created, cid (import)
    "articles_created": 2,
    "articles_improved": 1,
    "articles_flagged": 1,
    "articles_validated": 1,
    "capture_to_validated_p50_hours": 48.0,
    "participation": 3 / 4,  # ana, ben, cid contributed; dan only handled contacts
    "contributors": 3,
    "content_standard_score": 0.625,
    "content_standard_items": {
        "cause": 0.0,
        "environment": 1.0,
        "resolution": 0.5,
        "title": 1.0,
    },
    "top_reused_articles": [{"article": "kb-1", "title": "Cobro duplicado", "count": 1}],
    "articles_answering_automatically": [
        {"article": "kb-1", "title": "Cobro duplicado", "count": 1}
    ],
    "articles_not_reused_90d": 1,  # kb-old
    "gaps_opened": 1,
    "gaps_closed": 1,
    "corrections": 1,  # the second intent event confirms
    "corrections_per_week": 1.0,
    "models_promoted": 1,
    "insights_confirmed": 1,
    "insights_actioned": 1,
    "detection_to_action_p50_hours": 48.0,
}
