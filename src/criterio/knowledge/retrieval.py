"""The hybrid retrieval index: BM25 words, character n-grams and two kinds of vectors, fused.

Pure: documents in, rankings out; no database. Five rankers score every document for
a query; each ranker's scores are standardised over the documents searched (z-scores)
and added with fixed weights (chosen on development splits of Bitext and BANKING77,
never on the test queries: docs/benchmarks.md), so a document far above the rest in any
ranker comes up, and a strong agreement of several rankers outweighs one loud ranker.

- **BM25** (``bm25s``) on accent-folded word tokens: exact terms, rare words.
- **Character n-grams** (3-5, within words, TF-IDF, scikit-learn): typos, chat
  spelling, missing accents and word forms (``reembolso`` / ``reembolsar``).
- **English static vectors** (the shipped model2vec table) of each passage (title, the
  customer's phrasings in the issue, the resolution's sentences), closest passage first.
- **Multilingual sentence vectors** (USE multilingual v3, Spanish and English in one
  space) of the article's summary (title and issue) and of its resolution, the closer
  one counting, and of its first passages, the closest counting: paraphrases and
  cross-lingual matches (a Spanish message finds an English article and the reverse).

The three word-bound rankers (BM25, n-grams, English vectors) see only the articles in
the query's language when it is known: across languages they only measure shared
spellings, which is noise. The ``confidence`` of a hit (0..1) is what ``no_match`` is
decided on: the multilingual cosine of the query with the article's closest vector, a
scale that means the same for every query, language and size of the base.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from criterio.knowledge.folding import STOP_WORDS, fold, tokens

__all__ = [
    "STOP_WORDS",
    "WEIGHTS",
    "Hit",
    "IndexDoc",
    "RetrievalIndex",
    "VectorStore",
    "fold",
    "shared_encoder",
]

#: Weight of each ranker's z-scores in the fused score (chosen on development splits).
WEIGHTS = {"bm25": 0.5, "ngrams": 0.5, "static": 1.0, "summary": 1.0, "passage": 1.0}
#: Size of the hashed character n-gram space (collisions are rare below a million n-grams).
NGRAM_FEATURES = 2**20
#: Passages of an article that get an English static vector (title and first sentences).
MAX_PASSAGES = 8
#: Passages that also get a multilingual vector (the slower encoder: the first ones).
MAX_ML_PASSAGES = 4


def _text(doc: IndexDoc) -> str:
    """What the lexical rankers read: the title twice (it names the issue), then the body."""
    return fold(f"{doc.title} {doc.title} {doc.body}")


class VectorStore(Protocol):
    """Where multilingual vectors of article texts outlive the process (a build's cache).

    ``encoder``: the encoder's name and version, so vectors of another encoder never mix.
    """

    def load(self, encoder: str, texts: list[str]) -> dict[str, np.ndarray[Any, Any]]:
        """The stored vectors of those ``texts`` that have one."""
        ...

    def save(self, encoder: str, vectors: dict[str, np.ndarray[Any, Any]]) -> None:
        """Keep newly encoded vectors."""
        ...

    def keep_only(self, encoder: str, texts: set[str]) -> None:
        """Forget the vectors of every other text (after a full build)."""
        ...


@dataclass(frozen=True)
class IndexDoc:
    """One article as the index sees it: its key, fields and passages.

    ``summary`` (title and issue: the customer's side) and ``resolution`` each get a
    multilingual vector; empty, they default to the title and body, and the title.
    """

    key: int
    title: str
    body: str
    passages: tuple[str, ...]
    state: str
    audience: str
    language: str
    summary: str = ""
    resolution: str = ""

    def views(self) -> tuple[str, str]:
        """The two texts whose multilingual vectors stand for the whole article."""
        return (self.summary or f"{self.title}. {self.body}", self.resolution or self.title)


@dataclass(frozen=True)
class Hit:
    """A ranked document: fused score, confidence (0..1) and the passage that matched."""

    key: int
    fused: float
    confidence: float
    passage: str


class RetrievalIndex:
    """A fitted hybrid index over one tenant's articles.

    ``encoder``: the English static vectors; ``multilingual``: the sentence encoder
    shared by Spanish and English (both loaded from the package when not given).
    """

    def __init__(self, encoder: Any | None = None, multilingual: Any | None = None) -> None:
        self.encoder = encoder
        self.multilingual = multilingual
        # An update swaps many arrays: a search in another thread waits for all of them.
        self._lock = threading.RLock()
        self._store: VectorStore | None = None

    def fit(
        self,
        docs: Sequence[IndexDoc],
        reuse: RetrievalIndex | None = None,
        store: VectorStore | None = None,
    ) -> RetrievalIndex:
        """Learn the n-gram weights from ``docs`` and index them; returns self.

        ``reuse``: an earlier index whose multilingual vectors of unchanged texts are
        taken over instead of encoded again (the slow part of a build); ``store``: where
        vectors of earlier processes are looked up, new ones kept and those of texts no
        document has any more forgotten.
        """
        from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
        from sklearn.pipeline import make_pipeline

        self.encoder_: Any = self.encoder or shared_encoder("static")
        self.multilingual_: Any = self.multilingual or shared_encoder("use")
        self._memo = reuse._vectors_by_text() if reuse is not None else {}
        self._store = store
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
        dim, ml_dim = self.encoder_.dim, self.multilingual_.dim
        self.docs_: list[IndexDoc] = []
        self.tokens_: list[list[str]] = []
        self.passages_: list[list[str]] = []
        self.ngram_rows_ = rows[:0]
        self.passage_vectors_ = np.zeros((0, dim), np.float32)
        self.view_vectors_ = np.zeros((0, 2, ml_dim), np.float32)
        self.ml_passage_vectors_ = np.zeros((0, ml_dim), np.float32)
        self._append(docs, texts, rows)
        if store is not None:
            store.keep_only(self._encoder_key(), set(self._vectors_by_text()))
        self._memo, self._store = {}, None
        return self

    def update(self, docs: Sequence[IndexDoc], store: VectorStore | None = None) -> RetrievalIndex:
        """Index new or changed ``docs`` (by key) with the n-gram weights learnt at ``fit``.

        Much cheaper than a new fit on a large base (only these documents are encoded).
        """
        with self._lock:
            self._store = store
            try:
                return self._update(list(docs))
            finally:
                self._store = None

    def _update(self, docs: list[IndexDoc]) -> RetrievalIndex:
        changed = {d.key for d in docs}
        keep = np.array([d.key not in changed for d in self.docs_], dtype=bool)
        counts = np.array([len(p) for p in self.passages_], dtype=np.int64)
        ml_counts = np.minimum(counts, MAX_ML_PASSAGES)
        rows = np.flatnonzero(keep)
        self.docs_ = [self.docs_[i] for i in rows]
        self.tokens_ = [self.tokens_[i] for i in rows]
        self.passages_ = [self.passages_[i] for i in rows]
        self.ngram_rows_ = self.ngram_rows_[rows]
        self.view_vectors_ = self.view_vectors_[rows]
        self.passage_vectors_ = self.passage_vectors_[np.repeat(keep, counts)]
        self.ml_passage_vectors_ = self.ml_passage_vectors_[np.repeat(keep, ml_counts)]
        texts = [_text(d) for d in docs]
        self._append(docs, texts, self.ngrams_.transform(texts) if docs else None)
        return self

    def _encoder_key(self) -> str:
        encoder = self.multilingual_
        return f"{type(encoder).__name__}:{getattr(encoder, 'version', '0')}"

    def _encode(self, texts: list[str]) -> np.ndarray[Any, Any]:
        """Multilingual vectors of ``texts``: from the reused index, the store, or encoded."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._memo))
        store = self._store
        if missing and store is not None:
            self._memo.update(store.load(self._encoder_key(), missing))
            missing = [t for t in missing if t not in self._memo]
        if missing:
            encoded = dict(zip(missing, self.multilingual_.transform(missing), strict=True))
            self._memo.update(encoded)
            if store is not None:
                store.save(self._encoder_key(), encoded)
        if not texts:
            return np.zeros((0, self.multilingual_.dim), np.float32)
        return np.vstack([self._memo[t] for t in texts]).astype(np.float32)

    def _vectors_by_text(self) -> dict[str, np.ndarray[Any, Any]]:
        """Each indexed text and its multilingual vector (for a rebuild to take over)."""
        memo: dict[str, np.ndarray[Any, Any]] = {}
        for row, doc in enumerate(self.docs_):
            memo.update(zip(doc.views(), self.view_vectors_[row], strict=True))
            start = int(self.ml_starts_[row])
            firsts = self.passages_[row][:MAX_ML_PASSAGES]
            vectors = self.ml_passage_vectors_[start : start + len(firsts)]
            memo.update(zip(firsts, vectors, strict=True))
        return memo

    def _append(self, docs: list[IndexDoc], texts: list[str], rows: Any) -> None:
        """Add documents (their n-gram rows given), then rebuild what spans them all."""
        import bm25s
        from scipy import sparse

        if docs:
            self.docs_ += docs
            self.tokens_ += [tokens(t) for t in texts]
            self.ngram_rows_ = sparse.vstack([self.ngram_rows_, rows]).tocsr()
            # Each passage gets a vector too: a query close to one sentence of an article
            # (one way a customer put the issue) is a closer match than to its average.
            passages = [list(d.passages[:MAX_PASSAGES]) or [d.title] for d in docs]
            self.passages_ += passages
            flat = [p for group in passages for p in group]
            self.passage_vectors_ = np.vstack(
                [self.passage_vectors_, self.encoder_.transform(flat)]
            )
            views = self._encode([v for d in docs for v in d.views()])
            self.view_vectors_ = np.concatenate(
                [self.view_vectors_, views.reshape(len(docs), 2, -1)]
            )
            firsts = [p for group in passages for p in group[:MAX_ML_PASSAGES]]
            self.ml_passage_vectors_ = np.vstack([self.ml_passage_vectors_, self._encode(firsts)])
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
        self.starts_ = _starts(counts)
        self.ml_starts_ = _starts(np.minimum(counts, MAX_ML_PASSAGES))

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
        query_language: str | None = None,
    ) -> list[Hit]:
        """The ``limit`` best documents for ``query`` among those passing the filters.

        ``query_language``: the query's language when known; the word-bound rankers
        then score only the documents in that language.
        """
        with self._lock:
            mask = self._mask(states, audiences, languages, exclude_states)
            if mask is None or not query.strip():
                return []
            folded = fold(query)
            if not folded:  # punctuation, emoji only: no word to look for
                return []
            return self._search(query, folded, mask, limit, query_language)

    def _mask(
        self,
        states: Sequence[str],
        audiences: Sequence[str],
        languages: Sequence[str],
        exclude_states: Sequence[str],
    ) -> np.ndarray[Any, Any] | None:
        """Which documents pass the filters (None: none does)."""
        if not self.docs_:
            return None
        mask = np.ones(len(self.docs_), dtype=bool)
        for values, wanted in (
            (self.states_, states),
            (self.audiences_, audiences),
            (self.languages_, languages),
        ):
            if wanted:
                mask &= _among(values, wanted)
        if exclude_states:
            mask &= ~_among(self.states_, exclude_states)
        return mask if mask.any() else None

    def _search(
        self,
        query: str,
        folded: str,
        mask: np.ndarray[Any, Any],
        limit: int,
        query_language: str | None,
    ) -> list[Hit]:
        bm25 = np.asarray(self.bm25_.get_scores(tokens(folded)), dtype=np.float32)
        query_ngrams = self.ngrams_.transform([folded])
        ngram = np.asarray(self.ngram_postings_[query_ngrams.indices].T @ query_ngrams.data).ravel()
        static_query = self.encoder_.transform([query])[0]
        ml_query = self.multilingual_.transform([query])[0]
        # One matrix-vector product is too small to share out: BLAS threads only wait
        # on each other (10,000 articles: 20 ms with threads on a busy 2-core VM, 1.4 alone).
        with _single_thread():
            static = np.maximum.reduceat(self.passage_vectors_ @ static_query, self.starts_)
            summary = (self.view_vectors_ @ ml_query).max(axis=1)
            per_passage = self.ml_passage_vectors_ @ ml_query
        passage = np.maximum.reduceat(per_passage, self.ml_starts_)
        # No article in the query's language: the meaning alone ranks.
        same = mask & (self.languages_ == query_language) if query_language else mask
        fused = np.zeros(len(self.docs_), dtype=np.float64)
        for name, scores, where in (
            ("bm25", bm25, same),
            ("ngrams", ngram, same),
            ("static", static, same),
            ("summary", summary, mask),
            ("passage", passage, mask),
        ):
            fused += WEIGHTS[name] * _standardised(scores, where)
        fused[~mask] = -np.inf
        order = np.argsort(-fused, kind="stable")[: min(limit, int(mask.sum()))]
        # The closest multilingual vector: same scale whatever the language and base size.
        confidence = np.clip(np.maximum(summary, passage), 0.0, 1.0)
        return [
            Hit(
                key=self.docs_[i].key,
                fused=float(fused[i]),
                confidence=float(confidence[i]),
                passage=self._passage(i, per_passage),
            )
            for i in order
        ]

    def _passage(self, row: int, per_passage: np.ndarray[Any, Any]) -> str:
        """The passage of a document (among its first) closest to the query in meaning."""
        start = int(self.ml_starts_[row])
        count = min(len(self.passages_[row]), MAX_ML_PASSAGES)
        return self.passages_[row][int(np.argmax(per_passage[start : start + count]))]


def shared_encoder(name: str) -> Any:
    """An encoder by name (``static``, ``use``, ``use-static``), loaded once per process."""
    with _loading:
        if name not in _encoders:
            from criterio.analysis.embeddings import make_encoder

            _encoders[name] = make_encoder(name).fit()
        return _encoders[name]


_encoders: dict[str, Any] = {}
_loading = threading.Lock()


def _among(values: np.ndarray[Any, Any], wanted: Sequence[str]) -> np.ndarray[Any, Any]:
    """Which of ``values`` (a few distinct labels) are among ``wanted``.

    Equality per wanted label: ``np.isin`` sorts object arrays on every call (about
    10 ms a search at 1,500 articles on the bench machine).
    """
    found = np.zeros(len(values), dtype=bool)
    for label in set(wanted):
        found |= values == label
    return found


def _starts(counts: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Where each document's rows begin in a flat array of its passages' rows."""
    return np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)


def _standardised(
    scores: np.ndarray[Any, Any], where: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """Scores as z-scores over the documents ``where`` is true; 0 elsewhere and when flat."""
    out = np.zeros(len(scores), dtype=np.float64)
    values = scores[where].astype(np.float64)
    if values.size < 2:
        return out
    spread = values.std()
    if spread > 1e-9:
        out[where] = (values - values.mean()) / spread
    return out


def _single_thread() -> Any:
    """A context in which BLAS runs on the calling thread only."""
    from threadpoolctl import ThreadpoolController

    if not _controller:
        _controller.append(ThreadpoolController())
    return _controller[0].limit(limits=1, user_api="blas")


_controller: list[Any] = []
