"""The engine interface: run the per-batch analysis function over a stream of batches."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

import pyarrow as pa

from criterio.analysis.pipeline import AnalysisPipeline

__all__ = ["BatchEngine", "make_engine"]


class BatchEngine(Protocol):
    """Applies ``analyze_batch`` with one pipeline to every batch, results in input order."""

    def map(
        self, pipeline: AnalysisPipeline, batches: Iterable[pa.RecordBatch]
    ) -> Iterator[pa.RecordBatch]:
        """Result batches, in the order the input batches came (read lazily)."""
        ...

    def close(self) -> None:
        """Release workers."""
        ...


def make_engine(
    name: str, *, workers: int | None = None, scheduler: str | None = None
) -> BatchEngine:
    """``local`` (process pool) or ``dask`` (a cluster at ``scheduler``, or a local one)."""
    if name == "local":
        if scheduler:
            raise ValueError("--scheduler is only for the dask engine")
        from criterio.engines.local import LocalEngine

        return LocalEngine(workers=workers)
    if name == "dask":
        from criterio.engines.dask import DaskEngine

        return DaskEngine(scheduler=scheduler, workers=workers)
    raise ValueError(f"unknown engine {name!r}; choose local or dask")
