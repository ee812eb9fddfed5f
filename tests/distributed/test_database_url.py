"""APPLIANCE_DATABASE_URL against real servers: what is refused, and how it is said."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from appliance.bootstrap import start_runtime
from appliance.config import Settings
from appliance.db import DatabaseUnavailableError
from appliance.schema import open_database
from tests.distributed.pg_server import PostgresServer


def test_an_unknown_database_is_a_one_line_reason(postgres: PostgresServer, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "APPLIANCE_DATABASE_URL": postgres.url("gibt_es_nicht"),
        "APPLIANCE_DATA_DIR": str(tmp_path),
    }
    out = subprocess.run(
        [sys.executable, "-m", "appliance", "reindex"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 3
    shown = Settings(database_url=postgres.url("gibt_es_nicht")).database_url
    assert out.stderr.strip().splitlines() == [
        f"Cannot use the app database {shown}: "
        'connection failed: connection to server at "127.0.0.1", '
        f'port {postgres.port} failed: FATAL:  database "gibt_es_nicht" does not exist'
    ]


def test_a_user_without_rights_is_told_so(postgres: PostgresServer, pg_url: str) -> None:
    with postgres.connect(pg_url.rsplit("/", 1)[-1]) as conn:
        conn.execute("CREATE ROLE gast LOGIN")
        conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    url = pg_url.replace(f"{postgres.user}@", "gast@")
    with pytest.raises(DatabaseUnavailableError, match="permission denied"):
        open_database(url)
    with postgres.connect(pg_url.rsplit("/", 1)[-1]) as conn:
        conn.execute("DROP OWNED BY gast")
        conn.execute("DROP ROLE gast")


def test_a_sqlite_url_puts_the_database_outside_the_data_dir(tmp_path: Path) -> None:
    elsewhere = tmp_path / "shared" / "office.db"
    elsewhere.parent.mkdir()
    settings = Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{elsewhere}")
    runtime = start_runtime(settings)
    try:
        task_id = runtime.queue.enqueue("tasks.ping")
        assert runtime.db.dialect == "sqlite"
    finally:
        runtime.close()
    assert elsewhere.is_file() and not settings.app_db_path.exists()
    db = open_database(f"sqlite:///{elsewhere}")
    with db.read() as conn:
        found = conn.execute(text("SELECT id FROM task_ledger")).scalars().all()
    db.dispose()
    assert found == [task_id]


def test_many_processes_may_create_the_schema_at_once(
    postgres: PostgresServer, pg_url: str
) -> None:
    # The launcher and every worker create what is missing at start; on PostgreSQL a
    # plain CREATE ... IF NOT EXISTS from two sessions at once fails on the catalog.
    code = (
        "import sys; from appliance.schema import open_database; "
        "open_database(sys.argv[1]).dispose()"
    )
    processes = [
        subprocess.Popen([sys.executable, "-c", code, pg_url], stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err


def test_nul_characters_are_refused_before_they_reach_the_database(
    pg_url: str, tmp_path: Path
) -> None:

    from appliance.tasking.records import storable
    from tests.support import api_client

    runtime = start_runtime(Settings(data_dir=tmp_path / "data", database_url=pg_url))
    try:
        client = api_client(runtime)
        refused = client.post("/api/v1/projects/", json={"name": "Bad", "city": "Ulm\x00"})
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["loc"] == ["body", "city"]
        for address in ("/api/v1/projects/?q=a%00b", "/api/v1/tasks/task/a%00b"):
            answer = client.get(address)
            assert answer.status_code == 400 and "NUL" in answer.json()["detail"]
        reindex = client.post("/api/v1/projects/reindex", json={"project_ids": ["x\x00"]})
        assert reindex.status_code == 422
        # An exception text quoting a file's bytes still fails the task on record.
        task_id = runtime.queue.enqueue("tasks.ping")
        runtime.ledger.claim(
            task_id=task_id,
            name="tasks.ping",
            worker="w1",
            now=0.0,
            default_max_retries=0,
            create_missing=False,
        )
        runtime.ledger.finish_failure(
            task_id=task_id, worker="w1", error="bad\x00byte", duration=0, retry_delay=None, now=1.0
        )
        assert runtime.ledger.get(task_id).error == storable("bad\x00byte") == "bad\\0byte"
    finally:
        runtime.close()


def test_a_user_given_only_the_tables_opens_a_prepared_database(
    postgres: PostgresServer, pg_url: str
) -> None:
    # An administrator prepared the database (or ran the migration) as its owner; the
    # appliance logs in as a user that may only read and write the tables.
    open_database(pg_url).dispose()
    name = pg_url.rsplit("/", 1)[-1]
    with postgres.connect(name) as conn:
        conn.execute("CREATE ROLE buero LOGIN")
        conn.execute("GRANT USAGE ON SCHEMA public TO buero")
        conn.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO buero")
    try:
        db = open_database(pg_url.replace(f"{postgres.user}@", "buero@"))
        with db.read() as conn:
            assert conn.execute(text("SELECT appliance_casefold('GIEẞEN')")).scalar() == "giessen"
        db.dispose()
    finally:
        with postgres.connect(name) as conn:
            conn.execute("DROP OWNED BY buero")
            conn.execute("DROP ROLE buero")
