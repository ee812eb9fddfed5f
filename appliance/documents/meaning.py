"""Documents by meaning: their text's chunks embedded in the background, after extraction.

A document is searchable by its words as soon as its text is stored. Then
`tasks.embed_document` embeds its chunks, `APPLIANCE_EMBED_CHUNKS_PER_RUN` (64) at a
time: each run queues the next one, at bulk priority, so a 50-page PDF (some 120 chunks)
never holds the embedding worker for more than a second or two, and project embeddings
(interactive priority) get in between its runs. Progress shows on the document like the
other stages (stage `embedding`, chunk n of m).

Each chunk's vector is stored twice, like a project's: in the app database
(`document_chunks`, the durable copy) and in the vector store's `chunks` collection with
the chunk's search terms, through the owner.
"""

from __future__ import annotations

import logging
import uuid
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete
from sqlmodel import col, func, select

from appliance.db import dialect_insert
from appliance.documents.chunks import Chunk, chunk_text
from appliance.documents.lifecycle import record_meaning_run
from appliance.documents.models import Document, DocumentChunk, DocumentStatus
from appliance.runtime import Runtime
from appliance.search import Analyzer, stored_vector
from appliance.tasking.queue import QueueTransaction
from appliance.vectors.base import VectorPoint, VectorStore

if TYPE_CHECKING:
    # Only the embedding worker makes vectors; the launcher need not load numpy.
    import numpy as np

log = logging.getLogger("appliance.documents")

CHUNKS = DocumentChunk.__table__  # type: ignore[attr-defined]
_POINT_NAMESPACE = uuid.UUID("6f0c3b7e-2a52-4b8e-9a51-0d1f6c2b9e40")


@dataclass(frozen=True)
class MeaningRun:
    """What one run did: chunks embedded now, chunks done in all, and how many there are."""

    embedded: int
    done: int
    total: int

    @property
    def finished(self) -> bool:
        return self.done >= self.total


def chunk_point_id(document_id: str, number: int) -> str:
    """The point id of a chunk: the same for the same chunk on every run."""
    return str(uuid.uuid5(_POINT_NAMESPACE, f"{document_id}/{number}"))


def chunk_point(
    document: Document, chunk: Chunk, vector: Sequence[float], analyzer: Analyzer
) -> VectorPoint:
    text = chunk.of(document.searchable_text or "")
    payload = {"document_id": document.id, "number": chunk.number}
    words = stored_vector(analyzer.terms(f"{document.original_name}\n{text}"))
    return VectorPoint(chunk_point_id(document.id, chunk.number), vector, payload, words)


def embed_next_chunks(runtime: Runtime, document_id: str, first: int) -> MeaningRun | None:
    """Embed the chunks from `first` on, as many as a run takes, and queue the rest; None when the
    document is gone or its text is not stored (nothing to do)."""
    with runtime.db.session() as session:
        document = session.get(Document, document_id)
    if document is None or document.status != DocumentStatus.COMPLETED:
        return None
    chunks = chunk_text(document.searchable_text or "")
    todo = chunks[first : first + runtime.settings.embed_chunks_per_run]
    vectors = None
    if todo:
        texts = [chunk.of(document.searchable_text or "") for chunk in todo]
        vectors = runtime.embedder.embed(texts)
        points = [
            chunk_point(document, chunk, vector.tolist(), runtime.analyzer)
            for chunk, vector in zip(todo, vectors, strict=True)
        ]
        runtime.chunk_writer.upsert(points)
    run = MeaningRun(len(todo), first + len(todo), len(chunks))
    with runtime.queue.transaction() as tx:
        fresh = tx.session.get(Document, document_id, with_for_update=True)
        if fresh is not None:
            if vectors is not None:
                _store_chunks(tx, document_id, todo, vectors, runtime.embedder.model_name)
            record_meaning_run(tx, fresh, run.done, run.total)
    if fresh is None:
        # Deleted while its chunks were embedded: the points just written go too.
        runtime.chunk_writer.delete([chunk_point_id(document_id, c.number) for c in todo])
        return None
    return run


def _store_chunks(
    tx: QueueTransaction, document_id: str, chunks: list[Chunk], vectors: np.ndarray, model: str
) -> None:
    rows = [
        {
            "document_id": document_id,
            "number": chunk.number,
            "start": chunk.start,
            "end": chunk.end,
            "model": model,
            "vector": vector.astype("float32").tobytes(),
        }
        for chunk, vector in zip(chunks, vectors, strict=True)
    ]
    conn = tx.session.connection()
    insert = dialect_insert(conn, CHUNKS)
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=[CHUNKS.c.document_id, CHUNKS.c.number, CHUNKS.c.model],
            set_={name: insert.excluded[name] for name in ("start", "end", "vector")},
        ),
        rows,
    )


def forget_chunks(runtime: Runtime, document_ids: Sequence[str]) -> None:
    """Remove the documents' chunks: points from the store, rows from the database."""
    if not document_ids:
        return
    with runtime.db.session() as session:
        found = session.exec(
            select(DocumentChunk.document_id, DocumentChunk.number).where(
                col(DocumentChunk.document_id).in_(list(document_ids))
            )
        ).all()
    if found:
        runtime.chunk_writer.delete([chunk_point_id(d, n) for d, n in found])
    with runtime.db.write(durable=False) as conn:
        conn.execute(delete(CHUNKS).where(CHUNKS.c.document_id.in_(list(document_ids))))


def stored_chunk_vector(row: DocumentChunk) -> list[float]:
    """A stored chunk's vector, read without numpy (the launcher does not load it)."""
    return array("f", row.vector).tolist()


def restore_chunk_store(runtime: Runtime) -> int:
    """At start: refill the chunk store from the stored chunks when the two disagree (a
    new or set-aside store, a power cut); returns the number of points written.

    Chunks are only ever added and removed whole with their paper, so equal counts mean
    equal contents. Vectors of another model are left out; their papers are embedded again.
    While a new model's vectors are built, the serving model's chunk store is checked too.
    """
    store = runtime.chunks
    if store is None:
        raise RuntimeError("restoring chunks needs the process that owns the vector store")
    written = _restore_chunks(runtime, store, runtime.embedder.model_name)
    side = runtime.search
    if side is not None and side.chunks is not store:
        written += _restore_chunks(runtime, side.chunks, side.model)
    return written


def _restore_chunks(runtime: Runtime, store: VectorStore, model: str) -> int:
    with runtime.db.session() as session:
        stored = session.exec(
            select(func.count()).select_from(DocumentChunk).where(DocumentChunk.model == model)
        ).one()
    if store.count() == stored and not store.recreated:
        return 0
    store.clear()
    written = 0
    with runtime.db.session() as session:
        papers = session.exec(
            select(Document).where(
                col(Document.id).in_(
                    select(DocumentChunk.document_id).where(DocumentChunk.model == model).distinct()
                )
            )
        ).all()
    for paper in papers:
        with runtime.db.session() as session:
            rows = session.exec(
                select(DocumentChunk).where(
                    DocumentChunk.document_id == paper.id, DocumentChunk.model == model
                )
            ).all()
        points = [
            chunk_point(
                paper, Chunk(r.number, r.start, r.end), stored_chunk_vector(r), runtime.analyzer
            )
            for r in rows
        ]
        store.upsert(points)
        written += len(points)
    store.flush()
    log.info("chunk store rebuilt from %d stored chunks", written)
    return written
