"""The reply of an automated decision: the one place that finds an answer's text.

The published article the policy names comes first: only a validated article for
customers or the public may answer a customer (the knowledge base's rule,
``criterio.knowledge.service.automatable_articles``), unless it is written in another
language than the customer's and the policy has a template in theirs. Without such an
article, the policy's template in the customer's language is the answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from criterio.triage.schemas import AutomatedIntent

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["answer_for"]


def answer_for(
    session: Session | None, tenant: str, entry: AutomatedIntent | None, language: str | None
) -> dict[str, Any] | None:
    """The answer to send for ``entry`` in ``language`` (None: the policy attaches none).

    ``{"article", "language", "text", "source"}``: ``source`` is ``article`` when the
    text is the resolution of the published article the policy names, ``template``
    when it is the policy's template (in the customer's language, else the first one
    the policy gives: its language is said, so a reviewer sees the mismatch).
    """
    if entry is None:
        return None
    if session is not None and entry.article is not None:
        published = _published_article(session, tenant, entry.article)
        # The article answers unless it is in another language than the customer's and
        # the policy has a template in theirs.
        if published is not None and (
            language is None or published["language"] == language or language not in entry.templates
        ):
            return published
    chosen: str | None
    if language and language in entry.templates:
        chosen = language
    else:
        chosen = next(iter(entry.templates), None)
    if chosen is None and entry.article is None:
        return None
    return {
        "article": entry.article,
        "language": chosen,
        "text": entry.templates.get(chosen) if chosen else None,
        "source": "template",
    }


def _published_article(session: Session, tenant: str, article_id: str) -> dict[str, Any] | None:
    """The named article's resolution, if it may answer customers; else None.

    One lookup by the article's public id (its external id, else its row id), not a
    scan of every published article: this runs for each real-time decision.
    """
    from criterio.db import MAX_ROW_KEY
    from criterio.knowledge.repository import ArticleRepository
    from criterio.knowledge.service import is_automatable, public_id

    repo = ArticleRepository(session, tenant)
    article = repo.by_external_id(article_id)
    if article is None and article_id.isdigit() and int(article_id) <= MAX_ROW_KEY:
        article = repo.get(int(article_id))
    if article is None or public_id(article) != article_id:
        return None
    if not is_automatable(article) or not article.resolution:
        return None
    return {
        "article": article_id,
        "language": article.language,
        "text": article.resolution,
        "source": "article",
    }
