"""The embedding tasks through the real executor, registry, ledger, model and vector store."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from appliance.bootstrap import start_runtime
from appliance.config import Settings
from appliance.projects.models import ProjectCreate
from appliance.projects.service import ProjectService
from appliance.runtime import Runtime
from appliance.tasking.execution import TaskExecutor


@pytest.fixture
def owner(tmp_path: Path) -> Iterator[Runtime]:
    """Databases plus the vector store itself, as the only process that uses them."""
    built = start_runtime(Settings(data_dir=tmp_path / "data"), own_vectors=True)
    yield built
    built.close()


def run_queued(runtime: Runtime, task_id: str) -> dict[str, Any]:
    """Run a queued task in this process as a worker would, and return its result."""
    executor = TaskExecutor("w1", runtime)
    row = runtime.ledger.get(task_id)
    spec = runtime.queue.registry.get(row.name)
    executor(spec, task_id, tuple(json.loads(row.args_json)), json.loads(row.kwargs_json))
    row = runtime.ledger.get(task_id)
    assert row.state == "SUCCESS", row.error
    result: dict[str, Any] = json.loads(row.result_json)
    return result


@pytest.mark.parametrize("as_keywords", [False, True], ids=["positional", "keywords"])
def test_the_seeds_three_arguments_are_accepted_when_the_task_runs_alone(
    owner: Runtime, as_keywords: bool
) -> None:
    projects = ProjectService(owner)
    created, own_task = projects.create(
        ProjectCreate(name="Heizung tauschen", description="Gastherme gegen Wärmepumpe tauschen")
    )
    # Alone: the task the create queued would otherwise join it in a batch.
    owner.queue.interventions.revoke(own_task, allow_running=False, now=time.time())
    seed_args = (created.id, "ein veralteter Text", {"source": "seed"})
    if as_keywords:
        names = ("project_id", "description", "metadata")
        task_id = owner.queue.enqueue(
            "tasks.generate_project_embedding", **dict(zip(names, seed_args, strict=True))
        )
    else:
        task_id = owner.queue.enqueue("tasks.generate_project_embedding", *seed_args)

    result = run_queued(owner, task_id)

    assert (result["status"], result["project_id"]) == ("success", created.id)
    assert projects.get(created.id).status == "indexed"
    # The row is the truth: the stored vector is the project's text, not the argument's.
    assert owner.vectors is not None and owner.vectors.count() == 1
