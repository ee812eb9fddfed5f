"""The ledger's unit tests again, with the app database on a real PostgreSQL server.

The tests are the same functions as tests/test_ledger.py; this folder's `runtime`
fixture points them at PostgreSQL.
"""

from appliance.runtime import Runtime
from tests.test_ledger import *  # noqa: F403


def test_these_tests_run_on_postgresql(runtime: Runtime) -> None:
    assert runtime.db.dialect == "postgresql"
