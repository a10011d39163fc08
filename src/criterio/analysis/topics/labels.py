"""Human-readable topic labels: a key phrase, and class-based TF-IDF keywords as detail.

The keywords are BERTopic's c-TF-IDF words. The label is extractive: the 2–4 word
phrase of the topic's own (masked) texts that best combines c-TF-IDF (frequent in the
topic, rare elsewhere) with centrality (used by the texts nearest the topic's centre),
never starting or ending with a stop word of either language. Being the texts' own
words, it is in their language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

__all__ = ["STOP_WORDS", "class_counts", "key_phrases", "keywords_from_counts", "word_scores"]

# Spanish function words; English ones come from scikit-learn. Keywords are in the
# language of the texts because they are the texts' own words, minus these.
_SPANISH = [
    "a",
    "al",
    "algo",
    "algunas",
    "algunos",
    "ante",
    "antes",
    "como",
    "con",
    "contra",
    "cual",
    "cuando",
    "de",
    "del",
    "desde",
    "donde",
    "durante",
    "e",
    "el",
    "ella",
    "ellas",
    "ellos",
    "en",
    "entre",
    "era",
    "eres",
    "es",
    "esa",
    "esas",
    "ese",
    "eso",
    "esos",
    "esta",
    "estaba",
    "estado",
    "estan",
    "estar",
    "estas",
    "este",
    "esto",
    "estos",
    "estoy",
    "fue",
    "fueron",
    "ha",
    "han",
    "has",
    "hasta",
    "hay",
    "he",
    "la",
    "las",
    "le",
    "les",
    "lo",
    "los",
    "me",
    "mi",
    "mis",
    "mucho",
    "muy",
    "mas",
    "más",
    "nada",
    "ni",
    "no",
    "nos",
    "nosotros",
    "o",
    "os",
    "otra",
    "otro",
    "para",
    "pero",
    "poco",
    "por",
    "porque",
    "que",
    "qué",
    "quien",
    "se",
    "sea",
    "ser",
    "si",
    "sí",
    "sin",
    "sobre",
    "son",
    "su",
    "sus",
    "también",
    "tan",
    "te",
    "tengo",
    "ti",
    "tiene",
    "tienen",
    "todo",
    "todos",
    "tu",
    "tus",
    "un",
    "una",
    "uno",
    "unos",
    "usted",
    "vos",
    "y",
    "ya",
    "yo",
    "él",
    "ésta",
    "hola",
    "gracias",
    "favor",
    "puedo",
    "puede",
    "quiero",
    "necesito",
    "buenas",
    "buenos",
    "dias",
    "días",
    "tardes",
    "hacer",
    "ayuda",
    "ayudar",
    "intentando",
    "intento",
    "cómo",
    "cuánto",
    "cuanto",
    "llevo",
    "sigo",
    "habéis",
    "hemos",
    "deseo",
    "aparece",
    "otra",
    "vez",
]
# Conversational filler scikit-learn's list lacks: it made labels like
# "declined · buy · trying · got". "don", "t" and the like are what the token
# pattern leaves of contractions.
_ENGLISH_FILLER = [
    "hi",
    "hello",
    "hey",
    "please",
    "pls",
    "thanks",
    "thank",
    "want",
    "wanted",
    "need",
    "needed",
    "trying",
    "tried",
    "try",
    "got",
    "get",
    "getting",
    "just",
    "like",
    "know",
    "help",
    "did",
    "does",
    "doing",
    "don",
    "didn",
    "doesn",
    "isn",
    "wasn",
    "aren",
    "haven",
    "ve",
    "ll",
    "im",
    "ok",
    "okay",
    "really",
    "going",
    "able",
    "way",
    "today",
    "yesterday",
    "happened",
    "still",
    "waiting",
]
STOP_WORDS: frozenset[str] = (
    frozenset(ENGLISH_STOP_WORDS) | frozenset(_ENGLISH_FILLER) | frozenset(_SPANISH)
)
#: Words of a text (letters only): the same tokens the keywords are made of.
_WORD_PATTERN = r"(?u)\b[^\W\d_]{2,}\b"
#: Handles (@brand) and links: a social channel's addressing, never a contact reason
#: (measured: "spotifycares yeah", "spotifycares https" labelled support tweets).
_ADDRESSING = re.compile(r"@\w+|https?://\S+|\bwww\.\S+", re.IGNORECASE)


def _words_only(text: str) -> str:
    """The text lower-cased, without handles and links."""
    return _ADDRESSING.sub(" ", text).lower()


def class_counts(
    texts: Sequence[str], assignment: np.ndarray[Any, Any], n_classes: int
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Class×term word counts (classes 0..n_classes-1; -1 ignored) and the terms."""
    vectorizer = CountVectorizer(
        stop_words=list(STOP_WORDS),
        token_pattern=_WORD_PATTERN,
        preprocessor=_words_only,
        min_df=2 if len(texts) > 50 else 1,
        max_features=50_000,
    )
    try:
        counts = vectorizer.fit_transform(texts)
    except ValueError:  # nothing but stop words
        return np.zeros((n_classes, 0)), np.array([], dtype=object)
    keep = assignment >= 0
    rows = sparse.csr_matrix(
        (np.ones(int(keep.sum())), (assignment[keep], np.flatnonzero(keep))),
        shape=(n_classes, len(texts)),
    )
    return (rows @ counts).toarray(), np.asarray(vectorizer.get_feature_names_out(), dtype=object)


def word_scores(per_class: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """c-TF-IDF of each word in each class (class × term counts in, same shape out)."""
    totals = per_class.sum(axis=1, keepdims=True)
    tf = per_class / np.maximum(totals, 1)
    average_words = max(float(totals.mean()), 1.0)
    idf = np.log1p(average_words / np.maximum(per_class.sum(axis=0), 1))
    scores: np.ndarray[Any, Any] = tf * idf
    return scores


def keywords_from_counts(
    per_class: np.ndarray[Any, Any], terms: np.ndarray[Any, Any], top: int
) -> list[list[str]]:
    """The ``top`` words of each class by c-TF-IDF (frequent in it, rare elsewhere)."""
    if per_class.shape[1] == 0:
        return [[] for _ in range(per_class.shape[0])]
    scores = word_scores(per_class)
    result: list[list[str]] = []
    for row, count in zip(scores, per_class, strict=True):
        order = np.argsort(-row, kind="stable")[:top]
        result.append([str(terms[i]) for i in order if count[i] > 0])
    return result


def key_phrases(
    texts: Sequence[str],
    assignment: np.ndarray[Any, Any],
    centrality: np.ndarray[Any, Any],
    word_counts: tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]],
) -> list[str]:
    """The key phrase of each class: a 2–4 word n-gram of its texts ("" when none).

    ``word_counts`` is :func:`class_counts`' (class × word counts, words). A phrase's
    score in a class is the c-TF-IDF of its words there (summed, over the square root of
    its length) times the share of the class's texts that use it, times its centrality
    (the mean cosine to the class centre of those texts): the phrase made of the topic's
    keywords that the typical customer writes. Phrases that start or end with a stop
    word (English or Spanish), or hold a masking placeholder (``[EMAIL]``), a handle
    (``@brand``) or a link, are never candidates; a phrase two of the class's texts use
    is preferred to one of a single text.
    """
    per_word, words = word_counts
    n_classes = per_word.shape[0]
    if n_classes == 0 or len(texts) == 0 or len(words) == 0:
        return [""] * n_classes
    vectorizer = CountVectorizer(
        token_pattern=_WORD_PATTERN,
        ngram_range=(2, 4),
        # Placeholders are upper case; replacing them before lowercasing keeps their
        # letters out of every phrase, and a phrase never spans a handle or a link.
        preprocessor=lambda t: _ADDRESSING.sub(" | ", re.sub(r"\[[A-Z_]+\]", " | ", t)).lower(),
        binary=True,
    )
    try:
        counts = vectorizer.fit_transform(texts).tocsc()
    except ValueError:  # no text has two words
        return [""] * n_classes
    terms = np.asarray(vectorizer.get_feature_names_out(), dtype=object)
    usable = np.asarray([_clean_edges(str(t)) for t in terms], dtype=bool)
    counts, terms = counts[:, usable], terms[usable]
    if len(terms) == 0:
        return [""] * n_classes
    keep = assignment >= 0
    rows, cols = assignment[keep], np.flatnonzero(keep)
    member = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_classes, len(texts)))
    central = sparse.csr_matrix(
        (np.clip(centrality[keep], 0.0, None), (rows, cols)), shape=(n_classes, len(texts))
    )
    per_class = np.asarray((member @ counts).todense())
    closeness = np.asarray((central @ counts).todense()) / np.maximum(per_class, 1)
    sizes = np.bincount(rows, minlength=n_classes)
    coverage = per_class / np.maximum(sizes[:, None], 1)
    keyness = word_scores(per_word) @ _phrase_words(terms, words).T
    scores = coverage * closeness * keyness
    labels: list[str] = []
    for c in range(n_classes):
        # A phrase two of its texts share, else the best of one text (scored by how
        # central that text is).
        for floor in (min(2, int(sizes[c])), 1):
            row = np.where((per_class[c] >= max(floor, 1)) & (keyness[c] > 0), scores[c], -np.inf)
            best = int(np.argmax(row))
            if np.isfinite(row[best]):
                break
        labels.append(str(terms[best]) if np.isfinite(row[best]) else "")
    return labels


def _phrase_words(phrases: np.ndarray[Any, Any], words: np.ndarray[Any, Any]) -> Any:
    """Phrase × word matrix: 1/sqrt(length) where the word is in the phrase."""
    index = {str(w): i for i, w in enumerate(words)}
    rows, cols, values = [], [], []
    for p, phrase in enumerate(phrases):
        tokens = str(phrase).split()
        for token in set(tokens):
            if token in index:
                rows.append(p)
                cols.append(index[token])
                values.append(1.0 / np.sqrt(len(tokens)))
    return sparse.csr_matrix((values, (rows, cols)), shape=(len(phrases), len(words)))


def _clean_edges(phrase: str) -> bool:
    words = phrase.split()
    return words[0] not in STOP_WORDS and words[-1] not in STOP_WORDS
