"""Knowledge base: stored multilingual vectors of article texts (``article_vectors``).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "article_vectors",
        sa.Column("id", PK, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_article_vectors"),
        sa.UniqueConstraint("tenant", "digest", name="uq_article_vectors_tenant_digest"),
    )


def downgrade() -> None:
    op.drop_table("article_vectors")
