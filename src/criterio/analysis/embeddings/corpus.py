"""A representation learned from the tenant's own corpus: TF-IDF then truncated SVD (LSA)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from criterio.analysis.embeddings.base import Encoder, l2_normalize

__all__ = ["LsaEncoder"]


class LsaEncoder(Encoder):
    """Word n-gram TF-IDF reduced by SVD, fitted on the texts it is given (any language)."""

    version: ClassVar[str] = "1"
    learns_from_corpus: ClassVar[bool] = True

    def __init__(self, n_components: int = 256, min_df: int = 2, random_state: int = 0) -> None:
        self.n_components = n_components
        self.min_df = min_df
        self.random_state = random_state

    def fit(self, X: Sequence[str] | None = None, y: Any = None) -> LsaEncoder:  # noqa: N803
        """Learn the vocabulary and the SVD basis from ``X``; returns self."""
        if X is None or len(X) == 0:
            raise ValueError("LsaEncoder learns from the corpus: fit needs texts")
        texts = list(X)
        self.tfidf_ = TfidfVectorizer(
            ngram_range=(1, 2), min_df=min(self.min_df, len(texts)), sublinear_tf=True
        ).fit(texts)
        matrix = self.tfidf_.transform(texts)
        k = max(1, min(self.n_components, matrix.shape[1] - 1, len(texts) - 1))
        self.svd_ = TruncatedSVD(n_components=k, random_state=self.random_state).fit(matrix)
        self.dim_ = int(k)
        return self

    def transform(self, X: Sequence[str]) -> np.ndarray[Any, Any]:  # noqa: N803
        """One unit-length float32 row per text."""
        check_is_fitted(self, "svd_")
        if len(X) == 0:
            return np.zeros((0, self.dim_), dtype=np.float32)
        return l2_normalize(self.svd_.transform(self.tfidf_.transform(list(X))))

    @property
    def dim(self) -> int:
        """Number of dimensions of the vectors."""
        check_is_fitted(self, "svd_")
        return self.dim_
