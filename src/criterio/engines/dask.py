"""The Dask engine: the same per-batch function on a Dask cluster (``criterio[dask]``)."""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

import pyarrow as pa

from criterio.analysis.pipeline import AnalysisPipeline, analyze_batch

__all__ = ["DaskEngine"]


class DaskEngine:
    """Runs batches on a Dask cluster: the one at ``scheduler``, or a LocalCluster.

    The fitted pipeline is scattered to every worker once; each batch is one task.
    ``processes=False`` runs a LocalCluster with threads (for tests and small jobs).
    """

    def __init__(
        self,
        scheduler: str | None = None,
        workers: int | None = None,
        *,
        processes: bool = True,
        in_flight: int | None = None,
    ) -> None:
        try:
            import distributed
        except ImportError as error:
            raise RuntimeError(
                "the dask engine needs the dask extra: pip install 'criterio[dask]'"
            ) from error
        # distributed is only partly typed; its objects are handled as Any here.
        dist: Any = distributed
        self._cluster: Any = None
        self.client: Any
        if scheduler:
            self.client = dist.Client(scheduler)
        else:
            self._cluster = dist.LocalCluster(
                n_workers=workers or 1,
                threads_per_worker=1,
                processes=processes,
                dashboard_address=None,
            )
            self.client = dist.Client(self._cluster)
        workers_now = len(self.client.scheduler_info().get("workers", {})) or 1
        self.in_flight = in_flight or 2 * workers_now

    def map(
        self, pipeline: AnalysisPipeline, batches: Iterable[pa.RecordBatch]
    ) -> Iterator[pa.RecordBatch]:
        """Result batches in input order."""
        shared = self.client.scatter(pipeline, broadcast=True)
        run = uuid.uuid4().hex[:8]
        pending: deque[Any] = deque()
        for i, batch in enumerate(batches):
            pending.append(
                self.client.submit(analyze_batch, batch, shared, key=f"analyze-{run}-{i}")
            )
            if len(pending) >= self.in_flight:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def close(self) -> None:
        """Disconnect (and stop the LocalCluster this engine started)."""
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> DaskEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
