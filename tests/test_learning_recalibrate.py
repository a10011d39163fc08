"""The learning loop's triage calibration: human decisions as they arrive become evidence,
and doubtful decisions are found for a lead to review."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from criterio.analysis.intents import IntentClassifier
from criterio.interactions.schemas import InteractionIn
from criterio.interactions.service import store_interactions
from criterio.learning.active import doubtful_decisions
from criterio.learning.decisions import human_labels
from criterio.learning.feedback import Feedback, record_many
from criterio.learning.loop import LearnSettings, learn
from criterio.learning.recalibrate import decisions_after, recalibrate
from criterio.learning.service import champion
from criterio.triage.registry import tenant_evidence
from criterio.triage.service import tenant_triager
from tests.test_learning_loop import T0, WORDS, _text


def _store(session: Session, rows: list[tuple[str, str, str | None]], start: int) -> None:
    store_interactions(
        session,
        [
            InteractionIn.model_validate(
                {
                    "tenant": "acme",
                    "id": ident,
                    "started_at": (T0 + timedelta(minutes=start + n)).isoformat(),
                    "text": text,
                    **({"labels": {"intent": label}} if label else {}),
                }
            )
            for n, (ident, text, label) in enumerate(rows)
        ],
    )


def _automatable(session: Session) -> list[str]:
    row = champion(session, "acme", "triage")
    assert row is not None
    return sorted(row.metrics["thresholds"])


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_people_s_decisions_calibrate_the_champion_and_automation_grows(
    session: Session, tmp_path: Path
) -> None:
    settings = LearnSettings(target=0.9, min_holdout=10)
    _store(session, [(f"s-{k}-{i}", _text(k, i), k) for k in WORDS for i in range(6)], 0)
    first = learn(session, "acme", model_dir=tmp_path, by="ana", settings=settings)
    assert first.status == "promoted" and first.triage_version == 1
    # 24 cross-validated predictions cannot show a precision of 0.9: nothing automated.
    assert _automatable(session) == []

    # Agents resolve 40 routed cases of each intent the week after.
    new = [(f"n-{k}-{i}", _text(k, 100 + i), None) for k in WORDS for i in range(40)]
    _store(session, new, 100)
    record_many(
        session,
        "acme",
        [
            Feedback(
                "intent",
                "bob",
                {"intent": ident.split("-")[1]},
                interaction_id=ident,
                at=T0 + timedelta(days=1, minutes=n),
            )
            for n, (ident, _, _) in enumerate(new)
        ],
    )
    second = learn(session, "acme", model_dir=tmp_path, by="ana", settings=settings)
    assert second.triage_version == 2, second.steps
    entry = champion(session, "acme", "triage")
    intent = champion(session, "acme", "intent")
    assert entry is not None and intent is not None
    assert entry.training["intent_model"]["id"] == intent.id
    # Every decision the champion never trained on is verified evidence of it.
    # (A promoted candidate trained on all but the held-out slice; a kept champion on none.)
    assert second.comparison is not None
    held = second.comparison.n if second.status == "promoted" else len(new)
    assert entry.training["verified_decisions"] == held
    assert entry.metrics["verified_rows"] == entry.training["out_of_fold"] + held
    assert _automatable(session) == sorted(WORDS)
    source = tenant_evidence(session, "acme", intent)
    assert source.key[0] == "triage"  # the triager reads the registered calibration
    triager = tenant_triager(session, "acme", target=0.9)
    traffic = [{"id": f"{k}-{i}", "text": _text(k, 300 + i)} for k in WORDS for i in range(20)]
    automated = [d for d in triager.decide_batch(traffic, tenant="acme") if d.action == "automate"]
    assert automated and all(d.id.startswith(d.intent) for d in automated)

    # Nothing new since: no calibration registered again.
    labels = human_labels(session, "acme")
    model = triager.classifier
    cutoff = datetime.fromisoformat(intent.training["decided_until"]) if held < len(new) else None
    again = recalibrate(
        session,
        "acme",
        (intent, model),
        None,
        decisions_after(labels, cutoff, model),
        target=0.9,
        folds=3,
        model_dir=tmp_path,
        by="ana",
    )
    assert again is None


def test_a_decision_the_model_finds_doubtful_is_listed_for_review() -> None:
    texts = [_text(k, i) for k in WORDS for i in range(6)]
    model = IntentClassifier(encoder="static").fit(texts, [k for k in WORDS for _ in range(6)])
    new = [(k, _text(k, 200 + i)) for k in WORDS for i in range(8)]
    given = [k for k, _ in new]
    given[3] = "password"  # an agent's slip on a card_lost message
    given[20] = "other"  # "no intent fits": material for new intents, not a suspect
    ids = [f"d{i}" for i in range(len(new))]
    found = doubtful_decisions(model, ids, [t for _, t in new], given)
    assert [(s.interaction_id, s.given, s.suggested) for s in found][:1] == [
        ("d3", "password", "card_lost")
    ]
    assert "d20" not in {s.interaction_id for s in found}
    assert found[0].given_probability < 0.5 < found[0].suggested_probability


def test_decisions_keep_the_margins_a_margin_floor_reads() -> None:
    from criterio.learning.decisions import LabelledRow
    from criterio.learning.recalibrate import with_decisions
    from criterio.triage.calibration import Evidence

    texts = [_text(k, i) for k in WORDS for i in range(6)]
    model = IntentClassifier(encoder="static").fit(texts, [k for k in WORDS for _ in range(6)])
    rows = [
        LabelledRow(f"r{k}{i}", _text(k, 50 + i), k, T0, "correction")
        for k in WORDS
        for i in range(2)
    ]
    with_margins = Evidence(
        ["card_lost"], [0.9], [True], list(WORDS), [0.4], ["card_lost"], [0], [0.7], [0.1]
    )
    grown = with_decisions(with_margins, model, rows)
    assert len(grown.margin) == len(grown.confidence) == 1 + len(rows)
    assert grown.has_margins() and all(
        0 <= m <= c for m, c in zip(grown.margin[1:], grown.confidence[1:], strict=True)
    )
    # Evidence written before margins were kept stays without them (confidence floor).
    old = Evidence(["card_lost"], [0.9], [True], list(WORDS), [0.4], ["card_lost"])
    assert with_decisions(old, model, rows).margin == []
