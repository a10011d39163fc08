"""Suggestions for one case: articles, solved cases like it, and a reply to start from.

Articles come from the knowledge base's search (the customer's words and the case's
intent); solved cases are the contacts of the same intent that were resolved
(any solved contacts while none has that intent), ranked by the likeness of what their
customers said: TF-IDF cosine against an index of the tenant's ``CANDIDATES`` newest
solved contacts, kept in memory and rebuilt when a contact was solved or edited (checked
at most every ``REFRESH_SECONDS``); the reply is
the chosen article's resolution between a greeting and a closing in the customer's
language, and its steps are a checklist.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from criterio.analysis.names import UNKNOWN
from criterio.assist.repository import WorkspaceRepository
from criterio.assist.schemas import ArticleSuggestion, ReplyDraft, SimilarCase
from criterio.knowledge.models import Article
from criterio.knowledge.repository import ArticleRepository
from criterio.knowledge.search import no_match_threshold, search_articles

__all__ = [
    "CANDIDATES",
    "article_suggestions",
    "customer_text",
    "next_steps",
    "redact_texts",
    "reply_draft",
    "similar_cases",
]

#: Newest solved contacts a case is compared with (the index of a tenant holds them).
CANDIDATES = 20_000
#: Tenants' indexes of solved contacts kept in memory (least recently used dropped first).
CACHE_SIZE = 16
#: A contact solved since the index was built is found within this many seconds.
REFRESH_SECONDS = 60.0
_GREETING = {"es": "Hola:", "en": "Hello,"}
_CLOSING = {
    "es": "Si necesitas algo más, responde a este mensaje. Un saludo.",
    "en": "If there is anything else, just reply to this message. Kind regards.",
}
_STEP = re.compile(r"\n\s*(?:[-*•]|\d+[.)])\s+|\n\s*\n|(?<=[.!?])\s+(?=[A-ZÁÉÍÓÚÑ¿¡])")
_LEADING = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_redactor: list[Any] = []
_redactor_lock = threading.Lock()
_lock = threading.Lock()
_indexes: OrderedDict[tuple[str, str], tuple[float, Any, _SolvedIndex | None]] = OrderedDict()


def customer_text(turns: Sequence[dict[str, Any]]) -> str:
    """What the customer said (every turn's text when no turn is the customer's)."""
    said = [str(t.get("text", "")) for t in turns if t.get("role", "customer") == "customer"]
    return " ".join(said or [str(t.get("text", "")) for t in turns]).strip()


def redact_texts(texts: Sequence[str], languages: Sequence[str | None]) -> list[str]:
    """The texts with personal data replaced (one redactor per process: it is read-only)."""
    if not texts:
        return []
    with _redactor_lock:
        if not _redactor:
            from criterio.analysis.pii import PIIRedactor

            _redactor.append(PIIRedactor().fit())
    return [r.text for r in _redactor[0].redact(list(texts), languages=list(languages))]


def article_suggestions(
    session: Session,
    tenant: str,
    query: str,
    language: str | None,
    *,
    limit: int = 5,
    intent: str | None = None,
    loaded: dict[int, Article] | None = None,
) -> tuple[list[ArticleSuggestion], bool]:
    """The best articles for the case, in any language (the reply prefers the customer's),
    and whether even the best is under the tenant's no-match threshold (``loaded``:
    filled with the suggested articles' rows, for the reply).

    When the tenant has a champion ranking (learned by ``criterio learn`` from links,
    accepts and rejects), the search's best ``POOL`` are reordered by it for ``intent``.
    """
    from criterio.learning.ranking import POOL, ranking_for

    ranking = ranking_for(session, tenant) if query else None
    # Not filtered by language: a tenant whose base is mostly in one language would
    # otherwise answer the other language's customers with whatever few articles it has.
    pool = max(limit, POOL) if ranking is not None else limit
    hits = search_articles(session, tenant, query, limit=pool, loaded=loaded) if query else []
    if ranking is not None:
        hits = ranking.rerank(hits, intent, lambda h: str(h.id), lambda h: h.score)[:limit]
    threshold, _ = no_match_threshold(session, tenant)
    articles = [
        ArticleSuggestion(
            id=h.id,
            article_id=h.article_id,
            title=h.title,
            score=h.score,
            passage=h.passage,
            state=h.state.value,
            language=h.language,
            rank=rank,
        )
        for rank, h in enumerate(hits, start=1)
    ]
    return articles, not articles or max(a.score for a in articles) < threshold


@dataclass
class _SolvedIndex:
    """TF-IDF vectors of what the customers of solved contacts said, and their outcomes.

    ``columns`` is the matrix by term (CSC): a case is scored by adding up the columns of
    its own few terms, weighted as ``TfidfVectorizer.transform`` would weight them, which
    gives the same cosines as ``matrix @ transform([text]).T`` without building a sparse
    query row through scikit-learn's per-call checks (most of a lookup's time).
    """

    ids: list[str]
    case_ids: list[int | None]
    codes: list[str | None]
    #: The rows of each intent, ascending: a case of a known intent is ranked among them.
    by_intent: dict[str, np.ndarray[Any, Any]]
    analyzer: Any
    vocabulary: dict[str, int]
    idf: np.ndarray[Any, Any]
    columns: Any

    def scores(self, text: str) -> np.ndarray[Any, Any]:
        """Cosine of ``text``'s TF-IDF vector with each solved contact's (0 when none shared)."""
        counts: dict[int, int] = {}
        for term in self.analyzer(text):
            column = self.vocabulary.get(term)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        if not counts:
            return np.zeros(len(self.ids))
        cols = np.fromiter(counts, dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        weights = (np.log(tf) + 1.0) * self.idf[cols]  # sublinear tf, then idf
        weights /= np.sqrt(weights @ weights)  # l2, as the rows were
        return np.asarray(self.columns[:, cols] @ weights).ravel()


def _intent_of(row: Any) -> str | None:
    labels = row.labels if isinstance(row.labels, dict) else {}
    found = row.case_intent or labels.get("intent") or row.intent_label
    return str(found) if found else None


def _rows_by_intent(intents: Sequence[str | None]) -> dict[str, np.ndarray[Any, Any]]:
    rows: dict[str, list[int]] = {}
    for row, intent in enumerate(intents):
        if intent:
            rows.setdefault(intent, []).append(row)
    return {intent: np.asarray(found, dtype=np.int64) for intent, found in rows.items()}


def _solved_index(session: Session, tenant: str) -> _SolvedIndex | None:
    """The tenant's index of solved contacts: checked against the store at most every
    ``REFRESH_SECONDS``, rebuilt only when a contact was solved or edited since."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    repo = WorkspaceRepository(session, tenant)
    key = (str(session.get_bind().engine.url), tenant)
    now = time.monotonic()
    with _lock:
        cached = _indexes.get(key)
    if cached is not None and now - cached[0] < REFRESH_SECONDS:
        return cached[2]
    stamp = repo.solved_stamp()
    if cached is not None and cached[1] == stamp:
        with _lock:
            _indexes[key] = (now, stamp, cached[2])
        return cached[2]
    rows = [r for r in repo.solved(CANDIDATES) if customer_text(r.turns or [])]
    index = None
    if rows:
        vectorizer = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=1)
        matrix = vectorizer.fit_transform([customer_text(r.turns or []) for r in rows])
        index = _SolvedIndex(
            ids=[r.external_id for r in rows],
            case_ids=[r.case_id for r in rows],
            codes=[r.case_resolution or r.resolution_code for r in rows],
            by_intent=_rows_by_intent([_intent_of(r) for r in rows]),
            analyzer=vectorizer.build_analyzer(),
            vocabulary=dict(vectorizer.vocabulary_),
            idf=np.asarray(vectorizer.idf_, dtype=np.float64),
            columns=matrix.tocsc(),
        )
    with _lock:
        _indexes[key] = (now, stamp, index)
        _indexes.move_to_end(key)
        while len(_indexes) > CACHE_SIZE:
            _indexes.popitem(last=False)
    return index


def similar_cases(
    session: Session,
    tenant: str,
    *,
    interaction_id: str,
    text: str,
    intent: str | None,
    limit: int = 3,
) -> list[SimilarCase]:
    """Solved contacts of the same intent most like ``text``, with how they were resolved."""
    index = _solved_index(session, tenant) if text else None
    if index is None:
        return []
    scores = index.scores(text)
    known = intent if intent and intent != UNKNOWN else None
    # Among the solved contacts of the same intent when there are any, else among all.
    rows = index.by_intent.get(known) if known is not None else None
    ranked = (
        rows[np.argsort(-scores[rows], kind="stable")]
        if rows is not None
        else np.argsort(-scores, kind="stable")
    )
    order = [
        int(i) for i in ranked[: limit + 1] if scores[i] > 0 and index.ids[i] != interaction_id
    ][:limit]
    excerpts, links = _excerpts(session, tenant, [index.ids[i] for i in order])
    return [
        SimilarCase(
            interaction_id=index.ids[i],
            case_id=index.case_ids[i],
            similarity=round(float(scores[i]), 4),
            resolution_code=index.codes[i],
            article_id=links.get(index.ids[i], (None, None))[0],
            article_title=links.get(index.ids[i], (None, None))[1],
            excerpt=excerpts.get(index.ids[i], ""),
        )
        for i in order
    ]


def _excerpts(
    session: Session, tenant: str, ids: Sequence[str]
) -> tuple[dict[str, str], dict[str, tuple[int, str]]]:
    """What each solved contact's customer said, redacted (the stored redaction when
    current), and the article last reused or created from it (id, title), in one query."""
    rows = WorkspaceRepository(session, tenant).excerpts(ids) if ids else []
    out: dict[str, str] = {}
    links: dict[str, tuple[int, str]] = {}
    missing = {}
    for row in rows:
        if row.article_id is not None:  # rows come oldest link first: the last one wins
            links[row.external_id] = (row.article_id, row.article_title)
        if row.external_id in out or row.external_id in missing:
            continue
        if row.redacted_turns is not None and row.input_hash == row.content_hash:
            out[row.external_id] = customer_text(row.redacted_turns)[:300]
        else:
            missing[row.external_id] = row
    done = redact_texts(
        [customer_text(r.turns or []) for r in missing.values()],
        [r.language for r in missing.values()],
    )
    for key, text in zip(missing, done, strict=True):
        out[key] = text[:300]
    return out, links


def next_steps(resolution: str) -> list[str]:
    """The resolution cut into steps: its list items, paragraphs or sentences."""
    parts = (_LEADING.sub("", p).strip() for p in _STEP.split("\n" + (resolution or "")))
    return [p for p in parts if p][:12]


def reply_draft(
    session: Session,
    tenant: str,
    *,
    language: str | None,
    articles: Sequence[ArticleSuggestion],
    chosen: int | None = None,
    loaded: dict[int, Article] | None = None,
) -> ReplyDraft | None:
    """A reply in the customer's language from ``chosen`` (an article id) or else the first
    suggestion in that language (the top one when none is); ``loaded``: the suggested
    articles as the search read them (not read again)."""
    lang = language if language in _GREETING else "en"
    known = loaded or {}
    repo = ArticleRepository(session, tenant)
    article: Article | None = None
    if chosen is not None:
        article = known.get(chosen) or repo.get(chosen)
    if article is None:
        same = [a for a in articles if a.language == lang] or list(articles)
        if same:
            article = known.get(same[0].id) or repo.get(same[0].id)
    if article is None:
        return None
    body = (article.resolution or "").strip() or article.title
    return ReplyDraft(
        language=lang,
        article_id=article.id,
        text=f"{_GREETING[lang]}\n\n{body}\n\n{_CLOSING[lang]}",
        next_steps=next_steps(article.resolution or ""),
    )
