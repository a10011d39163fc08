"""Human-readable topic labels: class-based TF-IDF keywords (as BERTopic's c-TF-IDF)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

__all__ = ["STOP_WORDS", "class_counts", "keywords_from_counts"]

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
]
STOP_WORDS: frozenset[str] = frozenset(ENGLISH_STOP_WORDS) | frozenset(_SPANISH)


def class_counts(
    texts: Sequence[str], assignment: np.ndarray[Any, Any], n_classes: int
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Class×term word counts (classes 0..n_classes-1; -1 ignored) and the terms."""
    vectorizer = CountVectorizer(
        stop_words=list(STOP_WORDS),
        token_pattern=r"(?u)\b[^\W\d_]{2,}\b",  # noqa: S106 - a regex, not a password
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


def keywords_from_counts(
    per_class: np.ndarray[Any, Any], terms: np.ndarray[Any, Any], top: int
) -> list[list[str]]:
    """The ``top`` words of each class by c-TF-IDF (frequent in it, rare elsewhere)."""
    if per_class.shape[1] == 0:
        return [[] for _ in range(per_class.shape[0])]
    totals = per_class.sum(axis=1, keepdims=True)
    tf = per_class / np.maximum(totals, 1)
    average_words = max(float(totals.mean()), 1.0)
    idf = np.log1p(average_words / np.maximum(per_class.sum(axis=0), 1))
    scores = tf * idf
    result: list[list[str]] = []
    for row, count in zip(scores, per_class, strict=True):
        order = np.argsort(-row, kind="stable")[:top]
        result.append([str(terms[i]) for i in order if count[i] > 0])
    return result
