"""Features of the learned sentiment model: word and character n-grams and two lexicons.

The same code builds the features when ``scripts/train_sentiment.py`` trains the model
and when the analyzer runs, so what was learned is what is applied. The lexicons are
Criterio's own (both languages, see ``lexicon.py``) and VADER's (English, tweets). The n-gram
vocabularies and their IDF weights are plain lists and arrays (JSON and npz), never a
pickled vectorizer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from criterio.analysis.sentiment.accents import strip_accents
from criterio.analysis.sentiment.vader import vader_scores

__all__ = [
    "WORD_PATTERN",
    "CharNgrams",
    "WordNgrams",
    "feature_blocks",
    "lexicon_block",
    "normalise",
    "vader_block",
    "vectorizer",
]

#: Words, and every other non-space character (punctuation, emoji) on its own.
WORD_PATTERN = r"(?u)\w+|[^\w\s]"

_WORD_TOKEN = re.compile(WORD_PATTERN)
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
    return strip_accents(text)


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


class WordNgrams:
    """Sublinear TF-IDF of word 1-2-grams with a fixed vocabulary, as the ``word`` vectorizer.

    The same tokens, n-grams, counts and scikit-learn's own TF-IDF arithmetic (log, IDF
    product and L2 normalisation in the same order and precision), so the rows are
    those of ``vectorizer("word", vocabulary)`` bit for bit
    (``tests/test_analysis_sentiment_model.py``); but each token is looked up once in a
    dict and the bigrams are matched for the whole batch at once in numpy, instead of
    joining and looking up every pair of words in Python.
    """

    def __init__(self, vocabulary: Sequence[str], idf: np.ndarray[Any, Any]) -> None:
        self.idf = idf
        self.width = len(vocabulary)
        tokens: dict[str, int] = {}
        for gram in vocabulary:
            for token in gram.split(" "):
                tokens.setdefault(token, len(tokens))
        self.tokens = tokens
        self.unigrams = np.full(len(tokens) + 1, -1, np.int64)  # the last: unknown token
        keys: list[int] = []
        columns: list[int] = []
        for column, gram in enumerate(vocabulary):
            parts = gram.split(" ")
            if len(parts) == 1:
                self.unigrams[tokens[gram]] = column
            else:
                keys.append(tokens[parts[0]] * len(tokens) + tokens[parts[1]])
                columns.append(column)
        order = np.argsort(keys)
        self.bigram_keys = np.asarray(keys, np.int64)[order]
        self.bigram_columns = np.asarray(columns, np.int64)[order]

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """One L2-normalised row per (normalised) text."""
        unknown = len(self.tokens)
        get = self.tokens.get
        ids: list[int] = []
        lengths: list[int] = []
        for text in texts:
            found = [get(t, unknown) for t in _WORD_TOKEN.findall(text)]
            ids += found
            lengths.append(len(found))
        flat = np.asarray(ids, np.int64)
        rows = np.repeat(np.arange(len(texts)), lengths)
        uni = self.unigrams[flat]
        keep = uni >= 0
        out_rows, out_cols = [rows[keep]], [uni[keep]]
        if len(flat) > 1 and len(self.bigram_keys):
            pair = (rows[:-1] == rows[1:]) & (flat[:-1] < unknown) & (flat[1:] < unknown)
            keys = flat[:-1][pair] * unknown + flat[1:][pair]
            at = np.minimum(np.searchsorted(self.bigram_keys, keys), len(self.bigram_keys) - 1)
            hit = self.bigram_keys[at] == keys
            out_rows.append(rows[:-1][pair][hit])
            out_cols.append(self.bigram_columns[at[hit]])
        row_ids, col_ids = np.concatenate(out_rows), np.concatenate(out_cols)
        counts = sparse.csr_matrix(
            (np.ones(len(col_ids), np.float32), (row_ids, col_ids)),
            shape=(len(texts), self.width),
            dtype=np.float32,
        )
        counts.sum_duplicates()
        counts.sort_indices()
        # What TfidfTransformer.transform does (sublinear_tf, idf, l2), in its order.
        np.log(counts.data, counts.data)
        counts.data += 1.0
        counts.data *= self.idf[counts.indices]
        normalised: sparse.csr_matrix = normalize(counts, norm="l2", copy=False)
        return normalised


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
    """VADER's compound, positive and negative scores (its English tweet lexicon), sparse.

    Computed by :func:`criterio.analysis.sentiment.vader.vader_scores`, which gives
    ``polarity_scores``'s figures at a fraction of its cost.
    """
    return sparse.csr_matrix(vader_scores(texts))


def feature_blocks(
    texts: Sequence[str], word: TfidfVectorizer | WordNgrams, char: CharNgrams, lexicon: Any
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
