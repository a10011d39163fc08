"""Term segments: the contacts whose text mentions a word or a two-word phrase.

Topics cut the contacts into one reason each, but an issue need not follow the cut: a
new problem can land inside an existing topic ("shuffle" complaints among playback
ones), and a growing reason can spread over several topics (one per phrasing). The
words customers use name such an issue whatever the topics are. Every word and
two-word phrase (stop words of English and Spanish, handles and links left out) that
enough contacts mention, and that is not too common to name anything, becomes a
segment ``{"term": word}``; its rows may overlap other segments. The daily volume,
emerging and shift detectors test them like topics, under the same multiple-testing
control, and overlapping detections are merged by explaining away
(:mod:`._consolidate`).

The texts are the redacted ones (``criterio analyze`` stores them), so a term is never
personal data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

from criterio.analysis.topics.labels import STOP_WORDS

__all__ = ["MAX_SHARE", "MAX_TERMS", "fold_term", "term_analyzer", "term_masks"]

#: A term in more than this share of the contacts names no issue (the brand, "app").
MAX_SHARE = 0.15
#: At most this many terms (the most frequent): each is one more hypothesis to test.
MAX_TERMS = 300
#: Words of three letters or more (no digits: order numbers are not terms).
_WORDS = r"(?u)\b[^\W\d_]{3,}\b"
#: Redaction placeholders ("<PERSON>"), handles and links are not what a contact is about.
_NOISE = r"<[A-Z_]+>|\[[A-Z_]+\]|@\w+|https?://\S+|\bwww\.\S+"


def _clean(text: str) -> str:
    return re.sub(_NOISE, " ", text).lower()


def _vectorizer(min_df: int = 1, max_df: float = 1.0) -> CountVectorizer:
    return CountVectorizer(
        binary=True,
        ngram_range=(1, 2),
        stop_words=list(STOP_WORDS),
        token_pattern=_WORDS,
        preprocessor=_clean,
        min_df=min_df,
        max_df=max_df,
        dtype=np.int8,
    )


def fold_term(term: str) -> str:
    """The term with its words' plain inflections cut ("downloaded songs" → "download
    song"): a plural ``-s`` (not ``-ss``), ``-ed`` and ``-ing``, when four letters stay.
    "playlist" and "playlists", "cuenta" and "cuentas", "download" and "downloaded" are
    one segment; a word cut wrongly is only a key, never shown."""
    words = []
    for word in term.split(" "):
        for suffix in ("ing", "ed", "s"):
            stem = word[: -len(suffix)]
            if word.endswith(suffix) and len(stem) >= 4 and not word.endswith("ss"):
                word = stem
                break
        words.append(word)
    return " ".join(words)


def term_analyzer() -> Callable[[str], list[str]]:
    """A text's terms (words and two-word phrases, folded), as the segments are cut."""
    surface: Callable[[str], list[str]] = _vectorizer().build_analyzer()

    def analyse(text: str) -> list[str]:
        return [fold_term(t) for t in surface(text)]

    return analyse


def term_masks(
    texts: pd.Series, *, min_count: int, max_terms: int = MAX_TERMS
) -> dict[str, np.ndarray[Any, np.dtype[np.bool_]]]:
    """Row mask of every term mentioned by at least ``min_count`` contacts (and by no
    more than :data:`MAX_SHARE` of them), the ``max_terms`` most frequent, each named
    by its most frequent written form."""
    present = texts.notna().to_numpy()
    if int(present.sum()) < min_count:
        return {}
    docs = texts.fillna("").astype(str).tolist()
    # One pass over the texts for the written forms; forms are then grouped by their
    # folded key (a key's contacts: those with any of its forms).
    vectorizer = _vectorizer(min_df=2)
    try:
        written = vectorizer.fit_transform(docs).tocsc()
    except ValueError:  # no term at all: nothing to cut by
        return {}
    forms = vectorizer.get_feature_names_out()
    keys, group = np.unique([fold_term(str(f)) for f in forms], return_inverse=True)
    merge = sparse.csr_matrix(
        (np.ones(len(forms), dtype=np.int32), (np.arange(len(forms)), group)),
        shape=(len(forms), len(keys)),
    )
    matrix = ((written @ merge) > 0).tocsc()
    counts = np.asarray(matrix.sum(axis=0)).ravel()
    ok = (counts >= min_count) & (counts <= MAX_SHARE * len(docs))
    order = [j for j in np.argsort(-counts, kind="stable") if ok[j]][:max_terms]
    form_counts = np.asarray(written.sum(axis=0)).ravel()
    label: dict[int, str] = {}
    for f in np.argsort(form_counts, kind="stable"):  # the most frequent form last
        label[int(group[f])] = str(forms[f])
    out: dict[str, np.ndarray[Any, np.dtype[np.bool_]]] = {}
    for j in order:
        mask = np.zeros(len(docs), dtype=bool)
        mask[matrix.indices[matrix.indptr[j] : matrix.indptr[j + 1]]] = True
        out[label[int(j)]] = mask
    return out
