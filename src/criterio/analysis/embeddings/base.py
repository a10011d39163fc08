"""The representation interface: ``fit(texts)`` then ``transform(texts) -> ndarray``.

Intent classification and topic discovery only see this interface, so a static
embedding table, a representation learned from the tenant's corpus, or a
sentence-transformer plug in behind it without changing them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

__all__ = ["Encoder", "l2_normalize"]


def l2_normalize(matrix: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    normalized: np.ndarray[Any, Any] = matrix / norms
    return normalized


class Encoder(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """Base class of text representations: batches of texts in, dense float32 rows out."""

    #: Bumped whenever the vectors for the same text may change.
    version: ClassVar[str] = "0"
    #: Whether ``fit`` learns from the texts (False: a pretrained table, fit only loads).
    learns_from_corpus: ClassVar[bool] = False

    def fit(self, X: Sequence[str] | None = None, y: Any = None) -> Encoder:  # noqa: N803
        """Learn (or load) the representation; returns self."""
        raise NotImplementedError

    def transform(self, X: Sequence[str]) -> np.ndarray[Any, Any]:  # noqa: N803
        """One unit-length float32 row per text."""
        raise NotImplementedError

    @property
    def dim(self) -> int:
        """Number of dimensions of the vectors (after fit)."""
        raise NotImplementedError
