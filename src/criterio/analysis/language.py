"""Language identification: a character n-gram naive Bayes model trained by Criterio.

Spanish and English are first-class; French, Portuguese, Italian, German and Catalan are
recognised; ``und`` is returned for texts too short or too unlike any known language.
The shipped model (``data/language_counts.npz``) holds per-language n-gram counts learnt
by :mod:`criterio.analysis.language_train` from BANKING77 (English), the multilingual TOD
Spanish set and the sentences in ``data/language_seed.tsv``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from importlib import resources
from typing import Any, ClassVar, Self

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.naive_bayes import MultinomialNB

from criterio.analysis.base import Analyzer, unique_texts

__all__ = ["LANGUAGES", "UNDETERMINED", "LanguageIdentifier", "make_vectorizer"]

#: Languages the shipped model knows, ISO 639-1.
LANGUAGES = ("ca", "de", "en", "es", "fr", "it", "pt")
UNDETERMINED = "und"
N_FEATURES = 2**20

# Digits, URLs, e-mail addresses, mentions, placeholders and punctuation carry no
# language signal; punctuation is worse than noise, because the training sets differ in
# how much of it they have.
_NOISE = re.compile(r"https?://\S+|\S+@\S+|[@#]\w+|<[A-Z_]+>|\d+|_+|[^\w\s']")


def make_vectorizer() -> HashingVectorizer:
    """The feature map of the model: hashed 1-3 character n-grams inside word boundaries."""
    return HashingVectorizer(
        analyzer="char_wb",
        ngram_range=(1, 3),
        n_features=N_FEATURES,
        alternate_sign=False,
        norm=None,
        lowercase=True,
        dtype=np.float32,
    )


class LanguageIdentifier(Analyzer):
    """Predicts the language of each text (ISO 639-1, or ``und``).

    ``fit()`` with no data loads the counts shipped with Criterio; ``fit(texts, labels)``
    trains on your own. ``min_letters``: shorter texts are ``und``. ``threshold``: the
    lowest posterior probability accepted. ``max_chars``: only the start of a long text
    is read (language does not change half-way often enough to pay for reading it all).
    ``first_class_prior``: prior probability shared by Spanish and English (the rest go to
    the other languages), so short, ambiguous texts ("no funciona nada") lean Spanish or
    English, the languages Criterio's users mostly receive.
    """

    version: ClassVar[str] = "lang-nb-1"

    def __init__(
        self,
        *,
        min_letters: int = 3,
        threshold: float = 0.5,
        max_chars: int = 300,
        alpha: float = 0.03,
        first_class_prior: float = 0.8,
    ) -> None:
        self.min_letters = min_letters
        self.threshold = threshold
        self.max_chars = max_chars
        self.alpha = alpha
        self.first_class_prior = first_class_prior

    def fit(self, X: Sequence[str] | None = None, y: Sequence[str] | None = None) -> Self:  # noqa: N803 (scikit-learn naming)
        """Train on ``X``/``y``, or load the shipped counts when both are None."""
        if X is None:
            counts, classes = load_shipped_counts()
        else:
            if y is None:
                raise ValueError("fit(X, y) needs the language of every text")
            counts, classes = count_ngrams(X, y, self.max_chars)
        # One row of summed counts per language fits the same model as the raw texts;
        # fit_prior=False gives every language the same prior (the mix varies by tenant).
        model = MultinomialNB(alpha=self.alpha, fit_prior=False)
        model.fit(counts, classes)
        self.classes_ = model.classes_
        self.feature_log_prob_ = model.feature_log_prob_.astype(np.float32)
        self.class_log_prior_ = _log_prior(self.classes_, self.first_class_prior)
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float64]]:
        """Posterior probability of each language (columns in ``classes_`` order)."""
        self._check_fitted()
        joint, _ = self._joint(_clean(texts, self.max_chars))
        return self._posterior(joint)

    def predict(self, texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.str_]]:
        """The language of each text, or ``und``."""
        self._check_fitted()
        out = np.full(len(texts), UNDETERMINED, dtype=object)
        if len(texts) == 0:
            return out
        distinct, inverse = unique_texts(texts)
        joint, letters = self._joint(_clean(distinct, self.max_chars))
        probs = self._posterior(joint)
        best = probs.argmax(axis=1)
        ok = (letters >= self.min_letters) & (probs[np.arange(len(best)), best] >= self.threshold)
        found = np.full(len(distinct), UNDETERMINED, dtype=object)
        found[ok] = self.classes_[best[ok]]
        out[:] = found[np.asarray(inverse, dtype=np.intp)]
        return out

    def reference_log_likelihood(self, texts: Sequence[str]) -> np.ndarray[Any, Any]:
        """Log-likelihoods through scikit-learn's HashingVectorizer (the reference path)."""
        self._check_fitted()
        features = make_vectorizer().transform(_clean(texts, self.max_chars))
        return np.asarray(features @ self.feature_log_prob_.T, dtype=np.float64)

    def _posterior(self, joint: np.ndarray[Any, Any]) -> np.ndarray[Any, np.dtype[np.float64]]:
        if len(joint) == 0:
            return np.zeros((0, len(self.classes_)))
        shifted = np.asarray(joint + self.class_log_prior_, dtype=np.float64)
        shifted -= shifted.max(axis=1, keepdims=True)
        probs: np.ndarray[Any, np.dtype[np.float64]] = np.exp(shifted)
        probs /= probs.sum(axis=1, keepdims=True)
        return probs

    def _joint(self, cleaned: list[str]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Log-likelihood of each text, and its letter count, from per-word scores.

        The char_wb n-grams of a text are the union of those of its words, so a text's
        log-likelihood is the sum of its words'. Words repeat (Zipf), so each word is
        scored once through the HashingVectorizer and cached: several times faster than
        vectorising every text, with the same result (a test holds them equal).
        """
        table = self.__dict__.get("_words")
        if table is None:
            table = self.__dict__["_words"] = _WordTable(self.feature_log_prob_)
        return table.score(cleaned)

    def __getstate__(self) -> dict[str, Any]:
        # The word cache is rebuilt on demand; it is never saved with the model.
        state = dict(super().__getstate__())
        state.pop("_words", None)
        return state


class _WordTable:
    """Per-word log-likelihood rows, filled as new words are met (bounded in size)."""

    MAX_WORDS = 500_000

    def __init__(self, feature_log_prob: np.ndarray[Any, Any]) -> None:
        self.flp_t = np.ascontiguousarray(feature_log_prob.T)
        self._reset()

    def _reset(self) -> None:
        self.index: dict[str, int] = {}
        self.rows = np.zeros((0, self.flp_t.shape[1]), dtype=np.float64)
        self.letters = np.zeros(0, dtype=np.float64)

    def score(self, cleaned: list[str]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        if len(self.index) > self.MAX_WORDS:
            self._reset()  # an unending stream of new words: start the cache again
        index = self.index
        ids: list[int] = []
        indptr = [0]
        new: dict[str, int] = {}
        base = len(index)
        for text in cleaned:
            for word in text.lower().split():
                i = index.get(word)
                if i is None:
                    i = new.get(word)
                    if i is None:
                        i = new[word] = base + len(new)
                ids.append(i)
            indptr.append(len(ids))
        if new:
            self._add(list(new))
        counts = sp.csr_matrix(
            (np.ones(len(ids)), np.array(ids, dtype=np.int64), np.array(indptr, dtype=np.int64)),
            shape=(len(cleaned), len(self.rows)),
        )
        return np.asarray(counts @ self.rows), np.asarray(counts @ self.letters)

    def _add(self, words: list[str]) -> None:
        features = make_vectorizer().transform(words)
        rows = np.asarray(features @ self.flp_t, dtype=np.float64)
        self.rows = np.vstack([self.rows, rows])
        letters = np.array([len(w) - w.count("'") for w in words], dtype=np.float64)
        self.letters = np.concatenate([self.letters, letters])
        for word in words:
            self.index[word] = len(self.index)


def _log_prior(classes: np.ndarray[Any, Any], first_class: float) -> np.ndarray[Any, Any]:
    first = np.isin(classes, ("es", "en"))
    n_first, n_rest = int(first.sum()), int((~first).sum())
    if n_first == 0 or n_rest == 0:
        return np.full(len(classes), -np.log(len(classes)))
    prior = np.where(first, first_class / n_first, (1 - first_class) / n_rest)
    return np.log(prior)


def _clean(texts: Sequence[str], max_chars: int) -> list[str]:
    return [_NOISE.sub(" ", t[:max_chars]) for t in texts]


def count_ngrams(
    texts: Sequence[str], labels: Sequence[str], max_chars: int = 300
) -> tuple[sp.csr_matrix, np.ndarray[Any, Any]]:
    """Summed n-gram counts per language: one sparse row per language, and the languages."""
    classes = np.array(sorted(set(labels)))
    features = make_vectorizer().transform(_clean(texts, max_chars))
    index = {c: i for i, c in enumerate(classes)}
    rows = np.array([index[label] for label in labels])
    onehot = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, np.arange(len(rows)))),
        shape=(len(classes), len(rows)),
    )
    return sp.csr_matrix(onehot @ features), classes


def load_shipped_counts() -> tuple[sp.csr_matrix, np.ndarray[Any, Any]]:
    """The per-language counts shipped with Criterio (plain arrays, no pickle)."""
    ref = resources.files("criterio.analysis") / "data" / "language_counts.npz"
    with resources.as_file(ref) as path, np.load(path, allow_pickle=False) as data:
        counts = sp.csr_matrix(
            (data["data"], data["indices"], data["indptr"]), shape=tuple(data["shape"])
        )
        return counts, data["classes"].astype(str)
