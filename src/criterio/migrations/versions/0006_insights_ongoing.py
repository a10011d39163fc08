"""Insights: whether the pattern is still going on (``ongoing``).

An insight the latest detection run did not find again, or whose period ends before
the latest data, has ended; its review status is left as it is. Rows that exist
before this migration count as ongoing until the next detection run decides.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "insights",
        sa.Column("ongoing", sa.Boolean(), nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    op.drop_column("insights", "ongoing")
