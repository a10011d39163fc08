"""Metrics: daily aggregates of contacts, durations and events, and per-tenant settings.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True)
COUNTS = (
    "contacts",
    "resolved",
    "first_contact_resolved",
    "repeats",
    "escalated",
    "csat_responses",
    "csat_sum",
    "csat_1",
    "csat_2",
    "csat_3",
    "csat_4",
    "csat_5",
    "sentiment_known",
    "sentiment_recovered",
    "sentiment_worsened",
    "automated",
    "reverted",
    "contained",
    "human_resolved",
    "linked",
    "linked_new",
)


def _segment() -> list[sa.Column[str]]:
    return [
        sa.Column("queue", sa.String(100), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("intent", sa.String(200), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "metric_daily",
        sa.Column("id", PK, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *_segment(),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
        *(sa.Column(f"ttr_{k:02d}", sa.Integer(), nullable=False) for k in range(16)),
        sa.PrimaryKeyConstraint("id", name="pk_metric_daily"),
        sa.UniqueConstraint(
            "tenant",
            "day",
            "queue",
            "channel",
            "language",
            "intent",
            name="uq_metric_daily_segment",
        ),
    )
    op.create_table(
        "metric_durations",
        sa.Column("id", PK, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("measure", sa.String(32), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        *_segment(),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_metric_durations"),
        sa.UniqueConstraint(
            "tenant",
            "day",
            "measure",
            "bucket",
            "queue",
            "channel",
            "language",
            "intent",
            name="uq_metric_durations_segment",
        ),
    )
    op.create_table(
        "metric_events",
        sa.Column("id", PK, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_metric_events"),
        sa.UniqueConstraint(
            "tenant", "day", "kind", "key", name="uq_metric_events_tenant_day_kind_key"
        ),
    )
    op.create_index("ix_metric_events_tenant_kind_day", "metric_events", ["tenant", "kind", "day"])
    op.create_table(
        "metric_settings",
        sa.Column("id", PK, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("cost_human", sa.Float()),
        sa.Column("cost_automated", sa.Float()),
        sa.Column("currency", sa.String(8)),
        sa.Column("marks", JSON, nullable=False),
        sa.Column("refreshed_at", TIME),
        sa.PrimaryKeyConstraint("id", name="pk_metric_settings"),
        sa.UniqueConstraint("tenant", name="uq_metric_settings_tenant"),
    )


def downgrade() -> None:
    op.drop_table("metric_settings")
    op.drop_index("ix_metric_events_tenant_kind_day", table_name="metric_events")
    op.drop_table("metric_events")
    op.drop_table("metric_durations")
    op.drop_table("metric_daily")
