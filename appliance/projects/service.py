"""Project use-cases: CRUD that queues the embedding work, and search."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from appliance.documents.links import unlink_all
from appliance.errors import ConflictError, NotFoundError, RequestInvalidError
from appliance.projects.indexing import stored_vector
from appliance.projects.lifecycle import (
    queue_embedding,
    queue_re_embedding,
    queue_reindex,
    queue_vector_deletion,
)
from appliance.projects.listing import ListQuery, ProjectFilters
from appliance.projects.models import (
    EmbeddingStatus,
    Project,
    ProjectCreate,
    ProjectPublic,
    ProjectUpdate,
    ProjectVector,
    new_project_id,
)
from appliance.projects.reconcile import rebuild_from_stored, restore_from_stored
from appliance.projects.search import (
    ScoredProject,
    explain_likeness,
    explain_query,
    find_projects,
    search_request_for_text,
)
from appliance.projects.texts import embedding_text, point_fingerprint
from appliance.runtime import Runtime, SearchSide
from appliance.search.fusion import SearchMode
from appliance.trash.bin import linked_document_ids, put_project

# The 409 codes of "similar jobs" without the project's vector: not embedded yet, and
# embedded only by the model a change of model is building.
SIMILAR_NOT_READY = ("similar_not_indexed", "similar_during_model_change")
INSERT_PROJECT = insert(Project.__table__)  # type: ignore[attr-defined]


def new_project_row(data: ProjectCreate) -> dict[str, Any]:
    """The row of a new project, pending, for a Core INSERT (`INSERT_PROJECT`).

    Creates insert a dict rather than an ORM object: building and flushing a `Project`
    cost more than the rest of a create (0.2 ms + 0.5 ms, measured), and `data` is
    validated already.
    """
    now = datetime.now(UTC)
    return {
        **data.model_dump(),
        "id": new_project_id(),
        "created_at": now,
        "updated_at": now,
        "status": EmbeddingStatus.PENDING,
        "embedding_task_id": None,
        "embedding_error": None,
        "indexed_at": None,
    }


class ProjectService:
    """What the projects API does; routes only parse and serialize."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    @property
    def write_dialect(self) -> str:
        """The database the writes go to ('sqlite' or 'postgresql'), for `api.writes`."""
        return self.runtime.db.dialect

    # -- CRUD --------------------------------------------------------------------------

    def create(self, data: ProjectCreate) -> tuple[ProjectPublic, str]:
        """Store a project and queue its embedding; returns it at once, status pending."""
        row = new_project_row(data)
        with self.runtime.queue.transaction() as tx:
            # The id is made here, not by the database: the task is recorded first and the
            # project inserted once, with its task id.
            row["embedding_task_id"] = queue_embedding(tx, row["id"])
            tx.session.connection().execute(INSERT_PROJECT, row)
        return ProjectPublic.model_construct(**row), row["embedding_task_id"]

    def get(self, project_id: str) -> Project:
        with self.runtime.db.session() as session:
            return self._get(session, project_id)

    @staticmethod
    def _get(session: Session, project_id: str, *, for_update: bool = False) -> Project:
        # `for_update` in write transactions: on PostgreSQL a concurrent edit or delete
        # of the same project waits instead of being overwritten (or deleting twice).
        project = session.get(Project, project_id, with_for_update=for_update)
        if project is None:
            raise NotFoundError("project_not_found", id=project_id)
        return project

    def find(
        self,
        filters: ProjectFilters,
        *,
        text: str | None,
        status: EmbeddingStatus | None,
        sort: str,
        limit: int,
        offset: int,
        name: str | None = None,
    ) -> tuple[list[Project], int]:
        """One page of the list and the total count (listing.py)."""
        query = ListQuery(filters, text=text, status=status, name=name, sort=sort)
        with self.runtime.db.session() as session:
            return query.page(session, self.runtime.analyzer, limit=limit, offset=offset)

    def update(
        self, project_id: str, changes: ProjectUpdate | ProjectCreate, *, replace: bool
    ) -> tuple[Project, str | None]:
        """PUT (`replace`) or PATCH a project; re-embed only when the embedded text changed."""
        data = changes.model_dump(exclude_unset=not replace)
        with self.runtime.queue.transaction() as tx:
            project = self._get(tx.session, project_id, for_update=True)
            analyzer = self.runtime.analyzer
            before_text = embedding_text(project)
            before_point = point_fingerprint(project, analyzer)
            merged = {**project.model_dump(include=set(ProjectCreate.model_fields)), **data}
            try:
                checked = ProjectCreate.model_validate(merged)
            except ValidationError as exc:
                raise RequestInvalidError(exc) from None
            project.sqlmodel_update(checked.model_dump())
            project.updated_at = datetime.now(UTC)
            task_id = None
            tx.session.add(project)
            if embedding_text(project) != before_text:
                task_id = queue_re_embedding(tx, project)
        if task_id is None and point_fingerprint(project, analyzer) != before_point:
            self._refresh_point(project)
        return project, task_id

    def _refresh_point(self, project: Project) -> None:
        """Phase, city or date changed: the filters must see it now, without re-embedding."""
        side = self.runtime.search
        if self.runtime.vectors is None or project.status != EmbeddingStatus.INDEXED:
            return
        restore_from_stored(self.runtime, [project])
        if side is not None and side.vectors is not self.runtime.vectors:
            # A new model's vectors are being built: the serving ones must see it too.
            restore_from_stored(self.runtime, [project], store=side.vectors, model=side.model)

    def delete(self, project_id: str) -> tuple[str, int]:
        """Move a project to the Papierkorb; its vector is removed in the background. Its
        documents stay, without a project (linked again if it is restored). Returns the
        task id and how many documents lost their link."""
        with self.runtime.queue.transaction() as tx:
            project = self._get(tx.session, project_id, for_update=True)
            put_project(tx.session, project, linked_document_ids(tx.session, project_id))
            unlinked = unlink_all(tx.session, project_id)
            tx.session.delete(project)
            return queue_vector_deletion(tx, project_id), unlinked

    def reindex(self, project_ids: Sequence[str] | None) -> dict[str, Any]:
        """Queue embeddings for the given (or all) projects, 10 per queue item."""
        with self.runtime.queue.transaction() as tx:
            query = select(Project.id).order_by(col(Project.created_at))
            if project_ids is not None:
                query = query.where(col(Project.id).in_(list(project_ids)))
            ids = list(tx.session.exec(query))
            if project_ids is not None:
                unknown = sorted(set(project_ids) - set(ids))
                if unknown:
                    raise NotFoundError("projects_not_found", ids=", ".join(unknown))
            task_ids = queue_reindex(tx, ids)
        return {
            "status": "queued",
            "projects": len(ids),
            "batches": len(task_ids),
            "task_ids": task_ids,
        }

    def rebuild_from_stored(self) -> dict[str, Any]:
        """Refill the vector store from the stored vectors (no model, no queue)."""
        if self.runtime.vectors is None:
            raise ConflictError("no_vector_store_to_rebuild")
        return {"status": "rebuilt", "points": rebuild_from_stored(self.runtime)}

    # -- search ------------------------------------------------------------------------

    def similar(
        self,
        project_id: str,
        filters: ProjectFilters,
        *,
        limit: int,
        min_score: float | None,
        mode: SearchMode = SearchMode.HYBRID,
        not_ready: tuple[str, str] = SIMILAR_NOT_READY,
    ) -> list[ScoredProject]:
        """Past jobs most like this one, best first; the project itself is left out.

        409 while the project has no vector, with the codes `not_ready` of the feature
        asking (see `SIMILAR_NOT_READY`)."""
        project = self.get(project_id)
        side = self._side()
        vector = self._stored_vector(project, side, not_ready)
        request = search_request_for_text(
            self.runtime,
            vector,
            embedding_text(project),
            filters.vector_filter([project_id]),
            limit=limit,
            min_score=min_score,
            mode=mode,
        )
        explain = explain_likeness(self.runtime, project)
        return find_projects(self.runtime, side.vectors, request, explain)

    def _stored_vector(
        self, project: Project, side: SearchSide, not_ready: tuple[str, str]
    ) -> list[float]:
        """The project's vector of the serving model, or 409 with the codes `not_ready`
        (no vector yet, added during a change of model) of the feature asking."""
        vector = stored_vector(self.runtime, project.id, side.model)
        if vector is not None:
            return [float(x) for x in vector]
        not_indexed, during_change = not_ready
        if project.status == EmbeddingStatus.INDEXED:
            # Added during a change of model: embedded by the new model only.
            raise ConflictError(during_change, body={"status": project.status.value}, id=project.id)
        raise ConflictError(
            not_indexed,
            body={"status": project.status.value},
            id=project.id,
            status=project.status.value,
        )

    def search(
        self,
        query: str,
        filters: ProjectFilters,
        *,
        limit: int,
        min_score: float | None,
        mode: SearchMode = SearchMode.HYBRID,
    ) -> list[ScoredProject]:
        """Projects that match `query` by meaning and by words (or one of them), best first."""
        side = self._side()
        # Without the serving model (its folder gone during a model change): words alone.
        vector = side.queries.embed(query) if side.queries is not None else None
        request = search_request_for_text(
            self.runtime,
            vector,
            query,
            filters.vector_filter(),
            limit=limit,
            min_score=min_score,
            mode=mode,
        )
        return find_projects(
            self.runtime, side.vectors, request, explain_query(self.runtime, query)
        )

    def _side(self) -> SearchSide:
        # Read once per search: a model switch replaces it whole, so a search in flight
        # uses one model's stores and vectors throughout.
        if self.runtime.search is None:
            raise ConflictError("search_runs_in_app")
        return self.runtime.search

    def stats(self) -> dict[str, int | None]:
        """How many projects there are, by embedding status, and points in the store."""
        with self.runtime.db.session() as session:
            by_status = dict(
                session.exec(select(Project.status, func.count()).group_by(Project.status)).all()
            )
            stored = session.exec(
                select(func.count())
                .select_from(ProjectVector)
                .where(ProjectVector.model == self.runtime.embedder.model_name)
            ).one()
        store = self.runtime.vectors
        return {
            "projects": sum(by_status.values()),
            **{status.value: int(by_status.get(status, 0)) for status in EmbeddingStatus},
            "stored_vectors": int(stored),
            "vectors": store.count() if store is not None else None,
        }
