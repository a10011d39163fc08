"""Triage: policy versions (``triage_policies``) and decisions (``triage_decisions``).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "triage_policies",
        sa.Column("id", PK, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", JSON, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_triage_policies"),
        sa.UniqueConstraint("tenant", "version", name="uq_triage_policies_tenant_version"),
    )
    op.create_table(
        "triage_decisions",
        sa.Column("id", PK, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("interaction_id", sa.String(200), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("intent", sa.String(200), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float()),
        sa.Column("expected_precision", sa.Float()),
        sa.Column("queue", sa.String(100)),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("reasons", JSON, nullable=False),
        sa.Column("answer", JSON),
        sa.Column("model_version", sa.String(100)),
        sa.Column("policy_version", sa.Integer()),
        sa.Column("latency_ms", sa.Float()),
        sa.Column("decided_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_triage_decisions"),
    )
    op.create_index(
        "ix_triage_decisions_tenant_decided_at", "triage_decisions", ["tenant", "decided_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_triage_decisions_tenant_decided_at", table_name="triage_decisions")
    op.drop_table("triage_decisions")
    op.drop_table("triage_policies")
