"""Which worker takes which queue, and what it is called, on one PC and on several."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from appliance.config import Settings
from appliance.tasking.layout import layout_for, worker_plans

REDIS = "redis://127.0.0.1:6379/0"


def test_one_pc_keeps_its_names_and_one_queue_for_a_single_worker(tmp_path: Path) -> None:
    plans = worker_plans(Settings(data_dir=tmp_path, workers=3))
    assert [(p.name, p.queue, p.periodic) for p in plans] == [
        ("huey@worker-1", "embeddings", False),
        ("huey@worker-2", "default", True),
        ("huey@worker-3", "default", False),
    ]
    assert layout_for(Settings(data_dir=tmp_path, workers=1)).queues == ["default"]


def test_a_shared_queue_always_has_both_queues_and_names_carry_the_machine(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path, workers=1, queue_url=REDIS)
    assert layout_for(settings).queues == ["default", "embeddings"]
    host = socket.gethostname()
    assert [p.name for p in worker_plans(settings)] == [f"huey@{host}/worker-1"]
    named = Settings(data_dir=tmp_path, queue_url=REDIS, node_name="keller-pc")
    plans = worker_plans(named, count=3, embedding_workers=2, periodic=False)
    assert [(p.name, p.queue, p.periodic) for p in plans] == [
        ("huey@keller-pc/worker-1", "embeddings", False),
        ("huey@keller-pc/worker-2", "embeddings", False),
        ("huey@keller-pc/worker-3", "default", False),
    ]


def test_impossible_embedding_worker_counts_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="queue of their own"):
        worker_plans(Settings(data_dir=tmp_path, workers=1), embedding_workers=1)
    with pytest.raises(ValueError, match="between 0 and 2"):
        worker_plans(Settings(data_dir=tmp_path, queue_url=REDIS), count=2, embedding_workers=3)
