"""The table of backups made (issue: nothing lost on the office PC).

Revision ID: 0002_backups
Revises: 0001_baseline
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision = "0002_backups"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "backups",
        sa.Column("id", AutoString(length=36), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column(
            "state",
            sa.Enum("RUNNING", "DONE", "FAILED", name="backupstate"),
            nullable=False,
        ),
        sa.Column("reason", AutoString(length=16), nullable=False),
        sa.Column("target_dir", AutoString(length=1000), nullable=False),
        sa.Column("path", AutoString(length=1000), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("error", AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_backups_started_at"), "backups", ["started_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_backups_started_at"), table_name="backups")
    op.drop_table("backups")
    sa.Enum(name="backupstate").drop(op.get_bind(), checkfirst=True)
