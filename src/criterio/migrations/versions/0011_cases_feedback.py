"""The human half's work records: ``cases``, ``queue_members`` and ``feedback_events``.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", PK, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("interaction_id", sa.String(200), nullable=False),
        sa.Column("decision_id", PK),
        sa.Column("queue", sa.String(100), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("priority_rank", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("intent", sa.String(200)),
        sa.Column("language", sa.String(16)),
        sa.Column("channel", sa.String(32)),
        sa.Column("assignee", sa.String(200)),
        sa.Column("resolution_code", sa.String(100)),
        sa.Column("escalation_reason", sa.Text()),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
        sa.Column("opened_at", TIME, nullable=False),
        sa.Column("due_at", TIME, nullable=False),
        sa.Column("assigned_at", TIME),
        sa.Column("resolved_at", TIME),
        sa.Column("escalated_at", TIME),
        sa.Column("reopened_at", TIME),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
        sa.UniqueConstraint("tenant", "interaction_id", name="uq_cases_tenant_interaction_id"),
    )
    op.create_index("ix_cases_tenant_queue_status", "cases", ["tenant", "queue", "status"])
    op.create_table(
        "queue_members",
        sa.Column("id", PK, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("queue", sa.String(100), nullable=False),
        sa.Column("username", sa.String(200), nullable=False),
        sa.Column("added_by", sa.String(200), nullable=False),
        sa.Column("added_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_queue_members"),
        sa.UniqueConstraint(
            "tenant", "queue", "username", name="uq_queue_members_tenant_queue_username"
        ),
    )
    op.create_table(
        "feedback_events",
        sa.Column("id", PK, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("interaction_id", sa.String(200)),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("before", JSON),
        sa.Column("after", JSON, nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("case_id", PK),
        sa.Column("model_version", sa.String(100)),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.Column("event_key", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_feedback_events"),
        sa.UniqueConstraint("tenant", "event_key", name="uq_feedback_events_tenant_event_key"),
    )
    op.create_index("ix_feedback_events_tenant_at", "feedback_events", ["tenant", "at"])
    op.create_index(
        "ix_feedback_events_tenant_interaction", "feedback_events", ["tenant", "interaction_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_feedback_events_tenant_interaction", table_name="feedback_events")
    op.drop_index("ix_feedback_events_tenant_at", table_name="feedback_events")
    op.drop_table("feedback_events")
    op.drop_table("queue_members")
    op.drop_index("ix_cases_tenant_queue_status", table_name="cases")
    op.drop_table("cases")
