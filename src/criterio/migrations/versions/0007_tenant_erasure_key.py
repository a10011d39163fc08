"""Tenants: a random key for the audit log's one-way customer references.

A customer erased is recorded as HMAC-SHA256(tenant key, tenant and customer id)
instead of an unkeyed hash, which anyone could reverse by hashing every likely id.
Existing tenants get a key of their own here; earlier audit events keep their
``sha256:`` references.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tenants", sa.Column("erasure_key", sa.String(64), nullable=True))
    tenants = sa.table("tenants", sa.column("name", sa.String), sa.column("erasure_key"))
    connection = op.get_bind()
    for (name,) in connection.execute(sa.select(tenants.c.name)).all():
        connection.execute(
            tenants.update().where(tenants.c.name == name).values(erasure_key=secrets.token_hex(32))
        )
    # Left nullable: making it NOT NULL would rebuild the table on SQLite, which the
    # users and tokens reference; every tenant gets a key here or when it is created.


def downgrade() -> None:
    op.drop_column("tenants", "erasure_key")
