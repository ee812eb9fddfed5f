"""The vector store's owner: down means retry, and a restart repairs the store."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys

import pytest
from sqlalchemy import text

from appliance.projects.models import ProjectCreate
from appliance.projects.service import ProjectService
from tests.e2e.test_projects import search, wait_indexed
from tests.support import RunningAppliance

pytestmark = pytest.mark.e2e


def embedding_tasks(appliance: RunningAppliance) -> int:
    history = appliance.runtime.history
    names = ("tasks.generate_project_embedding", "tasks.batch_generate_embeddings")
    return sum(history.recent(name=name, limit=1)[1] for name in names)


def test_owner_down_makes_the_task_retry_and_a_restart_finishes_it(
    fresh_appliance: RunningAppliance,
) -> None:
    fresh_appliance.start()
    fresh_appliance.stop(signal.SIGTERM)

    # A worker without its launcher: the vector store's owner is not there.
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "appliance",
            "worker",
            "--name",
            "huey@worker-1",
            "--queue",
            "embeddings",
        ],
        env=fresh_appliance.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        projects = ProjectService(fresh_appliance.runtime)
        project, task_id = projects.create(
            ProjectCreate(
                name="Balkon abdichten", trade="Dach", description="Balkon neu abgedichtet"
            )
        )
        row = fresh_appliance.wait_state(task_id, {"RETRY"}, timeout=120)
        assert "not running" in row.error
        assert row.attempts == 1
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(timeout=30)

    fresh_appliance.start()
    row = fresh_appliance.wait_state(task_id, {"SUCCESS"}, timeout=120)
    assert row.attempts >= 2
    wait_indexed(fresh_appliance, project.id)
    assert search(fresh_appliance, "Balkon neu abgedichtet", limit=1)[0]["id"] == project.id


def test_restart_restores_lost_vectors_and_re_embeds_stale_ones(
    fresh_appliance: RunningAppliance,
) -> None:
    fresh_appliance.start()
    ids = []
    for name, description in [
        ("Kellerabdichtung", "Kellerwand von außen abgedichtet und Drainage verlegt"),
        ("Wintergarten", "Wintergarten aus Aluminium mit Isolierverglasung errichtet"),
        ("Carport", "Carport aus Holz mit Gründach gebaut"),
    ]:
        body = fresh_appliance.client.post(
            "/api/v1/projects/", json={"name": name, "trade": "Bau", "description": description}
        ).json()
        ids.append(body["id"])
    for project_id in ids:
        wait_indexed(fresh_appliance, project_id)
    before = embedding_tasks(fresh_appliance)
    fresh_appliance.stop(signal.SIGTERM)

    # The store is lost (as after a power cut before its last flush) and one project's
    # text changed behind the appliance's back.
    shutil.rmtree(fresh_appliance.data_dir / "vectors")
    with fresh_appliance.runtime.db.write() as conn:
        conn.execute(
            text("UPDATE projects SET description = :d WHERE id = :id"),
            {"d": "Schwimmteich im Garten angelegt", "id": ids[2]},
        )

    fresh_appliance.start()
    # Two projects come back from their stored vectors without the model ...
    for project_id, query in zip(
        ids[:2], ["Kellerwand Drainage", "Wintergarten Aluminium"], strict=True
    ):
        assert search(fresh_appliance, query, limit=1)[0]["id"] == project_id
    # ... the changed one is embedded again, from its new text.
    wait_indexed(fresh_appliance, ids[2])
    assert search(fresh_appliance, "Schwimmteich Garten", limit=1)[0]["id"] == ids[2]
    assert embedding_tasks(fresh_appliance) == before + 1
