"""Vector writes from worker processes, sent to the one process that owns the store.

Both embedded engines lock their folder, so workers cannot open it. They post their
writes to the launcher's internal API instead (over loopback, or from a worker node over
the network; see `appliance.internal_client`). If the launcher is down, or was
restarted with a new token, the write fails with `LauncherUnavailableError` and the task
follows the retry schedule; nothing is lost, because the vector is already in the app
database and the task is idempotent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from appliance.internal_client import (
    DELETE_VECTORS,
    INTERNAL_PREFIX,
    UPSERT_VECTORS,
    InternalClient,
)
from appliance.vectors.base import PROJECTS, VectorPoint

UPSERT_PATH = INTERNAL_PREFIX + UPSERT_VECTORS
DELETE_PATH = INTERNAL_PREFIX + DELETE_VECTORS


class VectorWriter(Protocol):
    """Where a worker sends vector writes."""

    def upsert(self, points: Sequence[VectorPoint]) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...


def point_to_json(point: VectorPoint) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": point.id,
        "vector": list(point.vector),
        "payload": dict(point.payload),
    }
    if point.words:
        found["words"] = {"indices": point.words.indices, "values": point.words.values}
    return found


class RemoteVectorWriter:
    """Posts vector writes of one collection to the launcher's internal endpoints."""

    def __init__(self, client: InternalClient, collection: str = PROJECTS) -> None:
        self.client = client
        self.collection = collection

    def upsert(self, points: Sequence[VectorPoint]) -> None:
        if points:
            body = {"collection": self.collection, "points": [point_to_json(p) for p in points]}
            self.client.post(UPSERT_PATH, body)

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            self.client.post(DELETE_PATH, {"collection": self.collection, "ids": list(ids)})

    def close(self) -> None:
        self.client.close()
