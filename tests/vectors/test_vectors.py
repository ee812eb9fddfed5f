"""The vector stores, each test run on both embedded engines (Qdrant Edge and local mode)."""

from __future__ import annotations

import math
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from appliance.vectors import (
    CHUNKS,
    FOLDER_FORMAT,
    SparseVector,
    VectorFilter,
    VectorPoint,
    VectorStoreInUseError,
    open_vector_store,
)
from appliance.vectors.client import QdrantClientVectorStore
from appliance.vectors.edge import EdgeVectorStore

DIM = 8

Store = EdgeVectorStore | QdrantClientVectorStore
Opener = Callable[[int], Store]


def pid(n: int) -> str:
    return str(uuid.UUID(int=n))


def axis(i: int, dimension: int = DIM) -> list[float]:
    """The unit vector along axis `i`: orthogonal to every other axis (cosine 0)."""
    return [1.0 if j == i else 0.0 for j in range(dimension)]


def point(n: int, vector: list[float], **payload: str | int) -> VectorPoint:
    return VectorPoint(id=pid(n), vector=vector, payload=payload)


# Against axis(0): A scores 1.0, B cos 45° = 0.707, C 0.0.
A = point(1, axis(0), trade="elektro", phase="angebot", city="Ulm", year=2021)
B = point(2, [1.0, 1.0, 0, 0, 0, 0, 0, 0], trade="sanitaer", phase="bau", city="Ulm", year=2022)
C = point(3, axis(2), trade="elektro", phase="bau", city="Bonn", year=2022)


@pytest.fixture(params=["edge", "local"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens the parametrized engine on one folder, as often as a test likes."""
    opened: list[Store] = []

    def open_(dimension: int = DIM) -> Store:
        store = open_vector_store(tmp_path / "vectors", dimension, engine=request.param)
        assert isinstance(store, EdgeVectorStore | QdrantClientVectorStore)
        opened.append(store)
        return store

    yield open_
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: Opener) -> Store:
    """A fresh store holding A, B and C."""
    fresh = open_store(DIM)
    assert fresh.recreated is False
    fresh.upsert([A, B, C])
    return fresh


def hit_ids(
    store: Store,
    vector: list[float],
    where: VectorFilter | None = None,
    min_score: float | None = None,
) -> list[str]:
    return [hit.id for hit in store.search(vector, limit=10, where=where, min_score=min_score)]


def test_the_nearest_vector_ranks_first(store: Store) -> None:
    hits = store.search(axis(0), limit=10)
    assert [hit.id for hit in hits] == [A.id, B.id, C.id]
    assert hits[0].score == pytest.approx(1.0, abs=1e-5)
    assert hits[1].score == pytest.approx(0.7071, abs=1e-3)
    assert dict(hits[0].payload) == dict(A.payload)
    assert len(store.search(axis(0), limit=1)) == 1


def test_upsert_of_an_existing_id_replaces_it(store: Store) -> None:
    store.upsert([point(1, axis(5), trade="maler", year=2030)])
    assert store.count() == 3
    best = store.search(axis(5), limit=1)[0]
    assert best.id == A.id
    assert best.score == pytest.approx(1.0, abs=1e-5)
    assert dict(best.payload) == {"trade": "maler", "year": 2030}
    assert store.search(axis(0), limit=1)[0].id == B.id


def test_delete_removes_from_search_and_count(store: Store) -> None:
    store.delete([A.id])
    assert store.count() == 2
    assert A.id not in hit_ids(store, axis(0))
    store.delete([pid(99), A.id])  # neither is there any more
    store.delete([])
    assert store.ids() == {B.id, C.id}


def test_equals_filters_on_keyword_fields_and_the_year(store: Store) -> None:
    def matching(**equals: str | int) -> set[str]:
        return set(hit_ids(store, axis(0), where=VectorFilter(equals=equals)))

    assert matching(trade="elektro") == {A.id, C.id}
    assert matching(city="Ulm", phase="bau") == {B.id}
    assert matching(year=2022) == {B.id, C.id}
    assert matching(trade="elektro", year=2022) == {C.id}
    assert matching(trade="dachdecker") == set()


def test_exclude_ids_leaves_points_out(store: Store) -> None:
    where = VectorFilter(exclude_ids=[A.id, C.id])
    assert hit_ids(store, axis(0), where=where) == [B.id]
    both = VectorFilter(equals={"trade": "elektro"}, exclude_ids=[A.id])
    assert hit_ids(store, axis(0), where=both) == [C.id]


def test_only_ids_limits_the_search_to_those_points(store: Store) -> None:
    assert hit_ids(store, axis(0), VectorFilter(only_ids=[B.id, C.id])) == [B.id, C.id]
    assert hit_ids(store, axis(0), VectorFilter(only_ids=[])) == []


def test_hits_come_without_payload_when_not_asked_for(store: Store) -> None:
    [bare] = store.search(axis(0), limit=1, payload=False)
    assert bare.id == A.id and bare.payload == {}
    assert store.search(axis(0), limit=1)[0].payload["trade"] == "elektro"


def words(**weights: float) -> SparseVector:
    """A sparse vector from term numbers written as t<number>."""
    ordered = sorted((int(term[1:]), weight) for term, weight in weights.items())
    return SparseVector(tuple(i for i, _ in ordered), tuple(w for _, w in ordered))


def test_search_by_words_scores_bm25_with_the_engines_idf(store: Store) -> None:
    # Term 7 is in two of three worded points, term 9 in one: 9 is the rarer, so it
    # weighs more (IDF = ln(1 + (N - n + 0.5) / (n + 0.5)) with N = 3 worded points).
    worded = [
        VectorPoint(pid(11), axis(1), {"trade": "dach"}, words(t7=1.0)),
        VectorPoint(pid(12), axis(1), {"trade": "bad"}, words(t7=1.0, t9=1.0)),
        VectorPoint(pid(13), axis(1), {"trade": "bad"}, words(t3=1.0)),
    ]
    store.upsert(worded)
    hits = store.search_words(words(t7=1.0, t9=1.0), limit=10)
    assert [h.id for h in hits] == [pid(12), pid(11)]  # A, B, C have no words; 13 no match
    idf7, idf9 = math.log(1 + 1.5 / 2.5), math.log(1 + 2.5 / 1.5)
    assert hits[0].score == pytest.approx(idf7 + idf9, rel=1e-4)
    assert hits[1].score == pytest.approx(idf7, rel=1e-4)
    only_bad = store.search_words(words(t7=1.0), limit=10, where=VectorFilter({"trade": "bad"}))
    assert [h.id for h in only_bad] == [pid(12)]
    assert store.search_words(words(t5=1.0), limit=10) == []
    assert store.search_words(SparseVector((), ()), limit=10) == []
    # A deleted point no longer counts: term 7 is now in one of two worded points.
    store.delete([pid(11)])
    hits = store.search_words(words(t7=1.0), limit=10)
    assert [h.id for h in hits] == [pid(12)]
    assert hits[0].score == pytest.approx(math.log(1 + 1.5 / 1.5), rel=1e-4)


def test_min_score_cuts_off(store: Store) -> None:
    assert hit_ids(store, axis(0), min_score=0.5) == [A.id, B.id]
    assert hit_ids(store, axis(0), min_score=0.9) == [A.id]
    assert hit_ids(store, axis(7), min_score=0.5) == []


def test_ids_returns_every_id_across_scroll_pages(store: Store) -> None:
    store.scroll_page = 3
    store.upsert([point(n, axis(n % DIM)) for n in range(10, 15)])
    expected = {A.id, B.id, C.id} | {pid(n) for n in range(10, 15)}
    assert store.ids() == expected
    assert store.count() == 8


def test_clear_empties_and_the_store_keeps_working(store: Store) -> None:
    store.clear()
    assert store.count() == 0
    assert store.ids() == set()
    assert store.search(axis(0), limit=5) == []
    store.upsert([B])
    assert store.count() == 1
    assert hit_ids(store, axis(0), where=VectorFilter(equals={"year": 2022})) == [B.id]


def test_points_survive_close_and_reopen(store: Store, open_store: Opener) -> None:
    store.delete([C.id])
    store.close()
    store.close()  # a second close does nothing
    reopened = open_store(DIM)
    assert reopened.recreated is False
    assert reopened.ids() == {A.id, B.id}
    best = reopened.search(axis(0), limit=1, where=VectorFilter(equals={"city": "Ulm"}))[0]
    assert (best.id, dict(best.payload)) == (A.id, dict(A.payload))


def test_another_dimension_recreates_an_empty_store(store: Store, open_store: Opener) -> None:
    store.close()
    smaller = open_store(4)
    assert smaller.recreated is True
    assert smaller.dimension == 4
    assert smaller.count() == 0
    smaller.upsert([point(7, axis(1, 4), trade="elektro")])
    assert hit_ids(smaller, axis(1, 4), where=VectorFilter(equals={"trade": "elektro"})) == [pid(7)]
    smaller.close()
    again = open_store(4)
    assert again.recreated is False
    assert again.ids() == {pid(7)}


def test_a_folder_in_use_is_refused_and_left_intact(store: Store, open_store: Opener) -> None:
    # Edge checks a config before its lock: a careless open would delete the live shard.
    with pytest.raises(VectorStoreInUseError, match="another process"):
        open_store(4)
    with pytest.raises(VectorStoreInUseError):
        open_store(DIM)  # not taken for unreadable and set aside either
    assert store.count() == 3
    assert store.search(axis(0), limit=1)[0].id == A.id


def test_bad_ids_and_vectors_raise_value_error(store: Store) -> None:
    with pytest.raises(ValueError, match="not-a-uuid"):
        store.upsert([VectorPoint(id="not-a-uuid", vector=axis(0))])
    with pytest.raises(ValueError, match="not-a-uuid"):
        store.delete(["not-a-uuid"])
    with pytest.raises(ValueError, match="dimensions"):
        store.upsert([VectorPoint(id=pid(9), vector=[1.0, 0.0])])
    with pytest.raises(ValueError, match="dimensions"):
        store.search([1.0, 0.0], limit=3)
    assert store.count() == 3


def test_a_closed_store_says_so(store: Store) -> None:
    store.close()
    with pytest.raises(RuntimeError, match="closed"):
        store.count()


def test_threads_share_one_store(store: Store) -> None:
    def work(offset: int) -> None:
        for n in range(offset, offset + 10):
            store.upsert([point(n, axis(n % DIM), year=n)])
            store.search(axis(n % DIM), limit=3)

    threads = [threading.Thread(target=work, args=(100 * k,)) for k in range(1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.count() == 3 + 40


def test_uuid_ids_come_back_in_canonical_form(store: Store) -> None:
    loud = "ABCDEF01-2345-4678-9ABC-DEF012345678"
    store.upsert([VectorPoint(id=loud, vector=axis(6))])
    assert store.search(axis(6), limit=1)[0].id == loud.lower()
    store.delete([loud])
    assert store.count() == 3


def test_an_unknown_engine_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="edge, local"):
        open_vector_store(tmp_path, DIM, engine="chroma")


def engine_of(store: Store) -> str:
    return "edge" if isinstance(store, EdgeVectorStore) else "local"


def test_a_folder_of_0_1_0_without_a_format_marker_is_set_aside_as_format_1(
    store: Store, open_store: Opener, tmp_path: Path
) -> None:
    # 0.1.0 wrote no marker; its points have no words, so this version starts afresh and
    # the start-up check restores the vectors (with their words) from the app database.
    engine = engine_of(store)
    store.close()
    marker = tmp_path / "vectors" / f"{engine}.format"
    assert marker.read_text().strip() == str(FOLDER_FORMAT)
    marker.unlink()
    assert open_store(DIM).count() == 0
    assert len(list((tmp_path / "vectors").glob(f"{engine}.unreadable-*"))) == 1
    assert marker.read_text().strip() == str(FOLDER_FORMAT)


def test_a_folder_of_another_format_is_set_aside_and_started_empty(
    store: Store, open_store: Opener, tmp_path: Path
) -> None:
    engine = engine_of(store)
    store.close()
    (tmp_path / "vectors" / f"{engine}.format").write_text(f"{FOLDER_FORMAT + 1}\n")
    fresh = open_store(DIM)
    assert fresh.count() == 0
    aside = list((tmp_path / "vectors").glob(f"{engine}.unreadable-*"))
    assert len(aside) == 1 and any(aside[0].iterdir())  # renamed, not deleted


def test_a_damaged_folder_is_set_aside_and_started_empty(
    store: Store, open_store: Opener, tmp_path: Path
) -> None:
    engine = engine_of(store)
    store.close()
    folder = tmp_path / "vectors" / engine
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix in (".json", ".sqlite", ""):
            path.write_bytes(b"\x00garbage")
    fresh = open_store(DIM)
    assert fresh.count() == 0
    fresh.upsert([A])
    assert fresh.ids() == {A.id}
    assert len(list((tmp_path / "vectors").glob(f"{engine}.unreadable-*"))) == 1


def test_the_chunks_collection_is_apart_from_the_projects(store: Store, tmp_path: Path) -> None:
    chunks = open_vector_store(
        tmp_path / "vectors", DIM, engine=engine_of(store), collection=CHUNKS
    )
    try:
        assert chunks.count() == 0
        chunks.upsert([point(7, axis(0), document_id="d1")])
        assert [h.id for h in chunks.search(axis(0), limit=5)] == [pid(7)]
        assert chunks.ids() == {pid(7)} and chunks.fingerprints() == {pid(7): None}
        assert pid(7) not in store.ids()
    finally:
        chunks.close()
    with pytest.raises(ValueError, match="unknown collection"):
        open_vector_store(tmp_path / "vectors", DIM, collection="invoices")
