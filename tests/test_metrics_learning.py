"""The learning figures follow the champions of the model registry over time, with the
held-out accuracy ``criterio learn`` records in each entry (registry built through its API)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from criterio.db import make_engine, make_session_factory, session_scope
from criterio.learning.service import register_model, rollback
from criterio.metrics import figures, refresh


def _register(
    factory: sessionmaker[Session],
    folder: Path,
    version: int,
    metrics: dict[str, Any],
    *,
    kind: str = "intent",
    promote: bool = True,
) -> None:
    directory = folder / f"{kind}-v{version}"
    directory.mkdir()
    (directory / "model.skops").write_bytes(f"{kind} model {version}".encode())
    with session_scope(factory) as session:
        register_model(
            session,
            "acme",
            kind=kind,
            version=version,
            directory=directory,
            training={"n_examples": 10},
            training_hash=f"{kind}-{version}",
            metrics=metrics,
            promote_to_champion=promote,
            by="lead",
        )


def _learning(factory: sessionmaker[Session]) -> dict[str, Any]:
    today = datetime.now(UTC).date()
    with session_scope(factory) as session:
        refresh(session, "acme")  # the worker's job: promotions are events of the day
        return figures(session, "acme", first=today - timedelta(days=6), last=today, by="day")


def test_champions_over_time_with_their_heldout_accuracy(database_url: str, tmp_path: Path) -> None:
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    _register(factory, tmp_path, 1, {"n_intents": 3, "heldout_accuracy": 0.8})
    # An accuracy on training data is not the held-out figure.
    _register(factory, tmp_path, 2, {"accuracy": 0.99, "heldout_accuracy": 0.86})
    _register(factory, tmp_path, 3, {"heldout_accuracy": 0.7}, promote=False)  # a candidate
    _register(factory, tmp_path, 1, {"accuracy": 0.5, "n_topics": 4}, kind="topics")
    found = _learning(factory)
    history = [(m["kind"], m["version"], m["accuracy"]) for m in found["model_accuracy"]]
    assert history == [("intent", 1, 0.8), ("intent", 2, 0.86), ("topics", 1, None)]
    first, second, topics = found["model_accuracy"]
    assert first["until"] == second["promoted_at"] and second["until"] is None
    assert topics["until"] is None and found["models_promoted"] == 3
    assert found["series"][-1]["heldout_accuracy"] == 0.86
    assert found["series"][0]["heldout_accuracy"] is None  # six days ago: no champion yet

    with session_scope(factory) as session:
        rollback(session, "acme", "intent", by="lead")  # v1 is the champion again
    found = _learning(factory)
    history = [(m["kind"], m["version"], m["until"] is None) for m in found["model_accuracy"]]
    assert history == [("intent", 2, False), ("topics", 1, True), ("intent", 1, True)]
    assert found["series"][-1]["heldout_accuracy"] == 0.8
    # The registry keeps one promotion time per model: v1's first promotion is replaced.
    assert found["models_promoted"] == 3
    engine.dispose()
