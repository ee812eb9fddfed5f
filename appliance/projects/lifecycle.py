"""A project's embedding state, and the work queued for it: written here and nowhere else.

pending (a task will embed the current text) -> indexed (the stored vector is of the
current text) or failed (the task gave up). Every change checks what it expects on the
locked row: a project is marked indexed only if its text is still the one embedded, and
failed only if the task that gave up is still its task.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy import bindparam, update
from sqlmodel import Session, col, select

from appliance.db import Database
from appliance.projects.models import EmbeddingStatus, Project
from appliance.projects.texts import embedding_hash
from appliance.tasking.queue import QueueTransaction

log = logging.getLogger("appliance.projects")

PROJECTS = Project.__table__  # type: ignore[attr-defined]
BATCH_SIZE = 10  # projects per re-index queue item, as the seed says


def queue_embedding(tx: QueueTransaction, project_id: str) -> str:
    """Queue the embedding of a new project; its row is written with the returned task id."""
    return tx.enqueue("tasks.generate_project_embedding", project_id)


def queue_re_embedding(tx: QueueTransaction, project: Project) -> str:
    """The embedded text of `project` changed: queue it again and mark it pending."""
    task_id = tx.enqueue("tasks.regenerate_project_embedding", project.id)
    project.status = EmbeddingStatus.PENDING
    project.embedding_task_id = task_id
    project.embedding_error = None
    tx.session.add(project)
    return task_id


def queue_vector_deletion(tx: QueueTransaction, project_id: str) -> str:
    """The project is deleted in `tx`: queue the removal of its vector."""
    return tx.enqueue("tasks.delete_project_embedding", project_id)


def queue_reindex(
    tx: QueueTransaction,
    project_ids: Sequence[str],
    *,
    mark_pending: bool = False,
    track: bool = False,
) -> list[str]:
    """Queue `tasks.batch_generate_embeddings` items of up to BATCH_SIZE projects each.

    With `mark_pending` the projects become pending under their batch's task (the start-up
    check, for projects whose vector is missing); a re-index on request leaves them as
    they are until their new vector is stored. With `track` they only note the task, so a
    restart does not queue them again (a new model's vectors, built while the old serve).
    """
    task_ids = []
    for start in range(0, len(project_ids), BATCH_SIZE):
        batch = list(project_ids[start : start + BATCH_SIZE])
        task_id = tx.enqueue("tasks.batch_generate_embeddings", batch)
        task_ids.append(task_id)
        if mark_pending or track:
            for project in _locked(tx.session, batch):
                if mark_pending:
                    project.status = EmbeddingStatus.PENDING
                project.embedding_task_id = task_id
                tx.session.add(project)
    return task_ids


def mark_indexed(
    db: Database,
    embedded: Mapping[str, str],
    *,
    durable: bool,
    along: Callable[[Session], None] | None = None,
) -> list[str]:
    """Projects whose vector of `embedded[project id]` (the text's hash) is stored: indexed,
    unless their text changed meanwhile (a newer task takes care of those). The ids marked,
    in the order of `embedded`.

    `along` writes in the same transaction (the durable copy of the vectors): every write
    transaction of a worker takes the database's write lock that the web server's creates
    wait for, so a task takes it as few times as it can.
    """
    if not embedded:
        return []
    now = datetime.now(UTC)
    with db.session(write=True, durable=durable) as session:
        if along is not None:
            along(session)
        marked = {
            project.id
            for project in _locked(session, list(embedded))
            if embedding_hash(project) == embedded[project.id]
        }
        if marked:
            # One statement for the batch: this runs while the write lock is held.
            session.connection().execute(
                update(PROJECTS)
                .where(PROJECTS.c.id == bindparam("marked_id"))
                .values(status=EmbeddingStatus.INDEXED, embedding_error=None, indexed_at=now),
                [{"marked_id": project_id} for project_id in marked],
            )
    return [project_id for project_id in embedded if project_id in marked]


def mark_failed(db: Database, project_id: str, task_id: str, reason: str) -> None:
    """The project's embedding task gave up: say so on the project, if it is still its task."""
    with db.session(write=True, durable=False) as session:
        project = session.get(Project, project_id, with_for_update=True)
        if project is None or project.embedding_task_id != task_id:
            return
        project.status = EmbeddingStatus.FAILED
        project.embedding_error = reason
        session.add(project)
    log.warning("project %s: embedding failed for good: %s", project_id, reason)


def _locked(session: Session, project_ids: list[str]) -> list[Project]:
    # Locked: an edit committed meanwhile is seen here, not overwritten (PostgreSQL).
    query = select(Project).where(col(Project.id).in_(project_ids)).with_for_update()
    return list(session.exec(query))
