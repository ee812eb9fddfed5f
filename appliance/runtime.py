"""The runtime one process works with, built once at start and handed around."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from appliance.config import Settings
from appliance.db import Database
from appliance.embedding import Embedder, model_dimension, open_embedder
from appliance.internal_client import InternalClient
from appliance.reader.sandbox import ExtractionSandbox
from appliance.search import Analyzer, open_analyzer
from appliance.tasking.history import TaskHistory
from appliance.tasking.ledger import Ledger
from appliance.tasking.queue import TaskQueue
from appliance.tasking.registry import TaskRegistry
from appliance.tasking.worker_table import WorkerTable
from appliance.vectors import CHUNKS, PROJECTS, VectorStore, open_vector_store
from appliance.vectors.remote import RemoteVectorWriter, VectorWriter


class Role(StrEnum):
    """What a process is for; it decides what the runtime opens."""

    SERVER = "server"  # the launcher: web server, reaper, owner of the embedded vectors
    WORKER = "worker"  # runs tasks; its model encodes in the background
    TOOL = "tool"  # a command (reindex, purge, migrate): the databases, briefly


@dataclass
class Runtime:
    """Settings, databases, task queue, model, text analyzer, vectors and file reader of
    this process.

    `vectors` (projects) and `chunks` (documents' text) are the stores themselves, present
    only in the process that owns them (the launcher, or every process when a Qdrant
    server is configured). `vector_writer` and `chunk_writer` are where this process sends
    vector writes: the store, or the owner over HTTP. `reader`
    is the file reader of a worker that processes documents (it owns that child process).
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
        vectors: VectorStore | None = None
        chunks: VectorStore | None = None
        writer: VectorWriter
        chunk_writer: VectorWriter
        if own_vectors or settings.qdrant_url:
            vectors, chunks = (
                open_vector_store(
                    settings.vectors_dir,
                    model_dimension(settings.embedding_model),
                    engine=settings.vector_engine,
                    qdrant_url=settings.qdrant_url,
                    qdrant_api_key=settings.qdrant_api_key,
                    collection=collection,
                )
                for collection in (PROJECTS, CHUNKS)
            )
            writer, chunk_writer = vectors, chunks
        else:
            client = InternalClient.for_settings(settings)
            writer = RemoteVectorWriter(client, PROJECTS)
            chunk_writer = RemoteVectorWriter(client, CHUNKS)
        analyzer = open_analyzer(settings.data_dir)
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
            reader,
        )

    def close(self) -> None:
        if self.reader is not None:
            self.reader.close()
        for store in (self.vectors, self.chunks):
            if store is not None:
                store.close()
        self.queue.close()
        self.db.dispose()
