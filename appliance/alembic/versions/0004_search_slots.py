"""A model slot that can change: the serving model on record, and stored vectors of two
models side by side while the new one's are built (the model joins the primary keys).

Revision ID: 0004_search_slots
Revises: 0003_document_chunks
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision = "0004_search_slots"
down_revision = "0003_document_chunks"
branch_labels = None
depends_on = None

COLUMN_TYPES: dict[str, sa.types.TypeEngine[Any]] = {
    "project_id": AutoString(length=36),
    "document_id": AutoString(length=36),
    "number": sa.Integer(),
    "model": AutoString(length=300),
}
KEYS = {
    "project_vectors": (["project_id"], ["project_id", "model"]),
    "document_chunks": (["document_id", "number"], ["document_id", "number", "model"]),
}


def upgrade() -> None:
    op.create_table(
        "search_slots",
        sa.Column("role", AutoString(length=16), nullable=False),
        sa.Column("model", AutoString(length=300), nullable=False),
        sa.Column("dimension", sa.Integer(), nullable=False),
        sa.Column("folder", AutoString(length=40), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("role"),
    )
    for name, (_, new) in KEYS.items():
        _primary_key(name, new)


def downgrade() -> None:
    for name, (old, _) in KEYS.items():
        _primary_key(name, old)
    op.drop_table("search_slots")


def _primary_key(name: str, columns: list[str]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(f"{name}_pkey", name, type_="primary")
        op.create_primary_key(f"{name}_pkey", name, columns)
        return
    # SQLite cannot alter a primary key: the table is copied into a new one, whose key
    # columns are declared here (the others are read from the old table).
    involved = {column for pair in KEYS[name] for column in pair}
    declared = tuple(
        sa.Column(column, COLUMN_TYPES[column], primary_key=column in columns)
        for column in sorted(involved)
    )
    with op.batch_alter_table(name, recreate="always", reflect_args=declared):
        pass
