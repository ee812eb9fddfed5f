"""Searching projects by words and meaning, with the real model (in-process)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from fastapi.testclient import TestClient

from appliance.runtime import Runtime
from tests.api.projects_support import ALL, BAD, DACH, URL, indexed


def search(client: TestClient, query: str, **body: Any) -> list[dict[str, Any]]:
    response = client.post(f"{URL}search", json={"query": query, **body})
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


@pytest.fixture
def ids(client: TestClient, app_runtime: Runtime) -> dict[str, str]:
    found = indexed(app_runtime, client, ALL)
    return {body["name"]: project_id for body, project_id in zip(ALL, found, strict=True)}


def test_a_word_of_the_same_meaning_finds_the_job_and_says_which_word(
    client: TestClient, ids: dict[str, str]
) -> None:
    [first, *_] = search(client, "Regenrinne")
    assert first["id"] == ids[DACH["name"]]
    assert first["match"] == {"level": "high", "words": ["Dachrinnen"], "meaning_only": False}
    assert 0 < first["score"] <= 1 and -1 <= first["similarity"] <= 1


def test_a_compound_typed_apart_finds_the_job(client: TestClient, ids: dict[str, str]) -> None:
    [first, *_] = search(client, "Sanierung vom Bad")
    assert first["id"] == ids[BAD["name"]]
    assert "Badsanierung" in first["match"]["words"]


def test_nothing_that_fits_is_said_by_the_levels(client: TestClient, ids: dict[str, str]) -> None:
    # No heat pump among the jobs: whatever comes back by meaning alone fits poorly.
    found = search(client, "Wärmepumpe")
    assert found and {hit["match"]["level"] for hit in found} == {"low"}
    assert all(hit["match"]["meaning_only"] for hit in found)


def test_each_mode_ranks_by_its_own_side(client: TestClient, ids: dict[str, str]) -> None:
    meaning = search(client, "Regenrinne", mode="meaning")
    assert all(hit["score"] == pytest.approx(hit["similarity"], abs=1e-4) for hit in meaning)
    words = search(client, "Regenrinne", mode="words")
    assert words[0]["id"] == ids[DACH["name"]]
    # Found by words only: each shares a word ("Ablaufrinne" has a "Rinne" too).
    assert len(words) < len(ALL) and not any(hit["match"]["meaning_only"] for hit in words)
    assert search(client, "Regenrinne", mode="hybrid")[0]["id"] == ids[DACH["name"]]


def test_min_score_applies_to_the_fused_score(client: TestClient, ids: dict[str, str]) -> None:
    everything = search(client, "Dusche und Fliesen im Bad", limit=100)
    assert len(everything) == len(ALL)
    cut = everything[2]["score"]
    kept = search(client, "Dusche und Fliesen im Bad", limit=100, min_score=cut)
    assert [hit["id"] for hit in kept] == [hit["id"] for hit in everything[:3]]


def test_an_unknown_mode_is_refused(client: TestClient) -> None:
    response = client.post(f"{URL}search", json={"query": "Bad", "mode": "fuzzy"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "mode"]


def test_similar_jobs_rank_an_empty_test_project_low(
    client: TestClient, app_runtime: Runtime, ids: dict[str, str]
) -> None:
    [empty] = indexed(app_runtime, client, [{"name": "Test"}])
    similar = client.get(f"{URL}{ids[BAD['name']]}/similar", params={"limit": 100}).json()
    by_id = {hit["id"]: hit for hit in similar["data"]}
    assert by_id[empty]["match"]["level"] == "low"
    assert similar["data"][0]["id"] != empty
    assert similar["data"][-1]["id"] == empty


def test_without_the_serving_model_the_search_goes_by_words(
    client: TestClient, ids: dict[str, str], app_runtime: Runtime
) -> None:
    # During a model change whose old model's folder is gone (slots.py), no search text
    # can be embedded for the old vectors: the jobs are found by their words.
    assert app_runtime.search is not None
    app_runtime.search = dataclasses.replace(app_runtime.search, queries=None)
    found = search(client, "Regenrinne")
    assert found[0]["id"] == ids[DACH["name"]]
    assert len(found) < len(ALL) and not any(hit["match"]["meaning_only"] for hit in found)
    assert search(client, "Wärmepumpe") == []
