"""Vector writes from worker processes, sent to the one process that owns the store.

Both embedded engines lock their folder, so workers cannot open it. They post their
writes to the launcher over loopback HTTP instead, authenticated by a random token the
launcher writes into the data directory at each start. If the launcher is down, or was
restarted with a new token, the write fails with `VectorOwnerUnavailable` and the task
follows the retry schedule; nothing is lost, because the vector is already in the app
database and the task is idempotent.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import httpx

from appliance.vectors.base import VectorPoint

TOKEN_FILE = "owner.token"
TOKEN_HEADER = "X-Appliance-Token"
UPSERT_PATH = "/internal/vectors/upsert"
DELETE_PATH = "/internal/vectors/delete"


class VectorWriter(Protocol):
    """Where a worker sends vector writes."""

    def upsert(self, points: Sequence[VectorPoint]) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...


class VectorOwnerUnavailableError(ConnectionError):
    """The process owning the vector store did not take the write."""


def write_token(data_dir: Path) -> str:
    """A fresh token for this launcher run, readable only by this user."""
    token = secrets.token_urlsafe(32)
    path = data_dir / TOKEN_FILE
    path.write_text(token, "utf-8")
    path.chmod(0o600)
    return token


def point_to_json(point: VectorPoint) -> dict[str, Any]:
    return {"id": point.id, "vector": list(point.vector), "payload": dict(point.payload)}


class RemoteVectorWriter:
    """Posts vector writes to the launcher's internal endpoints."""

    def __init__(self, base_url: str, data_dir: Path, timeout: float = 30.0) -> None:
        self.base_url = base_url
        self.token_path = data_dir / TOKEN_FILE
        self._client = httpx.Client(base_url=base_url, timeout=timeout)

    def upsert(self, points: Sequence[VectorPoint]) -> None:
        if points:
            self._post(UPSERT_PATH, {"points": [point_to_json(p) for p in points]})

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            self._post(DELETE_PATH, {"ids": list(ids)})

    def _post(self, path: str, body: dict[str, Any]) -> None:
        try:
            token = self.token_path.read_text("utf-8").strip()
        except OSError:
            raise VectorOwnerUnavailableError(
                "the appliance that owns the vector store is not running"
            ) from None
        try:
            response = self._client.post(path, json=body, headers={TOKEN_HEADER: token})
        except httpx.TransportError as exc:
            raise VectorOwnerUnavailableError(
                f"the vector store owner at {self.base_url} is not reachable ({exc})"
            ) from None
        if response.status_code != 200:
            raise VectorOwnerUnavailableError(
                f"the vector store owner refused the write ({response.status_code}: "
                f"{response.text[:200]})"
            )

    def close(self) -> None:
        self._client.close()
