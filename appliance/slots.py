"""Which embedding model the search answers with, and where each model's vectors live.

Vectors of two models cannot be compared, and a new model's vectors for 20,000 projects
take the embedding worker an hour or more. So a change of `APPLIANCE_EMBEDDING_MODEL` does
not empty the search: the model whose vectors are complete keeps *serving* the search from
its own stores while the configured model's vectors are *built* in stores of their own.
When every project and paper has them, the launcher switches (`model_change.py`).

The serving model is recorded in the app database (`search_slots`), so a restart in the
middle of a change goes on where it was. Each model's stores have a folder name: "" is
the vectors folder itself (where installations kept them before models could change),
any other name a subfolder, or a suffix of the collection's name on a Qdrant server.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, column, table
from sqlmodel import Field, SQLModel, func, select

from appliance.db import Database, dialect_insert

SERVING = "serving"
SLOT_FOLDER_PREFIX = "model-"


class SearchSlotRow(SQLModel, table=True):
    """The model whose vectors answer searches (one row, `role` = "serving")."""

    __tablename__ = "search_slots"

    role: str = Field(primary_key=True, max_length=16)
    model: str = Field(max_length=300)
    dimension: int
    folder: str = Field(max_length=40)
    changed_at: datetime


SLOTS = SearchSlotRow.__table__  # type: ignore[attr-defined]
# The stored vectors' tables belong to the use cases, a layer above; the columns read
# here are all this layer needs of them.
_PROJECT_VECTORS = table("project_vectors", column("model"), column("dimension"))
_CHUNKS = table("document_chunks", column("model"), column("vector"))


@dataclass(frozen=True)
class Slot:
    """One model's vectors: the model's name as stored with each vector, their size, and
    the folder (or collection suffix) of its stores."""

    model: str
    dimension: int
    folder: str


@dataclass(frozen=True)
class SlotPlan:
    """The serving slot, and the configured model's while its vectors are being built."""

    serving: Slot
    building: Slot | None = None

    @property
    def target(self) -> Slot:
        """Where this version's embeddings are written: the configured model's slot."""
        return self.building or self.serving


def folder_for(model: str) -> str:
    """The folder of a model's stores: short, and the same for the same model name."""
    return SLOT_FOLDER_PREFIX + hashlib.sha256(model.encode("utf-8")).hexdigest()[:12]


def plan_slots(db: Database, model: str, dimension: int) -> SlotPlan:
    """Serving and building slots for the configured `model` of `dimension`.

    An installation without a record (new, or from a version before model changes)
    records the model most of its stored vectors are of, in the vectors folder itself:
    with no stored vectors, that is the configured model.
    """
    serving = read_serving(db)
    if serving is None:
        serving = _inferred(db) or Slot(model, dimension, "")
        _record_if_absent(db, serving)
        serving = read_serving(db) or serving  # another process may have been first
    if serving.model == model:
        return SlotPlan(Slot(model, dimension, serving.folder))
    return SlotPlan(serving, Slot(model, dimension, folder_for(model)))


def read_serving(db: Database) -> Slot | None:
    with db.session() as session:
        row = session.get(SearchSlotRow, SERVING)
    return None if row is None else Slot(row.model, row.dimension, row.folder)


def record_serving(conn: Connection, slot: Slot) -> None:
    """Make `slot` the serving one (inside the caller's write transaction)."""
    values = {
        "role": SERVING,
        "model": slot.model,
        "dimension": slot.dimension,
        "folder": slot.folder,
        "changed_at": datetime.now(UTC),
    }
    insert = dialect_insert(conn, SLOTS)
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=[SLOTS.c.role],
            set_={name: insert.excluded[name] for name in values if name != "role"},
        ),
        [values],
    )


def slot_folders(vectors_dir: Path) -> list[Path]:
    """The model folders under the vectors folder (the unnamed slot is not among them)."""
    if not vectors_dir.is_dir():
        return []
    return [p for p in vectors_dir.iterdir() if p.name.startswith(SLOT_FOLDER_PREFIX)]


def _record_if_absent(db: Database, slot: Slot) -> None:
    values = {
        "role": SERVING,
        "model": slot.model,
        "dimension": slot.dimension,
        "folder": slot.folder,
        "changed_at": datetime.now(UTC),
    }
    with db.write() as conn:
        conn.execute(dialect_insert(conn, SLOTS).on_conflict_do_nothing(), [values])


def _inferred(db: Database) -> Slot | None:
    """The model of most stored vectors, projects' and chunks', in the unnamed folder."""
    counts: Counter[tuple[str, int]] = Counter()
    with db.read() as conn:
        for model, dimension, count in conn.execute(
            select(_PROJECT_VECTORS.c.model, _PROJECT_VECTORS.c.dimension, func.count()).group_by(
                _PROJECT_VECTORS.c.model, _PROJECT_VECTORS.c.dimension
            )
        ):
            counts[(model, dimension)] += count
        size = func.length(_CHUNKS.c.vector)
        for model, length, count in conn.execute(
            select(_CHUNKS.c.model, size, func.count()).group_by(_CHUNKS.c.model, size)
        ):
            counts[(model, length // 4)] += count  # float32: four bytes an entry
    if not counts:
        return None
    (model, dimension), _ = counts.most_common(1)[0]
    return Slot(model, dimension, "")
