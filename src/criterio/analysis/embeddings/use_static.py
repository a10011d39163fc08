"""Multilingual static vectors: USE multilingual v3 distilled into one vector per piece.

``scripts/distill_use_static.py`` passed every piece of USE's 128,000-piece
SentencePiece vocabulary (16 languages, Spanish and English among them) through the
network once and kept the outputs, reduced to 256 dimensions and stored as int8
(``data/use-static/vectors.npy``, 33 MB, memory-mapped). A text's vector is the weighted mean of
its pieces' vectors (smooth inverse frequency weights, also in the table), so it costs
a tokenisation and a sparse product: about 25 µs a short text, against about 1.8 ms for
the full network (``UseEncoder``). What is lost is the network's view of word order
and context; on development data it matched the full network on Spanish intents and
Spanish sentiment (docs/benchmarks.md, "Multilingual static vectors").
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from scipy import sparse
from sklearn.utils.validation import check_is_fitted

from criterio.analysis.embeddings.base import Encoder, l2_normalize

__all__ = ["UseStaticEncoder", "use_static_table"]


def use_static_table() -> Path:
    """The shipped table's folder."""
    return Path(__file__).parent / "data" / "use-static"


@lru_cache(maxsize=1)
def _table() -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """int8 vectors (memory-mapped), their per-row scales and the pieces' weights."""
    folder = use_static_table()
    return (
        np.load(folder / "vectors.npy", mmap_mode="r", allow_pickle=False),
        np.load(folder / "scale.npy", allow_pickle=False),
        np.load(folder / "weight.npy", allow_pickle=False),
    )


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    from criterio.analysis.embeddings.use_tokenizer import SentencePieceTokenizer

    return SentencePieceTokenizer()


class UseStaticEncoder(Encoder):
    """Weighted mean of USE's distilled piece vectors (``use-static``), unit length."""

    version: ClassVar[str] = "1"

    def fit(self, X: Sequence[str] | None = None, y: Any = None) -> UseStaticEncoder:  # noqa: N803
        """Load the table (the texts are not needed); returns self."""
        vectors, _, _ = _table()
        self.dim_ = int(vectors.shape[1])
        return self

    def transform(self, X: Sequence[str]) -> np.ndarray[Any, Any]:  # noqa: N803
        """One unit-length float32 row per text (a text without pieces: a zero row)."""
        check_is_fitted(self, "dim_")
        if len(X) == 0:
            return np.zeros((0, self.dim_), dtype=np.float32)
        vectors, scale, weight = _table()
        encode = _tokenizer().encode
        # A blank text has no pieces (the network's tokenizer gives it one <unk>).
        texts = [str(text) for text in X]
        ids = [encode(t, add_bos=False, add_eos=False) if t.strip() else [] for t in texts]
        lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        flat = np.fromiter((i for row in ids for i in row), dtype=np.int64, count=lengths.sum())
        # Only the pieces this batch uses are turned back into floats.
        pieces, column = np.unique(flat, return_inverse=True)
        rows = np.repeat(np.arange(len(ids)), lengths)
        mix = sparse.csr_matrix(
            (weight[flat], (rows, column.ravel())), shape=(len(ids), len(pieces))
        )
        floats = vectors[pieces].astype(np.float32) * scale[pieces, None]
        return l2_normalize(np.asarray(mix @ floats, dtype=np.float32))

    @property
    def dim(self) -> int:
        """Number of dimensions of the vectors."""
        check_is_fitted(self, "dim_")
        return self.dim_
