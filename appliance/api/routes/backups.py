"""/api/v1/backups: how the backups stand, one now, the latest archive to download."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse

from appliance.api.deps import BackupsDep, LanguageDep
from appliance.api.errors import ERROR_RESPONSES
from appliance.wording import Language, reword

router = APIRouter(prefix="/api/v1/backups", tags=["backups"], responses=ERROR_RESPONSES)


def _worded(record: dict[str, Any] | None, language: Language) -> dict[str, Any] | None:
    """A backup's record with its problems (one per line, stored in English) in `language`."""
    if record is None or not record["error"]:
        return record
    lines = [reword(line, language) or line for line in record["error"].split("\n")]
    return {**record, "error": "\n".join(lines)}


@router.get("/", summary="When the last backup ran, where to, and whether to warn")
def status(backups: BackupsDep, language: LanguageDep) -> dict[str, Any]:
    found = backups.status()
    return {
        **found,
        "note": reword(found["note"], language),
        "last": _worded(found["last"], language),
        "last_good": _worded(found["last_good"], language),
        "history": [_worded(record, language) for record in found["history"]],
    }


@router.post("/", status_code=202, summary="Make a backup now (a task)")
def start(backups: BackupsDep) -> dict[str, Any]:
    return {"status": "queued", "task_id": backups.start_now()}


@router.get("/latest/download", response_class=FileResponse, summary="The newest archive")
def latest(backups: BackupsDep) -> FileResponse:
    path = backups.latest_archive()
    return FileResponse(path, media_type="application/zip", filename=path.name)
