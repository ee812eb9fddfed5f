"""The projects API's CRUD and list tests again, with the app database on PostgreSQL.

The same test functions as tests/test_projects_api.py (those that need no model: the
embedding paths run in test_pg_appliance.py and test_migration.py); only the runtime
they get differ. The filters are where the databases differ most: casefold() and LIKE.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.bootstrap import start_runtime
from appliance.config import Settings
from appliance.runtime import Runtime
from tests.test_projects_api import (  # noqa: F401 - collected here, on PostgreSQL
    client,
    test_create_answers_201_pending_and_queues_the_embedding,
    test_create_returns_the_fields_as_sent,
    test_delete_queues_the_vector_removal_and_the_project_is_gone,
    test_list_filter_matches_german_letters,
    test_list_filters_by_city,
    test_list_filters_by_embedding_status,
    test_list_filters_by_trade_ignoring_case,
    test_list_finds_text_in_name_description_or_customer,
    test_list_pages_with_the_total_count,
    test_list_sorts_by_name_both_ways,
    test_list_text_search_treats_wildcards_literally,
    test_patch_that_makes_the_project_invalid_is_422,
    test_put_replaces_every_field_and_defaults_the_ones_left_out,
    test_reindex_queues_batches_of_ten,
)


@pytest.fixture
def app_runtime(tmp_path: Path, pg_url: str) -> Iterator[Runtime]:
    settings = Settings(data_dir=tmp_path / "data", database_url=pg_url)
    built = start_runtime(settings, own_vectors=True)
    assert built.db.dialect == "postgresql"
    yield built
    built.close()
