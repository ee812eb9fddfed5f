"""The vector store on qdrant-client: its local file mode, or a Qdrant server by URL.

Both modes run the same calls, so the local mode is a cheap stand-in for the server path.
Differences and traps (qdrant-client 1.20):
- A server accepts only UUIDs and unsigned integers as point ids; ids are checked here so
  a bad id fails the same way in both modes, and sent in canonical form so the local mode
  returns them as a server would.
- A server needs payload indexes to filter efficiently; the local mode ignores them and
  warns once, which is silenced here.
- The local mode has no locking of its own (qdrant-client#1193) and pickles every point
  into SQLite; one lock here serializes all calls.
- `score_threshold` is strict in the local mode: a hit scoring exactly `min_score` is dropped.
"""

from __future__ import annotations

import threading
import uuid
import warnings
from collections.abc import Sequence
from pathlib import Path

from qdrant_client import QdrantClient, models

from appliance.vectors.base import (
    FINGERPRINT_FIELD,
    INTEGER_FIELDS,
    KEYWORD_FIELDS,
    PROJECTS,
    WORDS,
    SparseVector,
    VectorFilter,
    VectorHit,
    VectorPoint,
    VectorStoreInUseError,
)


class QdrantClientVectorStore:
    """Vectors in one collection ("projects" or "chunks"): an unnamed dense vector (cosine) and
    the sparse `WORDS` vector (dot product with the IDF modifier: BM25).

    Writes wait until the engine has applied them. All calls are serialized by a lock, so
    one instance can be shared by the API server's threads.
    """

    scroll_page = 1000
    """How many points `ids()` reads per scroll call."""

    def __init__(self, client: QdrantClient, dimension: int, collection: str = PROJECTS) -> None:
        """Wrap `client`, creating the collection or replacing one of another dimension."""
        if dimension < 1:
            raise ValueError(f"vector dimension must be positive, got {dimension}")
        self._client = client
        self._collection = collection
        self._dimension = dimension
        self._lock = threading.Lock()
        self._closed = False
        self.recreated = _ensure_collection(client, collection, dimension)
        """True when an existing collection had another vector config and was emptied:
        every vector must be rebuilt."""

    @classmethod
    def local(
        cls, folder: Path, dimension: int, collection: str = PROJECTS
    ) -> QdrantClientVectorStore:
        """Open qdrant-client's local file mode in `folder` (one process at a time)."""
        # Our lock serializes all calls, so SQLite's same-thread check (on by default
        # where SQLite is built THREADSAFE=2, e.g. macOS) only gets in the way.
        try:
            client = QdrantClient(path=str(folder), force_disable_check_same_thread=True)
        except RuntimeError as exc:
            if "already accessed" in str(exc):
                raise VectorStoreInUseError(f"{folder} is open in another process") from None
            raise
        return cls(client, dimension, collection)

    @classmethod
    def server(
        cls, url: str, dimension: int, api_key: str | None = None, collection: str = PROJECTS
    ) -> QdrantClientVectorStore:
        """Connect to the Qdrant server at `url`."""
        return cls(QdrantClient(url=url, api_key=api_key), dimension, collection)

    @property
    def dimension(self) -> int:
        """Length of every vector in this store."""
        return self._dimension

    def upsert(self, points: Sequence[VectorPoint]) -> None:
        """Insert or replace points by id; applied when this returns.

        Raises ValueError for an id that is not a UUID string or a vector of another length.
        """
        if not points:
            return
        batch = [
            models.PointStruct(
                id=_point_id(point.id), vector=self._vectors(point), payload=dict(point.payload)
            )
            for point in points
        ]
        with self._lock:
            self._live().upsert(self._collection, points=batch, wait=True)

    def delete(self, ids: Sequence[str]) -> None:
        """Remove points by id (missing ids are ignored); applied when this returns."""
        if not ids:
            return
        selector = models.PointIdsList(points=[_point_id(raw) for raw in ids])
        with self._lock:
            self._live().delete(self._collection, points_selector=selector, wait=True)

    def search(
        self,
        vector: Sequence[float],
        *,
        limit: int,
        where: VectorFilter | None = None,
        min_score: float | None = None,
        payload: bool = True,
    ) -> list[VectorHit]:
        """The `limit` most similar points with their payloads, best first.

        Hits must score above `min_score` (the local mode drops a hit equal to it).
        """
        return self._query(self._checked(vector), None, where, limit, min_score, payload)

    def search_words(
        self,
        words: SparseVector,
        *,
        limit: int,
        where: VectorFilter | None = None,
        payload: bool = True,
    ) -> list[VectorHit]:
        """The `limit` points with the highest BM25 score for `words`, best first."""
        if not words:
            return []
        return self._query(_client_sparse(words), WORDS, where, limit, None, payload)

    def _query(
        self,
        query: list[float] | models.SparseVector,
        using: str | None,
        where: VectorFilter | None,
        limit: int,
        min_score: float | None,
        payload: bool,
    ) -> list[VectorHit]:
        query_filter = _client_filter(where)
        with self._lock:
            found = (
                self._live()
                .query_points(
                    self._collection,
                    query=query,
                    using=using,
                    query_filter=query_filter,
                    score_threshold=min_score,
                    limit=limit,
                    with_payload=payload,
                )
                .points
            )
        return [VectorHit(str(hit.id), hit.score, hit.payload or {}) for hit in found]

    def count(self) -> int:
        """Number of points stored (exact)."""
        with self._lock:
            return self._live().count(self._collection, exact=True).count

    def ids(self) -> set[str]:
        """Ids of all points stored, as canonical lowercase UUID strings."""
        return set(self.fingerprints())

    def fingerprints(self) -> dict[str, str | None]:
        """Every point's id with the fingerprint in its payload (None if it has none)."""
        found: dict[str, str | None] = {}
        offset: models.ExtendedPointId | None = None
        with self._lock:
            client = self._live()
            while True:
                records, offset = client.scroll(
                    self._collection,
                    limit=self.scroll_page,
                    offset=offset,
                    with_payload=[FINGERPRINT_FIELD],
                    with_vectors=False,
                )
                for record in records:
                    found[str(record.id)] = (record.payload or {}).get(FINGERPRINT_FIELD)
                if offset is None:
                    return found

    def flush(self) -> None:
        """Nothing to do: every write here waits until it is stored."""

    def clear(self) -> None:
        """Remove every point; the collection, its dimension and payload indexes stay."""
        # A filter without conditions matches every point.
        selector = models.FilterSelector(filter=models.Filter())
        with self._lock:
            self._live().delete(self._collection, points_selector=selector, wait=True)

    def close(self) -> None:
        """Release the folder lock or connection; calling it again does nothing."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._client.close()

    def _live(self) -> QdrantClient:
        if self._closed:
            raise RuntimeError("the vector store is closed")
        return self._client

    def _vectors(self, point: VectorPoint) -> dict[str, models.Vector]:
        vectors: dict[str, models.Vector] = {"": self._checked(point.vector)}
        if point.words:
            vectors[WORDS] = _client_sparse(point.words)
        return vectors

    def _checked(self, vector: Sequence[float]) -> list[float]:
        if len(vector) != self._dimension:
            raise ValueError(f"vector has {len(vector)} dimensions, the store {self._dimension}")
        return [float(x) for x in vector]


def _point_id(raw: str) -> str:
    """`raw` in canonical UUID form; ValueError if it is no UUID (a server refuses it)."""
    try:
        return str(uuid.UUID(raw))
    except (ValueError, TypeError, AttributeError):
        raise ValueError(f"point id {raw!r} is not a UUID string") from None


def _ensure_collection(client: QdrantClient, collection: str, dimension: int) -> bool:
    """Create the collection and its payload indexes; True if one with vectors of another
    size was replaced (every vector must be made again).

    A collection of the right size without the sparse `WORDS` vector (made by a version
    before search by words) is replaced too, but its dense vectors are still good: the
    start-up check restores them from the app database, with their words.
    """
    wanted = models.VectorParams(size=dimension, distance=models.Distance.COSINE)
    words = {WORDS: models.SparseVectorParams(modifier=models.Modifier.IDF)}
    recreated = False
    exists = client.collection_exists(collection)
    if exists:
        params = client.get_collection(collection).config.params
        current = params.vectors
        same_dense = (
            isinstance(current, models.VectorParams)
            and current.size == wanted.size
            and current.distance == wanted.distance
        )
        has_words = WORDS in (params.sparse_vectors or {})
        if not (same_dense and has_words):
            client.delete_collection(collection)
            exists, recreated = False, not same_dense
    if not exists:
        client.create_collection(collection, vectors_config=wanted, sparse_vectors_config=words)
    _ensure_payload_indexes(client, collection)
    return recreated


def _ensure_payload_indexes(client: QdrantClient, collection: str) -> None:
    existing = client.get_collection(collection).payload_schema
    wanted = [(name, models.PayloadSchemaType.KEYWORD) for name in KEYWORD_FIELDS]
    wanted += [(name, models.PayloadSchemaType.INTEGER) for name in INTEGER_FIELDS]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Payload indexes have no effect")
        for name, kind in wanted:
            if name not in existing:
                client.create_payload_index(collection, name, field_schema=kind, wait=True)


def _client_sparse(words: SparseVector) -> models.SparseVector:
    return models.SparseVector(indices=list(words.indices), values=list(words.values))


def _client_filter(where: VectorFilter | None) -> models.Filter | None:
    if where is None or where.empty:
        return None
    must: list[models.Condition] = [
        models.FieldCondition(key=key, match=models.MatchValue(value=value))
        for key, value in where.equals.items()
    ]
    if where.only_ids is not None:
        wanted: list[models.ExtendedPointId] = [_point_id(raw) for raw in where.only_ids]
        must.append(models.HasIdCondition(has_id=wanted))
    must_not: list[models.Condition] = []
    if where.exclude_ids:
        excluded: list[models.ExtendedPointId] = [_point_id(raw) for raw in where.exclude_ids]
        must_not.append(models.HasIdCondition(has_id=excluded))
    return models.Filter(must=must or None, must_not=must_not or None)
