"""Features of the learned sentiment model: word and character n-grams and two lexicons.

The same code builds the features when ``scripts/train_sentiment.py`` trains the model
and when the analyzer runs, so what was learned is what is applied. The lexicons are
Criterio's own (both languages, see ``lexicon.py``) and VADER's (English, tweets). The n-gram
vocabularies and their IDF weights are plain lists and arrays (JSON and npz), never a
pickled vectorizer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

__all__ = [
    "WORD_PATTERN",
    "CharNgrams",
    "feature_blocks",
    "lexicon_block",
    "normalise",
    "vader_block",
    "vectorizer",
]

#: Words, and every other non-space character (punctuation, emoji) on its own.
WORD_PATTERN = r"(?u)\w+|[^\w\s]"

_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@\w+")
_DIGITS = re.compile(r"\d+")
_REPEAT = re.compile(r"(\w)\1{2,}")


def normalise(text: str) -> str:
    """Lower case, no accents, links/mentions/numbers as placeholders, ``sooo`` -> ``soo``.

    Customers rarely type accents and stretch words for emphasis; folding both lets the
    n-grams learned on a few thousand messages reach more of the words people write.
    """
    text = _URL.sub(" http ", text)
    text = _MENTION.sub(" @user ", text)
    text = _DIGITS.sub("0", text.lower())
    text = _REPEAT.sub(r"\1\1", text)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return text


def vectorizer(
    kind: str, vocabulary: Sequence[str] | None = None, **params: Any
) -> TfidfVectorizer:
    """scikit-learn's TF-IDF vectorizer of ``kind`` (``word`` or ``char``) on normalised text.

    Training fits it to learn the vocabulary and IDF weights; at run time the word
    n-grams go through it again with those fixed (``vocabulary`` given, ``idf_`` set),
    and the character n-grams through :class:`CharNgrams`, which gives the same rows.
    """
    settings: dict[str, Any] = {
        "lowercase": False,  # normalise() already folded case and accents
        "sublinear_tf": True,
        "dtype": np.float32,
        "vocabulary": list(vocabulary) if vocabulary is not None else None,
    }
    if kind == "word":
        settings.update(analyzer="word", token_pattern=WORD_PATTERN, ngram_range=(1, 2))
    elif kind == "char":
        settings.update(analyzer="char_wb", ngram_range=(2, 5))
    else:
        raise ValueError(f"n-gram kind {kind!r}: use word or char")
    settings.update(params)
    return TfidfVectorizer(**settings)


class CharNgrams:
    """Sublinear TF-IDF of character n-grams within words (scikit-learn's ``char_wb``).

    A text's n-grams are the union of its words', so the columns of each distinct word
    are looked up once and reused: several times faster than the vectorizer on
    customer messages, with the same rows (``tests/test_analysis_sentiment_model.py``).
    """

    def __init__(
        self,
        vocabulary: Sequence[str],
        idf: np.ndarray[Any, Any],
        ngram_range: tuple[int, int] = (2, 5),
    ) -> None:
        self.columns = {gram: i for i, gram in enumerate(vocabulary)}
        self.idf = np.asarray(idf, np.float32)
        self.ngram_range = ngram_range
        self._word = lru_cache(maxsize=200_000)(self._word_columns)

    def __getstate__(self) -> dict[str, Any]:
        """State without the per-word cache (a saved analyzer rebuilds it)."""
        return {k: v for k, v in self.__dict__.items() if k != "_word"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore the state and a fresh per-word cache."""
        self.__dict__.update(state)
        self._word = lru_cache(maxsize=200_000)(self._word_columns)

    def _word_columns(self, word: str) -> tuple[int, ...]:
        low, high = self.ngram_range
        padded = f" {word} "
        found: list[int] = []
        for n in range(low, high + 1):
            grams = [padded[i : i + n] for i in range(max(1, len(padded) - n + 1))]
            found += [c for c in (self.columns.get(g) for g in grams) if c is not None]
            if len(padded) <= n:  # a short word counts once, as scikit-learn does
                break
        return tuple(found)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """One L2-normalised row per (normalised) text."""
        indptr = [0]
        indices: list[int] = []
        for text in texts:
            for word in text.split():
                indices += self._word(word)
            indptr.append(len(indices))
        counts = sparse.csr_matrix(
            (np.ones(len(indices), np.float32), np.asarray(indices, np.int64), indptr),
            shape=(len(texts), len(self.idf)),
        )
        counts.sum_duplicates()
        counts.data = (np.log(counts.data) + 1.0) * self.idf[counts.indices]
        norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
        counts.data /= np.repeat(np.where(norms > 0, norms, 1.0), np.diff(counts.indptr)).astype(
            np.float32
        )
        return counts


def lexicon_block(components: np.ndarray[Any, Any]) -> sparse.csr_matrix:
    """The lexicon analyzer's components scaled to about [-1, 1], as a sparse block."""
    score, positive, negative, shouting, exclamations = components.T
    block = np.column_stack(
        [
            score,
            np.tanh(positive / 3.0),
            np.tanh(negative / 3.0),
            shouting,
            np.minimum(exclamations, 4.0) / 4.0,
        ]
    )
    return sparse.csr_matrix(block.astype(np.float32))


def vader_block(texts: Sequence[str]) -> sparse.csr_matrix:
    """VADER's compound, positive and negative scores (its English tweet lexicon), sparse."""
    scorer = _vader()
    rows = [scorer.polarity_scores(t) for t in texts]
    block = np.array([[r["compound"], r["pos"], r["neg"]] for r in rows], np.float32)
    return sparse.csr_matrix(block.reshape(-1, 3))


@lru_cache(maxsize=1)
def _vader() -> Any:
    # Reading VADER's lexicon files takes a moment: once per process.
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def feature_blocks(
    texts: Sequence[str], word: TfidfVectorizer, char: CharNgrams, lexicon: Any
) -> dict[str, sparse.csr_matrix]:
    """Every feature block of ``texts`` by name (``word``, ``char``, ``lexicon``, ``vader``).

    ``lexicon`` is a fitted LexiconSentimentAnalyzer; the model weighs and stacks the blocks.
    """
    norm = [normalise(t) for t in texts]
    return {
        "word": word.transform(norm),
        "char": char.transform(norm),
        "lexicon": lexicon_block(lexicon.components(texts)),
        "vader": vader_block(texts),
    }
