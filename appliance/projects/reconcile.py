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

from appliance.projects.lifecycle import mark_indexed, queue_reindex
from appliance.projects.models import EmbeddingStatus, Project, ProjectVector
from appliance.projects.texts import embedding_hash, point_fingerprint, project_point
from appliance.runtime import Runtime
from appliance.tasking.states import TaskState
from appliance.vectors.base import VectorStore

log = logging.getLogger("appliance.projects")

UPSERT_BATCH = 500


@dataclass
class ReconcileReport:
    restored: int = 0
    queued: list[str] = field(default_factory=list)
    removed: int = 0
    marked_indexed: int = 0


def _store(runtime: Runtime) -> VectorStore:
    if runtime.vectors is None:
        raise RuntimeError("reconciling needs the process that owns the vector store")
    return runtime.vectors


def reconcile(runtime: Runtime) -> ReconcileReport:
    """Repair the store and queue the embeddings that are missing or stale.

    While a new model's vectors are built (slots.py), the serving model's store is
    repaired from its stored vectors too; what it lacks is not queued (the workers embed
    with the new model), and projects stay `indexed` while their new vectors are made.
    """
    store = _store(runtime)
    model = runtime.embedder.model_name
    changing = runtime.search is not None and runtime.search.vectors is not store
    report = ReconcileReport()
    with runtime.db.session() as session:
        projects = list(session.exec(select(Project)))
    queued, indexed_now = _repair(runtime, projects, store, model, report)
    report.queued = [p.id for p in queued if not _has_open_task(runtime, p.embedding_task_id)]
    if runtime.search is not None and changing:
        _repair(runtime, projects, runtime.search.vectors, runtime.search.model, report)
    report.marked_indexed = len(mark_indexed(runtime.db, indexed_now, durable=True))
    if report.queued:
        with runtime.queue.transaction() as tx:
            queue_reindex(tx, report.queued, mark_pending=not changing, track=True)
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


def _repair(
    runtime: Runtime,
    projects: list[Project],
    store: VectorStore,
    model: str,
    report: ReconcileReport,
) -> tuple[list[Project], dict[str, str]]:
    """Restore `store`'s missing or stale points from the vectors stored for `model` and
    remove points of deleted projects; returns the projects that have no current stored
    vector, and those that have one but are not marked indexed (with its text hash)."""
    in_store = store.fingerprints()
    with runtime.db.session() as session:
        stored = {
            row.project_id: row.text_hash
            for row in session.exec(select(ProjectVector).where(ProjectVector.model == model))
        }
    missing: list[Project] = []
    restore: list[Project] = []
    indexed_now: dict[str, str] = {}
    for project in projects:
        fingerprint = embedding_hash(project)
        if stored.get(project.id) != fingerprint or store.recreated:
            missing.append(project)
            continue
        if in_store.get(project.id) != point_fingerprint(project, runtime.analyzer):
            restore.append(project)
        if project.status != EmbeddingStatus.INDEXED:
            indexed_now[project.id] = fingerprint
    report.restored += restore_from_stored(runtime, restore, store=store, model=model)
    orphans = sorted(set(in_store) - {p.id for p in projects})
    if orphans:
        store.delete(orphans)
        report.removed += len(orphans)
    return missing, indexed_now


def rebuild_from_stored(runtime: Runtime) -> int:
    """Empty the store and fill it from the stored vectors, without the model."""
    store = _store(runtime)
    store.clear()
    with runtime.db.session() as session:
        projects = list(session.exec(select(Project)))
    count = restore_from_stored(runtime, projects)
    store.flush()
    return count


def restore_from_stored(
    runtime: Runtime,
    projects: Sequence[Project],
    *,
    store: VectorStore | None = None,
    model: str | None = None,
) -> int:
    """Upsert the vectors stored for `model` of `projects` (those made from their current
    text) into `store`; by default the configured model's, into its store."""
    store = store or _store(runtime)
    model = model or runtime.embedder.model_name
    restored = 0
    for start in range(0, len(projects), UPSERT_BATCH):
        batch = {p.id: p for p in projects[start : start + UPSERT_BATCH]}
        with runtime.db.session() as session:
            rows = session.exec(
                select(ProjectVector).where(
                    col(ProjectVector.project_id).in_(list(batch)), ProjectVector.model == model
                )
            ).all()
        points = []
        for row in rows:
            project = batch[row.project_id]
            if row.text_hash != embedding_hash(project):
                continue
            # The stored bytes are float32 in this machine's order (numpy's tobytes());
            # the standard library reads them without loading numpy into the launcher.
            vector = array("f", row.vector).tolist()
            points.append(project_point(project, vector, row.text_hash, runtime.analyzer))
        store.upsert(points)
        restored += len(points)
    return restored


def _has_open_task(runtime: Runtime, task_id: str | None) -> bool:
    if task_id is None:
        return False
    row = runtime.ledger.get(task_id)
    return row is not None and not TaskState(row.state).is_final
