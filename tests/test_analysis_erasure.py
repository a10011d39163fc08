"""Erasing a customer while ``criterio analyze`` runs: the analysis skips what disappeared."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from criterio.analysis.pipeline import AnalysisPipeline, build_pipeline
from criterio.annotations.models import AnalysisResult
from criterio.annotations.runner import analyze_store
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
