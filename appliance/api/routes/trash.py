"""/api/v1/trash: the Papierkorb of deleted projects and documents."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from appliance.api.deps import TrashDep
from appliance.api.errors import ERROR_RESPONSES
from appliance.trash.models import TrashKind, TrashList

router = APIRouter(prefix="/api/v1/trash", tags=["trash"], responses=ERROR_RESPONSES)


@router.get("", response_model=TrashList)
def list_trash(trash: TrashDep) -> TrashList:
    """Deleted projects and documents, most recently deleted first, each with the moment
    the daily cleanup removes it for good (`expires_at`)."""
    entries = trash.entries()
    return TrashList(data=entries, count=len(entries), keep_days=trash.keep.days)


@router.post("/{kind}/{item_id}/restore")
def restore(kind: TrashKind, item_id: str, trash: TrashDep) -> dict[str, Any]:
    """Put it back: a project is embedded again and gets its documents back (those not
    linked elsewhere meanwhile), a document is read again from its kept file."""
    task_id = trash.restore(kind, item_id)
    return {"status": "restored", "kind": kind.value, "id": item_id, "task_id": task_id}


@router.delete("/{kind}/{item_id}")
def remove(kind: TrashKind, item_id: str, trash: TrashDep) -> dict[str, Any]:
    """Remove it for good, now (a document's file too)."""
    trash.remove(kind, item_id)
    return {"status": "removed", "kind": kind.value, "id": item_id}
