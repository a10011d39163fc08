"""The hybrid retrieval index: BM25 words + character n-grams + static vectors, fused by rank.

Pure: documents in, rankings out; no database. Three rankers each score every
document for a query, and reciprocal rank fusion (RRF, Cormack et al. 2009) orders
them: a document near the top of any ranker comes up, without tuning score scales.

- **BM25** (``bm25s``) on accent-folded word tokens: exact terms, rare words.
- **Character n-grams** (3-5, within words, TF-IDF, scikit-learn): typos, chat
  spelling, missing accents and word forms (``reembolso`` / ``reembolsar``).
- **Static vectors** (the shipped model2vec table): paraphrases with no word in common.

The ``confidence`` of a hit (0..1) is what ``no_match`` is decided on: the best of the
n-gram and vector cosines of that article, a scale that means the same for every query.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["RRF_K", "Hit", "IndexDoc", "RetrievalIndex", "fold"]

#: The RRF constant: 60 is the value of the original paper and of most engines.
RRF_K = 60
#: How many of each ranker's best documents take part in the fusion.
DEPTH = 100

_REPEATS = re.compile(r"(\w)\1{2,}")
_TOKEN = re.compile(r"[a-z0-9]+")
#: Chat spellings of common words (es, en) written out, so every ranker sees the word.
_CHAT = {
    "q": "que",
    "k": "que",
    "xq": "porque",
    "pq": "porque",
    "porq": "porque",
    "tb": "tambien",
    "tmb": "tambien",
    "xfa": "por favor",
    "porfa": "por favor",
    "pls": "please",
    "plz": "please",
    "u": "you",
    "ur": "your",
    "thx": "thanks",
    "acct": "account",
    "pwd": "password",
    "msg": "message",
}
#: Words too common to tell articles apart (BM25 only; n-grams and vectors weigh them down).
_STOP_WORDS = (
    "a an the and or of to in on for is are be i my me you your it this that with can how do "
    "does what when where why have has was not no yes please hi hello thanks "
    "el la los las un una unos unas y o de del al en por para con mi mis me te tu su es son "
    "que como cuando donde porque hola gracias lo le les se si ya muy mas hay"
)
_STOP = frozenset(_STOP_WORDS.split())


def fold(text: str) -> str:
    """Lower case, accents removed, letters repeated 3+ times once, chat spellings written out."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _REPEATS.sub(r"\1", text)
    return " ".join(_CHAT.get(w, w) for w in _TOKEN.findall(text))


def _tokens(folded: str) -> list[str]:
    return [w for w in folded.split() if w not in _STOP] or folded.split()


@dataclass(frozen=True)
class IndexDoc:
    """One article as the index sees it: its key, fields and passages."""

    key: int
    title: str
    body: str
    passages: tuple[str, ...]
    state: str
    audience: str
    language: str


@dataclass(frozen=True)
class Hit:
    """A ranked document: fused rank score, confidence (0..1) and the passage that matched."""

    key: int
    rrf: float
    confidence: float
    passage: str


class RetrievalIndex:
    """A fitted hybrid index over one tenant's articles."""

    def __init__(self, encoder: Any | None = None) -> None:
        self.encoder = encoder

    def fit(self, docs: Sequence[IndexDoc]) -> RetrievalIndex:
        """Build the three rankers over ``docs``; returns self."""
        import bm25s
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.docs_ = list(docs)
        texts = [fold(f"{d.title} {d.title} {d.body}") for d in self.docs_]
        self.bm25_ = bm25s.BM25()
        if texts:
            self.bm25_.index([_tokens(t) for t in texts], show_progress=False)
        self.ngrams_ = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=1, dtype=np.float32
        )
        self.ngram_matrix_ = self.ngrams_.fit_transform(texts or ["empty"])
        if self.encoder is None:
            from criterio.analysis.embeddings import StaticEncoder

            self.encoder_: Any = StaticEncoder().fit()
        else:
            self.encoder_ = self.encoder
        raw = [f"{d.title}. {d.body}" for d in self.docs_]
        self.vectors_ = self.encoder_.transform(raw) if raw else np.zeros((0, 1), np.float32)
        return self

    def __len__(self) -> int:
        return len(self.docs_)

    def search(
        self,
        query: str,
        *,
        limit: int = 5,
        states: Sequence[str] = (),
        audiences: Sequence[str] = (),
        languages: Sequence[str] = (),
        exclude_states: Sequence[str] = (),
    ) -> list[Hit]:
        """The ``limit`` best documents for ``query`` among those passing the filters."""
        if not self.docs_ or not query.strip():
            return []
        mask = np.array(
            [
                (not states or d.state in states)
                and (not audiences or d.audience in audiences)
                and (not languages or d.language in languages)
                and d.state not in exclude_states
                for d in self.docs_
            ]
        )
        if not mask.any():
            return []
        folded = fold(query)
        bm25 = np.asarray(self.bm25_.get_scores(_tokens(folded)), dtype=np.float32)
        query_ngrams = self.ngrams_.transform([folded])
        ngram = np.asarray((self.ngram_matrix_ @ query_ngrams.T).toarray()).ravel()
        vector = self.vectors_ @ self.encoder_.transform([query])[0]
        fused = np.zeros(len(self.docs_), dtype=np.float64)
        for scores, weight in ((bm25, 1.0), (ngram, 1.0), (vector, 1.0)):
            fused += weight * _rrf(np.where(mask, scores, -np.inf), has_signal=scores > 0)
        fused[~mask] = -1.0
        order = np.argsort(-fused, kind="stable")[:limit]
        confidence = np.clip(np.maximum(ngram, vector), 0.0, 1.0)
        return [
            Hit(
                key=self.docs_[i].key,
                rrf=float(fused[i]),
                confidence=float(confidence[i]),
                passage=self._passage(i, query_ngrams),
            )
            for i in order
            if fused[i] > 0
        ]

    def _passage(self, row: int, query_ngrams: Any) -> str:
        """The passage of a document closest to the query in character n-grams."""
        passages = self.docs_[row].passages
        if len(passages) <= 1:
            return passages[0] if passages else self.docs_[row].title
        matrix = self.ngrams_.transform([fold(p) for p in passages])
        scores = np.asarray((matrix @ query_ngrams.T).toarray()).ravel()
        return passages[int(np.argmax(scores))]


def _rrf(scores: np.ndarray[Any, Any], *, has_signal: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Reciprocal rank fusion terms 1/(k + rank) for a ranker's ``DEPTH`` best documents."""
    terms = np.zeros(len(scores), dtype=np.float64)
    top = np.argsort(-scores, kind="stable")[:DEPTH]
    top = top[np.isfinite(scores[top]) & has_signal[top]]
    terms[top] = 1.0 / (RRF_K + 1 + np.arange(len(top)))
    return terms
