"""Predicted intent and topic in analysis results.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("analysis_results", sa.Column("intent_label", sa.String(200)))
    op.add_column("analysis_results", sa.Column("intent_confidence", sa.Float()))
    op.add_column("analysis_results", sa.Column("topic_id", sa.Integer()))
    op.add_column("analysis_results", sa.Column("topic_label", sa.Text()))
    op.create_index(
        "ix_analysis_results_tenant_intent_label", "analysis_results", ["tenant", "intent_label"]
    )
    op.create_index(
        "ix_analysis_results_tenant_topic_id", "analysis_results", ["tenant", "topic_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_analysis_results_tenant_topic_id", "analysis_results")
    op.drop_index("ix_analysis_results_tenant_intent_label", "analysis_results")
    with op.batch_alter_table("analysis_results") as batch:
        for column in ("topic_label", "topic_id", "intent_confidence", "intent_label"):
            batch.drop_column(column)
