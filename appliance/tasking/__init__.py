"""The durable task engine: Huey moves messages, the ledger is the source of truth."""

import sys

# Huey's storage module imports psycopg for a PostgreSQL queue the appliance never uses
# (its queue is SQLite or Redis): 20 MB in each of the five processes, measured. Huey is
# imported here first with psycopg hidden, so it goes without; SQLAlchemy still imports
# psycopg for itself when APPLIANCE_DATABASE_URL names PostgreSQL.
if "huey.storage" not in sys.modules and "psycopg" not in sys.modules:
    sys.modules["psycopg"] = None  # type: ignore[assignment]
    try:
        import huey.storage  # noqa: F401
    finally:
        del sys.modules["psycopg"]
