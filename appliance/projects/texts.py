"""What of a project goes into its embedding, and what goes into the vector's payload."""

from __future__ import annotations

from typing import Any

from appliance.embedding import text_hash
from appliance.projects.models import Project


def embedding_text(project: Project) -> str:
    """Name, trade and description: the words that say what the job was."""
    parts = [project.name, project.trade or "", project.description or ""]
    return "\n".join(part.strip() for part in parts if part and part.strip())


def embedding_hash(project: Project) -> str:
    return text_hash(embedding_text(project))


def payload(project: Project, fingerprint: str) -> dict[str, Any]:
    """Filterable fields for the vector store (and the fingerprint of the embedded text)."""
    when = project.start_date or project.created_at
    return {
        "project_id": project.id,
        "trade": (project.trade or "").casefold(),
        "phase": project.phase.value,
        "city": (project.city or "").casefold(),
        "year": when.year,
        "text_hash": fingerprint,
    }
