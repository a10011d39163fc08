"""Model registry (``models``) and jobs (``job_schedules``, ``jobs``).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True)
CHAMPION = sa.text("status = 'champion'")


def upgrade() -> None:
    op.create_table(
        "models",
        sa.Column("id", PK, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("training", JSON, nullable=False),
        sa.Column("training_hash", sa.String(64), nullable=False),
        sa.Column("metrics", JSON, nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("promoted_by", sa.String(200)),
        sa.Column("promoted_at", TIME),
        sa.PrimaryKeyConstraint("id", name="pk_models"),
        sa.UniqueConstraint("tenant", "kind", "version", name="uq_models_tenant_kind_version"),
    )
    op.create_index(
        "uq_models_one_champion",
        "models",
        ["tenant", "kind"],
        unique=True,
        postgresql_where=CHAMPION,
        sqlite_where=CHAMPION,
    )
    op.create_table(
        "job_schedules",
        sa.Column("id", PK, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("job", sa.String(32), nullable=False),
        sa.Column("every_seconds", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("next_run_at", TIME, nullable=False),
        sa.Column("locked_by", sa.String(200)),
        sa.Column("locked_until", TIME),
        sa.Column("updated_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_job_schedules"),
        sa.UniqueConstraint("tenant", "job", name="uq_job_schedules_tenant_job"),
    )
    op.create_table(
        "jobs",
        sa.Column("id", PK, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("job", sa.String(32), nullable=False),
        sa.Column("scheduled_for", TIME, nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("worker", sa.String(200), nullable=False),
        sa.Column("started_at", TIME, nullable=False),
        sa.Column("heartbeat_at", TIME, nullable=False),
        sa.Column("finished_at", TIME),
        sa.Column("error", sa.Text()),
        sa.Column("summary", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
        sa.UniqueConstraint(
            "tenant",
            "job",
            "scheduled_for",
            "attempt",
            name="uq_jobs_tenant_job_scheduled_for_attempt",
        ),
    )
    op.create_index("ix_jobs_tenant_started_at", "jobs", ["tenant", "started_at"])
    op.create_index("ix_jobs_tenant_status", "jobs", ["tenant", "status"])


def downgrade() -> None:
    op.drop_table("jobs")
    op.drop_table("job_schedules")
    op.drop_index("uq_models_one_champion", table_name="models")
    op.drop_table("models")
