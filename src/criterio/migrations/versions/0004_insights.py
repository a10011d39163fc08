"""Insights table.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "insights",
        sa.Column("id", PK, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("segment", JSON, nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("severity", sa.Float(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("evidence", JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("interpretation", sa.Text()),
        sa.Column("proposal", sa.Text()),
        sa.Column("owner", sa.String(200)),
        sa.Column("history", JSON, nullable=False),
        sa.Column("detections", sa.Integer(), nullable=False),
        sa.Column("last_detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_insights"),
    )
    op.create_index("ix_insights_tenant_fingerprint", "insights", ["tenant", "fingerprint"])
    op.create_index("ix_insights_tenant_status", "insights", ["tenant", "status"])


def downgrade() -> None:
    op.drop_table("insights")
