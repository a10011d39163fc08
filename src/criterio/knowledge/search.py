"""Search and suggestions over a tenant's articles, on an index that follows every edit.

The index of a tenant is built from the store and kept in memory with the store's
stamp (count, highest id, latest update) at build time; a search whose stamp differs
first re-indexes the articles created or updated since (or fits anew when many
changed), so an edit, import or state change is searchable at once, and
``rebuild_index`` forces a fresh fit. Archived articles are never returned unless asked for.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from criterio.knowledge.models import Article
from criterio.knowledge.repository import ArticleRepository, LinkRepository, VectorRepository
from criterio.knowledge.retrieval import IndexDoc, RetrievalIndex
from criterio.knowledge.schemas import (
    ArticleState,
    Audience,
    SearchHit,
    Suggestion,
    SuggestionsOut,
)
from criterio.knowledge.service import public_id

__all__ = [
    "DEFAULT_THRESHOLD",
    "MIN_CALIBRATION_LINKS",
    "SearchFilters",
    "StoredVectors",
    "interaction_query",
    "no_match_threshold",
    "query_language",
    "rebuild_index",
    "search_articles",
    "suggest",
]

#: ``no_match`` below this confidence while a tenant has too few confirmed links to
#: calibrate on: chosen F1-best on the Bitext development split by bench/knowledge.py
#: (5 intents' articles removed; measured on the test split: docs/benchmarks.md).
DEFAULT_THRESHOLD = 0.45
#: Confirmed links (reused suggestions with their score) needed before calibrating.
MIN_CALIBRATION_LINKS = 20
#: Share of the confirmed matches a calibrated threshold keeps above it.
KEEP_CONFIRMED = 0.9
#: Tenants' indexes kept in memory at once (least recently used dropped first).
CACHE_SIZE = 16
#: Above this share of changed articles the index is fitted anew instead of updated.
REFIT_SHARE = 0.2

_SPLIT = re.compile(r"\n\s*\n|\n(?=\s*(?:[-*]|\d+[.)])\s)|(?<=[.!?])\s+(?=[A-ZÁÉÍÓÚÑ¿¡])")
_lock = threading.Lock()
_cache: OrderedDict[tuple[str, str], tuple[Any, RetrievalIndex]] = OrderedDict()
_shared: dict[str, Any] = {}


@dataclass(frozen=True)
class SearchFilters:
    """Which articles a search may return (empty: any; archived only when asked for)."""

    states: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    #: Only articles that may answer a customer (validated, customer or public).
    published_only: bool = False


def query_language(text: str) -> str | None:
    """The language of a query (ISO 639-1), or None when too short or unclear to tell."""
    if "language" not in _shared:
        from criterio.analysis.language import LanguageIdentifier

        _shared["language"] = LanguageIdentifier().fit()
    found = str(_shared["language"].predict([text])[0])
    return None if found == "und" else found


def _passages(article: Article) -> tuple[str, ...]:
    parts = [article.title]
    for text in (article.issue, article.resolution, article.cause, article.environment):
        parts.extend(p.strip() for p in _SPLIT.split(text or "") if p and p.strip())
    return tuple(p[:500] for p in parts)


def _doc(article: Article) -> IndexDoc:
    labels = " ".join(
        label.replace("_", " ") for label in [*article.tags, *article.intents, *article.topics]
    )
    body = " ".join(
        t
        for t in (article.issue, article.environment, article.cause, article.resolution, labels)
        if t
    )
    return IndexDoc(
        key=article.id,
        title=article.title,
        body=body,
        passages=_passages(article),
        state=article.state,
        audience=article.audience,
        language=article.language,
        summary=f"{article.title}. {article.issue}" if article.issue else article.title,
        resolution=article.resolution or "",
    )


class StoredVectors:
    """The tenant's article-text vectors in the store (``article_vectors``), by digest.

    Written in the caller's transaction: a search that builds an index keeps what it
    encoded when its unit of work commits (a rolled-back one only loses the cache).
    """

    def __init__(self, session: Session, tenant: str) -> None:
        self.repo = VectorRepository(session, tenant)

    @staticmethod
    def digest(encoder: str, text: str) -> str:
        return hashlib.sha256(f"{encoder}\0{text}".encode()).hexdigest()

    def load(self, encoder: str, texts: list[str]) -> dict[str, np.ndarray[Any, Any]]:
        by_digest = {self.digest(encoder, t): t for t in texts}
        stored = self.repo.get(list(by_digest))
        return {by_digest[d]: np.frombuffer(v, dtype="<f4").copy() for d, v in stored.items()}

    def save(self, encoder: str, vectors: dict[str, np.ndarray[Any, Any]]) -> None:
        self.repo.add(
            {self.digest(encoder, t): np.asarray(v, "<f4").tobytes() for t, v in vectors.items()}
        )

    def keep_only(self, encoder: str, texts: set[str]) -> None:
        self.repo.keep_only({self.digest(encoder, t) for t in texts})


def _index(session: Session, tenant: str, *, force: bool = False) -> RetrievalIndex:
    repo = ArticleRepository(session, tenant)
    stamp = repo.stamp()
    key = (str(session.get_bind().engine.url), tenant)
    with _lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
    if cached is not None and not force:
        built, index = cached
        if built == stamp:
            return index
        count = stamp[0]
        changed = repo.changed_since(built[1], built[2])
        # Updates re-encode only what changed; a fresh fit relearns the vocabulary when a
        # large part of the base changed, or when articles went away.
        if count >= built[0] and len(changed) <= max(REFIT_SHARE * count, 1):
            index.update([_doc(a) for a in changed], store=StoredVectors(session, tenant))
            _remember(key, stamp, index)
            return index
    # A rebuild takes over the vectors of unchanged texts from the index it replaces, or
    # from the store (another process encoded them): only new texts are encoded.
    index = RetrievalIndex().fit(
        [_doc(a) for a in repo.list()],
        reuse=cached[1] if cached is not None else None,
        store=StoredVectors(session, tenant),
    )
    _remember(key, stamp, index)
    return index


def _remember(key: tuple[str, str], stamp: Any, index: RetrievalIndex) -> None:
    with _lock:
        _cache[key] = (stamp, index)
        _cache.move_to_end(key)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)


def rebuild_index(session: Session, tenant: str) -> int:
    """Rebuild the tenant's index from the store now; how many articles it holds."""
    return len(_index(session, tenant, force=True))


def search_articles(
    session: Session,
    tenant: str,
    query: str,
    *,
    limit: int = 5,
    filters: SearchFilters | None = None,
    loaded: dict[int, Article] | None = None,
) -> list[SearchHit]:
    """The best articles for a text, by fused rank, each with confidence and passage
    (``loaded``: filled with the hits' article rows, for a caller that shows more of
    them without reading them again)."""
    filters = filters or SearchFilters()
    states, audiences = filters.states, filters.audiences
    if filters.published_only:
        states = tuple(s for s in (states or ("validated",)) if s == ArticleState.validated.value)
        allowed = (Audience.customer.value, Audience.public.value)
        audiences = tuple(a for a in (audiences or allowed) if a in allowed)
        if not states or not audiences:
            return []
    excluded = () if ArticleState.archived.value in states else (ArticleState.archived.value,)
    hits = _index(session, tenant).search(
        query,
        limit=limit,
        states=states,
        audiences=audiences,
        languages=filters.languages,
        exclude_states=excluded,
        query_language=query_language(query),
    )
    articles = ArticleRepository(session, tenant).by_ids([h.key for h in hits])
    if loaded is not None:
        loaded.update(articles)
    found: list[SearchHit] = []
    for hit in hits:
        article = articles.get(hit.key)
        if article is None:  # deleted since the index was built
            continue
        found.append(
            SearchHit(
                article_id=public_id(article),
                id=article.id,
                title=article.title,
                score=round(hit.confidence, 4),
                passage=hit.passage,
                state=ArticleState(article.state),
                audience=Audience(article.audience),
                language=article.language,
            )
        )
    return found


def no_match_threshold(session: Session, tenant: str) -> tuple[float, str]:
    """The confidence below which a suggestion is ``no_match``, and where it comes from.

    Calibrated on the scores of suggestions people reused (kept at the score above
    which ``KEEP_CONFIRMED`` of them lie) once there are ``MIN_CALIBRATION_LINKS``;
    before that, ``DEFAULT_THRESHOLD``.
    """
    scores = sorted(LinkRepository(session, tenant).confirmed_scores())
    if len(scores) < MIN_CALIBRATION_LINKS:
        return DEFAULT_THRESHOLD, "default"
    position = int((1 - KEEP_CONFIRMED) * (len(scores) - 1))
    return scores[position], f"calibrated on {len(scores)} confirmed links"


def interaction_query(record: dict[str, Any]) -> str:
    """The text to search with for an interaction: its customer's turns (or ``text``), and
    the intent and topic it is known to have."""
    turns = record.get("turns")
    parts: list[str] = []
    if isinstance(turns, list):
        parts = [
            str(t.get("text", ""))
            for t in turns
            if isinstance(t, dict) and t.get("role", "customer") == "customer"
        ]
    if not parts and isinstance(record.get("text"), str):
        parts = [record["text"]]
    labels = record.get("labels")
    if isinstance(labels, dict):
        parts += [str(labels[k]).replace("_", " ") for k in ("intent", "topic") if labels.get(k)]
    return " ".join(p for p in parts if p).strip()


def suggest(
    session: Session,
    tenant: str,
    records: Sequence[dict[str, Any]],
    *,
    limit: int = 5,
    published_only: bool = False,
) -> list[SuggestionsOut]:
    """Top articles for each interaction (``{"id", "text"}`` or the contract), with
    ``no_match`` when the best one's confidence is below the tenant's threshold."""
    threshold, _ = no_match_threshold(session, tenant)
    filters = SearchFilters(published_only=published_only)
    out = []
    for record in records:
        query = interaction_query(record)
        hits = search_articles(session, tenant, query, limit=limit, filters=filters)
        out.append(
            SuggestionsOut(
                id=str(record.get("id", "")),
                suggestions=[
                    Suggestion(
                        article_id=h.article_id, score=h.score, title=h.title, passage=h.passage
                    )
                    for h in hits
                ],
                no_match=not hits or hits[0].score < threshold,
            )
        )
    return out
