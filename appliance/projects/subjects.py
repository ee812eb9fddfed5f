"""Projects as the task monitor names them: by their name."""

from __future__ import annotations

from collections.abc import Collection

from sqlmodel import col, select

from appliance.db import Database
from appliance.projects.models import Project
from appliance.tasking.subjects import Subject

PROJECT = "project"  # the subject of tasks whose first argument is a project id


def project_subjects(db: Database, ids: Collection[str]) -> dict[str, Subject]:
    """The projects with these ids (one query), by id."""
    if not ids:
        return {}
    with db.session() as session:
        rows = session.exec(
            select(Project.id, Project.name).where(col(Project.id).in_(list(ids)))
        ).all()
    return {project_id: Subject(name) for project_id, name in rows}
