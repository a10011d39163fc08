"""Suggestions for one case: articles, solved cases like it, and a reply to start from.

Articles come from the knowledge base's search (the customer's words, in their
language first); solved cases are the contacts of the same intent that were resolved
(any solved contacts while none has that intent), ranked by the likeness of what their
customers said (TF-IDF cosine over at most ``CANDIDATES`` of the newest); the reply is
the chosen article's resolution between a greeting and a closing in the customer's
language, and its steps are a checklist.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from criterio.analysis.names import UNKNOWN
from criterio.assist.repository import CaseLinkRepository, WorkspaceRepository
from criterio.assist.schemas import ArticleSuggestion, ReplyDraft, SimilarCase
from criterio.knowledge.models import Article
from criterio.knowledge.repository import ArticleRepository
from criterio.knowledge.search import SearchFilters, no_match_threshold, search_articles

__all__ = [
    "CANDIDATES",
    "article_suggestions",
    "customer_text",
    "next_steps",
    "redact_texts",
    "reply_draft",
    "similar_cases",
]

#: Newest solved contacts compared with the case (bounds the page's work).
CANDIDATES = 300
_GREETING = {"es": "Hola:", "en": "Hello,"}
_CLOSING = {
    "es": "Si necesitas algo más, responde a este mensaje. Un saludo.",
    "en": "If there is anything else, just reply to this message. Kind regards.",
}
_STEP = re.compile(r"\n\s*(?:[-*•]|\d+[.)])\s+|\n\s*\n|(?<=[.!?])\s+(?=[A-ZÁÉÍÓÚÑ¿¡])")
_LEADING = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_redactor: list[Any] = []
_redactor_lock = threading.Lock()


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
    session: Session, tenant: str, query: str, language: str | None, *, limit: int = 5
) -> tuple[list[ArticleSuggestion], bool]:
    """The best articles for the case (its language first, any language when none match)
    and whether even the best is under the tenant's no-match threshold."""
    hits = []
    if query:
        if language:
            filters = SearchFilters(languages=(language,))
            hits = search_articles(session, tenant, query, limit=limit, filters=filters)
        if not hits:
            hits = search_articles(session, tenant, query, limit=limit)
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
    return articles, not articles or articles[0].score < threshold


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
    from sklearn.feature_extraction.text import TfidfVectorizer

    repo = WorkspaceRepository(session, tenant)
    known = intent if intent and intent != UNKNOWN else None
    rows = repo.solved(known, interaction_id, CANDIDATES)
    if not rows and known is not None:  # no solved contact of that intent yet: any solved one
        rows = repo.solved(None, interaction_id, CANDIDATES)
    texts = [customer_text(r.turns or []) for r in rows]
    keep = [i for i, t in enumerate(texts) if t]
    if not text or not keep:
        return []
    vectorizer = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=1)
    matrix = vectorizer.fit_transform([text, *(texts[i] for i in keep)])
    scores = (matrix[1:] @ matrix[0].T).toarray().ravel()
    order = [int(i) for i in scores.argsort()[::-1][:limit] if scores[i] > 0]
    chosen = [rows[keep[i]] for i in order]
    links = CaseLinkRepository(session, tenant).articles_of([r.external_id for r in chosen])
    excerpts = _excerpts(chosen)
    return [
        SimilarCase(
            interaction_id=row.external_id,
            case_id=row.case_id,
            similarity=round(float(scores[i]), 4),
            resolution_code=row.case_resolution or row.resolution_code,
            article_id=links.get(row.external_id, (None, None))[0],
            article_title=links.get(row.external_id, (None, None))[1],
            excerpt=excerpt,
        )
        for i, row, excerpt in zip(order, chosen, excerpts, strict=True)
    ]


def _excerpts(rows: Sequence[Any]) -> list[str]:
    """What each solved contact's customer said, redacted (stored redaction when present)."""
    out: list[str | None] = [
        customer_text(r.redacted_turns) if r.redacted_turns else None for r in rows
    ]
    missing = [i for i, text in enumerate(out) if text is None]
    done = redact_texts(
        [customer_text(rows[i].turns or []) for i in missing], [rows[i].language for i in missing]
    )
    for i, text in zip(missing, done, strict=True):
        out[i] = text
    return [(text or "")[:300] for text in out]


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
) -> ReplyDraft | None:
    """A reply in the customer's language from ``chosen`` (an article id) or else the first
    suggestion in that language (the top one when none is)."""
    lang = language if language in _GREETING else "en"
    article: Article | None = None
    if chosen is not None:
        article = ArticleRepository(session, tenant).get(chosen)
    if article is None:
        same = [a for a in articles if a.language == lang] or list(articles)
        if same:
            article = ArticleRepository(session, tenant).get(same[0].id)
    if article is None:
        return None
    body = (article.resolution or "").strip() or article.title
    return ReplyDraft(
        language=lang,
        article_id=article.id,
        text=f"{_GREETING[lang]}\n\n{body}\n\n{_CLOSING[lang]}",
        next_steps=next_steps(article.resolution or ""),
    )
