"""The local engine: a process pool over the machine's cores."""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

import pyarrow as pa

from criterio.analysis.pipeline import AnalysisPipeline, analyze_batch

__all__ = ["LocalEngine"]

# Each worker process keeps the pipeline it was started with: the models travel once
# per worker, not once per batch.
_worker_pipeline: AnalysisPipeline | None = None


def _init_worker(pipeline: AnalysisPipeline) -> None:
    global _worker_pipeline  # one pipeline per worker process
    _worker_pipeline = pipeline


def _run(batch: pa.RecordBatch) -> pa.RecordBatch:
    assert _worker_pipeline is not None, "worker started without a pipeline"
    return analyze_batch(batch, _worker_pipeline)


class LocalEngine:
    """Runs batches on ``workers`` processes (all cores by default; 1 runs in-process)."""

    def __init__(self, workers: int | None = None, *, in_flight: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        # A few batches queued per worker keeps every core busy while the reader and
        # writer work, and bounds memory to that many batches.
        self.in_flight = in_flight or 2 * self.workers
        self._pool: ProcessPoolExecutor | None = None
        self._pool_pipeline: AnalysisPipeline | None = None

    def map(
        self, pipeline: AnalysisPipeline, batches: Iterable[pa.RecordBatch]
    ) -> Iterator[pa.RecordBatch]:
        """Result batches in input order."""
        if self.workers == 1:
            for batch in batches:
                yield analyze_batch(batch, pipeline)
            return
        pool = self._pool_for(pipeline)
        pending: deque[Future[pa.RecordBatch]] = deque()
        for batch in batches:
            pending.append(pool.submit(_run, batch))
            if len(pending) >= self.in_flight:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def _pool_for(self, pipeline: AnalysisPipeline) -> ProcessPoolExecutor:
        if self._pool is None or self._pool_pipeline is not pipeline:
            self.close()
            # spawn: no fork of a parent holding database connections and threads.
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=context, initializer=_init_worker, initargs=(pipeline,)
            )
            self._pool_pipeline = pipeline
        return self._pool

    def close(self) -> None:
        """Stop the worker processes."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            self._pool_pipeline = None

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
