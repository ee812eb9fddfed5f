"""Search texts are embedded in the process that answers the search, not by a worker."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from appliance.config import Settings
from appliance.embedding import open_embedder
from appliance.runtime import Runtime
from appliance.search.query import QueryEmbedder, SearchUnavailableError


def test_a_search_text_is_embedded_here_even_with_no_worker_running(runtime: Runtime) -> None:
    # The fixture runs no worker: 0.1.0 waited in vain for one (tasks.embed_query).
    queries = QueryEmbedder(runtime.embedder)
    vector = queries.embed("Dachrinne erneuern")

    assert len(vector) == 384
    expected = runtime.embedder.embed(["Dachrinne erneuern"])[0]
    np.testing.assert_allclose(vector, expected, atol=1e-6)
    # Nothing went through the queue, so the task history does not fill with searches.
    assert runtime.history.recent(limit=10)[1] == 0


def test_the_same_search_in_other_spacing_or_case_is_answered_from_the_cache(
    runtime: Runtime,
) -> None:
    queries = QueryEmbedder(runtime.embedder)
    first = queries.embed("Bad sanieren")
    assert queries.embed("  bad   SANIEREN ") is first


def test_a_model_that_cannot_load_makes_the_search_unavailable_with_the_reason(
    tmp_path: Path,
) -> None:
    not_a_model = tmp_path / "kein-modell"
    not_a_model.mkdir()
    settings = Settings(data_dir=tmp_path / "data", embedding_model=not_a_model)
    queries = QueryEmbedder(open_embedder(settings, threads=1, background=False))

    with pytest.raises(SearchUnavailableError, match="not a sentence-transformers model"):
        queries.embed("Dachrinne erneuern")
    assert SearchUnavailableError.status == 503
