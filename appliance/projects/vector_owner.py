"""The owner's side of vector writes that worker processes send over the internal API.

An embedded vector store admits one process: the launcher. Workers post their upserts
and deletions to it (`/internal/vectors/*`); this is what the launcher does with them.
"""

from __future__ import annotations

from collections.abc import Sequence

from appliance.errors import AppError, InvalidInputError
from appliance.projects.serving_copy import keep_serving_current
from appliance.runtime import Runtime
from appliance.vectors.base import CHUNKS, PROJECTS, VectorPoint
from appliance.vectors.remote import VectorWriter


class NoVectorStoreError(AppError):
    status = 503


class VectorOwner:
    """Writes into this process's vector store, if it owns one."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def upsert(self, collection: str, points: Sequence[VectorPoint]) -> int:
        store = self._owned(collection)
        try:
            store.upsert(points)
        except ValueError as exc:  # a vector of the wrong size
            raise InvalidInputError(
                "vector_points_invalid", loc=("body", "points"), reason=str(exc)
            ) from None
        if collection == PROJECTS:
            # During a change of model: found by the serving model too (serving_copy.py).
            keep_serving_current(self.runtime, [point.id for point in points])
        return len(points)

    def delete(self, collection: str, ids: Sequence[str]) -> int:
        self._owned(collection).delete(ids)
        return len(ids)

    def _owned(self, collection: str) -> VectorWriter:
        # Looked up on each write: a model switch replaces the writers (slots.py).
        runtime = self.runtime
        if runtime.vectors is None or collection not in (PROJECTS, CHUNKS):
            raise NoVectorStoreError("no_vector_store_here")
        return runtime.vector_writer if collection == PROJECTS else runtime.chunk_writer
