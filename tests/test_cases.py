"""Cases on a real store: opened once per interaction, worked in order, never given twice."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from criterio.assist import (
    escalate_case,
    get_case,
    list_cases,
    next_case,
    open_case,
    open_cases,
    queues_of,
    reopen_case,
    resolve_case,
    set_queue_members,
)
from criterio.errors import InvalidInputError, NotFoundError
from criterio.learning.feedback import Feedback, record_feedback, record_many
from criterio.learning.repository import FeedbackRepository

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_an_interaction_has_one_case_and_queues_are_worked_by_priority_then_age(
    session: Session,
) -> None:
    first = open_case(session, "acme", interaction_id="a", queue="billing", opened_at=T0)
    again = open_case(session, "acme", interaction_id="a", queue="other", priority="urgent")
    assert again.id == first.id and again.queue == "billing"
    assert first.due_at == T0 + timedelta(hours=24)
    open_cases(
        session,
        "acme",
        [
            {"interaction_id": "b", "queue": "billing", "opened_at": T0 + timedelta(hours=1)},
            {"interaction_id": "c", "queue": "billing", "priority": "high"},
            {"interaction_id": "a", "queue": "billing"},
        ],
    )
    open_case(session, "globex", interaction_id="z", queue="billing", priority="urgent")
    order = [c.interaction_id for c in list_cases(session, "acme", queues=["billing"])]
    assert order == ["c", "a", "b"]
    taken = next_case(session, "acme", username="ana", queues=["billing"])
    assert taken is not None and (taken.interaction_id, taken.status) == ("c", "assigned")
    assert taken.assignee == "ana"
    assert next_case(session, "acme", username="ana", queues=["empty"]) is None


def test_resolve_escalate_and_reopen_record_what_people_decided(session: Session) -> None:
    case = open_case(session, "acme", interaction_id="a", queue="tier1", priority="low")
    escalated = escalate_case(
        session, "acme", case.id, reason="needs a refund approval", by="ana", queue="tier2"
    )
    assert (escalated.status, escalated.queue, escalated.priority) == ("open", "tier2", "high")
    resolved = resolve_case(session, "acme", case.id, code="refunded", by="bea")
    assert (resolved.status, resolved.resolution_code, resolved.assignee) == (
        "resolved",
        "refunded",
        "bea",
    )
    with pytest.raises(InvalidInputError, match="already resolved"):
        resolve_case(session, "acme", case.id, code="again", by="bea")
    reopened = reopen_case(session, "acme", case.id, reason="customer came back", by="bea")
    assert (reopened.status, reopened.reopen_count, reopened.resolution_code) == ("open", 1, None)
    events = FeedbackRepository(session, "acme").list(case_id=case.id)
    assert [(e.kind, e.after) for e in events] == [
        ("escalation", {"queue": "tier2", "priority": "high"}),
        ("resolution", {"resolution_code": "refunded"}),
    ]
    with pytest.raises(NotFoundError):
        get_case(session, "globex", case.id)


def test_feedback_is_recorded_once_and_checked(session: Session) -> None:
    item = Feedback(kind="intent", by="ana", interaction_id="a", after={"intent": "refund"}, at=T0)
    assert record_feedback(session, "acme", item) is not None
    rows, repeats = record_many(session, "acme", [item, item])
    assert (rows, repeats) == ([], 2)
    with pytest.raises(InvalidInputError, match="kind: 'guess'"):
        record_feedback(session, "acme", Feedback(kind="guess", by="ana"))
    assert FeedbackRepository(session, "globex").list() == []


def test_queue_members_are_replaced_per_queue(session: Session) -> None:
    set_queue_members(session, "acme", "billing", ["ana", "bea"], by="lead")
    set_queue_members(session, "acme", "billing", ["bea"], by="lead")
    set_queue_members(session, "acme", "tech", ["ana"], by="lead")
    assert queues_of(session, "acme", "ana") == ["tech"]
    assert queues_of(session, "acme", "bea") == ["billing"]


def test_two_agents_asking_at_once_never_get_the_same_case(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    with session_factory() as setup, setup.begin():
        for i in range(6):
            open_case(setup, "acme", interaction_id=f"i{i}", queue="q", opened_at=T0)
    taken: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def agent(name: str) -> None:
        try:
            barrier.wait()
            for _ in range(2):
                with session_factory() as s, s.begin():
                    case = next_case(s, "acme", username=name, queues=["q"])
                    if case is not None:
                        taken.append(case.interaction_id)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=agent, args=(f"agent{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(taken) == [f"i{i}" for i in range(6)]
