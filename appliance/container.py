"""The services one process works with, built once at start and handed around."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.config import Settings
from appliance.db import Database
from appliance.embedding import Embedder, SentenceTransformerEmbedder, model_dimension
from appliance.internal_client import InternalClient
from appliance.tasking.ledger import Ledger
from appliance.tasking.queue import Executor, TaskQueue
from appliance.vectors import VectorStore, open_vector_store
from appliance.vectors.remote import RemoteVectorWriter, VectorWriter


@dataclass
class Services:
    """Settings, databases, task queue, model and vectors of this process.

    `vectors` is the store itself, present only in the process that owns it (the
    launcher, or every process when a Qdrant server is configured). `vector_writer` is
    where this process sends vector writes: the store, or the owner over HTTP.
    """

    settings: Settings
    db: Database
    queue: TaskQueue
    embedder: Embedder
    vector_writer: VectorWriter
    vectors: VectorStore | None = None

    @property
    def ledger(self) -> Ledger:
        return self.queue.ledger

    @classmethod
    def build(
        cls,
        settings: Settings,
        executor: Executor | None = None,
        *,
        own_vectors: bool = False,
        torch_threads: int = 1,
    ) -> Services:
        """Open the app database and the queue (creating them on first use).

        Raises DatabaseUnavailableError when the app database cannot be used.

        With `own_vectors` this process opens the embedded vector store (only one process
        may); with a Qdrant server configured every process talks to it directly.
        `torch_threads` applies unless the settings name a number.
        """
        from appliance.tasks import build_registry

        settings.ensure_dirs()
        db = Database.open(settings.app_database_url)
        queue = TaskQueue(settings, db, build_registry(), executor=executor)
        try:
            # A queue server that is down is a one-line message at start, not a trace later.
            queue.check_reachable()
        except Exception:
            queue.close()
            db.dispose()
            raise
        embedder = SentenceTransformerEmbedder(
            settings.embedding_model,
            threads=settings.torch_threads or torch_threads,
            # A process with an executor is a worker: its encoding is background work.
            background=executor is not None,
        )
        vectors: VectorStore | None = None
        writer: VectorWriter
        if own_vectors or settings.qdrant_url:
            vectors = open_vector_store(
                settings.vectors_dir,
                model_dimension(settings.embedding_model),
                engine=settings.vector_engine,
                qdrant_url=settings.qdrant_url,
                qdrant_api_key=settings.qdrant_api_key,
            )
            writer = vectors
        else:
            writer = RemoteVectorWriter(InternalClient.for_settings(settings))
        return cls(settings, db, queue, embedder, writer, vectors)

    def close(self) -> None:
        if self.vectors is not None:
            self.vectors.close()
        self.queue.close()
        self.db.dispose()
