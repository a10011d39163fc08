"""Knowledge base: KCS articles, their versions, links to interactions, quality reviews.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", PK, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("external_id", sa.String(200)),
        sa.Column("source", sa.String(64)),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("issue", sa.Text(), nullable=False),
        sa.Column("environment", sa.Text(), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column("owner", sa.String(200)),
        sa.Column("tags", JSON, nullable=False),
        sa.Column("intents", JSON, nullable=False),
        sa.Column("topics", JSON, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(200)),
        sa.Column("updated_by", sa.String(200)),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_articles"),
        sa.UniqueConstraint("tenant", "external_id", name="uq_articles_tenant_external_id"),
    )
    op.create_index("ix_articles_tenant_state", "articles", ["tenant", "state"])
    op.create_index("ix_articles_tenant_updated_at", "articles", ["tenant", "updated_at"])
    op.create_table(
        "article_versions",
        sa.Column("id", PK, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("article_id", PK, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("changed", JSON, nullable=False),
        sa.Column("content", JSON, nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("by", sa.String(200)),
        sa.Column("at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_article_versions"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_article_versions_article_id_articles",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("article_id", "version", name="uq_article_versions_article_id_version"),
    )
    op.create_index(
        "ix_article_versions_tenant_article", "article_versions", ["tenant", "article_id"]
    )
    op.create_table(
        "article_links",
        sa.Column("id", PK, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("article_id", PK, nullable=False),
        sa.Column("article_version", sa.Integer(), nullable=False),
        sa.Column("interaction_id", sa.String(200)),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("via", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("score", sa.Float()),
        sa.Column("by", sa.String(200)),
        sa.Column("at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_article_links"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_article_links_article_id_articles",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "article_reviews",
        sa.Column("id", PK, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("article_id", PK, nullable=False),
        sa.Column("article_version", sa.Integer(), nullable=False),
        sa.Column("items", JSON, nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("by", sa.String(200)),
        sa.Column("at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_article_reviews"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_article_reviews_article_id_articles",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_article_reviews_tenant_article", "article_reviews", ["tenant", "article_id"]
    )
    op.create_index("ix_article_links_tenant_article", "article_links", ["tenant", "article_id"])
    op.create_index(
        "ix_article_links_tenant_interaction", "article_links", ["tenant", "interaction_id"]
    )


def downgrade() -> None:
    op.drop_table("article_reviews")
    op.drop_table("article_links")
    op.drop_table("article_versions")
    op.drop_table("articles")
