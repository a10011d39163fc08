"""The content standard checklist: quality reviews of articles, item by item (KCS AQI)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from criterio.knowledge.models import ArticleReview
from criterio.knowledge.repository import ReviewRepository
from criterio.knowledge.schemas import QualityReviewIn, QualityReviewRead
from criterio.knowledge.service import get_article

__all__ = ["quality_reviews", "review_quality", "review_read"]


def review_quality(
    session: Session,
    tenant: str,
    article_id: int,
    review: QualityReviewIn,
    *,
    actor: str | None,
    now: datetime | None = None,
) -> ArticleReview:
    """Store a review of the article's current version; its score is the share of items met."""
    article = get_article(session, tenant, article_id)
    met = sum(review.items.values())
    return ReviewRepository(session, tenant).add(
        ArticleReview(
            tenant=tenant,
            article_id=article.id,
            article_version=article.version,
            items=dict(review.items),
            score=round(met / len(review.items), 4),
            note=review.note,
            by=actor,
            at=now or datetime.now(UTC),
        )
    )


def quality_reviews(session: Session, tenant: str, article_id: int) -> list[ArticleReview]:
    """The article's quality reviews, newest first."""
    get_article(session, tenant, article_id)
    return ReviewRepository(session, tenant).for_article(article_id)


def review_read(review: ArticleReview) -> QualityReviewRead:
    """The wire form of a review."""
    return QualityReviewRead.model_validate(review, from_attributes=True)
