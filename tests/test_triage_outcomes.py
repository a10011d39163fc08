"""Outcomes of automated answers on a real store: reverts, realised precision, suspension."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from criterio.assist import escalate_case, open_case
from criterio.cli import app
from criterio.db import session_scope
from criterio.insights.models import Insight
from criterio.interactions.ingest import ingest_records
from criterio.interactions.readers.base import RawRecord
from criterio.learning.feedback import Feedback, record_feedback
from criterio.learning.repository import FeedbackRepository
from criterio.triage.calibration import Calibration
from criterio.triage.decision import Decision, decide
from criterio.triage.outcomes import review_outcomes
from criterio.triage.policy import Context
from criterio.triage.service import current_policy, record_decisions
from tests.factories import interaction


def _contact(n: int, customer: str, when: str, intent: str | None = None) -> dict[str, Any]:
    labels = {"intent": intent} if intent else {}
    return interaction(n, customer_id=customer, started_at=when, labels=labels)


def _answer(n: int, intent: str) -> Decision:
    return Decision(
        id=f"c-{n:06d}",
        action="automate",
        intent=intent,
        confidence=0.99,
        threshold=0.9,
        expected_precision=0.97,
        queue=None,
        priority="normal",
    )


def _store(factory: sessionmaker[Session], records: list[dict[str, Any]]) -> None:
    raw = (RawRecord("test", f"record {i}", r) for i, r in enumerate(records, start=1))
    assert ingest_records(factory, raw, tenant="acme").rejected == 0


def test_a_customer_back_about_the_same_intent_reverts_the_answer(
    session_factory: sessionmaker[Session],
) -> None:
    _store(
        session_factory,
        [
            _contact(1, "k-1", "2026-11-16T09:00:00Z"),
            _contact(2, "k-1", "2026-11-17T10:00:00Z", "card_arrival"),  # 25 h later: revert
            _contact(3, "k-2", "2026-11-16T09:00:00Z"),
            _contact(4, "k-2", "2026-11-20T11:00:00Z", "card_arrival"),  # 98 h later: held
            _contact(5, "k-3", "2026-11-16T09:00:00Z"),
            _contact(6, "k-3", "2026-11-16T12:00:00Z", "lost_card"),  # another intent: held
            _contact(7, "k-4", "2026-11-16T09:00:00Z"),
            _contact(8, "k-5", "2026-11-16T09:00:00Z"),
        ],
    )
    with session_scope(session_factory) as session:
        record_decisions(
            session, "acme", [_answer(n, "card_arrival") for n in (1, 3, 5, 7, 8)], None
        )
        # A person reviewed answer 7 and says it was another intent; answer 8's case
        # was escalated (the customer was not helped).
        record_feedback(
            session,
            "acme",
            Feedback(kind="intent", by="ana", interaction_id="c-000007", after={"intent": "fees"}),
        )
        case = open_case(session, "acme", interaction_id="c-000008", queue="general")
        escalate_case(session, "acme", case.id, reason="wrong answer", by="ana")
    with session_scope(session_factory) as session:
        report = review_outcomes(session, "acme")
        reverted = FeedbackRepository(session, "acme").list(kinds=["automation_reverted"])
        assert sorted((e.interaction_id, e.after.get("returned_with")) for e in reverted) == [
            ("c-000001", "c-000002"),
            ("c-000008", None),
        ]
    assert report.new_reverts == 2
    [week] = report.weeks
    assert (week.intent, week.week, week.answered, week.reverted, week.reviewed_wrong) == (
        "card_arrival",
        "2026-W47",
        5,
        2,
        1,
    )
    assert week.precision == 0.4
    assert report.suspended == {}  # 5 answers are too few to judge
    with session_scope(session_factory) as session:
        assert review_outcomes(session, "acme").new_reverts == 0  # recorded once


def test_an_intent_under_target_goes_back_to_routing_and_an_insight_says_so(
    session_factory: sessionmaker[Session], cli: CliRunner
) -> None:
    records = []
    for n in range(1, 25):
        records.append(_contact(n, f"k-{n}", "2026-11-16T09:00:00Z"))
    for n in range(1, 5):  # four customers come back the next day: 20 of 24 held
        records.append(_contact(100 + n, f"k-{n}", "2026-11-17T09:00:00Z", "card_arrival"))
    _store(session_factory, records)
    with session_scope(session_factory) as session:
        record_decisions(session, "acme", [_answer(n, "card_arrival") for n in range(1, 25)], None)
    done = cli.invoke(app, ["triage", "outcomes", "--tenant", "acme", "--json"])
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert report["new_reverts"] == 4 and report["policy_version"] == 1
    assert (
        "realised precision 0.83 under the target 0.95 on 24 answers"
        in report["suspended"]["card_arrival"]
    )
    with session_scope(session_factory) as session:
        policy = current_policy(session, "acme")
        insight = session.scalars(
            select(Insight).where(Insight.type == "automation_suspended")
        ).one()
    assert insight.segment == {"intent": "card_arrival"}
    assert insight.statement.startswith("Automation of card_arrival was suspended: 83% of its 24")
    calibration = Calibration(target=0.95, confidence_level=0.95, floor=0.1, min_support=30)
    decision = decide(
        "x",
        "card_arrival",
        0.99,
        calibration=calibration,
        model_floor=0.0,
        policy=policy,
        context=Context(channel="chat"),
    )
    assert decision.action == "route"
    assert decision.reasons[0].startswith("automation of intent card_arrival is suspended")


def test_people_review_a_sample_of_answers_and_their_verdicts_count(
    session_factory: sessionmaker[Session], cli: CliRunner
) -> None:
    _store(session_factory, [_contact(n, f"k-{n}", "2026-11-16T09:00:00Z") for n in range(1, 6)])
    with session_scope(session_factory) as session:
        record_decisions(session, "acme", [_answer(n, "card_arrival") for n in range(1, 6)], None)
    drawn = cli.invoke(app, ["triage", "sample", "--tenant", "acme", "--size", "2"])
    assert drawn.exit_code == 0, drawn.output
    picked = [json.loads(line)["id"] for line in drawn.stdout.splitlines()]
    assert len(picked) == 2 and set(picked) <= {f"c-{n:06d}" for n in range(1, 6)}
    wrong = ["triage", "review", picked[0], "--wrong", "--intent", "fees", "--tenant", "acme"]
    assert cli.invoke(app, wrong).exit_code == 0
    right = cli.invoke(app, ["triage", "review", picked[1], "--right", "--tenant", "acme"])
    assert "answer right, recorded" in right.stderr
    again = cli.invoke(app, ["triage", "sample", "--tenant", "acme", "--size", "5"])
    assert not set(picked) & {json.loads(line)["id"] for line in again.stdout.splitlines()}
    missing = cli.invoke(app, ["triage", "review", "nope", "--right", "--tenant", "acme"])
    assert missing.exit_code == 1 and "has no triage decision" in missing.stderr
    with session_scope(session_factory) as session:
        [week] = review_outcomes(session, "acme").weeks
    assert (week.answered, week.reviewed, week.reviewed_wrong, week.precision) == (5, 2, 1, 0.8)
