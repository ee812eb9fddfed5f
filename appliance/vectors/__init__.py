"""Project vectors behind one small interface (`VectorStore`), on one of three engines.

- "edge" (default): Qdrant Edge in this process, fast, HNSW and payload indexes.
- "local": qdrant-client's local file mode, brute force, meant for small data and tests.
- a Qdrant server, when a URL is configured.

Each embedded engine keeps its files in its own subfolder of the vectors folder, so
switching engines never mixes their files (and Edge's recreate never deletes the other's).
"""

from __future__ import annotations

from pathlib import Path

from appliance.vectors.base import VectorFilter, VectorHit, VectorPoint, VectorStore

__all__ = [
    "ENGINES",
    "VectorFilter",
    "VectorHit",
    "VectorPoint",
    "VectorStore",
    "open_vector_store",
]

ENGINES = ("edge", "local")


def open_vector_store(
    folder: Path,
    dimension: int,
    *,
    engine: str = "edge",
    qdrant_url: str | None = None,
    qdrant_api_key: str | None = None,
) -> VectorStore:
    """Open the vector store the settings ask for, with vectors of `dimension` entries.

    A `qdrant_url` selects that server; otherwise `engine` picks an embedded engine in
    `folder / engine`. The returned store has a `recreated` attribute: True when stored
    vectors had another dimension and were dropped, so every vector must be rebuilt.
    Raises ValueError for an unknown engine.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown vector engine {engine!r}; allowed: {', '.join(ENGINES)}")
    # Imported here: qdrant_client takes ~1.7 s to import, and only two paths need it.
    if qdrant_url:
        from appliance.vectors.client import QdrantClientVectorStore

        return QdrantClientVectorStore.server(qdrant_url, dimension, api_key=qdrant_api_key)
    if engine == "local":
        from appliance.vectors.client import QdrantClientVectorStore

        return QdrantClientVectorStore.local(folder / "local", dimension)
    from appliance.vectors.edge import EdgeVectorStore

    return EdgeVectorStore.open(folder / "edge", dimension)
