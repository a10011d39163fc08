"""Per-user grants to see cases' personal data: ``personal_data_grants``.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "personal_data_grants",
        sa.Column("id", PK, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("username", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("granted_by", sa.String(200), nullable=False),
        sa.Column("granted_at", TIME, nullable=False),
        sa.Column("revoked_by", sa.String(200)),
        sa.Column("revoked_at", TIME),
        sa.PrimaryKeyConstraint("id", name="pk_personal_data_grants"),
    )
    op.create_index(
        "ix_personal_data_grants_tenant_username",
        "personal_data_grants",
        ["tenant", "username"],
    )


def downgrade() -> None:
    op.drop_index("ix_personal_data_grants_tenant_username", table_name="personal_data_grants")
    op.drop_table("personal_data_grants")
