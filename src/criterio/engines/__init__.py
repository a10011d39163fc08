"""Where a pipeline runs: a local process pool, or a Dask cluster, with the same function."""

from criterio.engines.base import BatchEngine, make_engine
from criterio.engines.local import LocalEngine

__all__ = ["BatchEngine", "LocalEngine", "make_engine"]
