"""Project vectors behind one small interface (`VectorStore`), on one of three engines.

- "edge" (default): Qdrant Edge in this process, fast, HNSW and payload indexes.
- "local": qdrant-client's local file mode, brute force, meant for small data and tests.
- a Qdrant server, when a URL is configured.

Each embedded engine keeps its files in its own subfolder of the vectors folder, so
switching engines never mixes their files (and Edge's recreate never deletes the other's).
Beside each subfolder a marker names the format of its files. A folder of another format,
or one the engine cannot read (damaged by a crash, or by a disk that failed), is set
aside (renamed, not deleted) and an empty store is made: the app database keeps every
vector, and the launcher's start-up check restores the points from there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from appliance.errors import require_part
from appliance.vectors.base import (
    CHUNKS,
    COLLECTIONS,
    PROJECTS,
    SparseVector,
    VectorFilter,
    VectorHit,
    VectorPoint,
    VectorStore,
    VectorStoreInUseError,
)

__all__ = [
    "CHUNKS",
    "ENGINES",
    "PROJECTS",
    "SparseVector",
    "VectorFilter",
    "VectorHit",
    "VectorPoint",
    "VectorStore",
    "VectorStoreInUseError",
    "open_vector_store",
]

log = logging.getLogger("appliance.vectors")

ENGINES = ("edge", "local")
# The layout of an engine's folder; raise it when a new version cannot read the old one.
# 2: points have the sparse vector of search terms beside the dense one.
FOLDER_FORMAT = 2


def open_vector_store(
    folder: Path,
    dimension: int,
    *,
    engine: str = "edge",
    qdrant_url: str | None = None,
    qdrant_api_key: str | None = None,
    collection: str = PROJECTS,
    suffix: str = "",
) -> VectorStore:
    """Open one collection of the vector store the settings ask for, with vectors of
    `dimension` entries.

    A `qdrant_url` selects that server; otherwise `engine` picks an embedded engine in
    `folder / engine` (projects) or `folder / "<engine>-<collection>"`. On a server, a
    `suffix` names the collection `<collection>-<suffix>` (another model's, see slots.py;
    embedded engines take another folder for it). The returned store
    has a `recreated` attribute: True when stored vectors had another dimension and were
    dropped, so every vector must be rebuilt. Raises ValueError for an unknown engine.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown vector engine {engine!r}; allowed: {', '.join(ENGINES)}")
    if collection not in COLLECTIONS:
        raise ValueError(f"unknown collection {collection!r}")
    # Imported here: qdrant_client takes ~1.7 s to import, and only two paths need it.
    if qdrant_url:
        require_part("qdrant_client", "APPLIANCE_QDRANT_URL")
        from appliance.vectors.client import QdrantClientVectorStore

        return QdrantClientVectorStore.server(
            qdrant_url,
            dimension,
            api_key=qdrant_api_key,
            collection=f"{collection}-{suffix}" if suffix else collection,
        )
    if dimension < 1:
        raise ValueError(f"vector dimension must be positive, got {dimension}")
    opener: Callable[[Path, int], VectorStore]
    if engine == "local":
        require_part("qdrant_client", "APPLIANCE_VECTOR_ENGINE=local")
        from appliance.vectors.client import QdrantClientVectorStore

        def opener(store_dir: Path, size: int) -> VectorStore:
            return QdrantClientVectorStore.local(store_dir, size, collection)
    else:
        from appliance.vectors.edge import EdgeVectorStore

        opener = EdgeVectorStore.open
    name = engine if collection == PROJECTS else f"{engine}-{collection}"
    return open_embedded(folder, name, dimension, opener)


def open_embedded(
    folder: Path, name: str, dimension: int, opener: Callable[[Path, int], VectorStore]
) -> VectorStore:
    """Open `folder / name` with `opener`; set it aside and start empty when its files
    are of another format or cannot be read. A folder in use elsewhere is never touched:
    VectorStoreInUseError goes to the caller."""
    store_dir = folder / name
    marker = folder / f"{name}.format"
    found = _recorded_format(marker)
    if store_dir.exists() and found != FOLDER_FORMAT:
        _set_aside(
            store_dir, f"its files are of format {found}, this version reads {FOLDER_FORMAT}"
        )
    try:
        store = opener(store_dir, dimension)
    except VectorStoreInUseError:
        raise
    except Exception as exc:
        _set_aside(store_dir, f"it cannot be read ({exc})")
        store = opener(store_dir, dimension)
    marker.write_text(f"{FOLDER_FORMAT}\n", encoding="ascii")
    return store


def _recorded_format(marker: Path) -> int:
    # No marker: written by 0.1.0, whose files are format 1.
    try:
        return int(marker.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        return 1
    except (OSError, ValueError):
        return -1


def _set_aside(store_dir: Path, why: str) -> None:
    if not store_dir.exists():
        return
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    aside = store_dir.with_name(f"{store_dir.name}.unreadable-{stamp}")
    store_dir.rename(aside)
    log.warning(
        "the vector store in %s was set aside as %s because %s; the vectors are restored "
        "from the app database",
        store_dir,
        aside.name,
        why,
    )
