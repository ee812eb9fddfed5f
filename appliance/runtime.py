"""The runtime one process works with, built once at start and handed around."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from appliance.config import Settings
from appliance.db import Database
from appliance.embedding import Embedder, model_dimension, model_path_of, open_embedder
from appliance.errors import StartupError
from appliance.internal_client import InternalClient
from appliance.reader.sandbox import ExtractionSandbox
from appliance.search import Analyzer, open_analyzer
from appliance.search.query import QueryEmbedder
from appliance.slots import Slot, SlotPlan, plan_slots
from appliance.tasking.history import TaskHistory
from appliance.tasking.ledger import Ledger
from appliance.tasking.queue import TaskQueue
from appliance.tasking.registry import TaskRegistry
from appliance.tasking.worker_table import WorkerTable
from appliance.vectors import CHUNKS, PROJECTS, VectorPoint, VectorStore, open_vector_store
from appliance.vectors.remote import RemoteVectorWriter, VectorWriter


class Role(StrEnum):
    """What a process is for; it decides what the runtime opens."""

    SERVER = "server"  # the launcher: web server, reaper, owner of the embedded vectors
    WORKER = "worker"  # runs tasks; its model encodes in the background
    TOOL = "tool"  # a command (reindex, purge, migrate): the databases, briefly


@dataclass(frozen=True)
class SearchSide:
    """What searches read: the serving model's stores and the model that embeds search
    texts for them (None when that model's folder is gone: words alone then)."""

    model: str
    vectors: VectorStore
    chunks: VectorStore
    queries: QueryEmbedder | None


class TwinWriter:
    """Writes while a new model's vectors are built: points go to the new model's store;
    deletions to both, so a deleted project is gone from the search at once."""

    def __init__(self, target: VectorStore, serving: VectorStore) -> None:
        self.target, self.serving = target, serving

    def upsert(self, points: Sequence[VectorPoint]) -> None:
        self.target.upsert(points)

    def delete(self, ids: Sequence[str]) -> None:
        self.target.delete(ids)
        self.serving.delete(ids)


@dataclass
class Runtime:
    """Settings, databases, task queue, model, text analyzer, vectors and file reader of
    this process.

    `vectors` (projects) and `chunks` (documents' text) are the configured model's stores,
    present only in the process that owns them (the launcher, or every process when a
    Qdrant server is configured); `search` is what searches read, the same stores unless a
    new model's vectors are being built (`slots`, see slots.py). `vector_writer` and
    `chunk_writer` are where this process sends vector writes: the store, or the owner
    over HTTP. `reader` is the file reader of a worker that processes documents (it owns
    that child process).
    """

    settings: Settings
    role: Role
    db: Database
    queue: TaskQueue
    embedder: Embedder
    vector_writer: VectorWriter
    chunk_writer: VectorWriter
    analyzer: Analyzer
    vectors: VectorStore | None = None
    chunks: VectorStore | None = None
    search: SearchSide | None = None
    slots: SlotPlan | None = None
    reader: ExtractionSandbox | None = None

    @property
    def ledger(self) -> Ledger:
        return self.queue.ledger

    @property
    def history(self) -> TaskHistory:
        return self.queue.history

    @property
    def workers(self) -> WorkerTable:
        return self.queue.workers

    @classmethod
    def build(
        cls,
        settings: Settings,
        registry: TaskRegistry,
        db: Database,
        *,
        role: Role = Role.TOOL,
        own_vectors: bool = False,
        embedding_threads: int = 1,
        reader: ExtractionSandbox | None = None,
    ) -> Runtime:
        """The queue (made on first use), the model and the vectors, around `db`.

        With `own_vectors` this process opens the embedded vector store (only one process
        may); with a Qdrant server configured every process talks to it directly.
        `embedding_threads` applies unless the settings name a number.
        """
        settings.ensure_dirs()
        queue = TaskQueue(settings, db, registry)
        try:
            # A queue server that is down is a one-line message at start, not a trace later.
            queue.check_reachable()
        except Exception:
            queue.close()
            db.dispose()
            raise
        # A worker's encoding is background work.
        embedder = open_embedder(
            settings, threads=embedding_threads, background=role is Role.WORKER
        )
        analyzer = open_analyzer(settings.data_dir)
        if not (own_vectors or settings.qdrant_url):
            client = InternalClient.for_settings(settings)
            return cls(
                settings,
                role,
                db,
                queue,
                embedder,
                RemoteVectorWriter(client, PROJECTS),
                RemoteVectorWriter(client, CHUNKS),
                analyzer,
                reader=reader,
            )
        slots = plan_slots(db, embedder.model_name, _dimension_of(settings))
        vectors, chunks = open_slot(settings, slots.target)
        writer: VectorWriter = vectors
        chunk_writer: VectorWriter = chunks
        search = SearchSide(embedder.model_name, vectors, chunks, QueryEmbedder(embedder))
        if slots.building is not None:
            old_vectors, old_chunks = open_slot(settings, slots.serving)
            writer = TwinWriter(vectors, old_vectors)
            chunk_writer = TwinWriter(chunks, old_chunks)
            search = SearchSide(
                slots.serving.model, old_vectors, old_chunks, _queries_for(settings, slots.serving)
            )
        return cls(
            settings,
            role,
            db,
            queue,
            embedder,
            writer,
            chunk_writer,
            analyzer,
            vectors,
            chunks,
            search,
            slots,
            reader,
        )

    def stores(self) -> list[VectorStore]:
        """The vector stores this process has open: the configured model's, and the
        serving model's while a new one's vectors are built."""
        found = [s for s in (self.vectors, self.chunks) if s is not None]
        if self.search is not None:
            found += [s for s in (self.search.vectors, self.search.chunks) if s not in found]
        return found

    def close(self) -> None:
        if self.reader is not None:
            self.reader.close()
        for store in self.stores():
            store.close()
        self.queue.close()
        self.db.dispose()


def open_slot(settings: Settings, slot: Slot) -> tuple[VectorStore, VectorStore]:
    """The projects' and chunks' stores of one model's slot."""
    projects, chunks = (
        open_vector_store(
            settings.vectors_dir / slot.folder if slot.folder else settings.vectors_dir,
            slot.dimension,
            engine=settings.vector_engine,
            qdrant_url=settings.qdrant_url,
            qdrant_api_key=settings.qdrant_api_key,
            collection=collection,
            suffix=slot.folder,
        )
        for collection in (PROJECTS, CHUNKS)
    )
    return projects, chunks


def _queries_for(settings: Settings, slot: Slot) -> QueryEmbedder | None:
    """The serving model, to embed search texts, while the configured one's vectors are
    built; None when its folder is gone (searches go by words then)."""
    path = model_path_of(slot.model)
    if path is not None and not path.is_dir():
        return None
    old = settings.model_copy(update={"embedding_model": path})
    return QueryEmbedder(open_embedder(old, threads=1, background=False))


class ModelFolderError(StartupError):
    """`APPLIANCE_EMBEDDING_MODEL` names a folder that is no model: nothing is changed."""

    exit_code = 2


def _dimension_of(settings: Settings) -> int:
    try:
        return model_dimension(settings.embedding_model)
    except (OSError, ValueError) as exc:
        raise ModelFolderError("start.model_folder", reason=exc) from None
