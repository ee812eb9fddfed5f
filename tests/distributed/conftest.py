"""Servers the distributed tests run against, started by the tests themselves."""

from tests.distributed.redis_server import redis_server

__all__ = ["redis_server"]
