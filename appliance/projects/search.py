"""Finding projects: by meaning (dense vectors) and by words (BM25), fused into one list.

Both searches run in the vector store with the same filters; a job found by words only is
looked up once more among the dense vectors, so every hit is ranked with both scores (see
`appliance/search/fusion.py`). Each returned hit says why it was found (`explain.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlmodel import col, select

from appliance.projects.models import Project
from appliance.projects.texts import embedding_text
from appliance.runtime import Runtime
from appliance.search import query_vector
from appliance.search.explain import Explanation, explain_search, explain_similar
from appliance.search.fusion import FusedHit, SearchMode, fuse
from appliance.vectors.base import SparseVector, VectorFilter, VectorHit, VectorStore

# How many hits each search hands to the fusion, at least: deep enough that a job ranked
# low by meaning but first by words (or the other way round) is still among them.
CANDIDATES = 50


@dataclass(frozen=True)
class ScoredProject:
    """A project found, its fused score, cosine similarity and why it was found."""

    project: Project
    score: float
    similarity: float
    why: Explanation


@dataclass(frozen=True)
class SearchRequest:
    """What to look for: a dense vector (None: none to be had, words alone), the words'
    sparse vector, and the filter."""

    vector: list[float] | None
    words: SparseVector
    where: VectorFilter
    limit: int
    min_score: float | None
    mode: SearchMode = SearchMode.HYBRID


def find_projects(
    runtime: Runtime,
    store: VectorStore,
    request: SearchRequest,
    explain: Callable[[Project, FusedHit], Explanation],
) -> list[ScoredProject]:
    """The best `limit` projects for the request, best first, each explained."""
    depth = max(CANDIDATES, request.limit)
    mode = request.mode if request.vector is not None else SearchMode.WORDS
    by_meaning: list[VectorHit] = []
    by_words: list[VectorHit] = []
    if request.vector is not None and mode in (SearchMode.HYBRID, SearchMode.MEANING):
        by_meaning = store.search(request.vector, limit=depth, where=request.where, payload=False)
    if mode is not SearchMode.MEANING:
        by_words = store.search_words(
            request.words, limit=depth, where=request.where, payload=False
        )
    if request.vector is not None:
        by_meaning += _meaning_of_word_hits(store, request.vector, request, by_meaning, by_words)
    fused = fuse(by_meaning, by_words, words_weight=mode.words_weight)
    if request.min_score is not None:
        fused = [hit for hit in fused if hit.score >= request.min_score]
    fused = fused[: request.limit]
    with runtime.db.session() as session:
        ids = [hit.id for hit in fused]
        found = {p.id: p for p in session.exec(select(Project).where(col(Project.id).in_(ids)))}
    # A vector whose project is gone (deleted a moment ago) is not a result.
    return [
        ScoredProject(found[hit.id], hit.score, hit.similarity, explain(found[hit.id], hit))
        for hit in fused
        if hit.id in found
    ]


def search_request_for_text(
    runtime: Runtime,
    vector: list[float] | None,
    text: str,
    where: VectorFilter,
    *,
    limit: int,
    min_score: float | None,
    mode: SearchMode = SearchMode.HYBRID,
) -> SearchRequest:
    """A request for `text`, whose dense vector is `vector`."""
    words = query_vector(runtime.analyzer.terms(text))
    return SearchRequest(vector, words, where, limit, min_score, mode)


def explain_query(runtime: Runtime, query: str) -> Callable[[Project, FusedHit], Explanation]:
    """Explains hits of a search for `query`."""

    def explain(project: Project, hit: FusedHit) -> Explanation:
        return explain_search(runtime.analyzer, query, embedding_text(project), hit.similarity)

    return explain


def explain_likeness(
    runtime: Runtime, source: Project
) -> Callable[[Project, FusedHit], Explanation]:
    """Explains hits of a search for jobs like `source`."""
    source_text = embedding_text(source)

    def explain(project: Project, hit: FusedHit) -> Explanation:
        text = embedding_text(project)
        return explain_similar(runtime.analyzer, source_text, text, hit.similarity)

    return explain


def _meaning_of_word_hits(
    store: VectorStore,
    vector: list[float],
    request: SearchRequest,
    by_meaning: Sequence[VectorHit],
    by_words: Sequence[VectorHit],
) -> list[VectorHit]:
    """The cosine of the word hits the dense search did not return."""
    have = {hit.id for hit in by_meaning}
    missing = [hit.id for hit in by_words if hit.id not in have]
    if not missing:
        return []
    only = VectorFilter(request.where.equals, request.where.exclude_ids, only_ids=missing)
    return store.search(vector, limit=len(missing), where=only, payload=False)
