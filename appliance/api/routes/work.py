"""/api/v1/work: the task view for people, the office's work by file and job name."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from appliance.api.deps import LanguageDep, WorkDep
from appliance.api.errors import ERROR_RESPONSES
from appliance.work.models import WorkOverview

router = APIRouter(prefix="/api/v1/work", tags=["work"], responses=ERROR_RESPONSES)


@router.get(
    "",
    summary="Documents and projects in work, with problems, and finished today",
    response_model=WorkOverview,
)
def work_overview(
    work: WorkDep,
    language: LanguageDep,
    utc_offset: Annotated[
        int,
        Query(
            ge=-14 * 60,
            le=14 * 60,
            description="Minutes the browser's clock is ahead of UTC (Berlin in summer: 120); "
            "'today' starts at its local midnight.",
        ),
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=200, description="Entries per group at most.")] = 50,
) -> WorkOverview:
    return work.overview(
        now=datetime.now(UTC), utc_offset_minutes=utc_offset, language=language, limit=limit
    )
