"""The schema of version 0.1.0 as it landed (commit 6ea1879): the starting point.

A database made by 0.1.0 has these tables but no alembic_version table; the appliance
recognises it and records this revision for it before it upgrades. Written out in full,
never read from the models: a later change to a model must not change what 0.1.0 was.

Revision ID: 0001_baseline
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "project_vectors",
        sa.Column("project_id", AutoString(length=36), nullable=False),
        sa.Column("model", AutoString(length=300), nullable=False),
        sa.Column("dimension", sa.Integer(), nullable=False),
        sa.Column("text_hash", AutoString(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("project_id"),
    )
    op.create_table(
        "projects",
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.Column("description", AutoString(length=20000), nullable=False),
        sa.Column("customer", AutoString(length=200), nullable=True),
        sa.Column("address", AutoString(length=300), nullable=True),
        sa.Column("city", AutoString(length=100), nullable=True),
        sa.Column("trade", AutoString(length=60), nullable=True),
        sa.Column(
            "phase",
            sa.Enum("ANGEFRAGT", "ANGEBOTEN", "BEAUFTRAGT", "ABGESCHLOSSEN", name="phase"),
            nullable=False,
        ),
        sa.Column("estimated_cost", sa.Float(), nullable=True),
        sa.Column("final_cost", sa.Float(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("id", AutoString(length=36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("PENDING", "INDEXED", "FAILED", name="embeddingstatus"),
            nullable=False,
        ),
        sa.Column("embedding_task_id", AutoString(length=64), nullable=True),
        sa.Column("embedding_error", AutoString(), nullable=True),
        sa.Column("indexed_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_projects_created_at"), "projects", ["created_at"], unique=False)
    op.create_index(op.f("ix_projects_phase"), "projects", ["phase"], unique=False)
    op.create_index(op.f("ix_projects_status"), "projects", ["status"], unique=False)
    op.create_index(op.f("ix_projects_trade"), "projects", ["trade"], unique=False)
    op.create_table(
        "task_ledger",
        sa.Column("id", AutoString(length=64), nullable=False),
        sa.Column("name", AutoString(length=128), nullable=False),
        sa.Column("args_json", AutoString(), nullable=False),
        sa.Column("kwargs_json", AutoString(), nullable=False),
        sa.Column("args_summary", AutoString(length=300), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("state", AutoString(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_retries", sa.Integer(), nullable=False),
        sa.Column("worker", AutoString(length=128), nullable=True),
        sa.Column("enqueued_at", sa.Float(), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=True),
        sa.Column("finished_at", sa.Float(), nullable=True),
        sa.Column("next_retry_at", sa.Float(), nullable=True),
        sa.Column("result_json", AutoString(), nullable=True),
        sa.Column("result_expired", sa.Boolean(), nullable=False),
        sa.Column("error", AutoString(), nullable=True),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_task_ledger_enqueued_at"), "task_ledger", ["enqueued_at"], unique=False
    )
    op.create_index(
        op.f("ix_task_ledger_finished_at"), "task_ledger", ["finished_at"], unique=False
    )
    op.create_index(op.f("ix_task_ledger_name"), "task_ledger", ["name"], unique=False)
    op.create_index(op.f("ix_task_ledger_state"), "task_ledger", ["state"], unique=False)
    op.create_index(op.f("ix_task_ledger_worker"), "task_ledger", ["worker"], unique=False)
    op.create_table(
        "task_stats",
        sa.Column("name", AutoString(length=128), nullable=False),
        sa.Column("key", AutoString(length=32), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name", "key"),
    )
    op.create_table(
        "task_workers",
        sa.Column("name", AutoString(length=128), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("hostname", AutoString(length=255), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=False),
        sa.Column("heartbeat_at", sa.Float(), nullable=False),
        sa.Column("stopped_at", sa.Float(), nullable=True),
        sa.Column("current_task_id", AutoString(length=64), nullable=True),
        sa.Column("tasks_done", sa.Integer(), nullable=False),
        sa.Column("periodic", sa.Boolean(), nullable=False),
        sa.Column("queue", AutoString(length=64), nullable=False),
        sa.Column("registered_json", AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "documents",
        sa.Column("original_name", AutoString(length=255), nullable=False),
        sa.Column("file_type", AutoString(length=16), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", AutoString(length=64), nullable=False),
        sa.Column("project_id", AutoString(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("PENDING", "PROCESSING", "COMPLETED", "FAILED", name="documentstatus"),
            nullable=False,
        ),
        sa.Column(
            "stage",
            sa.Enum("QUEUED", "READING", "OCR", "INDEXING", "DONE", name="documentstage"),
            nullable=False,
        ),
        sa.Column("page_current", sa.Integer(), nullable=False),
        sa.Column("page_total", sa.Integer(), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column("error", AutoString(), nullable=True),
        sa.Column("error_code", AutoString(length=40), nullable=True),
        sa.Column("task_id", AutoString(length=64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("processed_at", UTCDateTime(), nullable=True),
        sa.Column("id", AutoString(length=36), nullable=False),
        sa.Column("stored_name", AutoString(length=80), nullable=False),
        sa.Column("searchable_text", AutoString(), nullable=True),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_documents_created_at"), "documents", ["created_at"], unique=False)
    op.create_index(op.f("ix_documents_file_type"), "documents", ["file_type"], unique=False)
    op.create_index(op.f("ix_documents_project_id"), "documents", ["project_id"], unique=False)
    op.create_index(op.f("ix_documents_sha256"), "documents", ["sha256"], unique=True)
    op.create_index(op.f("ix_documents_status"), "documents", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_documents_status"), table_name="documents")
    op.drop_index(op.f("ix_documents_sha256"), table_name="documents")
    op.drop_index(op.f("ix_documents_project_id"), table_name="documents")
    op.drop_index(op.f("ix_documents_file_type"), table_name="documents")
    op.drop_index(op.f("ix_documents_created_at"), table_name="documents")
    op.drop_table("documents")
    op.drop_table("task_workers")
    op.drop_table("task_stats")
    op.drop_index(op.f("ix_task_ledger_worker"), table_name="task_ledger")
    op.drop_index(op.f("ix_task_ledger_state"), table_name="task_ledger")
    op.drop_index(op.f("ix_task_ledger_name"), table_name="task_ledger")
    op.drop_index(op.f("ix_task_ledger_finished_at"), table_name="task_ledger")
    op.drop_index(op.f("ix_task_ledger_enqueued_at"), table_name="task_ledger")
    op.drop_table("task_ledger")
    op.drop_index(op.f("ix_projects_trade"), table_name="projects")
    op.drop_index(op.f("ix_projects_status"), table_name="projects")
    op.drop_index(op.f("ix_projects_phase"), table_name="projects")
    op.drop_index(op.f("ix_projects_created_at"), table_name="projects")
    op.drop_table("projects")
    op.drop_table("project_vectors")
