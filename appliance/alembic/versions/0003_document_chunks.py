"""Documents by meaning: the chunks of their text with vectors, and the stage for it.

Revision ID: 0003_document_chunks
Revises: 0002_backups
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision = "0003_document_chunks"
down_revision = "0002_backups"
branch_labels = None
depends_on = None

OLD_STAGES = ("QUEUED", "READING", "OCR", "INDEXING", "DONE")
STAGES = ("QUEUED", "READING", "OCR", "INDEXING", "EMBEDDING", "DONE")


def upgrade() -> None:
    op.create_table(
        "document_chunks",
        sa.Column("document_id", AutoString(length=36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("model", AutoString(length=300), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("document_id", "number"),
    )
    if op.get_bind().dialect.name == "postgresql":
        # PostgreSQL's enum type learns the new value.
        op.execute("ALTER TYPE documentstage ADD VALUE IF NOT EXISTS 'EMBEDDING'")
    else:
        # SQLite keeps enum values as text (no check); the declared length grows to the
        # new longest name, so the schema says what the code writes.
        with op.batch_alter_table("documents") as batch:
            batch.alter_column(
                "stage",
                existing_type=sa.Enum(*OLD_STAGES, name="documentstage"),
                type_=sa.Enum(*STAGES, name="documentstage"),
                existing_nullable=False,
            )


def downgrade() -> None:
    op.drop_table("document_chunks")
