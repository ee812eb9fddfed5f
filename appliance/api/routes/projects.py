"""/api/v1/projects: CRUD with background embeddings, similar jobs, search by meaning."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import AfterValidator, BaseModel, Field

from appliance.api.deps import LanguageDep, ProjectsDep
from appliance.api.errors import ERROR_RESPONSES, MAX_OFFSET
from appliance.api.writes import run_write
from appliance.projects.listing import SORT_FIELDS, ProjectFilters
from appliance.projects.models import (
    EmbeddingStatus,
    MatchPublic,
    Phase,
    PriceHintDraft,
    PriceHintJob,
    PriceHintPublic,
    Project,
    ProjectCreate,
    ProjectList,
    ProjectPublic,
    ProjectUpdate,
    ProjectWithTask,
    ScoredList,
    ScoredProjectPublic,
    no_nul,
)
from appliance.projects.price_hint import PriceHint, draft_price_hint, price_hint
from appliance.projects.service import ScoredProject
from appliance.search.fusion import SearchMode
from appliance.wording import Language, reword

SORT_PATTERN = "^-?(" + "|".join(sorted(SORT_FIELDS)) + ")$"

router = APIRouter(prefix="/api/v1/projects", tags=["projects"], responses=ERROR_RESPONSES)


class SearchRequest(BaseModel):
    query: str = Field(
        min_length=1, max_length=2000, examples=["Bad sanieren, bodengleiche Dusche"]
    )
    trade: str | None = None
    phase: Phase | None = None
    city: str | None = None
    year: int | None = Field(default=None, ge=1900, le=2200)
    limit: int = Field(default=10, ge=1, le=100)
    min_score: float | None = Field(default=None, ge=-1, le=1, strict=True)
    mode: SearchMode = Field(
        default=SearchMode.HYBRID,
        description="hybrid: words and meaning fused; meaning or words alone to compare",
    )


# An id holds no NUL character: refused by `no_nul`, and said so in the schema.
ProjectId = Annotated[
    str, AfterValidator(no_nul), Field(json_schema_extra={"pattern": "^[^\\x00]*$"})
]


class ReindexRequest(BaseModel):
    project_ids: list[ProjectId] | None = Field(
        default=None, max_length=100000, description="Projects to re-embed; all when empty."
    )
    from_stored: bool = Field(
        default=False,
        strict=True,
        description="Rebuild the vector store from the stored vectors, without the model.",
    )


def worded(project: Project | ProjectPublic, language: Language) -> dict[str, Any]:
    """The project's fields a person reads, in `language` (its stored error is English)."""
    return {"embedding_error": reword(project.embedding_error, language)}


def _with_task(
    project: Project | ProjectPublic, task_id: str | None, language: Language
) -> ProjectWithTask:
    return ProjectWithTask.model_validate(
        project, update={"task_id": task_id, **worded(project, language)}
    )


def _scored(results: list[ScoredProject], language: Language) -> ScoredList:
    data = [
        ScoredProjectPublic.model_validate(
            r.project,
            update={
                **worded(r.project, language),
                "score": round(r.score, 4),
                "similarity": round(r.similarity, 4),
                "match": MatchPublic(
                    level=r.why.level, words=list(r.why.matched), meaning_only=r.why.meaning_only
                ),
            },
        )
        for r in results
    ]
    return ScoredList(data=data, count=len(data))


@router.post("/", status_code=status.HTTP_201_CREATED, response_model=ProjectWithTask)
async def create_project(
    body: ProjectCreate, projects: ProjectsDep, language: LanguageDep
) -> ProjectWithTask:
    """Store a project; its embedding is generated in the background (`status: pending`)."""
    project, task_id = await run_write(projects.write_dialect, projects.create, body)
    return _with_task(project, task_id, language)


@router.get("/", response_model=ProjectList)
def list_projects(
    projects: ProjectsDep,
    language: LanguageDep,
    trade: str | None = None,
    phase: Phase | None = None,
    city: str | None = None,
    embedding_status: Annotated[EmbeddingStatus | None, Query(alias="status")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Text in name etc.")] = None,
    name: Annotated[
        str | None, Query(max_length=200, description="Exactly this name, any case.")
    ] = None,
    sort: Annotated[
        str, Query(description="Field, '-' for descending.", pattern=SORT_PATTERN)
    ] = "-created_at",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> ProjectList:
    rows, total = projects.find(
        ProjectFilters(trade=trade, phase=phase, city=city),
        text=q,
        name=name,
        status=embedding_status,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    data = [ProjectPublic.model_validate(r, update=worded(r, language)) for r in rows]
    return ProjectList(data=data, count=total)


@router.get("/stats")
def stats(projects: ProjectsDep) -> dict[str, int | None]:
    """Counts: projects by embedding status, stored vectors, points in the vector store."""
    return projects.stats()


@router.post("/reindex")
def reindex(projects: ProjectsDep, body: ReindexRequest | None = None) -> dict[str, Any]:
    """Re-embed all (or the given) projects in the background, 10 per queue item."""
    body = body or ReindexRequest()
    if body.from_stored:
        return projects.rebuild_from_stored()
    return projects.reindex(body.project_ids)


@router.post("/search", response_model=ScoredList)
def search(body: SearchRequest, projects: ProjectsDep, language: LanguageDep) -> ScoredList:
    """Projects closest in meaning to the query text."""
    filters = ProjectFilters(trade=body.trade, phase=body.phase, city=body.city, year=body.year)
    found = projects.search(
        body.query, filters, limit=body.limit, min_score=body.min_score, mode=body.mode
    )
    return _scored(found, language)


def _price_hint(hint: PriceHint) -> PriceHintPublic:
    similar = [
        PriceHintJob(id=job.id, name=job.name, final_cost=job.final_cost, score=round(job.score, 4))
        for job in hint.jobs
    ]
    return PriceHintPublic(
        based_on=hint.based_on, median=hint.median, low=hint.low, high=hint.high, similar=similar
    )


@router.post("/price-hint", response_model=PriceHintPublic)
def draft_hint(body: PriceHintDraft, projects: ProjectsDep) -> PriceHintPublic:
    """What similar completed jobs cost, for a job not saved yet (the form's text)."""
    return _price_hint(draft_price_hint(projects, body))


@router.get("/{project_id}", response_model=ProjectPublic)
def get_project(project_id: str, projects: ProjectsDep, language: LanguageDep) -> ProjectPublic:
    project = projects.get(project_id)
    return ProjectPublic.model_validate(project, update=worded(project, language))


@router.put("/{project_id}", response_model=ProjectWithTask)
async def replace_project(
    project_id: str, body: ProjectCreate, projects: ProjectsDep, language: LanguageDep
) -> ProjectWithTask:
    """Replace all fields; the embedding is regenerated only if name, trade or text changed."""
    project, task_id = await run_write(
        projects.write_dialect, projects.update, project_id, body, replace=True
    )
    return _with_task(project, task_id, language)


@router.patch("/{project_id}", response_model=ProjectWithTask)
async def update_project(
    project_id: str, body: ProjectUpdate, projects: ProjectsDep, language: LanguageDep
) -> ProjectWithTask:
    """Change the fields sent; the embedding is regenerated only if its text changed."""
    project, task_id = await run_write(
        projects.write_dialect, projects.update, project_id, body, replace=False
    )
    return _with_task(project, task_id, language)


class ProjectDeleted(BaseModel):
    status: str = Field(examples=["deleted"])
    id: str
    task_id: str = Field(description="The background removal of its vector.")
    documents_unlinked: int = Field(
        description="Documents that were linked to it: they stay, without a project."
    )


@router.delete("/{project_id}", response_model=ProjectDeleted)
async def delete_project(project_id: str, projects: ProjectsDep) -> ProjectDeleted:
    """Delete a project; its vector is removed in the background, its documents stay
    (without a project: `documents_unlinked` says how many)."""
    task_id, unlinked = await run_write(projects.write_dialect, projects.delete, project_id)
    return ProjectDeleted(
        status="deleted", id=project_id, task_id=task_id, documents_unlinked=unlinked
    )


@router.get("/{project_id}/similar", response_model=ScoredList)
def similar(
    project_id: str,
    projects: ProjectsDep,
    language: LanguageDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    trade: str | None = None,
    phase: Phase | None = None,
    min_score: Annotated[float | None, Query(ge=-1, le=1)] = None,
    mode: SearchMode = SearchMode.HYBRID,
) -> ScoredList:
    """Past jobs most similar to this one (itself excluded), by meaning and shared words."""
    filters = ProjectFilters(trade=trade, phase=phase)
    found = projects.similar(project_id, filters, limit=limit, min_score=min_score, mode=mode)
    return _scored(found, language)


@router.get("/{project_id}/price-hint", response_model=PriceHintPublic)
def project_hint(project_id: str, projects: ProjectsDep) -> PriceHintPublic:
    """What the completed jobs most like this one cost ("Kalkulationshilfe"): the median
    and the middle half of their final costs (lowest to highest below 4 jobs), and the
    jobs themselves; `based_on: 0` and nulls without any. 409 while it has no embedding."""
    return _price_hint(price_hint(projects, project_id))
