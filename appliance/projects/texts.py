"""What of a project goes into its embedding, its search terms and the vector's payload."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from appliance.embedding import text_hash
from appliance.projects.models import Project
from appliance.search import Analyzer, stored_vector
from appliance.vectors.base import FINGERPRINT_FIELD, VectorPoint


def embedding_text(project: Project) -> str:
    """Name, trade and description: the words that say what the job was."""
    return job_text(project.name, project.trade, project.description)


def job_text(name: str | None, trade: str | None, description: str | None) -> str:
    """The embedding text of a job with these fields (saved or not)."""
    parts = [name or "", trade or "", description or ""]
    return "\n".join(part.strip() for part in parts if part.strip())


def embedding_hash(project: Project) -> str:
    return text_hash(embedding_text(project))


def project_point(
    project: Project, vector: Sequence[float], vector_text_hash: str, analyzer: Analyzer
) -> VectorPoint:
    """The project's point: its vector, the search terms of its text, its payload."""
    words = stored_vector(analyzer.terms(embedding_text(project)))
    return VectorPoint(project.id, vector, payload(project, vector_text_hash, analyzer), words)


def payload(project: Project, vector_text_hash: str, analyzer: Analyzer) -> dict[str, Any]:
    """Filterable fields for the vector store, with the point's fingerprint.

    `vector_text_hash` is the hash of the text the vector was made from; the fingerprint
    covers it, the filter fields and the analysis that made the search terms, so a point
    whose phase or city changed, or whose terms came from another vocabulary, is as stale
    as one whose text changed.
    """
    when = project.start_date or project.created_at
    fields: dict[str, Any] = {
        "project_id": project.id,
        "trade": (project.trade or "").casefold(),
        "phase": project.phase.value,
        "city": (project.city or "").casefold(),
        "year": when.year,
    }
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False)
    fields[FINGERPRINT_FIELD] = text_hash(f"{vector_text_hash}|{canonical}|{analyzer.fingerprint}")
    return fields


def point_fingerprint(project: Project, analyzer: Analyzer) -> str:
    """The fingerprint the project's point has when it is current."""
    return str(payload(project, embedding_hash(project), analyzer)[FINGERPRINT_FIELD])
