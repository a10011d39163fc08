"""New intents: "other" decisions clustered into proposals a lead names; named ones train."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from criterio.errors import InvalidInputError, NotFoundError
from criterio.interactions.schemas import InteractionIn
from criterio.interactions.service import store_interactions
from criterio.learning.decisions import human_labels
from criterio.learning.feedback import Feedback, record_many
from criterio.learning.new_intents import accept_proposal, propose_intents

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CRYPTO = ["buy bitcoin with my card", "bitcoin wallet transfer", "sell my bitcoin today"]
CRYPTO += ["bitcoin purchase failed", "bitcoin price in my wallet"]
TRAVEL = ["card abroad on holiday", "travelling abroad will my card work", "abroad card holiday"]


def test_other_decisions_become_proposals_and_a_named_one_enters_training(
    session: Session,
) -> None:
    texts = CRYPTO + TRAVEL + ["refund my money please", "please refund the charge"]
    records = [
        InteractionIn.model_validate(
            {"tenant": "acme", "id": f"c{i}", "started_at": T0.isoformat(), "text": t}
        )
        for i, t in enumerate(texts)
    ]
    store_interactions(session, records)
    said = ["other"] * 4 + ["crypto"] + ["other"] * 3 + ["refund", "refund"]
    record_many(
        session,
        "acme",
        [
            Feedback("intent", by="ana", after={"intent": v}, interaction_id=f"c{i}", at=T0)
            for i, v in enumerate(said)
        ],
    )
    found = propose_intents(session, "acme", min_size=3)
    groups = sorted(sorted(p.members) for p in found)
    assert ["c0", "c1", "c2", "c3"] in groups and ["c5", "c6", "c7"] in groups
    crypto = next(p for p in found if "c0" in p.members)
    assert crypto.names_given == {"other": 4} and "bitcoin" in crypto.suggested_name
    with pytest.raises(InvalidInputError):
        accept_proposal(session, "acme", crypto.key, name="other", by="lead")
    with pytest.raises(NotFoundError):
        accept_proposal(session, "acme", "p-nothing", name="crypto", by="lead")
    later = T0 + timedelta(hours=1)
    assert accept_proposal(session, "acme", crypto.key, name="crypto", by="lead") == 4
    labels = human_labels(session, "acme", known_intents={"refund"})
    assert sorted(r.interaction_id for r in labels.rows if r.intent == "crypto") == [
        f"c{i}" for i in range(5)
    ]
    assert not labels.conflicts and later > T0
    assert [p.members for p in propose_intents(session, "acme", min_size=3)] == [["c5", "c6", "c7"]]
