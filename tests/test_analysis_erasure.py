"""Erasing a customer while ``criterio analyze`` runs: the analysis skips what disappeared."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from criterio.analysis.pipeline import (
    AnalysisPipeline,
    analyze_batch,
    build_pipeline,
    interactions_to_batch,
)
from criterio.annotations.models import AnalysisResult
from criterio.annotations.runner import analyze_store
from criterio.annotations.service import pending_page, store_results
from criterio.db import session_scope
from criterio.engines import LocalEngine
from criterio.interactions import ingest_files
from criterio.interactions.erasure import erase_customer
from criterio.interactions.models import Interaction
from tests.factories import interaction, write_jsonl


class _ErasingEngine:
    """A local engine that erases a customer after analysing one batch, before it is stored.

    The erasure is the real one (the service, its own committed transaction), made at
    the moment the issue describes: the batch was read, its results are not written yet.
    """

    def __init__(self, factory: sessionmaker[Session], customer_id: str, after: int) -> None:
        self.inner = LocalEngine(workers=1)
        self.factory = factory
        self.customer_id = customer_id
        self.after = after
        self.erased = 0

    def map(
        self, pipeline: AnalysisPipeline, batches: Iterable[pa.RecordBatch]
    ) -> Iterator[pa.RecordBatch]:
        for i, result in enumerate(self.inner.map(pipeline, batches)):
            if i == self.after:
                with session_scope(self.factory) as session:
                    done = erase_customer(session, "acme", self.customer_id, actor="test")
                    self.erased = done.deleted
            yield result

    def close(self) -> None:
        self.inner.close()


def _analysed_ids(factory: sessionmaker[Session]) -> set[str]:
    with session_scope(factory) as session:
        stmt = select(Interaction.external_id).join(
            AnalysisResult, AnalysisResult.interaction_pk == Interaction.pk
        )
        return set(session.scalars(stmt.where(Interaction.tenant == "acme")))


def test_customer_erased_mid_batch_is_skipped(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    # Customer k-3 has one interaction in each batch of 7: 3 (stored before the
    # erasure), 8 and 13 (read, analysed, erased before their results are written) and
    # 18 (erased before it is read).
    records = [interaction(i, customer_id=f"k-{i % 5}") for i in range(20)]
    ingest_files(session_factory, [write_jsonl(tmp_path / "a.jsonl", records)])
    engine = _ErasingEngine(session_factory, "k-3", after=1)
    try:
        report = analyze_store(
            session_factory,
            ["acme"],
            engine=engine,
            pipeline=build_pipeline(["sentiment"]),
            batch_size=7,
        )
    finally:
        engine.close()
    assert engine.erased == 4
    assert report.skipped == {"acme": 2}  # 8 and 13
    assert report.analysed == {"acme": 17}  # 7 + 5 + 5 (18 was never read)
    expected = {f"c-{i:06d}" for i in range(20) if i % 5 != 3}
    assert _analysed_ids(session_factory) == expected
    with LocalEngine(workers=1) as again:
        rerun = analyze_store(
            session_factory, ["acme"], engine=again, pipeline=build_pipeline(["sentiment"])
        )
    assert rerun.total == 0 and rerun.skipped == {"acme": 0}


def test_results_wait_for_an_erasure_in_progress_then_skip_it(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """The erasure holds its rows (not committed yet) when the results are written."""
    records = [interaction(i, customer_id=f"k-{i % 2}") for i in range(6)]
    ingest_files(session_factory, [write_jsonl(tmp_path / "a.jsonl", records)])
    pipeline = build_pipeline(["sentiment"])
    key = json.dumps(pipeline.versions(), sort_keys=True)
    with session_scope(session_factory) as session:
        page = pending_page(session, "acme", versions_key=key)
    result = analyze_batch(interactions_to_batch(page), pipeline)
    holding = threading.Event()
    erased: list[int] = []

    def erase() -> None:
        with session_scope(session_factory) as session:
            erased.append(erase_customer(session, "acme", "k-1", actor="test").deleted)
            holding.set()
            time.sleep(1.0)  # the results are written meanwhile: they must wait

    eraser = threading.Thread(target=erase)
    eraser.start()
    assert holding.wait(30)
    started = time.monotonic()
    with session_scope(session_factory) as session:
        stored = store_results(session, "acme", batch=result)
    waited = time.monotonic() - started
    eraser.join()
    assert erased == [3] and stored == 3 and waited >= 0.5
    assert _analysed_ids(session_factory) == {"c-000000", "c-000002", "c-000004"}
