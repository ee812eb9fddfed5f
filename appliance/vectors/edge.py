"""The vector store on Qdrant Edge: the real Qdrant engine in this process, one shard folder.

Traps this module works around (qdrant-edge-py 0.9.0):
- Edge raises a bare `Exception` for engine errors, so errors are told apart by message.
- `EdgeShard.load(path, config)` checks the config before it takes the WAL lock: a shard
  that another process holds reports "incompatible config", not "locked". The dimension is
  therefore probed only after a plain `load(path)` has taken the lock, so a folder in use
  elsewhere is never deleted.
- Ids come back as `uuid.UUID` objects; they are returned here as canonical strings.
- `score_threshold` is strict: a hit scoring exactly `min_score` is dropped.
- The IDF of sparse vectors counts points deleted since the shard was loaded (measured:
  after deleting 3 of 4 points, a term's IDF stayed 1.204 instead of 0.288, through
  `optimize()`, until the shard was loaded again; a changed point is counted right). So
  every deletion reloads the shard (23 ms; deleting is rare: a project deleted).
- Edge has no background optimizer: points stay in an appendable segment that is searched
  by brute force (a few ms at 20,000 x 384-D) until `EdgeShard.optimize()` is called.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Sequence
from pathlib import Path

import qdrant_edge as edge

from appliance.vectors.base import (
    FINGERPRINT_FIELD,
    INTEGER_FIELDS,
    KEYWORD_FIELDS,
    WORDS,
    SparseVector,
    VectorFilter,
    VectorHit,
    VectorPoint,
    VectorStoreInUseError,
)


class EdgeVectorStore:
    """Project vectors in a Qdrant Edge shard: an unnamed dense vector (cosine) and the
    sparse `WORDS` vector (dot product with the IDF modifier: BM25).

    The folder belongs to the store: on a dimension change it is deleted and recreated.
    Only one process may open it (Edge locks its WAL). All shard calls are serialized by a
    lock, so one instance can be shared by the API server's threads.
    """

    scroll_page = 1000
    """How many points `ids()` reads per scroll call."""

    def __init__(
        self, shard: edge.EdgeShard, folder: Path, dimension: int, *, recreated: bool
    ) -> None:
        """Wrap a shard loaded from `folder` whose vectors have `dimension` entries; see
        `open()`."""
        self._shard: edge.EdgeShard | None = shard
        self._folder = folder
        self._dimension = dimension
        self._lock = threading.Lock()
        self.recreated = recreated
        """True when an existing shard had another dimension and was emptied: every vector
        must be rebuilt."""

    @classmethod
    def open(cls, folder: Path, dimension: int) -> EdgeVectorStore:
        """Open the shard in `folder`, creating it if the folder holds none.

        A shard of another dimension is replaced by an empty one (`recreated` is then True).
        Raises VectorStoreInUseError if another process holds the folder, the engine's
        error if its files cannot be read.
        """
        if dimension < 1:
            raise ValueError(f"vector dimension must be positive, got {dimension}")
        config = edge.EdgeConfig(
            vectors=edge.EdgeVectorParams(size=dimension, distance=edge.Distance.Cosine),
            sparse_vectors={WORDS: edge.EdgeSparseVectorParams(modifier=edge.Modifier.Idf)},
        )
        recreated = False
        if _holds_shard(folder):
            shard = _load(folder)
            try:
                if _dimension_matches(shard, dimension):
                    _ensure_field_indexes(shard)
                    return cls(shard, folder, dimension, recreated=False)
            except BaseException:
                shard.close()
                raise
            shard.close()
            shutil.rmtree(folder)
            recreated = True
        shard = edge.EdgeShard.create(str(folder), config)
        _ensure_field_indexes(shard)
        return cls(shard, folder, dimension, recreated=recreated)

    @property
    def dimension(self) -> int:
        """Length of every vector in this store."""
        return self._dimension

    def upsert(self, points: Sequence[VectorPoint]) -> None:
        """Insert or replace points by id.

        In Edge's WAL when this returns, which survives a killed process; `flush()` makes
        it survive a power cut too. Not flushing each write keeps upserts at well under a
        millisecond (a flush costs 10-17 ms), and the app database keeps every vector, so
        a point lost in a power cut is restored from there at the next start.
        """
        if not points:
            return
        batch = [
            edge.Point(point.id, self._vectors(point), dict(point.payload)) for point in points
        ]
        with self._lock:
            shard = self._live()
            shard.update(edge.UpdateOperation.upsert_points(batch))

    def delete(self, ids: Sequence[str]) -> None:
        """Remove points by id (missing ids are ignored); in the WAL when this returns."""
        if not ids:
            return
        with self._lock:
            shard = self._live()
            shard.update(edge.UpdateOperation.delete_points(list(ids)))
            self._reload()

    def flush(self) -> None:
        """Write everything to disk (so it survives a power cut)."""
        with self._lock:
            self._live().flush()

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

        Hits must score above `min_score` (strictly: Edge drops a hit equal to it).
        """
        request = edge.QueryRequest(
            limit=limit,
            query=edge.Query.Nearest(self._checked(vector)),
            filter=_edge_filter(where),
            score_threshold=min_score,
            with_payload=payload,
        )
        return self._query(request)

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
        request = edge.QueryRequest(
            limit=limit,
            query=edge.Query.Nearest(_edge_sparse(words), using=WORDS),
            filter=_edge_filter(where),
            with_payload=payload,
        )
        return self._query(request)

    def _query(self, request: edge.QueryRequest) -> list[VectorHit]:
        with self._lock:
            found = self._live().query(request)
        return [VectorHit(str(hit.id), hit.score, hit.payload or {}) for hit in found]

    def count(self) -> int:
        """Number of points stored (exact)."""
        with self._lock:
            return self._live().count(edge.CountRequest(exact=True))

    def ids(self) -> set[str]:
        """Ids of all points stored, as canonical lowercase UUID strings."""
        return set(self.fingerprints())

    def fingerprints(self) -> dict[str, str | None]:
        """Every point's id with the fingerprint in its payload (None if it has none)."""
        found: dict[str, str | None] = {}
        offset: edge.PointId | None = None
        with self._lock:
            shard = self._live()
            while True:
                records, offset = shard.scroll(
                    edge.ScrollRequest(
                        offset=offset,
                        limit=self.scroll_page,
                        with_payload=[FINGERPRINT_FIELD],
                        with_vector=False,
                    )
                )
                for record in records:
                    found[str(record.id)] = (record.payload or {}).get(FINGERPRINT_FIELD)
                if offset is None:
                    return found

    def clear(self) -> None:
        """Remove every point; the shard, its dimension and payload indexes stay."""
        with self._lock:
            shard = self._live()
            # A filter without conditions matches every point.
            shard.update(edge.UpdateOperation.delete_points_by_filter(edge.Filter()))
            self._reload()

    def close(self) -> None:
        """Flush and release the shard folder; calling it again does nothing."""
        with self._lock:
            if self._shard is None:
                return
            shard, self._shard = self._shard, None
            shard.flush()
            shard.close()

    def _reload(self) -> None:
        # Loaded again, the IDF statistics forget the deleted points (see the top).
        shard = self._live()
        shard.flush()
        shard.close()
        self._shard = None
        self._shard = _load(self._folder)

    def _live(self) -> edge.EdgeShard:
        if self._shard is None:
            raise RuntimeError("the vector store is closed")
        return self._shard

    def _vectors(self, point: VectorPoint) -> dict[str, edge.NamedVector]:
        vectors: dict[str, edge.NamedVector] = {"": self._checked(point.vector)}
        if point.words:
            vectors[WORDS] = _edge_sparse(point.words)
        return vectors

    def _checked(self, vector: Sequence[float]) -> list[float]:
        # Edge reports a wrong length as a bare Exception; a ValueError says what is wrong.
        if len(vector) != self._dimension:
            raise ValueError(f"vector has {len(vector)} dimensions, the store {self._dimension}")
        return [float(x) for x in vector]


def _load(folder: Path) -> edge.EdgeShard:
    try:
        return edge.EdgeShard.load(str(folder))
    except Exception as exc:
        # The WAL's file lock is taken: another process has the shard open.
        if "WouldBlock" in str(exc):
            raise VectorStoreInUseError(f"{folder} is open in another process") from None
        raise


def _holds_shard(folder: Path) -> bool:
    # What `EdgeShard.load` can open: a persisted config, or segments to derive one from.
    return (folder / "edge_config.json").is_file() or any((folder / "segments").glob("*"))


def _dimension_matches(shard: edge.EdgeShard, dimension: int) -> bool:
    """Ask the engine, via a probe query, whether its vectors have `dimension` entries.

    Edge exposes no getter for a loaded shard's config, and a shard without points still
    checks the query vector's length, so the probe works on an empty shard too.
    """
    probe = [1.0] + [0.0] * (dimension - 1)
    try:
        shard.query(edge.QueryRequest(limit=1, query=edge.Query.Nearest(probe)))
    except Exception as exc:
        if "dimension" in str(exc).lower():
            return False
        raise
    return True


def _ensure_field_indexes(shard: edge.EdgeShard) -> None:
    existing = shard.info().payload_schema
    wanted = [(name, edge.PayloadSchemaType.Keyword) for name in KEYWORD_FIELDS]
    wanted += [(name, edge.PayloadSchemaType.Integer) for name in INTEGER_FIELDS]
    missing = [(name, kind) for name, kind in wanted if name not in existing]
    for name, kind in missing:
        shard.update(edge.UpdateOperation.create_field_index(name, kind))
    if missing:
        shard.flush()


def _edge_sparse(words: SparseVector) -> edge.SparseVector:
    return edge.SparseVector(list(words.indices), list(words.values))


def _edge_filter(where: VectorFilter | None) -> edge.Filter | None:
    if where is None or where.empty:
        return None
    must: list[edge.ConditionType] = [
        edge.FieldCondition(key, match=edge.MatchValue(value))
        for key, value in where.equals.items()
    ]
    if where.only_ids is not None:
        must.append(edge.HasIdCondition(set(where.only_ids)))
    must_not: list[edge.ConditionType] = []
    if where.exclude_ids:
        must_not.append(edge.HasIdCondition(set(where.exclude_ids)))
    return edge.Filter(must=must or None, must_not=must_not or None)
