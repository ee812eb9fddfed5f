"""/internal: what worker processes need from the launcher (token required).

Vector writes (`/internal/vectors/*`: only the launcher may open an embedded store) and
uploaded files (`/internal/files/*`: worker nodes on other machines have no access to
the uploads folder). Two tokens are accepted: the one the launcher writes into its data
directory at each start (local workers) and `APPLIANCE_WORKER_TOKEN` (worker nodes).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field, ValidationError

from appliance.api.deps import DocumentsDep, VectorOwnerDep
from appliance.internal_client import DELETE_VECTORS, FILES, INTERNAL_PREFIX, UPSERT_VECTORS
from appliance.projects.vector_owner import VectorOwner
from appliance.vectors.base import SparseVector, VectorPoint

MAX_POINTS = 1000


# The token is checked by the access guard (api/security.py), before any body is read.
router = APIRouter(prefix=INTERNAL_PREFIX, tags=["internal"], include_in_schema=False)


class WordsIn(BaseModel):
    indices: tuple[int, ...] = Field(max_length=100_000)
    values: tuple[float, ...] = Field(max_length=100_000)


class PointIn(BaseModel):
    id: str = Field(max_length=64)
    vector: list[float] = Field(max_length=8192)
    payload: dict[str, Any] = Field(default_factory=dict)
    words: WordsIn | None = None

    def point(self) -> VectorPoint:
        words = SparseVector(self.words.indices, self.words.values) if self.words else None
        return VectorPoint(self.id, self.vector, self.payload, words)


Collection = Literal["projects", "chunks"]


class UpsertBody(BaseModel):
    collection: Collection = "projects"
    points: list[PointIn] = Field(max_length=MAX_POINTS)


class DeleteBody(BaseModel):
    collection: Collection = "projects"
    ids: list[str] = Field(max_length=MAX_POINTS)


@router.post(UPSERT_VECTORS, openapi_extra={"requestBody": {"required": True}})
async def upsert(request: Request, owner: VectorOwnerDep) -> dict[str, int]:
    # A batch of 32 vectors is 250 kB of JSON. Parsed the usual way (json.loads, then the
    # model) it held the event loop 2-3 ms per batch, and every create waited behind it
    # while the embedding worker was busy; read here, it is parsed off the loop, by
    # pydantic's own JSON parser (0.4 ms).
    raw = await request.body()
    return await run_in_threadpool(_upsert, raw, owner)


def _upsert(raw: bytes, owner: VectorOwner) -> dict[str, int]:
    try:
        body = UpsertBody.model_validate_json(raw)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from exc
    return {"upserted": owner.upsert(body.collection, [p.point() for p in body.points])}


@router.post(DELETE_VECTORS)
def delete(body: DeleteBody, owner: VectorOwnerDep) -> dict[str, int]:
    return {"deleted": owner.delete(body.collection, body.ids)}


@router.get(FILES + "{stored_name}")
def uploaded_file(
    documents: DocumentsDep,
    stored_name: Annotated[str, Path(max_length=80, pattern=r"^[A-Za-z0-9-]+\.[a-z0-9]+$")],
) -> FileResponse:
    """An uploaded file by its stored name, for a worker node that processes it."""
    path = documents.stored_file(stored_name)
    return FileResponse(path, media_type="application/octet-stream")
