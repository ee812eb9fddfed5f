"""/api/v1/backups: how the backups stand, one now, the latest archive to download."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse

from appliance.api.deps import BackupsDep
from appliance.api.errors import ERROR_RESPONSES

router = APIRouter(prefix="/api/v1/backups", tags=["backups"], responses=ERROR_RESPONSES)


@router.get("/", summary="When the last backup ran, where to, and whether to warn")
def status(backups: BackupsDep) -> dict[str, Any]:
    return backups.status()


@router.post("/", status_code=202, summary="Make a backup now (a task)")
def start(backups: BackupsDep) -> dict[str, Any]:
    return {"status": "queued", "task_id": backups.start_now()}


@router.get("/latest/download", response_class=FileResponse, summary="The newest archive")
def latest(backups: BackupsDep) -> FileResponse:
    path = backups.latest_archive()
    return FileResponse(path, media_type="application/zip", filename=path.name)
