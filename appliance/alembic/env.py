"""Alembic's environment for the app database: run on the connection schema.py hands in.

Batch mode on SQLite: its ALTER TABLE cannot change or drop columns, so Alembic copies
the table instead.
"""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from appliance import schema  # puts every table on SQLModel.metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    include_name=lambda name, kind, _parents: schema.is_revisioned(name, kind),
)
with context.begin_transaction():
    context.run_migrations()
