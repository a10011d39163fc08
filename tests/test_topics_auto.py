"""Topics without a manual step: ingest → analyze → detect on unlabelled interactions.

`criterio analyze` with no options discovers the tenant's topics, registers and
promotes the model, and assigns topics; detection then finds a reason-level spike;
a refresh keeps the ids (and labels) of the topics that are still there. Both stores.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner, Result

from criterio.analysis.topics.labels import STOP_WORDS
from criterio.annotations.models import AnalysisResult
from criterio.cli import app
from criterio.db import make_engine, session_scope
from criterio.interactions import ingest_files
from criterio.interactions.models import Interaction
from criterio.jobs.tasks import JobContext, run_job
from criterio.learning.service import champion
from tests.factories import interaction, write_jsonl
from tests.topics_data import REASONS, month


def _run(cli: CliRunner, *args: str) -> Result:
    result = cli.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def _ingest(cli: CliRunner, tmp_path: Path, records: list[dict[str, Any]], name: str) -> None:
    _run(cli, "ingest", str(write_jsonl(tmp_path / name, records)), "--errors", str(tmp_path / "e"))


def _topics_by_reason(database_url: str) -> dict[str, Counter[tuple[int, str]]]:
    """Each reason's (topic id, label) counts, the reason read back from the text."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            rows = session.execute(
                select(AnalysisResult.topic_id, AnalysisResult.topic_label, Interaction.turns).join(
                    Interaction, Interaction.pk == AnalysisResult.interaction_pk
                )
            ).all()
    finally:
        engine.dispose()
    out: dict[str, Counter[tuple[int, str]]] = {}
    for topic, label, turns in rows:
        text = turns[0]["text"]
        reason = next((r for r, (_, _, ways) in REASONS.items() if text in ways), None)
        if reason is None:  # a reason added later in the test
            continue
        out.setdefault(reason, Counter())[(topic, label)] += 1
    return out


def _assignments(database_url: str) -> dict[str, tuple[int, str]]:
    """Each analysed interaction's (topic id, label) by its id."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            rows = session.execute(
                select(
                    Interaction.external_id, AnalysisResult.topic_id, AnalysisResult.topic_label
                ).join(Interaction, Interaction.pk == AnalysisResult.interaction_pk)
            ).all()
    finally:
        engine.dispose()
    return {ext: (topic, label) for ext, topic, label in rows}


def _words(text: str) -> str:
    return " ".join(re.findall(r"[^\W\d_]{2,}", text.lower()))


def _labels(found: dict[str, Counter[tuple[int, str]]]) -> dict[str, set[str]]:
    """The labels of the topics each reason makes most of; the reasons are told apart."""
    per_topic: dict[tuple[int, str], Counter[str]] = {}
    for reason, counts in found.items():
        assigned = sum(n for (topic, _), n in counts.items() if topic >= 0)
        assert assigned >= 0.9 * sum(counts.values()), (reason, counts)
        for key, n in counts.items():
            if key[0] >= 0:
                per_topic.setdefault(key, Counter())[reason] += n
    out: dict[str, set[str]] = {}
    for (_, label), reasons in per_topic.items():
        out.setdefault(reasons.most_common(1)[0][0], set()).add(label)
    assert set(out) == set(REASONS)
    # Nearly every contact is in a topic made mostly of its own reason.
    pure = sum(r.most_common(1)[0][1] for r in per_topic.values())
    assert pure >= 0.85 * sum(sum(r.values()) for r in per_topic.values()), per_topic
    return out


def test_analyze_discovers_topics_and_detect_finds_a_reason_spike(
    cli: CliRunner, database_url: str, tmp_path: Path
) -> None:
    _ingest(cli, tmp_path, month("acme", spike="factura"), "month.jsonl")

    analysed = _run(cli, "analyze", "--workers", "1")

    assert "no topic model: discovered" in analysed.output
    (model,) = json.loads(_run(cli, "models", "list", "--json", "--kind", "topics").stdout)
    assert (model["tenant"], model["status"]) == ("acme", "champion")
    labels = _labels(_topics_by_reason(database_url))
    for reason, names in labels.items():
        language, _, ways = REASONS[reason]
        for label in names:
            # A phrase of its own texts, in their language (some of its words are used
            # only in that language), with no stop word at either end.
            assert any(label in _words(w) for w in ways), (reason, label)
            assert 2 <= len(label.split()) <= 4
            other = " ".join(
                _words(w) for lang, _, ws in REASONS.values() if lang != language for w in ws
            )
            assert set(label.split()) - set(other.split()), (reason, label)
            assert label.split()[0] not in STOP_WORDS and label.split()[-1] not in STOP_WORDS

    _run(cli, "insights", "detect")

    insights = json.loads(_run(cli, "insights", "list", "--json").stdout)
    about = [i for i in insights if (i["segment"] or {}).get("topic") in labels["factura"]]
    assert any(i["type"] == "spike" for i in about), [(i["type"], i["segment"]) for i in insights]


def test_a_refresh_keeps_the_ids_of_topics_still_there(
    cli: CliRunner, database_url: str, tmp_path: Path
) -> None:
    _ingest(cli, tmp_path, month("acme"), "month.jsonl")
    _run(cli, "analyze", "--workers", "1")
    before = _assignments(database_url)
    by_reason = _topics_by_reason(database_url)

    # A new reason, a third of the contacts.
    new_reason = [
        interaction(
            10_000 + i,
            id=f"acme-new-{i}",
            language="es",
            started_at=f"2026-12-{1 + i % 5:02d}T10:{i % 60:02d}:00Z",
            turns=[{"role": "customer", "text": text}],
            labels={},
        )
        for i, text in enumerate(
            [
                "quiero cambiar la tarifa a la de fibra",
                "me gustaría cambiar la tarifa del móvil",
                "se puede cambiar la tarifa sin permanencia",
            ]
            * 60
        )
    ]
    _ingest(cli, tmp_path, new_reason, "new.jsonl")
    # The champion puts them in its nearest topics (few fit none): no refresh is due.
    quiet = _run(cli, "analyze", "--workers", "1")
    assert "discovered" not in quiet.output

    # On demand: discovered again, a candidate until promoted.
    _run(cli, "topics", "discover", "--tenant", "acme")
    candidate, champion = json.loads(_run(cli, "models", "list", "--json").stdout)[:2]
    assert (candidate["status"], champion["status"]) == ("candidate", "champion")
    assert candidate["metrics"]["topics_kept"] > 0 and candidate["metrics"]["topics_new"] > 0
    _run(cli, "models", "promote", str(candidate["id"]))
    _run(cli, "analyze", "--workers", "1")

    after = _assignments(database_url)
    # The topics that are still there keep their ids, and an id keeps its label: each
    # reason's largest topic is still its topic, and most topics kept their id.
    old_topics = {t for t, _ in before.values()} - {-1}
    assert candidate["metrics"]["topics_kept"] >= 0.8 * len(old_topics)
    by_reason_after = _topics_by_reason(database_url)
    for reason, counts in by_reason.items():
        largest = counts.most_common(1)[0][0]
        assert by_reason_after[reason][largest] > 0, (reason, largest, by_reason_after[reason])
    labels_before = dict(before.values())
    assert all(labels_before.get(t, label) == label for t, label in after.values())
    # The new reason is in new topics, with ids never used before.
    newest = max(t for t, _ in before.values())
    new_ids = [after[f"acme-new-{i}"][0] for i in range(len(new_reason))]
    assert sum(t > newest for t in new_ids) >= 0.8 * len(new_reason), Counter(new_ids)


def test_analyze_refreshes_topics_that_leave_too_many_contacts_without_one(
    cli: CliRunner, database_url: str, tmp_path: Path
) -> None:
    _ingest(cli, tmp_path, month("acme"), "month.jsonl")
    _run(cli, "analyze", "--workers", "1")
    before = _assignments(database_url)
    # The stored results say the champion fit none of the parcel and password contacts
    # (a third of them), as a model does once the contact reasons have moved on.
    engine = make_engine(database_url)
    with Session(engine) as session:
        gone = [
            pk
            for pk, turns in session.execute(select(Interaction.pk, Interaction.turns))
            if turns[0]["text"] in REASONS["parcel"][2] + REASONS["password"][2]
        ]
        session.execute(
            update(AnalysisResult)
            .where(AnalysisResult.interaction_pk.in_(gone))
            .values(topic_id=-1, topic_label="(no topic fits)")
        )
        session.commit()
    engine.dispose()

    refreshed = _run(cli, "analyze", "--workers", "1")

    assert "33% of 360 interactions fit no topic: discovered" in refreshed.output
    statuses = [m["status"] for m in json.loads(_run(cli, "models", "list", "--json").stdout)]
    assert statuses == ["champion", "retired"]
    # Analysed again with the new champion: same data, same topics, same ids and labels.
    assert _assignments(database_url) == before


def test_the_workers_analysis_job_discovers_topics_too(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    ingest_files(session_factory, [write_jsonl(tmp_path / "month.jsonl", month("acme"))])
    context = JobContext(factory=session_factory, model_dir=tmp_path / "models", worker="w")

    summary = run_job(context, "analyze", "acme")

    assert summary.startswith("360 interactions analysed (models: topics ")
    assert "; topics: no topic model: discovered" in summary
    with session_scope(session_factory) as session:
        model = champion(session, "acme", "topics")
        assert model is not None and model.promoted_by == "worker w"
        topics = session.scalars(select(AnalysisResult.topic_id)).all()
    assert len(topics) == 360 and sum(t >= 0 for t in topics) >= 0.9 * 360
    # Nothing new: the next run neither analyses nor discovers.
    assert run_job(context, "analyze", "acme").startswith("0 interactions analysed")


def test_a_changed_topic_champion_stops_analyze_with_the_registrys_message(
    cli: CliRunner, database_url: str, tmp_path: Path
) -> None:
    _ingest(cli, tmp_path, month("acme"), "month.jsonl")
    _run(cli, "analyze", "--workers", "1")
    (model,) = json.loads(_run(cli, "models", "list", "--json").stdout)
    with (Path(model["path"]) / "model.skops").open("ab") as handle:
        handle.write(b"tampered")
    _ingest(cli, tmp_path, [interaction(99_999, id="acme-late", labels={})], "late.jsonl")

    broken = cli.invoke(app, ["analyze", "--workers", "1"])

    # Not rediscovered behind the user's back, and no traceback: the registry's message.
    assert broken.exit_code == 1, broken.output
    # Rich wraps the message at the width its console was made with: compare words.
    assert "does not match the SHA-256 the registry stored" in " ".join(broken.output.split())
    assert "Traceback" not in broken.output
    assert len(json.loads(_run(cli, "models", "list", "--json").stdout)) == 1


def test_too_few_interactions_get_no_topics_and_the_user_is_told_why(
    cli: CliRunner, tmp_path: Path
) -> None:
    _ingest(cli, tmp_path, month("acme")[:40], "few.jsonl")

    analysed = _run(cli, "analyze", "--workers", "1")

    message = "acme: no topics yet: 40 interactions with text, topics are discovered from 100"
    assert analysed.output.count(message) == 1
    assert json.loads(_run(cli, "models", "list", "--json").stdout) == []
