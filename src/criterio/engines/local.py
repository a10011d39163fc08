"""The local engine: a process pool over the machine's cores."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

import pyarrow as pa

from criterio.analysis.pipeline import AnalysisPipeline, analyze_batch

__all__ = ["LocalEngine"]

# Each worker process keeps the pipeline it was started with: the models travel once
# per worker, not once per batch.
_worker_pipeline: AnalysisPipeline | None = None
#: Linux prctl option: the signal a process gets when its parent dies.
_PR_SET_PDEATHSIG = 1
#: How often the portable fallback checks whether the parent is still there.
PARENT_POLL_SECONDS = 0.5


def _init_worker(pipeline: AnalysisPipeline, parent_pid: int) -> None:
    global _worker_pipeline  # one pipeline per worker process
    _worker_pipeline = pipeline
    _exit_with_parent(parent_pid)


def _exit_with_parent(parent_pid: int) -> None:
    """End this worker when the process that started it dies (even by SIGKILL).

    A worker blocks reading the task queue, whose write end its siblings also hold, so
    a killed parent would leave it waiting forever with its models in memory. On Linux
    the kernel sends SIGKILL the moment the parent exits (PR_SET_PDEATHSIG; the pool
    starts workers from the thread that submits, the caller's, which lives as long as
    the run); everywhere, a daemon thread also notices the parent is gone.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    # The parent may have died before the line above: then no signal will ever come.
    if os.getppid() != parent_pid:
        os._exit(1)
    threading.Thread(
        target=_watch_parent, args=(parent_pid,), name="criterio-parent-watch", daemon=True
    ).start()


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(PARENT_POLL_SECONDS)
    # No cleanup to do: the worker holds no store connection, only its copy of the models.
    os._exit(1)


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
                self.workers,
                mp_context=context,
                initializer=_init_worker,
                initargs=(pipeline, os.getpid()),
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
