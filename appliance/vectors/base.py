"""The one small interface the appliance needs from a vector engine.

Each point holds two vectors: the text's sentence embedding (dense, cosine) and its search
terms as a sparse vector named `WORDS`, which the engine scores as BM25 (IDF modifier; see
`appliance/search/sparse.py`).

Three engines sit behind it: Qdrant Edge in-process (the default), qdrant-client's local
file mode (`APPLIANCE_VECTOR_ENGINE=local`) and a Qdrant server (`APPLIANCE_QDRANT_URL`).
Both embedded engines lock their folder, so only one process (the launcher) opens one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

# The collections: projects, and the chunks of documents' text (see documents/meaning.py).
PROJECTS = "projects"
CHUNKS = "chunks"
COLLECTIONS = (PROJECTS, CHUNKS)
# The name of the sparse vector of search terms (the dense vector is the unnamed one).
WORDS = "words"

# Payload fields that searches filter on: keyword fields and one integer field.
KEYWORD_FIELDS = ("trade", "phase", "city", "document_id", "project_id")
INTEGER_FIELDS = ("year",)
# Payload field holding a hash of the embedded text and the other payload fields: it tells
# a stale point (old text, or old phase/city for the filters) from a current one.
FINGERPRINT_FIELD = "fingerprint"


@dataclass(frozen=True)
class SparseVector:
    """Non-zero entries of a sparse vector, indices ascending and unique."""

    indices: tuple[int, ...]
    values: tuple[float, ...]

    def __bool__(self) -> bool:
        return bool(self.indices)


@dataclass(frozen=True)
class VectorPoint:
    """A project's vectors. `id` is the project's UUID as a string; `words` its search
    terms (None: the point is found by meaning only)."""

    id: str
    vector: Sequence[float]
    payload: Mapping[str, Any] = field(default_factory=dict)
    words: SparseVector | None = None


@dataclass(frozen=True)
class VectorHit:
    """One search result: the point id, its score (cosine similarity, or BM25 for a
    search by words) and payload."""

    id: str
    score: float
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class VectorFilter:
    """Exact matches on payload fields, ids to leave out, and (when given) the only ids
    that may be found."""

    equals: Mapping[str, str | int] = field(default_factory=dict)
    exclude_ids: Sequence[str] = ()
    only_ids: Sequence[str] | None = None

    @property
    def empty(self) -> bool:
        return not self.equals and not self.exclude_ids and self.only_ids is None


class VectorStoreInUseError(RuntimeError):
    """Another process has the embedded vector store open (only one may)."""


class VectorStore(Protocol):
    """A collection of project vectors (cosine distance)."""

    recreated: bool
    """True when the store had vectors of another dimension and dropped them on open."""

    @property
    def dimension(self) -> int: ...

    def upsert(self, points: Sequence[VectorPoint]) -> None:
        """Insert or replace points; durable when this returns."""

    def delete(self, ids: Sequence[str]) -> None:
        """Remove points; ids that are not there are ignored."""

    def search(
        self,
        vector: Sequence[float],
        *,
        limit: int,
        where: VectorFilter | None = None,
        min_score: float | None = None,
        payload: bool = True,
    ) -> list[VectorHit]:
        """The `limit` points whose dense vectors are most similar, best first (without
        their payloads when `payload` is False: less to convert)."""

    def search_words(
        self,
        words: SparseVector,
        *,
        limit: int,
        where: VectorFilter | None = None,
        payload: bool = True,
    ) -> list[VectorHit]:
        """The `limit` points with the highest BM25 score for the query's terms, best
        first; points sharing no term with the query are not found."""

    def count(self) -> int:
        """Number of points stored."""

    def ids(self) -> set[str]:
        """Ids of all points stored."""

    def fingerprints(self) -> dict[str, str | None]:
        """Every point's id with its payload's fingerprint."""

    def flush(self) -> None:
        """Make every write so far survive a power cut."""

    def clear(self) -> None:
        """Remove every point (the collection stays, with the same dimension)."""

    def close(self) -> None:
        """Release files and connections."""
