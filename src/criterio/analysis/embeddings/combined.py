"""Several representations side by side: ``static+use`` is the static table beside USE."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from sklearn.utils.validation import check_is_fitted

from criterio.analysis.embeddings.base import Encoder

__all__ = ["CombinedEncoder"]


class CombinedEncoder(Encoder):
    """Unit-length vectors of each part, concatenated and scaled to unit length overall."""

    version: ClassVar[str] = "1"

    def __init__(self, parts: Sequence[Encoder]) -> None:
        self.parts = parts

    def fit(self, X: Sequence[str] | None = None, y: Any = None) -> CombinedEncoder:  # noqa: N803
        """Fit (or load) every part; returns self."""
        if len(self.parts) < 2:
            raise ValueError("a combined encoder needs at least two parts")
        self.parts_ = [part.fit(X) for part in self.parts]
        return self

    def transform(self, X: Sequence[str]) -> np.ndarray[Any, Any]:  # noqa: N803
        """The parts' rows side by side, each part weighing the same (unit length in all)."""
        check_is_fitted(self, "parts_")
        scale = np.float32(1.0 / np.sqrt(len(self.parts_)))
        return np.hstack([part.transform(X) * scale for part in self.parts_])

    @property
    def dim(self) -> int:
        """Number of dimensions of the vectors (the parts' added up)."""
        check_is_fitted(self, "parts_")
        return sum(part.dim for part in self.parts_)
