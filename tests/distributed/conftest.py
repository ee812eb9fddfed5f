"""Fixtures for the distributed set-up: real servers started by the tests themselves."""

from __future__ import annotations

import pytest


@pytest.fixture
def database() -> str:
    """The distributed tests' app database is PostgreSQL."""
    return "postgresql"
