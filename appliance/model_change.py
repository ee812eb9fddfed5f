"""A change of embedding model: how far the new model's vectors are, and the switch.

While `APPLIANCE_EMBEDDING_MODEL` names another model than the one serving the search
(slots.py), the workers embed every project and paper with the new model in the
background (queued at start like any missing vector, at bulk priority) and the search
answers from the old model's vectors. The launcher looks every few seconds: once every
project's vector of the new model is current and every paper with text has its chunks,
it switches. The switch is one row in the app database and one attribute of the runtime,
so a search uses either the old model's stores and query model or the new one's, never a
mix. The old stores are closed and removed a little later (a search that began before the
switch may still be reading them), and the old model's stored vectors are deleted.

If the rebuild fails (a model that cannot be loaded, tasks that give up) nothing switches:
the old vectors keep serving, and the progress says the rebuild is stuck.

Projects entered or edited during the change are embedded by the old model too, in the
web server (projects/serving_copy.py); papers added are found by their words at once and
by meaning after the switch.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from dataclasses import dataclass

from sqlalchemy import delete
from sqlmodel import col, func, select

from appliance.documents.lifecycle import EMBED_TASK
from appliance.documents.models import Document, DocumentChunk, DocumentStage, DocumentStatus
from appliance.projects.models import EmbeddingStatus, Project, ProjectVector
from appliance.projects.texts import embedding_hash
from appliance.runtime import Runtime, SearchSide
from appliance.search.query import QueryEmbedder
from appliance.slots import SLOT_FOLDER_PREFIX, SlotPlan, record_serving, slot_folders
from appliance.tasking.states import FINAL_STATES
from appliance.tasking.tables import TaskRecord

log = logging.getLogger("appliance.model_change")

EMBEDDING_TASKS = (
    "tasks.generate_project_embedding",
    "tasks.regenerate_project_embedding",
    "tasks.batch_generate_embeddings",
    EMBED_TASK,
)
# How long the old stores stay open after a switch, for searches that began before it.
RETIRE_AFTER = 10.0


@dataclass(frozen=True)
class ChangeProgress:
    """How far the new model's vectors are."""

    serving: str
    building: str
    projects_done: int
    projects_total: int
    papers_done: int
    papers_total: int
    open_tasks: int
    failed_projects: int

    @property
    def counted_complete(self) -> bool:
        return self.projects_done >= self.projects_total and self.papers_done >= self.papers_total

    @property
    def stuck(self) -> bool:
        """Nothing more will happen by itself: no embedding task is left, yet vectors are
        missing (tasks gave up, or the model cannot be loaded)."""
        return not self.counted_complete and self.open_tasks == 0

    def as_json(self) -> dict[str, object]:
        return {
            "serving": self.serving,
            "building": self.building,
            "projects_done": self.projects_done,
            "projects_total": self.projects_total,
            "documents_done": self.papers_done,
            "documents_total": self.papers_total,
            "open_tasks": self.open_tasks,
            "failed_projects": self.failed_projects,
            "state": "stuck" if self.stuck else "building",
        }


def progress(runtime: Runtime) -> ChangeProgress | None:
    """The new model's progress, or None when no change is under way."""
    plan = runtime.slots
    if plan is None or plan.building is None:
        return None
    model = plan.building.model
    has_text = func.length(col(Document.searchable_text)) > 0
    with runtime.db.session() as session:
        projects_total = session.exec(select(func.count()).select_from(Project)).one()
        projects_done = session.exec(
            select(func.count())
            .select_from(ProjectVector)
            .where(
                ProjectVector.model == model,
                col(ProjectVector.project_id).in_(select(Project.id)),
            )
        ).one()
        failed = session.exec(
            select(func.count())
            .select_from(Project)
            .where(Project.status == EmbeddingStatus.FAILED)
        ).one()
        papers = (
            select(func.count())
            .select_from(Document)
            .where(Document.status == DocumentStatus.COMPLETED, has_text)
        )
        papers_total = session.exec(papers).one()
        papers_done = session.exec(
            papers.where(
                Document.stage == DocumentStage.DONE,
                col(Document.id).in_(
                    select(DocumentChunk.document_id).where(DocumentChunk.model == model)
                ),
            )
        ).one()
        open_tasks = session.exec(
            select(func.count())
            .select_from(TaskRecord)
            .where(
                col(TaskRecord.name).in_(EMBEDDING_TASKS),
                col(TaskRecord.state).not_in([s.value for s in FINAL_STATES]),
            )
        ).one()
    return ChangeProgress(
        plan.serving.model,
        model,
        int(projects_done),
        int(projects_total),
        int(papers_done),
        int(papers_total),
        int(open_tasks),
        int(failed),
    )


def every_project_current(runtime: Runtime, model: str) -> bool:
    """Each project has a vector of `model` made from its current text (the exact check,
    run once the counts say the rebuild is complete)."""
    with runtime.db.session() as session:
        stored = dict(
            session.exec(
                select(ProjectVector.project_id, ProjectVector.text_hash).where(
                    ProjectVector.model == model
                )
            ).all()
        )
        projects = session.exec(select(Project)).all()
    return all(stored.get(p.id) == embedding_hash(p) for p in projects)


class ModelSwitch:
    """The launcher's side of a model change: switch when complete, then retire the old."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._queries: QueryEmbedder | None = None
        self._retired: tuple[SearchSide, float] | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Remove what earlier changes left behind."""
        remove_leftovers(self.runtime)
        if self.runtime.slots is not None and self.runtime.slots.building is not None:
            log.info(
                "the search model changes from %s to %s: the new vectors are built in the "
                "background, the old ones answer until then",
                self.runtime.slots.serving.model,
                self.runtime.slots.building.model,
            )

    def check(self) -> None:
        """Switch if the new model's vectors are complete; close the old stores later."""
        with self._lock:
            self._retire_when_due()
            found = progress(self.runtime)
            if found is None or not found.counted_complete:
                return
            if self._queries is None:
                # Loaded now, not at start: by now the workers have prepared the model
                # (its ONNX export), and loading it here while searches run costs them
                # least. The switch waits for it, so the first search after it does not.
                self._queries = QueryEmbedder(self.runtime.embedder)
                self._queries.warm_up_in_background()
                return
            if self._queries.ready.is_set() and every_project_current(self.runtime, found.building):
                self._switch()

    def _switch(self) -> None:
        runtime = self.runtime
        plan, old = runtime.slots, runtime.search
        assert plan is not None and plan.building is not None and old is not None
        assert runtime.vectors is not None and runtime.chunks is not None
        for store in (runtime.vectors, runtime.chunks):
            store.flush()
        with runtime.db.write() as conn:
            record_serving(conn, plan.building)
        # The switch itself: every search from here on reads the new stores.
        runtime.search = SearchSide(
            plan.building.model, runtime.vectors, runtime.chunks, self._queries
        )
        runtime.vector_writer, runtime.chunk_writer = runtime.vectors, runtime.chunks
        runtime.slots = SlotPlan(plan.building)
        self._retired = (old, time.monotonic() + RETIRE_AFTER)
        log.info("the search now answers with %s", plan.building.model)

    def _retire_when_due(self) -> None:
        if self._retired is None or time.monotonic() < self._retired[1]:
            return
        old, _ = self._retired
        self._retired = None
        for store in (old.vectors, old.chunks):
            if self.runtime.settings.qdrant_url:
                store.clear()  # on a server the collections stay, empty
            store.close()
        remove_leftovers(self.runtime)

    def close(self) -> None:
        with self._lock:
            if self._retired is not None:
                for store in (self._retired[0].vectors, self._retired[0].chunks):
                    store.close()


def remove_leftovers(runtime: Runtime) -> None:
    """Delete stored vectors and store folders of models that neither serve nor are being
    built: the old model's after a switch, or those of a change given up by configuring
    yet another model."""
    plan = runtime.slots
    if plan is None:
        return
    models = {plan.serving.model, plan.target.model}
    folders = {plan.serving.folder, plan.target.folder}
    with runtime.db.write(durable=False) as conn:
        gone = conn.execute(
            delete(ProjectVector.__table__).where(  # type: ignore[attr-defined]
                col(ProjectVector.model).not_in(models)
            )
        ).rowcount
        gone += conn.execute(
            delete(DocumentChunk.__table__).where(  # type: ignore[attr-defined]
                col(DocumentChunk.model).not_in(models)
            )
        ).rowcount
    if gone:
        log.info("removed %d stored vectors of models no longer in use", gone)
    if runtime.settings.qdrant_url:
        return
    vectors_dir = runtime.settings.vectors_dir
    unnamed_in_use = "" in folders
    for folder in slot_folders(vectors_dir):
        if folder.name not in folders:
            shutil.rmtree(folder, ignore_errors=True)
    if not unnamed_in_use:
        # The stores an installation kept in the vectors folder itself, before its first
        # model change: their model no longer serves.
        for path in vectors_dir.iterdir():
            if not path.name.startswith(SLOT_FOLDER_PREFIX):
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
