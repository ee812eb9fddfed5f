"""The project a paper most likely belongs to ("Gehört vermutlich zu: …").

A paper is matched to jobs in two ways. A paper that names a job's customer or address (a
letterhead, "Bauvorhaben: Lindenstraße 12") is suggested for that job: a name or street is
the surest sign there is, so such jobs come first. And its text, as a search, finds jobs by
words and meaning (the hybrid search of `search.py`); a job it does not name is suggested
only from a cosine similarity of 0.55, so a paper about nothing on file gets no suggestion
rather than a random one. Measured on the office set (`bench/office_hints.py`): the right
jobs of the 5 papers that do not name their customer had 0.58 to 0.67; the nearest job of
each of the 4 papers that belong to no job had 0.42 to 0.47 (the fused score, 0.65 to
0.73, is relative and cannot tell them apart).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, literal, or_
from sqlmodel import col, select

from appliance.documents.models import Document, DocumentStatus
from appliance.errors import ConflictError, NotFoundError
from appliance.projects.listing import ProjectFilters
from appliance.projects.models import Project
from appliance.projects.service import ProjectService

SUGGESTIONS = 3
CANDIDATES = 20
# The opening of a paper says what it is about (letterhead, subject, address); the search
# reads that much of it, the look for names a little more.
QUERY_CHARS = 4000
NAMED_CHARS = 20000
# Shorter customers or addresses ("Bau", "Ring 1") occur in too many papers to mean a job.
NAMED_MIN_CHARS = 6
ALIKE_WITHOUT_NAME = 0.55


@dataclass(frozen=True)
class Suggestion:
    """A job the paper likely belongs to; `score` in [0, 1], named jobs above 0.5."""

    id: str
    name: str
    score: float


def suggest_projects(projects: ProjectService, document_id: str) -> list[Suggestion]:
    """The jobs a read document most likely belongs to, best first (none when nothing
    fits). 404 for an unknown document, 409 while its text is not read."""
    text = _read_text(projects, document_id)
    if not text.strip():
        return []
    found = projects.search(text[:QUERY_CHARS], ProjectFilters(), limit=CANDIDATES, min_score=None)
    alike = {hit.project.id: hit for hit in found if hit.similarity >= ALIKE_WITHOUT_NAME}
    named = _named_in(projects, text[:NAMED_CHARS])
    scores: dict[str, tuple[float, str]] = {}
    for hit in found:
        if hit.project.id in alike or hit.project.id in named:
            scores[hit.project.id] = (hit.score, hit.project.name)
    for project_id, name in named.items():
        scores.setdefault(project_id, (0.0, name))
    ranked = sorted(
        (
            Suggestion(
                project_id, name, round((score + (1.0 if project_id in named else 0.0)) / 2, 4)
            )
            for project_id, (score, name) in scores.items()
        ),
        key=lambda suggestion: -suggestion.score,
    )
    return ranked[:SUGGESTIONS]


def _read_text(projects: ProjectService, document_id: str) -> str:
    with projects.runtime.db.session() as session:
        document = session.get(Document, document_id)
    if document is None:
        raise NotFoundError("document_not_found", id=document_id)
    if document.status == DocumentStatus.FAILED:
        raise ConflictError("suggestions_no_text", body={"status": document.status.value})
    if document.status != DocumentStatus.COMPLETED:
        raise ConflictError(
            "suggestions_not_read",
            body={"status": document.status.value},
            status=document.status.value,
        )
    return document.searchable_text or ""


def _named_in(projects: ProjectService, text: str) -> dict[str, str]:
    """Jobs whose customer or address occurs in `text`: id -> name."""
    haystack = literal(text.casefold())

    def named(field: Any) -> ColumnElement[bool]:
        folded = func.casefold(field)
        return (func.length(field) >= NAMED_MIN_CHARS) & haystack.contains(folded)

    with projects.runtime.db.session() as session:
        rows = session.exec(
            select(Project.id, Project.name).where(
                or_(named(col(Project.customer)), named(col(Project.address)))
            )
        ).all()
    return dict(rows)
