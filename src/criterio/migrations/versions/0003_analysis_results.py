"""Analysis results.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "analysis_results",
        sa.Column("pk", PK, primary_key=True, autoincrement=True),
        sa.Column("interaction_pk", PK, nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("input_hash", sa.String(32), nullable=False),
        sa.Column("versions_key", sa.String(300), nullable=False),
        sa.Column("versions", JSON, nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("sentiment_score", sa.Float()),
        sa.Column("sentiment_label", sa.String(16)),
        sa.Column("sentiment_first", sa.Float()),
        sa.Column("sentiment_last", sa.Float()),
        sa.Column("trajectory", sa.String(16)),
        sa.Column("redacted_turns", JSON),
        sa.Column("pii", JSON),
        sa.Column("analyzed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pk", name="pk_analysis_results"),
        sa.ForeignKeyConstraint(
            ["interaction_pk"],
            ["interactions.pk"],
            name="fk_analysis_results_interaction_pk_interactions",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("interaction_pk", name="uq_analysis_results_interaction_pk"),
    )
    op.create_index(
        "ix_analysis_results_tenant_language", "analysis_results", ["tenant", "language"]
    )
    op.create_index(
        "ix_analysis_results_tenant_sentiment_label",
        "analysis_results",
        ["tenant", "sentiment_label"],
    )


def downgrade() -> None:
    op.drop_table("analysis_results")
