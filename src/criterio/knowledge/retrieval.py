"""The hybrid retrieval index: BM25 words + character n-grams + static vectors, fused by rank.

Pure: documents in, rankings out; no database. Three rankers each score every
document for a query, and reciprocal rank fusion (RRF, Cormack et al. 2009) orders
them: a document near the top of any ranker comes up, without tuning score scales.

- **BM25** (``bm25s``) on accent-folded word tokens: exact terms, rare words.
- **Character n-grams** (3-5, within words, TF-IDF, scikit-learn): typos, chat
  spelling, missing accents and word forms (``reembolso`` / ``reembolsar``).
- **Static vectors** (the shipped model2vec table) of the whole article, and of each of
  its passages (title, the customer's phrasings in the issue, the resolution's
  sentences), ranked by the closest passage: paraphrases with no word in common.

The ``confidence`` of a hit (0..1) is what ``no_match`` is decided on: the geometric mean
of the query's character n-gram cosine with the article and its vector cosine with the
article's closest passage, a scale that means the same for every query.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["RRF_K", "STOP_WORDS", "Hit", "IndexDoc", "RetrievalIndex", "fold"]

#: The RRF constant: 60 is the value of the original paper and of most engines.
RRF_K = 60
#: How many of each ranker's best documents take part in the fusion.
DEPTH = 100
#: Size of the hashed character n-gram space (collisions are rare below a million n-grams).
NGRAM_FEATURES = 2**20
#: Passages of an article that get a vector of their own (title and first sentences).
MAX_PASSAGES = 8

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
STOP_WORDS = frozenset(_STOP_WORDS.split())


def fold(text: str) -> str:
    """Lower case, accents removed, letters repeated 3+ times once, chat spellings written out."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _REPEATS.sub(r"\1", text)
    return " ".join(_CHAT.get(w, w) for w in _TOKEN.findall(text))


def _text(doc: IndexDoc) -> str:
    """What the lexical rankers read: the title twice (it names the issue), then the body."""
    return fold(f"{doc.title} {doc.title} {doc.body}")


def _tokens(folded: str) -> list[str]:
    return [w for w in folded.split() if w not in STOP_WORDS] or folded.split()


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
        # An update swaps many arrays: a search in another thread waits for all of them.
        self._lock = threading.RLock()

    def fit(self, docs: Sequence[IndexDoc]) -> RetrievalIndex:
        """Learn the n-gram vocabulary from ``docs`` and index them; returns self."""
        from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
        from sklearn.pipeline import make_pipeline

        if self.encoder is None:
            from criterio.analysis.embeddings import StaticEncoder

            self.encoder_: Any = StaticEncoder().fit()
        else:
            self.encoder_ = self.encoder
        docs = list(docs)
        texts = [_text(d) for d in docs]
        # Hashed n-grams: an article edited or added later keeps n-grams no fitted article
        # had (they weigh as the rarest), so an update finds new words like a refit does.
        self.ngrams_ = make_pipeline(
            HashingVectorizer(
                analyzer="char_wb",
                ngram_range=(3, 5),
                n_features=NGRAM_FEATURES,
                alternate_sign=False,
                norm=None,
                dtype=np.float32,
            ),
            TfidfTransformer(sublinear_tf=True),
        )
        rows = self.ngrams_.fit_transform(texts or ["empty"])[: len(docs)]
        dim = self.encoder_.dim
        self.docs_: list[IndexDoc] = []
        self.tokens_: list[list[str]] = []
        self.passages_: list[list[str]] = []
        self.ngram_rows_ = rows[:0]
        self.vectors_ = np.zeros((0, dim), np.float32)
        self.passage_vectors_ = np.zeros((0, dim), np.float32)
        self._append(docs, texts, rows)
        return self

    def update(self, docs: Sequence[IndexDoc]) -> RetrievalIndex:
        """Index new or changed ``docs`` (by key) with the vocabulary learnt at ``fit``.

        Much cheaper than a new fit on a large base (only these documents are encoded);
        n-grams no fitted document had are left out until the next fit.
        """
        with self._lock:
            return self._update(list(docs))

    def _update(self, docs: list[IndexDoc]) -> RetrievalIndex:
        changed = {d.key for d in docs}
        keep = np.array([d.key not in changed for d in self.docs_], dtype=bool)
        counts = np.array([len(p) for p in self.passages_], dtype=np.int64)
        rows = np.flatnonzero(keep)
        self.docs_ = [self.docs_[i] for i in rows]
        self.tokens_ = [self.tokens_[i] for i in rows]
        self.passages_ = [self.passages_[i] for i in rows]
        self.ngram_rows_ = self.ngram_rows_[rows]
        self.vectors_ = self.vectors_[rows]
        self.passage_vectors_ = self.passage_vectors_[np.repeat(keep, counts)]
        texts = [_text(d) for d in docs]
        self._append(docs, texts, self.ngrams_.transform(texts) if docs else None)
        return self

    def _append(self, docs: list[IndexDoc], texts: list[str], rows: Any) -> None:
        """Add documents (their n-gram rows given), then rebuild what spans them all."""
        import bm25s
        from scipy import sparse

        if docs:
            self.docs_ += docs
            self.tokens_ += [_tokens(t) for t in texts]
            self.ngram_rows_ = sparse.vstack([self.ngram_rows_, rows]).tocsr()
            raw = [f"{d.title}. {d.body}" for d in docs]
            self.vectors_ = np.vstack([self.vectors_, self.encoder_.transform(raw)])
            # Each passage gets a vector too: a query close to one sentence of an article
            # (one way a customer put the issue) is a closer match than to its average.
            passages = [list(d.passages[:MAX_PASSAGES]) or [d.title] for d in docs]
            self.passages_ += passages
            flat = [p for group in passages for p in group]
            self.passage_vectors_ = np.vstack(
                [self.passage_vectors_, self.encoder_.transform(flat)]
            )
        # BM25's statistics span the whole base: rebuilt each time (seconds at 10,000).
        self.bm25_ = bm25s.BM25()
        if self.tokens_:
            self.bm25_.index(self.tokens_, show_progress=False)
        # Stored feature-major: a query's score is the sum of the postings of its few
        # n-grams, not a product with every document's row.
        self.ngram_postings_ = self.ngram_rows_.T.tocsr()
        self.states_ = np.array([d.state for d in self.docs_], dtype=object)
        self.audiences_ = np.array([d.audience for d in self.docs_], dtype=object)
        self.languages_ = np.array([d.language for d in self.docs_], dtype=object)
        counts = np.array([len(p) for p in self.passages_], dtype=np.int64)
        self.starts_ = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)

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
        with self._lock:
            return self._search(query, limit, states, audiences, languages, exclude_states)

    def _search(
        self,
        query: str,
        limit: int,
        states: Sequence[str],
        audiences: Sequence[str],
        languages: Sequence[str],
        exclude_states: Sequence[str],
    ) -> list[Hit]:
        if not self.docs_ or not query.strip():
            return []
        mask = np.ones(len(self.docs_), dtype=bool)
        for values, wanted in (
            (self.states_, states),
            (self.audiences_, audiences),
            (self.languages_, languages),
        ):
            if wanted:
                mask &= np.isin(values, list(wanted))
        if exclude_states:
            mask &= ~np.isin(self.states_, list(exclude_states))
        if not mask.any():
            return []
        folded = fold(query)
        if not folded:  # punctuation, emoji only: no word to look for
            return []
        bm25 = np.asarray(self.bm25_.get_scores(_tokens(folded)), dtype=np.float32)
        query_ngrams = self.ngrams_.transform([folded])
        ngram = np.asarray(self.ngram_postings_[query_ngrams.indices].T @ query_ngrams.data).ravel()
        query_vector = self.encoder_.transform([query])[0]
        # One matrix-vector product is too small to share out: BLAS threads only wait
        # on each other (10,000 articles: 20 ms with threads on a busy 2-core VM, 1.4 alone).
        with _single_thread():
            vector = self.vectors_ @ query_vector
            per_passage = self.passage_vectors_ @ query_vector
        passage = np.maximum.reduceat(per_passage, self.starts_)
        fused = np.zeros(len(self.docs_), dtype=np.float64)
        for scores in (bm25, ngram, vector, passage):
            fused += _rrf(np.where(mask, scores, -np.inf), has_signal=scores > 0)
        fused[~mask] = -1.0
        order = np.argsort(-fused, kind="stable")[:limit]
        # Words and meaning must both agree: on Bitext with 5 intents' articles removed this
        # tells answerable queries apart better (AUROC 0.795) than either alone (0.788, 0.693).
        confidence = np.sqrt(np.clip(ngram, 0.0, 1.0) * np.clip(passage, 0.0, 1.0))
        return [
            Hit(
                key=self.docs_[i].key,
                rrf=float(fused[i]),
                confidence=float(confidence[i]),
                passage=self._passage(i, per_passage),
            )
            for i in order
            if fused[i] > 0
        ]

    def _passage(self, row: int, per_passage: np.ndarray[Any, Any]) -> str:
        """The passage of a document whose vector is closest to the query's."""
        start = int(self.starts_[row])
        count = len(self.passages_[row])
        return self.passages_[row][int(np.argmax(per_passage[start : start + count]))]


def _single_thread() -> Any:
    """A context in which BLAS runs on the calling thread only."""
    from threadpoolctl import ThreadpoolController

    if not _controller:
        _controller.append(ThreadpoolController())
    return _controller[0].limit(limits=1, user_api="blas")


_controller: list[Any] = []


def _rrf(scores: np.ndarray[Any, Any], *, has_signal: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Reciprocal rank fusion terms 1/(k + rank) for a ranker's ``DEPTH`` best documents."""
    terms = np.zeros(len(scores), dtype=np.float64)
    top = np.argsort(-scores, kind="stable")[:DEPTH]
    top = top[np.isfinite(scores[top]) & has_signal[top]]
    terms[top] = 1.0 / (RRF_K + 1 + np.arange(len(top)))
    return terms
