"""ORM tables of the knowledge base: KCS articles, every version of them, and their links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from criterio.db import Base, JSONType, UTCDateTime

__all__ = ["Article", "ArticleLink", "ArticleReview", "ArticleVector", "ArticleVersion"]

BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


class Article(Base):
    """A KCS article: the customer's issue, its environment, resolution and cause."""

    __tablename__ = "articles"
    __table_args__ = (
        UniqueConstraint("tenant", "external_id"),
        Index("ix_articles_tenant_state", "tenant", "state"),
        Index("ix_articles_tenant_updated_at", "tenant", "updated_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    #: The id in the system it was imported from (idempotent imports key on it).
    external_id: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    issue: Mapped[str] = mapped_column(Text, default="")
    environment: Mapped[str] = mapped_column(Text, default="")
    resolution: Mapped[str] = mapped_column(Text, default="")
    cause: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(16))
    audience: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str | None] = mapped_column(String(200))
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    intents: Mapped[list[str]] = mapped_column(JSONType, default=list)
    topics: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: Number of the latest version (1 on creation; every edit adds one).
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str | None] = mapped_column(String(200))
    updated_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ArticleVersion(Base):
    """One version of an article: its whole content then, what changed, who and when."""

    __tablename__ = "article_versions"
    __table_args__ = (
        UniqueConstraint("article_id", "version"),
        Index("ix_article_versions_tenant_article", "tenant", "article_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    article_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("articles.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    #: create, edit, state, restore or import.
    action: Mapped[str] = mapped_column(String(16))
    #: The names of the fields that differ from the previous version.
    changed: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: Every content field, state and audience included, as they were in this version.
    content: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    note: Mapped[str | None] = mapped_column(Text)
    by: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class ArticleLink(Base):
    """A KCS event: an interaction reused, created, improved or flagged an article."""

    __tablename__ = "article_links"
    __table_args__ = (
        Index("ix_article_links_tenant_article", "tenant", "article_id"),
        Index("ix_article_links_tenant_interaction", "tenant", "interaction_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    article_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("articles.id", ondelete="CASCADE"))
    article_version: Mapped[int] = mapped_column(Integer)
    #: External id of the interaction (None for a flag raised outside a case).
    interaction_id: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    via: Mapped[str] = mapped_column(String(16))
    #: Why an article was flagged (required for ``flagged``).
    reason: Mapped[str | None] = mapped_column(Text)
    #: The match score the suggestion had, when the link came from one (for calibration).
    score: Mapped[float | None] = mapped_column(Float)
    by: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class ArticleReview(Base):
    """A content standard review: a knowledge lead scores an article item by item."""

    __tablename__ = "article_reviews"
    __table_args__ = (Index("ix_article_reviews_tenant_article", "tenant", "article_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    article_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("articles.id", ondelete="CASCADE"))
    article_version: Mapped[int] = mapped_column(Integer)
    #: Every checklist item and whether the article meets it.
    items: Mapped[dict[str, bool]] = mapped_column(JSONType, default=dict)
    #: Share of the items met (0..1).
    score: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    by: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class ArticleVector(Base):
    """A multilingual sentence vector of an article text, kept so an index builds fast.

    Keyed by a digest of the encoder and the text (the text itself is not stored): a
    new process (a ``criterio kb search``, a server start) takes the vectors of
    unchanged texts from here instead of encoding them again, the slow part of a build.
    """

    __tablename__ = "article_vectors"
    __table_args__ = (UniqueConstraint("tenant", "digest"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    #: SHA-256 (hex) of the encoder's name and version and the text.
    digest: Mapped[str] = mapped_column(String(64))
    #: The vector as little-endian float32 bytes.
    vector: Mapped[bytes] = mapped_column(LargeBinary)
