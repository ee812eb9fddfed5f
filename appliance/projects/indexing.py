"""Embedding projects and storing their vectors (runs in the embedding worker).

Its writes are light (no fsync of their own, see `Database`): vectors are derived from
the projects' texts, and after a power cut the start-up check re-queues what they lost.

Each vector is written twice: into the app database (`project_vectors`, the durable copy
that `reindex --from-stored` and the start-up check rebuild the store from) and into the
vector store through the owner. The project is marked `indexed` only if its text is still
the one that was embedded; an edit in between leaves it `pending` for the newer task.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete
from sqlmodel import Session, select

from appliance.db import dialect_insert
from appliance.projects.lifecycle import mark_indexed
from appliance.projects.models import Project, ProjectVector
from appliance.projects.texts import embedding_hash, embedding_text, project_point
from appliance.runtime import Runtime

if TYPE_CHECKING:
    # Only the embedding worker makes vectors; the others need not load numpy.
    import numpy as np

log = logging.getLogger("appliance.projects")
VECTORS = ProjectVector.__table__  # type: ignore[attr-defined]


@dataclass
class IndexReport:
    """What one indexing run did."""

    indexed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    duration_ms: float = 0.0


def index_projects(runtime: Runtime, project_ids: list[str]) -> IndexReport:
    """Embed the projects' current texts, store the vectors, mark the projects indexed."""
    started = time.perf_counter()
    report = IndexReport()
    with runtime.db.session() as session:
        found = {
            p.id: p
            for p in session.exec(select(Project).where(Project.id.in_(project_ids)))  # type: ignore[attr-defined]
        }
    projects = [found[pid] for pid in project_ids if pid in found]
    report.missing = [pid for pid in project_ids if pid not in found]
    if projects:
        vectors = runtime.embedder.embed([embedding_text(p) for p in projects])
        hashes = [embedding_hash(p) for p in projects]
        runtime.vector_writer.upsert(
            [
                project_point(p, vector.tolist(), fingerprint, runtime.analyzer)
                for p, vector, fingerprint in zip(projects, vectors, hashes, strict=True)
            ]
        )
        embedded = {p.id: h for p, h in zip(projects, hashes, strict=True)}
        # The durable copies and the new status in one write transaction.
        report.indexed = mark_indexed(
            runtime.db,
            embedded,
            durable=False,
            along=lambda session: _store_vectors(runtime, session, projects, vectors, hashes),
        )
        drop_vectors_of_deleted(runtime, [p.id for p in projects])
    report.duration_ms = (time.perf_counter() - started) * 1000
    return report


def _store_vectors(
    runtime: Runtime,
    session: Session,
    projects: list[Project],
    vectors: np.ndarray,
    hashes: list[str],
) -> None:
    import numpy as np

    now = datetime.now(UTC)
    model = runtime.embedder.model_name
    rows = [
        {
            "project_id": project.id,
            "model": model,
            "dimension": int(vector.shape[0]),
            "text_hash": fingerprint,
            "vector": vector.astype(np.float32).tobytes(),
            "updated_at": now,
        }
        for project, vector, fingerprint in zip(projects, vectors, hashes, strict=True)
    ]
    conn = session.connection()
    insert = dialect_insert(conn, VECTORS)
    # An upsert, not read-then-insert: two embedding workers (other machines, on
    # PostgreSQL) may store the same project's vector at the same moment. One statement
    # for the whole batch: this runs while the database's write lock is held.
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=[VECTORS.c.project_id, VECTORS.c.model],
            set_={
                name: insert.excluded[name]
                for name in rows[0]
                if name not in ("project_id", "model")
            },
        ),
        rows,
    )


def drop_vectors_of_deleted(runtime: Runtime, project_ids: list[str]) -> list[str]:
    """Remove the vectors of those projects that do not exist (any more); their ids.

    A project deleted while it was being embedded must not come back through its vector;
    and one restored from the Papierkorb before its deletion's task ran keeps the vector
    its new embedding gave it.
    """
    with runtime.db.session() as session:
        alive = set(
            session.exec(select(Project.id).where(Project.id.in_(project_ids)))  # type: ignore[attr-defined]
        )
    gone = [pid for pid in project_ids if pid not in alive]
    if gone:
        delete_vectors(runtime, gone)
    return gone


def delete_vectors(runtime: Runtime, project_ids: list[str]) -> None:
    """Remove the projects' vectors from the store and the durable copy."""
    runtime.vector_writer.delete(project_ids)
    with runtime.db.write(durable=False) as conn:
        conn.execute(delete(VECTORS).where(VECTORS.c.project_id.in_(project_ids)))


def stored_vector(runtime: Runtime, project_id: str, model: str) -> np.ndarray | None:
    """The durable copy of a project's vector by `model`, if it has one."""
    import numpy as np

    with runtime.db.session() as session:
        row = session.get(ProjectVector, (project_id, model))
    if row is None:
        return None
    return np.frombuffer(row.vector, dtype=np.float32)
