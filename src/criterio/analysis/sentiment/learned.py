"""The learned sentiment analyzer: a linear model over n-grams and two lexicons' scores.

The model ships inside the package (``sentiment/model``: ``model.json`` with the
vocabularies and settings, ``model.npz`` with the IDF weights, coefficients and
intercepts) and was trained by ``scripts/train_sentiment.py`` on public labelled
tweets in English and Spanish (see ``docs/analysis.md`` for its provenance and licence).
Nothing is downloaded and no torch is needed: applying it is a sparse matrix product.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
from scipy import sparse
from sklearn.utils.validation import check_is_fitted

from criterio.analysis.base import Analyzer, unique_texts
from criterio.analysis.sentiment.features import CharNgrams, WordNgrams, feature_blocks
from criterio.analysis.sentiment.lexicon import LABELS, LexiconSentimentAnalyzer, label_scores

__all__ = ["FORMAT", "SentimentAnalyzer", "default_model_path"]

#: Version of the files' layout; the analyzer refuses a model written in another.
FORMAT = 1


def default_model_path() -> Path:
    """Folder of the sentiment model shipped with Criterio."""
    return Path(str(resources.files("criterio.analysis.sentiment") / "model"))


class SentimentAnalyzer(Analyzer):
    """Scores each text in [-1, 1] (P(positive) - P(negative)) and labels it.

    ``path``: a folder written by ``scripts/train_sentiment.py``; ``None`` is the model
    shipped with Criterio. ``neutral_band``: scores within ±band are neutral; ``None``
    takes the band chosen on validation data when the model was trained.
    """

    version: ClassVar[str] = "senti-lr-1"

    def __init__(self, *, path: str | None = None, neutral_band: float | None = None) -> None:
        self.path = path
        self.neutral_band = neutral_band

    def fit(self, X: Any = None, y: Any = None) -> Self:  # noqa: N803 (scikit-learn naming)
        """Load the trained model (no training data needed; train with the script)."""
        folder = Path(self.path) if self.path else default_model_path()
        meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(
                f"{folder}: sentiment model format {meta.get('format')}, need {FORMAT}"
            )
        if list(meta["labels"]) != list(LABELS):
            raise ValueError(f"{folder}: labels {meta['labels']}, expected {list(LABELS)}")
        with np.load(folder / "model.npz") as arrays:
            self.coef_ = arrays["coef"].astype(np.float32)
            self.intercept_ = arrays["intercept"].astype(np.float64)
            word_idf, char_idf = arrays["word_idf"], arrays["char_idf"]
        self.word_ = WordNgrams(meta["vocabulary"]["word"], word_idf)
        self.char_ = CharNgrams(meta["vocabulary"]["char"], char_idf)
        self.weights_ = {k: float(v) for k, v in meta["weights"].items()}
        self.band_ = float(meta["neutral_band"] if self.neutral_band is None else self.neutral_band)
        self.lexicon_ = LexiconSentimentAnalyzer().fit()
        if self.coef_.shape != (len(LABELS), self.features([""]).shape[1]):
            raise ValueError(f"{folder}: coefficients of shape {self.coef_.shape} do not fit")
        self.classes_ = np.array(LABELS, dtype=object)
        return self

    def features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """The weighted feature matrix the linear model reads (one row per text)."""
        check_is_fitted(self, "weights_")
        blocks = feature_blocks(texts, self.word_, self.char_, self.lexicon_)
        return sparse.hstack(
            [blocks[name] * weight for name, weight in self.weights_.items()],
            format="csr",
            dtype=np.float32,
        )

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float64]]:
        """Probability of negative, neutral and positive for each text (rows sum to 1)."""
        self._check_fitted()
        distinct, inverse = unique_texts(texts)
        if not distinct:
            return np.zeros((0, len(LABELS)))
        logits: np.ndarray[Any, np.dtype[np.float64]] = (
            np.asarray(self.features(distinct) @ self.coef_.T, np.float64) + self.intercept_
        )
        logits -= logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        proba /= proba.sum(axis=1, keepdims=True)
        out: np.ndarray[Any, np.dtype[np.float64]] = proba[np.asarray(inverse, dtype=np.intp)]
        return out

    def decision_function(self, texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float64]]:
        """Sentiment score of each text in [-1, 1]: P(positive) - P(negative)."""
        proba = self.predict_proba(texts)
        if not len(proba):
            return np.zeros(0)
        return proba[:, 2] - proba[:, 0]

    def predict(self, texts: Sequence[str]) -> np.ndarray[Any, Any]:
        """Label of each text: negative, neutral or positive (the score against the band)."""
        return label_scores(self.decision_function(texts), self.band_)
