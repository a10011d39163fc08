"""Engines: the local pool and Dask give the same results as the function itself."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from criterio.analysis.pipeline import analyze_batch, build_pipeline, interactions_to_batch
from criterio.engines import LocalEngine, make_engine
from tests.model_support import train_models

TEXTS = [
    "No funciona el router, estoy harto",
    "Thanks, that fixed it 👍",
    "¿Cuál es el horario de la tienda?",
    "I was charged twice and nobody answers",
    "Bonjour, je voudrais résilier mon abonnement",
]


def _batches(n_batches: int = 4, size: int = 25) -> list[pa.RecordBatch]:
    return [
        interactions_to_batch(
            [
                {"id": f"b{b}-{i}", "text": TEXTS[(b + i) % len(TEXTS)] + f" {i}"}
                for i in range(size)
            ]
        )
        for b in range(n_batches)
    ]


def _expected() -> list[pa.RecordBatch]:
    pipeline = build_pipeline(["language", "sentiment"])
    return [analyze_batch(b, pipeline) for b in _batches()]


def test_local_process_pool_equals_function() -> None:
    pipeline = build_pipeline(["language", "sentiment"])
    with LocalEngine(workers=2) as engine:
        got = list(engine.map(pipeline, iter(_batches())))
    assert [b.to_pylist() for b in got] == [b.to_pylist() for b in _expected()]


def test_dask_local_cluster_equals_local_engine() -> None:
    pytest.importorskip("distributed")
    from distributed import get_task_stream

    from criterio.engines.dask import DaskEngine

    pipeline = build_pipeline(["language", "sentiment"])
    batches = _batches(n_batches=8)
    with LocalEngine(workers=1) as local:
        want = [b.to_pylist() for b in local.map(pipeline, batches)]
    # Two worker processes, as issue 19 asks: batches run on both, results in order.
    with DaskEngine(workers=2, processes=True) as engine:
        with get_task_stream(engine.client) as stream:
            got = [b.to_pylist() for b in engine.map(pipeline, batches)]
        ran_on = {task["worker"] for task in stream.data if "analyze" in task["key"]}
    assert got == want
    assert len(ran_on) == 2


def test_dask_equals_local_with_intent_and_topic_models(tmp_path: Path) -> None:
    """The models reach Dask worker processes as a directory and a version, loaded there."""
    pytest.importorskip("distributed")
    from criterio.engines.dask import DaskEngine

    intent_dir, topic_dir = train_models(tmp_path)
    pipeline = build_pipeline(
        ["language", "sentiment"], intent_model=intent_dir, topic_model=topic_dir
    )
    with LocalEngine(workers=1) as local:
        want = [b.to_pylist() for b in local.map(pipeline, _batches())]
    with DaskEngine(workers=1, processes=True) as engine:
        got = [b.to_pylist() for b in engine.map(pipeline, _batches())]
    assert got == want
    rows = [row for batch in want for row in batch]
    assert all(row["intent_label"] and row["topic_label"] for row in rows)
    by_text = {row["id"]: row["intent_label"] for row in rows}
    # b0-3 asks about a double charge; b0-2 (the shop's opening hours) fits no intent.
    assert by_text["b0-3"] == "double_charge" and by_text["b0-2"] == "unknown"


def test_make_engine_rejects_bad_choices() -> None:
    with pytest.raises(ValueError, match="unknown engine"):
        make_engine("spark")
    with pytest.raises(ValueError, match="only for the dask engine"):
        make_engine("local", scheduler="tcp://x:8786")
