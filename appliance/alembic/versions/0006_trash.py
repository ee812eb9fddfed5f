"""The Papierkorb: deleted projects and documents kept restorable (appliance/trash/).

Revision ID: 0006_trash
Revises: 0005_exact_money
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision = "0006_trash"
down_revision = "0005_exact_money"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trash",
        sa.Column("kind", sa.Enum("PROJECT", "DOCUMENT", name="trashkind"), nullable=False),
        sa.Column("item_id", AutoString(length=36), nullable=False),
        sa.Column("name", AutoString(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(), nullable=False),
        sa.Column("snapshot", AutoString(), nullable=False),
        sa.Column("stored_name", AutoString(length=80), nullable=True),
        sa.Column("linked_documents", AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "item_id"),
    )
    op.create_index(op.f("ix_trash_deleted_at"), "trash", ["deleted_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_trash_deleted_at"), table_name="trash")
    op.drop_table("trash")
    sa.Enum(name="trashkind").drop(op.get_bind(), checkfirst=True)
