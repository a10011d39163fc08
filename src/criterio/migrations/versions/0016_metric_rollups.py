"""Metrics: rollups of the daily aggregates (contacts by day and intent, events by week).

An unfiltered period reads these instead of every segment's and every day's rows, so a
year's dashboard sums tens of thousands of rows, not hundreds of thousands. Filled here
from the aggregates already stored; kept with them from then on
(``metrics.repository.AggregateRepository.roll_up``).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
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
    *(f"ttr_{k:02d}" for k in range(16)),
)


def upgrade() -> None:
    op.create_table(
        "metric_day_intent",
        sa.Column("id", PK, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("intent", sa.String(200), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
        sa.PrimaryKeyConstraint("id", name="pk_metric_day_intent"),
        sa.UniqueConstraint(
            "tenant", "day", "intent", name="uq_metric_day_intent_tenant_day_intent"
        ),
    )
    op.create_table(
        "metric_event_week",
        sa.Column("id", PK, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_metric_event_week"),
        sa.UniqueConstraint(
            "tenant", "week", "kind", "key", name="uq_metric_event_week_tenant_week_kind_key"
        ),
    )
    names = ", ".join(COUNTS)
    sums = ", ".join(f"sum({name})" for name in COUNTS)
    op.execute(
        f"INSERT INTO metric_day_intent (tenant, day, intent, {names}) "  # noqa: S608 (constants)
        f"SELECT tenant, day, intent, {sums} FROM metric_daily GROUP BY tenant, day, intent"
    )
    if op.get_bind().dialect.name == "postgresql":
        week = "date_trunc('week', day)::date"
    else:  # SQLite keeps dates as ISO text; %w is 0 on Sunday
        week = "date(day, '-' || ((CAST(strftime('%w', day) AS INTEGER) + 6) % 7) || ' days')"
    op.execute(
        "INSERT INTO metric_event_week (tenant, week, kind, key, count, total) "  # noqa: S608
        f"SELECT tenant, {week}, kind, key, sum(count), sum(total) FROM metric_events "
        f"GROUP BY tenant, {week}, kind, key"
    )


def downgrade() -> None:
    op.drop_table("metric_event_week")
    op.drop_table("metric_day_intent")
