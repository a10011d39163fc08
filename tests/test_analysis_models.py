"""Intent and topic models inside ``criterio analyze`` and ``criterio annotate``.

The models are trained here through the CLI a user runs, on a small fixture of
contact-centre requests (four intents, a dozen examples each).
"""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from criterio.analysis.model_stages import IntentStage, ModelStageError, TopicStage
from criterio.analysis.pipeline import analyze_batch, build_pipeline, interactions_to_batch
from criterio.annotations.models import AnalysisResult
from criterio.annotations.runner import analyze_store, pending_total
from criterio.cli import app
from criterio.config import get_settings
from criterio.db import session_scope
from criterio.engines import LocalEngine
from criterio.insights.repository import InteractionTableRepository
from criterio.interactions import ingest_files
from criterio.patterns import prepare_frame
from tests.factories import interaction, write_jsonl
from tests.model_support import FIXTURE, INTENTS, REQUESTS, train_models


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return train_models(tmp_path_factory.mktemp("models"))


def _records(n: int) -> list[dict[str, object]]:
    out = []
    for i in range(n):
        text, intent = REQUESTS[i % len(REQUESTS)]
        labels = {"intent": intent} if i < len(REQUESTS) else {}  # a few labelled by hand
        out.append(
            interaction(
                i,
                labels=labels,
                turns=[
                    {"role": "agent", "text": "Hello, how can I help?"},
                    {"role": "customer", "text": f"{text} (ref {i})"},
                ],
            )
        )
    return out


def _stored(factory: sessionmaker[Session]) -> list[AnalysisResult]:
    with session_scope(factory) as session:
        return list(session.scalars(select(AnalysisResult).order_by(AnalysisResult.pk)))


def _analyse(factory: sessionmaker[Session], pipeline: object) -> int:
    with LocalEngine(workers=1) as engine:
        return analyze_store(factory, ["acme"], engine=engine, pipeline=pipeline).total  # type: ignore[arg-type]


def test_analyze_stores_intent_and_topic(
    session_factory: sessionmaker[Session], tmp_path: Path, models: tuple[Path, Path]
) -> None:
    ingest_files(session_factory, [write_jsonl(tmp_path / "a.jsonl", _records(24))])
    intent_dir, topic_dir = models
    pipeline = build_pipeline(["language"], intent_model=intent_dir, topic_model=topic_dir)
    assert _analyse(session_factory, pipeline) == 24
    rows = _stored(session_factory)
    assert len(rows) == 24
    expected = [REQUESTS[i % len(REQUESTS)][1] for i in range(24)]
    right = sum(r.intent_label == want for r, want in zip(rows, expected, strict=True))
    assert right >= 20, [r.intent_label for r in rows]
    assert {r.intent_label for r in rows} <= INTENTS | {"unknown"}
    assert all(r.intent_confidence is not None and 0 < r.intent_confidence <= 1 for r in rows)
    assert all(r.topic_id is not None and -1 <= r.topic_id < 4 for r in rows)
    # The same request gets the same topic; different requests mostly different ones.
    by_request = {expected[i]: rows[i].topic_id for i in range(len(REQUESTS))}
    assert all(rows[i].topic_id == by_request[expected[i]] for i in range(24))
    assert len(set(by_request.values())) >= 3
    labels = {r.topic_id: r.topic_label for r in rows}
    assert all(isinstance(label, str) and label for label in labels.values())
    assert set(rows[0].versions) == {"language", "intents", "topics"}
    assert rows[0].versions["intents"].startswith("1:")
    assert _analyse(session_factory, pipeline) == 0  # up to date


def test_retrained_model_makes_results_stale(
    session_factory: sessionmaker[Session], tmp_path: Path, models: tuple[Path, Path]
) -> None:
    intent_dir = tmp_path / "intent-model"
    shutil.copytree(models[0], intent_dir)
    ingest_files(session_factory, [write_jsonl(tmp_path / "a.jsonl", _records(8))])
    first = build_pipeline([], intent_model=intent_dir)
    assert _analyse(session_factory, first) == 8
    assert pending_total(session_factory, ["acme"], first) == 0

    result = CliRunner().invoke(
        app,
        ["intents", "train", str(FIXTURE), "--model", str(intent_dir), "--random-state", "3"],
    )
    assert result.exit_code == 0, result.output
    second = build_pipeline([], intent_model=intent_dir)
    assert second.versions()["intents"] != first.versions()["intents"]
    assert second.versions()["intents"].startswith("2:")
    assert pending_total(session_factory, ["acme"], second) == 8
    assert _analyse(session_factory, second) == 8
    assert {r.versions["intents"] for r in _stored(session_factory)} == {
        second.versions()["intents"]
    }
    # A worker process handed a version that is no longer on disk (the model was
    # retrained after the run started) refuses to label with the new file.
    stale = IntentStage.__new__(IntentStage)
    stale.__setstate__({"directory": intent_dir, "version": "1:0123456789abcdef"})
    with pytest.raises(ModelStageError, match="changed since this run started"):
        stale.annotate(["hello"])


def test_stage_ships_its_directory_not_the_model(models: tuple[Path, Path]) -> None:
    stage = TopicStage(models[1]).fit()
    shipped = pickle.dumps(stage)
    assert len(shipped) < 1000  # a path and a version, not a fitted model
    copy = pickle.loads(shipped)  # our own object, made just above
    texts = [t for t, _ in REQUESTS]
    assert copy.annotate(texts) == stage.annotate(texts)
    assert copy.version == stage.version


def test_only_customer_text_is_read_and_no_text_is_returned(models: tuple[Path, Path]) -> None:
    pipeline = build_pipeline([], intent_model=models[0], topic_model=models[1])
    batch = interactions_to_batch(
        [
            {
                "id": "x",
                "turns": [
                    {"role": "agent", "text": "Do you want to cancel your contract?"},
                    {"role": "customer", "text": "no, my parcel has not arrived yet"},
                ],
            }
        ]
    )
    row = analyze_batch(batch, pipeline).to_pylist()[0]
    assert row["intent_label"] == "delivery_status"
    assert row["redacted_turns"] is None  # no redactor: no text leaves the pipeline
    empty = analyze_batch(batch, build_pipeline([]))
    assert empty.to_pylist()[0]["intent_label"] is None
    assert empty.to_pylist()[0]["topic_id"] is None


def test_insights_table_uses_labels_then_predictions(
    session_factory: sessionmaker[Session], tmp_path: Path, models: tuple[Path, Path]
) -> None:
    records = _records(12)
    records[0]["labels"] = {"intent": "hand_labelled"}  # a person's label wins
    ingest_files(session_factory, [write_jsonl(tmp_path / "a.jsonl", records)])
    pipeline = build_pipeline([], intent_model=models[0], topic_model=models[1])
    _analyse(session_factory, pipeline)
    stored = {r.interaction_pk: r for r in _stored(session_factory)}
    with session_scope(session_factory) as session:
        table = InteractionTableRepository(session, "acme").table().sort_values("id")
    assert table["intent"].iloc[0] == "hand_labelled"
    assert list(table["intent"].iloc[4:]) == [REQUESTS[i % len(REQUESTS)][1] for i in range(4, 12)]
    labels = {r.topic_label for r in stored.values() if r.topic_id is not None and r.topic_id >= 0}
    assert set(table["topic"].dropna()) == labels
    frame = prepare_frame(table)
    assert "topic" in frame.dimensions and "intent" in frame.dimensions
    segments = [dict(s) for s, _ in frame.segments(min_count=2)]
    assert any("topic" in s and "queue" in s for s in segments)


def _annotate(source: Path, *args: str) -> tuple[int, list[dict[str, object]], str]:
    result = CliRunner().invoke(app, ["annotate", str(source), "--analyzers", "language", *args])
    lines = [json.loads(x) for x in result.stdout.splitlines() if x.startswith("{")]
    return result.exit_code, lines, result.output


def test_cli_annotate_shows_intent_and_topic(tmp_path: Path, models: tuple[Path, Path]) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        "".join(json.dumps({"id": f"r{i}", "text": t}) + "\n" for i, (t, _) in enumerate(REQUESTS)),
        encoding="utf-8",
    )
    code, lines, output = _annotate(
        source, "--intent-model", str(models[0]), "--topic-model", str(models[1])
    )
    assert code == 0, output
    assert [set(x) for x in lines] == [{"id", "language", "intent", "topic"}] * len(REQUESTS)
    assert [x["intent"]["label"] for x in lines] == [want for _, want in REQUESTS]  # type: ignore[index]
    for line in lines:
        assert set(line["intent"]) == {"label", "confidence"}  # type: ignore[arg-type]
        assert set(line["topic"]) == {"id", "label"}  # type: ignore[arg-type]
        assert isinstance(line["topic"]["id"], int)  # type: ignore[index]
    code, plain, _ = _annotate(source)
    assert code == 0 and [set(x) for x in plain] == [{"id", "language"}] * len(REQUESTS)


def test_cli_rejects_bad_model_directories(
    tmp_path: Path, models: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # keep Rich from wrapping the messages
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": "hello"}])
    corrupt = tmp_path / "corrupt"
    shutil.copytree(models[0], corrupt)
    (corrupt / "model.skops").write_bytes(b"this is not a model")
    cases = [
        (["--intent-model", str(tmp_path / "missing")], "no such model directory"),
        (["--intent-model", str(tmp_path)], "no model.json"),
        (["--intent-model", str(corrupt)], "cannot load the intents model"),
        (["--topic-model", str(models[0])], "holds a 'intents' model, not 'topics'"),
    ]
    for args, message in cases:
        code, lines, output = _annotate(source, *args)
        assert code == 2 and message in output, output
        assert "Traceback" not in output and lines == []
    monkeypatch.setenv("CRITERIO_TOPIC_MODEL", str(tmp_path / "gone"))
    get_settings.cache_clear()
    try:
        code, _, output = _annotate(source)
    finally:
        get_settings.cache_clear()
    assert code == 2 and "CRITERIO_TOPIC_MODEL" in output and "gone" in output


def test_cli_analyze_with_models_from_options_and_settings(
    database_url: str, tmp_path: Path, models: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRITERIO_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "400")
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        path = write_jsonl(tmp_path / "a.jsonl", _records(6))
        assert runner.invoke(app, ["ingest", str(path)]).exit_code == 0
        bad = runner.invoke(app, ["analyze", "--intent-model", str(tmp_path / "nope")])
        assert bad.exit_code == 2 and "no such model directory" in bad.output
        result = runner.invoke(app, ["analyze", "--workers", "1", "--intent-model", str(models[0])])
        assert result.exit_code == 0, result.output
        assert "6 analysed" in result.output
        # The topic model from the settings adds a stage: every result is stale again.
        monkeypatch.setenv("CRITERIO_INTENT_MODEL", str(models[0]))
        monkeypatch.setenv("CRITERIO_TOPIC_MODEL", str(models[1]))
        get_settings.cache_clear()
        result = runner.invoke(app, ["analyze", "--workers", "1"])
        assert result.exit_code == 0, result.output
        assert "6 analysed" in result.output
    finally:
        get_settings.cache_clear()
    from criterio.db import make_engine, make_session_factory

    engine = make_engine(database_url)
    try:
        rows = _stored(make_session_factory(engine))
    finally:
        engine.dispose()
    assert len(rows) == 6
    assert all(r.intent_label in INTENTS and r.topic_label for r in rows)


def test_intent_labels_the_store_cannot_hold_are_refused(tmp_path: Path) -> None:
    long_label = "x" * 201
    rows = [json.loads(line) for line in FIXTURE.read_text("utf-8").splitlines()]
    for row in rows:
        if row["intent"] == "delivery_status":
            row["intent"] = long_label
    train = write_jsonl(tmp_path / "train.jsonl", rows)
    result = CliRunner().invoke(
        app, ["intents", "train", str(train), "--model", str(tmp_path / "m")]
    )
    assert result.exit_code == 0, result.output
    with pytest.raises(ModelStageError, match="longer than 200 characters"):
        IntentStage(tmp_path / "m").fit()
