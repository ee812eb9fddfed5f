"""Search texts are embedded by the embedding worker; the web server waits for its answer."""

from __future__ import annotations

import pytest

from appliance.projects.query import QueryEmbedder, SearchUnavailableError
from appliance.runtime import Runtime


def test_a_search_nobody_answers_in_time_is_revoked_and_never_retried(
    runtime: Runtime,
) -> None:
    # No worker runs: the embed_query task waits in the queue past the search's timeout.
    with pytest.raises(SearchUnavailableError, match="took too long"):
        QueryEmbedder(runtime, timeout=0.05).embed("Dachrinne erneuern")

    (row,) = runtime.history.recent(name="tasks.embed_query")[0]
    assert row.state == "REVOKED"  # the worker, once free, does not run it for nobody
    assert row.max_retries == 0  # and a failed attempt is not tried again minutes later
