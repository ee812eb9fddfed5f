"""/internal/vectors: where worker processes send their vector writes (token required)."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from pydantic import BaseModel, Field

from appliance.api.deps import ServicesDep
from appliance.vectors.base import VectorPoint
from appliance.vectors.remote import TOKEN_HEADER

MAX_POINTS = 1000


def require_token(
    request: Request,
    token: Annotated[str | None, Header(alias=TOKEN_HEADER)] = None,
) -> None:
    expected = getattr(request.app.state, "internal_token", None)
    if not expected or not token or not secrets.compare_digest(token, expected):
        raise HTTPException(403, "This endpoint is for the appliance's own worker processes.")


router = APIRouter(
    prefix="/internal/vectors",
    tags=["internal"],
    include_in_schema=False,
    dependencies=[Depends(require_token)],
)


class PointIn(BaseModel):
    id: str = Field(max_length=64)
    vector: list[float] = Field(max_length=8192)
    payload: dict[str, Any] = Field(default_factory=dict)


class UpsertBody(BaseModel):
    points: list[PointIn] = Field(max_length=MAX_POINTS)


class DeleteBody(BaseModel):
    ids: list[str] = Field(max_length=MAX_POINTS)


def _store(services: ServicesDep) -> Any:
    if services.vectors is None:
        raise HTTPException(503, "This process does not own a vector store.")
    return services.vectors


@router.post("/upsert")
def upsert(body: UpsertBody, services: ServicesDep) -> dict[str, int]:
    points = [VectorPoint(p.id, p.vector, p.payload) for p in body.points]
    try:
        _store(services).upsert(points)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    return {"upserted": len(points)}


@router.post("/delete")
def delete(body: DeleteBody, services: ServicesDep) -> dict[str, int]:
    _store(services).delete(body.ids)
    return {"deleted": len(body.ids)}
