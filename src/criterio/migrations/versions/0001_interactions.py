"""Interactions table.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "interactions",
        sa.Column("pk", PK, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(16)),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("customer_id", sa.String(200)),
        sa.Column("language", sa.String(16)),
        sa.Column("attributes", JSON, nullable=False),
        sa.Column("turns", JSON, nullable=False),
        sa.Column("handled_by", sa.String(8)),
        sa.Column("agent_id", sa.String(500)),
        sa.Column("resolved", sa.Boolean()),
        sa.Column("csat", sa.SmallInteger()),
        sa.Column("escalated", sa.Boolean()),
        sa.Column("resolution_code", sa.String(500)),
        sa.Column("labels", JSON, nullable=False),
        sa.Column("content_hash", sa.String(32), nullable=False),
        sa.Column("import_id", sa.String(32)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pk", name="pk_interactions"),
        sa.UniqueConstraint("tenant", "external_id", name="uq_interactions_tenant_external_id"),
    )
    op.create_index("ix_interactions_tenant_started_at", "interactions", ["tenant", "started_at"])
    op.create_index("ix_interactions_tenant_customer_id", "interactions", ["tenant", "customer_id"])


def downgrade() -> None:
    op.drop_table("interactions")
