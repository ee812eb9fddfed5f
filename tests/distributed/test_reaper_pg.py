"""The reaper's unit tests again, with the app database on a real PostgreSQL server."""

from tests.test_reaper import *  # noqa: F403
