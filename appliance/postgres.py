"""What the app database needs on PostgreSQL beyond the tables: a lock and SQL helpers.

Every process (launcher, workers, here and on other machines) opens the database at
start and creates what is missing. `CREATE TABLE IF NOT EXISTS` is not safe against a
second process doing the same at the same moment on PostgreSQL (it fails on the catalog's
unique index), so schema creation runs under a transaction-scoped advisory lock.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

# Any fixed 64-bit number, the same in every process: "HWML" in ASCII.
SCHEMA_LOCK_KEY = 0x48574D4C

# casefold() as the project filters use it (SQLite registers Python's str.casefold),
# named appliance_casefold: PostgreSQL 18 has a casefold() of its own in pg_catalog,
# which is searched first and would hide ours. db.py renders func.casefold as this name.
# lower() follows the database's locale, which folds only ASCII under the C locale, so
# the ICU root collation is used where the server has ICU (Debian's packages do).
# Python's casefold() also turns ß into ss (Gießen -> giessen); lower() keeps ß, so the
# function does that step itself. Other full-folding rules (ligatures such as "ﬁ", Greek
# final sigma) are not repeated here; they do not occur in German addresses and trades.
_CASEFOLD_BODY = " SELECT replace(lower(value {collate}), 'ß', 'ss') "
_CASEFOLD = """
CREATE OR REPLACE FUNCTION appliance_casefold(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT
AS $${body}$$
"""
_ICU_ROOT = "und-x-icu"


def prepare_schema(conn: Connection) -> None:
    """Take the schema lock for this transaction; create `unaccent` and the casefold."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
    ensure_extension(conn, "unaccent")
    has_icu = conn.execute(
        text("SELECT 1 FROM pg_collation WHERE collname = :name"), {"name": _ICU_ROOT}
    ).first()
    body = _CASEFOLD_BODY.format(collate=f'COLLATE "{_ICU_ROOT}"' if has_icu else "")
    present = conn.execute(
        text("SELECT prosrc FROM pg_proc WHERE proname = 'appliance_casefold'")
    ).scalar()
    # Replaced only when it differs: replacing needs ownership, and every process opens
    # the database at start (perhaps as another user than the one who created it).
    if present != body:
        conn.exec_driver_sql(_CASEFOLD.format(body=body))


def ensure_extension(conn: Connection, name: str) -> None:
    """Create an extension unless it is there (an administrator may have created it)."""
    present = conn.execute(
        text("SELECT 1 FROM pg_extension WHERE extname = :name"), {"name": name}
    ).first()
    if present is None:
        # unaccent is a trusted extension (PostgreSQL 13+): the database's owner may
        # create it without being a superuser.
        conn.exec_driver_sql(f"CREATE EXTENSION IF NOT EXISTS {name}")
