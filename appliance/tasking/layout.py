"""Which queue a task goes to, and which worker process consumes which queue.

Embeddings get a queue and a worker of their own when there are at least two workers:
that worker loads the model once and encodes with all its threads, while the others
extract documents without each holding a 570 MB model. With one worker, one queue
carries everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from appliance.config import Settings

DEFAULT_QUEUE = "default"
EMBEDDING_QUEUE = "embeddings"


@dataclass(frozen=True)
class QueueLayout:
    """Maps a task's logical queue to the physical Huey queue that carries it."""

    dedicated_embeddings: bool

    def physical(self, logical: str) -> str:
        if logical == EMBEDDING_QUEUE and self.dedicated_embeddings:
            return EMBEDDING_QUEUE
        return DEFAULT_QUEUE

    @property
    def queues(self) -> list[str]:
        return [DEFAULT_QUEUE, EMBEDDING_QUEUE] if self.dedicated_embeddings else [DEFAULT_QUEUE]


@dataclass(frozen=True)
class WorkerPlan:
    """One worker process the launcher starts."""

    name: str
    queue: str
    periodic: bool


def layout_for(settings: Settings) -> QueueLayout:
    return QueueLayout(dedicated_embeddings=settings.workers >= 2)


def worker_plans(settings: Settings) -> list[WorkerPlan]:
    """Worker 1 takes embeddings (if dedicated); the first default worker runs periodic tasks."""
    layout = layout_for(settings)
    plans = []
    periodic_given = False
    for index in range(1, settings.workers + 1):
        queue = EMBEDDING_QUEUE if layout.dedicated_embeddings and index == 1 else DEFAULT_QUEUE
        periodic = queue == DEFAULT_QUEUE and not periodic_given
        periodic_given = periodic_given or periodic
        plans.append(WorkerPlan(f"huey@worker-{index}", queue, periodic))
    return plans
