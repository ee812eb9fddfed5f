"""Durable and light writes on a real PostgreSQL server."""

from __future__ import annotations

from sqlalchemy import text

from appliance.schema import open_database


def test_light_writes_commit_without_waiting_for_the_wal_flush(pg_url: str) -> None:
    # The test cluster turns synchronous commits off for speed; this database gets the
    # server default back, as in production.
    setup = open_database(pg_url)
    with setup.write() as conn:
        name = conn.exec_driver_sql("SELECT current_database()").scalar()
        conn.exec_driver_sql(f'ALTER DATABASE "{name}" SET synchronous_commit = on')
    setup.dispose()
    db = open_database(pg_url)
    try:
        with db.write() as conn:
            durable = conn.exec_driver_sql("SHOW synchronous_commit").scalar()
        with db.write(durable=False) as conn:
            light = conn.exec_driver_sql("SHOW synchronous_commit").scalar()
            conn.execute(text("CREATE TABLE notes (body TEXT)"))
            conn.execute(text("INSERT INTO notes VALUES ('light')"))
        with db.session(write=True, durable=False) as session:
            in_session = session.connection().exec_driver_sql("SHOW synchronous_commit").scalar()
        with db.write() as conn:
            after = conn.exec_driver_sql("SHOW synchronous_commit").scalar()
        with db.read() as conn:
            rows = conn.execute(text("SELECT body FROM notes")).scalars().all()
        assert (durable, light, in_session, after) == ("on", "off", "off", "on")
        assert rows == ["light"]
    finally:
        db.dispose()
