"""During a change of model: new and edited projects are embedded by the serving model too.

The workers embed with the configured (new) model only, and its vectors answer searches
only after the switch (model_change.py). So that a job entered during a change is found at
once, the launcher - which holds the serving model to embed search texts anyway - embeds
each project it receives a new-model point for, when the serving model's vector of that
project is missing or stale: a few texts, as the office types them. The points of the
rebuild itself find their serving vectors current and cost one small query per batch.
The durable copy is stored as well, so a restart keeps it.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlmodel import col, select

from appliance.db import dialect_insert
from appliance.projects.models import Project, ProjectVector
from appliance.projects.texts import embedding_hash, embedding_text, project_point
from appliance.runtime import Runtime

VECTORS = ProjectVector.__table__  # type: ignore[attr-defined]
UPDATED = ("dimension", "text_hash", "vector", "updated_at")


def keep_serving_current(runtime: Runtime, project_ids: Sequence[str]) -> int:
    """Embed with the serving model the projects whose vector of it is missing or stale,
    while a new model's vectors are built; returns how many were embedded."""
    side = runtime.search
    if side is None or side.vectors is runtime.vectors or side.queries is None:
        return 0
    with runtime.db.session() as session:
        projects = session.exec(select(Project).where(col(Project.id).in_(list(project_ids))))
        stored = dict(
            session.exec(
                select(ProjectVector.project_id, ProjectVector.text_hash).where(
                    col(ProjectVector.project_id).in_(list(project_ids)),
                    ProjectVector.model == side.model,
                )
            ).all()
        )
        stale = [p for p in projects if stored.get(p.id) != embedding_hash(p)]
    if not stale:
        return 0
    vectors = side.queries.embed_many([embedding_text(p) for p in stale])
    hashes = [embedding_hash(p) for p in stale]
    side.vectors.upsert(
        [
            project_point(project, vector, fingerprint, runtime.analyzer)
            for project, vector, fingerprint in zip(stale, vectors, hashes, strict=True)
        ]
    )
    now = datetime.now(UTC)
    rows = [
        {
            "project_id": project.id,
            "model": side.model,
            "dimension": len(vector),
            "text_hash": fingerprint,
            "vector": array("f", vector).tobytes(),
            "updated_at": now,
        }
        for project, vector, fingerprint in zip(stale, vectors, hashes, strict=True)
    ]
    with runtime.db.write(durable=False) as conn:
        insert = dialect_insert(conn, VECTORS)
        conn.execute(
            insert.on_conflict_do_update(
                index_elements=[VECTORS.c.project_id, VECTORS.c.model],
                set_={
                    name: insert.excluded[name]
                    for name in ("dimension", "text_hash", "vector", "updated_at")
                },
            ),
            rows,
        )
    return len(stale)
