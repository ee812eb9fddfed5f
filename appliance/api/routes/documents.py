"""/api/v1/documents: streaming upload, processing state, text, search, download, links."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from appliance.api.deps import DocumentsDep, LanguageDep, ProjectsDep
from appliance.api.errors import ERROR_RESPONSES, MAX_OFFSET, ErrorMessage
from appliance.api.writes import run_write
from appliance.documents.models import (
    DocumentDetail,
    DocumentHit,
    DocumentList,
    DocumentMatch,
    DocumentPublic,
    DocumentStatus,
    SearchAnswer,
    UploadAnswer,
)
from appliance.projects.models import no_nul
from appliance.projects.suggestions import suggest_projects
from appliance.search.fusion import SearchMode
from appliance.wording import reword

router = APIRouter(prefix="/api/v1/documents", tags=["documents"], responses=ERROR_RESPONSES)


UPLOAD_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "project_id": {"type": "string"},
                    },
                }
            }
        },
    }
}


@router.post(
    "/upload",
    status_code=201,
    response_model=UploadAnswer,
    openapi_extra=UPLOAD_SCHEMA,
    responses={
        200: {
            "model": UploadAnswer,
            "description": "The same content was uploaded before (`duplicate: true`).",
        },
        413: {"model": ErrorMessage, "description": "The file is larger than the limit."},
        415: {
            "model": ErrorMessage,
            "description": "Not a PDF, DOCX, JPEG, PNG, TIFF, HEIC or text file.",
        },
    },
)
async def upload(request: Request, documents: DocumentsDep, language: LanguageDep) -> JSONResponse:
    """Upload one file (form field `file`, optional `project_id`); processing is queued.

    Answers at once with `"status": "pending"` and the `task_id` of `tasks.process_document`.
    """
    received, fields = await documents.receive(
        request.headers.get("content-type"),
        request.headers.get("content-length"),
        request.stream(),
    )
    outcome = await run_in_threadpool(documents.store, received, fields.get("project_id"))
    body = UploadAnswer.model_validate(
        outcome.document,
        update={
            "duplicate": outcome.duplicate,
            "task_id": outcome.task_id,
            "error": reword(outcome.document.error, language),
        },
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if outcome.duplicate else 201)


@router.get("/", response_model=DocumentList)
def list_documents(
    documents: DocumentsDep,
    language: LanguageDep,
    status: DocumentStatus | None = None,
    project_id: str | None = None,
    file_type: Annotated[str | None, Query(alias="type")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> DocumentList:
    rows, total = documents.find(
        status=status, project_id=project_id, file_type=file_type, limit=limit, offset=offset
    )
    data = [
        DocumentPublic.model_validate(row, update={"error": reword(row.error, language)})
        for row in rows
    ]
    return DocumentList(data=data, count=total)


@router.get("/search", response_model=SearchAnswer)
def search(
    documents: DocumentsDep,
    language: LanguageDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Words to find.")],
    project_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    mode: SearchMode = SearchMode.HYBRID,
) -> SearchAnswer:
    """Papers by their words (German: word forms, compounds, words of the same meaning,
    umlaut spellings) and by meaning, fused; each with a snippet whose hits are marked."""
    found, total = documents.search(q, project_id=project_id, limit=limit, offset=offset, mode=mode)
    data = [
        DocumentHit.model_validate(
            f.document,
            update={
                "error": reword(f.document.error, language),
                "score": round(f.score, 4),
                "snippet": f.snippet,
                "snippet_parts": f.snippet_parts,
                "match": DocumentMatch(
                    level=f.why.level,
                    words=list(f.why.matched),
                    meaning_only=f.why.meaning_only and not f.all_words,
                    all_words=f.all_words,
                ),
            },
        )
        for f in found
    ]
    return SearchAnswer(query=q, data=data, count=total)


@router.get("/{document_id}", response_model=DocumentDetail)
def get_document(
    document_id: str, documents: DocumentsDep, language: LanguageDep
) -> DocumentDetail:
    """A document with its processing state and extracted text."""
    document = documents.get(document_id)
    return DocumentDetail.model_validate(
        document, update={"error": reword(document.error, language)}
    )


class SuggestedProject(BaseModel):
    id: str
    name: str
    score: float = Field(
        description="In [0, 1]; above 0.5: the paper names its customer or address"
    )


class SuggestedProjects(BaseModel):
    data: list[SuggestedProject]
    count: int


@router.get("/{document_id}/suggested-projects", response_model=SuggestedProjects)
def suggested_projects(document_id: str, projects: ProjectsDep) -> SuggestedProjects:
    """The projects this document most likely belongs to, best first, by its text (words
    and meaning) and by the customers and addresses it names; empty when none fits.
    409 while its text is not read."""
    found = suggest_projects(projects, document_id)
    data = [SuggestedProject(id=s.id, name=s.name, score=s.score) for s in found]
    return SuggestedProjects(data=data, count=len(data))


class DocumentLink(BaseModel):
    """PATCH body: the project the document belongs to, or null for none."""

    model_config = ConfigDict(extra="forbid")

    project_id: Annotated[str | None, AfterValidator(no_nul)] = Field(
        description="The project to link it to (replacing another link); null: no project.",
        json_schema_extra={"pattern": "^[^\\x00]*$"},
    )


@router.patch("/{document_id}", response_model=DocumentPublic)
async def link_document(
    document_id: str, body: DocumentLink, documents: DocumentsDep, language: LanguageDep
) -> DocumentPublic:
    """Link the document to a project, or unlink it (`{"project_id": null}`).

    Answers the document as lists show it (without its text; GET has the text). Its
    processing state is not touched; searches by `project_id` follow the new link at once.
    An unknown project is a 422 on `project_id`.
    """
    document = await run_write(
        documents.write_dialect, documents.link, document_id, body.project_id
    )
    return DocumentPublic.model_validate(
        document, update={"error": reword(document.error, language)}
    )


@router.get("/{document_id}/download", response_class=FileResponse)
def download(document_id: str, documents: DocumentsDep) -> FileResponse:
    """The original file, under its original name (ending as its detected type)."""
    path, name, media_type = documents.original(document_id)
    return FileResponse(path, media_type=media_type, filename=name)


@router.delete("/{document_id}")
def delete(document_id: str, documents: DocumentsDep) -> dict[str, Any]:
    """Delete a document: its file, its text and its search entry."""
    documents.delete(document_id)
    return {"status": "deleted", "id": document_id}


@router.post("/{document_id}/retry", response_model=UploadAnswer)
def retry(document_id: str, documents: DocumentsDep, language: LanguageDep) -> UploadAnswer:
    """Process a failed document again."""
    document, task_id = documents.retry(document_id)
    return UploadAnswer.model_validate(
        document,
        update={"duplicate": False, "task_id": task_id, "error": reword(document.error, language)},
    )
