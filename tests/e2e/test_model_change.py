"""A change of embedding model on an installation with data, end to end.

The appliance starts with the bundled model (384 dimensions), learns projects and a
paper, and is stopped; then it starts with a second model the test makes (32 dimensions).
While the new vectors are built (held at the embedding tasks' hold points, so the
in-between state lasts as long as the test looks), the search answers from the old ones
exactly as before; released, the new vectors complete and the search switches to them.
A third start names a model that cannot be loaded: its rebuild gets stuck, and the second
model keeps serving.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect, sync_playwright
from sqlmodel import select

from appliance.documents.lifecycle import EMBED_TASK
from appliance.documents.models import DocumentChunk
from appliance.embedding import model_name_of
from appliance.projects.models import ProjectVector
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, open_view
from tests.e2e.test_documents import search as search_papers
from tests.e2e.test_documents import upload, wait_done
from tests.e2e.test_projects import FIXTURE, search, wait_indexed
from tests.fixtures.tiny_model import DIMENSION, make_tiny_model
from tests.support import RunningAppliance, wait_for

pytestmark = pytest.mark.e2e

REBUILD = "tasks.batch_generate_embeddings"
QUERY = "Bad sanieren, bodengleiche Dusche"
WINTER_GARDEN = {
    "name": "Wintergarten Familie Roth",
    "trade": "Glaser",
    "description": "Wintergarten mit Isolierverglasung und Dachfenstern neu verglast.",
}
PAPER_TEXT = "Wartungsbericht Gasbrennwertkessel: Abgasmessung bestanden, Zündelektrode getauscht."


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("models")
    tiny = make_tiny_model(folder / "tiny")
    broken = folder / "broken"
    shutil.copytree(tiny, broken)
    # The folder still says its vector size; its weights cannot be read.
    (broken / "model.safetensors").write_bytes(b"not a model")
    return {"tiny": tiny, "broken": broken}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A data folder with projects and a paper, embedded by the bundled model."""
    data_dir = tmp_path_factory.mktemp("model-change") / "data"
    first = RunningAppliance(data_dir).start()
    try:
        bodies = json.loads(FIXTURE.read_text("utf-8"))[:12]
        ids = []
        for body in bodies:
            fields = {k: v for k, v in body.items() if k != "kind"}
            response = first.client.post("/api/v1/projects/", json=fields)
            assert response.status_code in (200, 201, 202), response.text
            ids.append(response.json()["id"])
        for project_id in ids:
            wait_indexed(first, project_id)
        paper = data_dir.parent / "wartung.txt"
        paper.write_text(PAPER_TEXT, encoding="utf-8")
        paper_id = upload(first, paper)["id"]
        assert wait_done(first, paper_id)["status"] == "completed"
        before = {
            "search": ranked(search(first, QUERY)),
            "similar": ranked(similar(first, ids[0])),
            "papers": [hit["id"] for hit in search_papers(first, "Abgasmessung Kessel")],
        }
    finally:
        first.stop()
    yield {"dir": data_dir, "ids": ids, "paper": paper_id, "before": before}


def ranked(hits: list[dict[str, Any]]) -> list[tuple[str, float]]:
    return [(hit["id"], round(hit["similarity"], 4)) for hit in hits]


def similar(appliance: RunningAppliance, project_id: str) -> list[dict[str, Any]]:
    response = appliance.client.get(f"/api/v1/projects/{project_id}/similar")
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["data"]
    return found


def search_model(appliance: RunningAppliance) -> dict[str, Any]:
    response = appliance.client.get("/api/v1/system/search-model")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def monitor_text(appliance: RunningAppliance) -> str:
    """The task monitor's note on the model change, as a browser shows it."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="de-DE")
            open_view(page, appliance, "tasks")
            note = page.locator("#model-change")
            expect(note).to_be_visible()
            text: str = note.inner_text()
            return text
        finally:
            browser.close()


def stored_models(appliance: RunningAppliance) -> tuple[set[str], set[str]]:
    with appliance.runtime.db.session() as session:
        projects = set(session.exec(select(ProjectVector.model)))
        chunks = set(session.exec(select(DocumentChunk.model)))
    return projects, chunks


def test_the_old_vectors_answer_while_the_new_ones_are_built_then_the_search_switches(
    data: dict[str, Any], models: dict[str, Path]
) -> None:
    tiny = model_name_of(models["tiny"])
    second = RunningAppliance(data["dir"], env={"APPLIANCE_EMBEDDING_MODEL": str(models["tiny"])})
    held = [second.holds / f"task-{name}" for name in (REBUILD, EMBED_TASK)]
    for hold in held:
        hold.touch()
    second.start()
    try:
        # The change is seen at start; the rebuild waits at its hold points.
        reached = held[0].with_name(f"{held[0].name}.reached")
        wait_for(reached.exists, timeout=120, what="the rebuild started")
        state = search_model(second)
        assert state["serving"] == model_name_of(None)
        assert state["configured"] == tiny
        change = state["change"]
        assert change["state"] == "building"
        assert change["projects_total"] == len(data["ids"])
        assert change["projects_done"] == 0
        assert change["documents_total"] == 1
        assert change["open_tasks"] >= 1
        # The task monitor lists the rebuild's batches.
        tasks = second.client.get("/api/v1/tasks/tasks", params={"name": REBUILD}).json()
        assert tasks["total_count"] >= 1

        # Meanwhile the search answers from the old model's vectors, exactly as before.
        assert ranked(search(second, QUERY)) == data["before"]["search"]
        assert ranked(similar(second, data["ids"][0])) == data["before"]["similar"]
        papers = [hit["id"] for hit in search_papers(second, "Abgasmessung Kessel")]
        assert papers == data["before"]["papers"]
        # The task monitor says so, in German.
        seen_in_browser = monitor_text(second)
        assert "Neues Suchmodell wird vorbereitet: 0 von 12 Projekten" in seen_in_browser
        assert "Bis dahin sucht das bisherige Modell." in seen_in_browser
        # Projects keep their status: they are found all along.
        listed = second.client.get("/api/v1/projects/", params={"limit": 100}).json()["data"]
        assert {p["status"] for p in listed} == {"indexed"}
        # A job entered now is found at once: the web server embeds it by the old model too.
        added = second.client.post("/api/v1/projects/", json=WINTER_GARDEN).json()
        wait_indexed(second, added["id"])
        assert search(second, "Wintergarten verglasen")[0]["id"] == added["id"]
        assert similar(second, added["id"])
        projects = len(data["ids"]) + 1

        for hold in held:
            hold.unlink()
        switched = wait_for(
            lambda: (body := search_model(second))["change"] is None and body,
            timeout=300,
            interval=0.2,
            what="the switch to the new model",
        )
        assert switched["serving"] == tiny

        # The search now uses the new model's vectors: other similarities, same jobs found.
        after = search(second, QUERY)
        assert after and after[0]["id"] in {pid for pid, _ in data["before"]["search"][:3]}
        assert ranked(after) != data["before"]["search"]
        assert similar(second, data["ids"][0])
        assert search_papers(second, "Abgasmessung Kessel")[0]["id"] == data["paper"]
        stats = second.client.get("/api/v1/projects/stats").json()
        assert stats["vectors"] == stats["stored_vectors"] == projects
        # The old model's stored vectors and folders are gone once the old stores retire.
        wait_for(
            lambda: stored_models(second) == ({tiny}, {tiny}),
            timeout=60,
            what="the old model's vectors removed",
        )
        vectors_dir = data["dir"] / "vectors"
        wait_for(
            lambda: not (vectors_dir / "edge").exists(),
            timeout=60,
            what="the old model's store folder removed",
        )
        with second.runtime.db.session() as session:
            row = session.exec(select(ProjectVector)).first()
        assert row is not None and row.dimension == DIMENSION
    finally:
        second.stop()


def test_a_rebuild_that_fails_leaves_the_serving_model_answering(
    data: dict[str, Any], models: dict[str, Path]
) -> None:
    tiny = model_name_of(models["tiny"])
    third = RunningAppliance(
        data["dir"], env={"APPLIANCE_EMBEDDING_MODEL": str(models["broken"])}
    ).start()
    try:
        before = ranked(search(third, QUERY))
        stuck = wait_for(
            lambda: (
                (change := search_model(third)["change"]) and change["state"] == "stuck" and change
            ),
            timeout=300,
            interval=0.5,
            what="the rebuild given up",
        )
        assert stuck["projects_done"] < stuck["projects_total"]
        assert search_model(third)["serving"] == tiny
        assert ranked(search(third, QUERY)) == before and before
        assert search_papers(third, "Abgasmessung Kessel")[0]["id"] == data["paper"]
    finally:
        third.stop()

    # Back to the model that serves: nothing to build, and the broken model's leftovers go.
    fourth = RunningAppliance(data["dir"], env={"APPLIANCE_EMBEDDING_MODEL": str(models["tiny"])})
    fourth.start()
    try:
        state = search_model(fourth)
        assert state["serving"] == state["configured"] == tiny and state["change"] is None
        assert ranked(search(fourth, QUERY)) == before
        assert stored_models(fourth) == ({tiny}, {tiny})
    finally:
        fourth.stop()
