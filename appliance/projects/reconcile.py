"""Bringing the vector store in line with the projects, at start and on request.

The app database is the truth: every project has a durable copy of its vector with the
hash of the text it was made from. At start the launcher compares three things - the
project's current text, its stored vector, and the point in the store - and repairs what
differs: points missing or stale in the store are restored from the stored vectors (no
model needed), projects whose stored vector is missing or stale are queued for
embedding, and points of deleted projects are removed.
"""

from __future__ import annotations

import logging
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import col, select

from appliance.container import Services
from appliance.projects.models import EmbeddingStatus, Project, ProjectVector
from appliance.projects.service import BATCH_SIZE, queue_reindex_batches
from appliance.projects.texts import embedding_hash, payload, point_fingerprint
from appliance.tasking.states import TaskState
from appliance.vectors.base import VectorPoint, VectorStore

log = logging.getLogger("appliance.projects")

UPSERT_BATCH = 500
_OPEN_TASK_STATES = {TaskState.PENDING.value, TaskState.RETRY.value, TaskState.STARTED.value}


@dataclass
class ReconcileReport:
    restored: int = 0
    queued: list[str] = field(default_factory=list)
    removed: int = 0
    marked_indexed: int = 0


def _store(services: Services) -> VectorStore:
    if services.vectors is None:
        raise RuntimeError("reconciling needs the process that owns the vector store")
    return services.vectors


def reconcile(services: Services) -> ReconcileReport:
    """Repair the store and queue the embeddings that are missing or stale."""
    store = _store(services)
    model = services.embedder.model_name
    report = ReconcileReport()
    in_store = store.fingerprints()
    with services.db.session() as session:
        projects = list(session.exec(select(Project)))
        stored = {
            row.project_id: (row.model, row.text_hash)
            for row in session.exec(select(ProjectVector))
        }
    restore: list[Project] = []
    indexed_now: list[str] = []
    for project in projects:
        fingerprint = embedding_hash(project)
        if stored.get(project.id) != (model, fingerprint) or store.recreated:
            if not _has_open_task(services, project.embedding_task_id):
                report.queued.append(project.id)
            continue
        if in_store.get(project.id) != point_fingerprint(project):
            restore.append(project)
        if project.status != EmbeddingStatus.INDEXED:
            indexed_now.append(project.id)
    report.restored = restore_from_stored(services, restore)
    orphans = sorted(set(in_store) - {p.id for p in projects})
    if orphans:
        store.delete(orphans)
        report.removed = len(orphans)
    report.marked_indexed = _mark_indexed(services, indexed_now)
    if report.queued:
        _queue_embeddings(services, report.queued)
    if report.restored or report.queued or report.removed or report.marked_indexed:
        log.info(
            "vector store check: %d restored from stored vectors, %d queued for embedding, "
            "%d orphans removed, %d marked indexed",
            report.restored,
            len(report.queued),
            report.removed,
            report.marked_indexed,
        )
    return report


def rebuild_from_stored(services: Services) -> int:
    """Empty the store and fill it from the stored vectors, without the model."""
    store = _store(services)
    store.clear()
    with services.db.session() as session:
        projects = list(session.exec(select(Project)))
    count = restore_from_stored(services, projects)
    store.flush()
    return count


def restore_from_stored(services: Services, projects: Sequence[Project]) -> int:
    """Upsert the stored vectors of `projects` (those made from their current text)."""
    store = _store(services)
    model = services.embedder.model_name
    restored = 0
    for start in range(0, len(projects), UPSERT_BATCH):
        batch = {p.id: p for p in projects[start : start + UPSERT_BATCH]}
        with services.db.session() as session:
            rows = session.exec(
                select(ProjectVector).where(col(ProjectVector.project_id).in_(list(batch)))
            ).all()
        points = []
        for row in rows:
            project = batch[row.project_id]
            if row.model != model or row.text_hash != embedding_hash(project):
                continue
            # The stored bytes are float32 in this machine's order (numpy's tobytes());
            # the standard library reads them without loading numpy into the launcher.
            vector = array("f", row.vector).tolist()
            points.append(VectorPoint(project.id, vector, payload(project, row.text_hash)))
        store.upsert(points)
        restored += len(points)
    return restored


def _has_open_task(services: Services, task_id: str | None) -> bool:
    if task_id is None:
        return False
    row = services.ledger.get(task_id)
    return row is not None and row.state in _OPEN_TASK_STATES


def _mark_indexed(services: Services, project_ids: list[str]) -> int:
    if not project_ids:
        return 0
    with services.db.session(write=True) as session:
        locked = select(Project).where(col(Project.id).in_(project_ids)).with_for_update()
        for project in session.exec(locked):
            project.status = EmbeddingStatus.INDEXED
            project.embedding_error = None
            session.add(project)
    return len(project_ids)


def _queue_embeddings(services: Services, project_ids: list[str]) -> None:
    with services.queue.transaction() as tx:
        task_ids = queue_reindex_batches(tx, project_ids)
        starts = range(0, len(project_ids), BATCH_SIZE)
        for start, task_id in zip(starts, task_ids, strict=True):
            batch = project_ids[start : start + BATCH_SIZE]
            locked = select(Project).where(col(Project.id).in_(batch)).with_for_update()
            for project in tx.session.exec(locked):
                project.status = EmbeddingStatus.PENDING
                project.embedding_task_id = task_id
                tx.session.add(project)
