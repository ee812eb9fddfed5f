"""Exact amounts: a project's costs become NUMERIC(13, 2) on PostgreSQL and whole cents
(INTEGER) on SQLite, instead of floats (appliance/projects/money.py says why).

Each float becomes the amount it stood for: its 15 significant digits (all a float
holds for certain, and what PostgreSQL's float-to-numeric cast keeps), rounded half up
to the cent. So 14200.499999999 becomes 14200.50, 2.35 stays 2.35, on both databases.

SQLite's table is not copied (batch mode would): dropping `projects` would set every
document's project to NULL (ON DELETE SET NULL, foreign keys are on). A new column is
added, filled, and takes the old one's name (SQLite 3.35 and newer).

Revision ID: 0005_exact_money
Revises: 0004_search_slots
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from alembic import op

revision = "0005_exact_money"
down_revision = "0004_search_slots"
branch_labels = None
depends_on = None

COLUMNS = ("estimated_cost", "final_cost")
CENT = Decimal("0.01")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for column in COLUMNS:
            op.alter_column(
                "projects",
                column,
                existing_type=sa.Float(),
                type_=sa.Numeric(13, 2),
                existing_nullable=True,
                postgresql_using=f"round({column}::numeric, 2)",
            )
        return
    for column in COLUMNS:
        _replace_sqlite_column(column, "BIGINT", cents_of)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for column in COLUMNS:
            op.alter_column(
                "projects",
                column,
                existing_type=sa.Numeric(13, 2),
                type_=sa.Float(),
                existing_nullable=True,
                postgresql_using=f"{column}::double precision",
            )
        return
    for column in COLUMNS:
        _replace_sqlite_column(column, "FLOAT", lambda cents: int(cents) / 100)


def cents_of(value: float) -> int:
    """The whole cents a stored float stood for (the module's docstring says how)."""
    amount = Decimal(format(value, ".15g")).quantize(CENT, rounding=ROUND_HALF_UP)
    return int(amount.scaleb(2))


def _replace_sqlite_column(
    column: str, declared: str, convert: Callable[[float], float | int]
) -> None:
    conn = op.get_bind()
    new = f"{column}_new"
    conn.exec_driver_sql(f"ALTER TABLE projects ADD COLUMN {new} {declared}")
    rows = conn.exec_driver_sql(
        f"SELECT id, {column} FROM projects WHERE {column} IS NOT NULL"
    ).all()
    if rows:
        conn.exec_driver_sql(
            f"UPDATE projects SET {new} = ? WHERE id = ?",
            [(convert(value), project_id) for project_id, value in rows],
        )
    conn.exec_driver_sql(f"ALTER TABLE projects DROP COLUMN {column}")
    conn.exec_driver_sql(f"ALTER TABLE projects RENAME COLUMN {new} TO {column}")
