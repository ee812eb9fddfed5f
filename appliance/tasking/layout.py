"""Which queue a task goes to, and which worker process consumes which queue.

Embeddings get a queue and a worker of their own when there are at least two workers:
that worker loads the model once and encodes with all its threads, while the others
extract documents without each holding a 570 MB model. With one worker, one queue
carries everything. With a Redis queue both queues always exist: worker nodes on other
machines and the launcher must agree on where each task goes, whatever their own
worker counts are.
"""

from __future__ import annotations

import socket
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
    return QueueLayout(dedicated_embeddings=settings.distributed or settings.workers >= 2)


def node_name(settings: Settings) -> str:
    """This machine's name in worker names: the setting, else the host name."""
    # Cut to fit the ledger's worker column; host names may be long FQDNs.
    return settings.node_name or socket.gethostname()[:64]


def worker_name(settings: Settings, index: int) -> str:
    """`huey@worker-1` on one PC; `huey@<node>/worker-1` when machines share the queue."""
    if settings.distributed:
        return f"huey@{node_name(settings)}/worker-{index}"
    return f"huey@worker-{index}"


def worker_plans(
    settings: Settings,
    *,
    count: int | None = None,
    embedding_workers: int | None = None,
    periodic: bool = True,
) -> list[WorkerPlan]:
    """The first `embedding_workers` take embeddings (by default one, when dedicated);
    the first default worker runs periodic tasks if `periodic`."""
    layout = layout_for(settings)
    count = settings.workers if count is None else count
    if embedding_workers is None:
        embedding_workers = 1 if layout.dedicated_embeddings and count >= 2 else 0
    if embedding_workers and not layout.dedicated_embeddings:
        raise ValueError("embedding workers need a queue of their own: at least 2 workers")
    if not 0 <= embedding_workers <= count:
        raise ValueError(f"embedding workers must be between 0 and {count}")
    plans = []
    periodic_given = not periodic
    for index in range(1, count + 1):
        queue = EMBEDDING_QUEUE if index <= embedding_workers else DEFAULT_QUEUE
        runs_periodic = queue == DEFAULT_QUEUE and not periodic_given
        periodic_given = periodic_given or runs_periodic
        plans.append(WorkerPlan(worker_name(settings, index), queue, runs_periodic))
    return plans
