"""Analysing a store: read pending interactions, fan batches out, store each result batch.

Each result batch is committed on its own, so an interrupted run keeps what it finished
and the next run starts where it stopped (resumable and incremental). An interaction
erased while its batch was being analysed is skipped: its result is never stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pyarrow as pa
from sqlalchemy.orm import Session, sessionmaker

from criterio.analysis.pipeline import AnalysisPipeline, interactions_to_batch
from criterio.annotations.service import count_pending, pending_page, store_results
from criterio.db import session_scope
from criterio.engines.base import BatchEngine

__all__ = ["AnalyzeReport", "analyze_store", "pending_total"]


@dataclass
class AnalyzeReport:
    """What a run did, per tenant."""

    analysed: dict[str, int] = field(default_factory=dict)
    #: Interactions erased after they were read, whose results were dropped.
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Interactions analysed in all tenants."""
        return sum(self.analysed.values())


def pending_total(
    factory: sessionmaker[Session],
    tenants: Sequence[str],
    pipeline: AnalysisPipeline,
    since: datetime | None = None,
) -> int:
    """How many interactions a run would analyse."""
    key = json.dumps(pipeline.versions(), sort_keys=True)
    with session_scope(factory) as session:
        return sum(count_pending(session, t, versions_key=key, since=since) for t in tenants)


def analyze_store(
    factory: sessionmaker[Session],
    tenants: Sequence[str],
    *,
    engine: BatchEngine,
    pipeline: AnalysisPipeline,
    since: datetime | None = None,
    batch_size: int = 2000,
    on_progress: Callable[[int], None] | None = None,
) -> AnalyzeReport:
    """Analyse every pending interaction of ``tenants``; one transaction per result batch.

    ``on_progress`` gets the number of interactions each batch finished (stored or
    skipped because they were erased meanwhile).
    """
    key = json.dumps(pipeline.versions(), sort_keys=True)
    report = AnalyzeReport()
    for tenant in tenants:
        report.analysed[tenant] = 0
        report.skipped[tenant] = 0
        for result in engine.map(pipeline, _read(factory, tenant, key, since, batch_size)):
            with session_scope(factory) as session:
                stored = store_results(session, tenant, batch=result)
            report.analysed[tenant] += stored
            report.skipped[tenant] += result.num_rows - stored
            if on_progress is not None:
                on_progress(result.num_rows)
    return report


def _read(
    factory: sessionmaker[Session],
    tenant: str,
    key: str,
    since: datetime | None,
    batch_size: int,
) -> Iterator[pa.RecordBatch]:
    # A short read transaction per page: keyset paging needs no cursor held open while
    # the writer commits results for earlier pages.
    after = 0
    while True:
        with session_scope(factory) as session:
            page = pending_page(
                session, tenant, versions_key=key, after_pk=after, limit=batch_size, since=since
            )
        if not page:
            return
        after = page[-1]["pk"]
        yield interactions_to_batch(page)
