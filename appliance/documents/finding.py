"""Finding papers: by their words and by meaning, fused, each hit with a marked snippet.

Three searches feed one list:
- the full-text index (every word typed must occur; `search.py`): exact, with snippets;
- German BM25 over the text's chunks (stems, compound parts, words of the same meaning;
  `appliance/search`): finds "Dachrinne" for "Regenrinne", and papers that hold only
  some of the words;
- the chunks' sentence embeddings: finds papers that say the same in other words.
A paper scores by its best chunk. The words side is the better of its BM25 and full-text
scores, each relative to the best paper's; the fusion is the projects' (`fusion.py`). A
paper found by words only, whose chunks were not among the nearest by meaning, is ranked
with a similarity of 0 rather than looked up again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import col, select

from appliance.documents.chunks import Chunk
from appliance.documents.fulltext import SearchHit
from appliance.documents.models import Document, DocumentChunk, DocumentStatus
from appliance.documents.search import DocumentIndex
from appliance.runtime import Runtime, SearchSide
from appliance.search import query_vector
from appliance.search.explain import MEDIUM_SIMILARITY, Explanation, explain_search
from appliance.search.fusion import FusedHit, SearchMode, fuse
from appliance.search.snippets import marked_snippet
from appliance.vectors.base import VectorHit

# Papers the full-text index hands over, and chunk hits each vector search returns
# (several chunks of one paper may be among them).
CANDIDATES = 60
CHUNK_DEPTH = 200


@dataclass(frozen=True)
class FoundDocument:
    """A paper found: its fused score, a snippet (parts marked as hits) and why."""

    document: Document
    score: float
    snippet_parts: list[dict[str, Any]]
    why: Explanation
    all_words: bool
    """Every word typed occurs in it (the full-text index found it)."""

    @property
    def snippet(self) -> str:
        return "".join(part["text"] for part in self.snippet_parts)


@dataclass
class _Candidates:
    """Per paper: the best chunk by words and by meaning, and its full-text hit."""

    words: dict[str, float] = field(default_factory=dict)
    similarity: dict[str, float] = field(default_factory=dict)
    best_chunk: dict[str, int] = field(default_factory=dict)
    fulltext: dict[str, SearchHit] = field(default_factory=dict)


def find_documents(
    runtime: Runtime,
    side: SearchSide | None,
    query: str,
    vector: list[float] | None,
    *,
    project_id: str | None,
    mode: SearchMode,
) -> list[FoundDocument]:
    """The papers that answer `query`, best first (at most `CANDIDATES`); `side` holds the
    chunks of the serving model (None: by full text alone)."""
    found = _Candidates()
    if mode is not SearchMode.MEANING:
        with runtime.db.read() as conn:
            hits, _ = DocumentIndex.search(
                conn, query, project_id=project_id, limit=CANDIDATES, offset=0
            )
        found.fulltext = {hit.document_id: hit for hit in hits}
    store = None if mode is SearchMode.FULLTEXT or side is None else side.chunks
    if store is not None and mode is not SearchMode.WORDS and vector is not None:
        _best_per_paper(store.search(vector, limit=CHUNK_DEPTH), found.similarity, found)
    if store is not None and mode is not SearchMode.MEANING:
        terms = query_vector(runtime.analyzer.terms(query))
        _best_per_paper(store.search_words(terms, limit=CHUNK_DEPTH), found.words, found)
    fused = fuse(
        [VectorHit(paper, score, {}) for paper, score in found.similarity.items()],
        [VectorHit(paper, score, {}) for paper, score in _words_side(found).items()],
        words_weight=mode.words_weight,
    )
    if mode.fused:
        # Every paper is somewhat like every query by meaning: one that shares no word with
        # it is a result only when it is close in meaning.
        fused = [hit for hit in fused if hit.words > 0 or hit.similarity >= MEDIUM_SIMILARITY]
    return _explained(runtime, query, fused[:CANDIDATES], found, project_id)


def _best_per_paper(
    hits: Iterable[VectorHit], scores: dict[str, float], found: _Candidates
) -> None:
    for hit in hits:
        paper = str(hit.payload.get("document_id", ""))
        if paper and hit.score > scores.get(paper, float("-inf")):
            scores[paper] = hit.score
            # The chunk that scored best by words is the one a snippet is cut from.
            if scores is found.words or paper not in found.best_chunk:
                found.best_chunk[paper] = int(hit.payload.get("number", 0))


def _words_side(found: _Candidates) -> dict[str, float]:
    """Each paper's words score: the better of BM25 and full text, each relative to its
    best paper."""
    relative: dict[str, float] = {}
    for scores in (found.words, {paper: hit.score for paper, hit in found.fulltext.items()}):
        best = max(scores.values(), default=0.0)
        for paper, score in scores.items():
            if best > 0:
                relative[paper] = max(relative.get(paper, 0.0), score / best)
    return relative


def _explained(
    runtime: Runtime,
    query: str,
    fused: list[FusedHit],
    found: _Candidates,
    project_id: str | None,
) -> list[FoundDocument]:
    ids = [hit.id for hit in fused]
    with runtime.db.session() as session:
        papers = {
            d.id: d
            for d in session.exec(select(Document).where(col(Document.id).in_(ids)))
            if d.status == DocumentStatus.COMPLETED
            and (project_id is None or d.project_id == project_id)
        }
        chunks = _chunks(session, {p: found.best_chunk[p] for p in papers if p in found.best_chunk})
    results = []
    for hit in fused:
        paper = papers.get(hit.id)
        if paper is None:
            continue  # deleted a moment ago, or of another project
        text = paper.searchable_text or ""
        chunk = chunks.get(paper.id)
        passage = chunk.of(text) if chunk is not None else text[:2000]
        why = explain_search(runtime.analyzer, query, passage, hit.similarity)
        fulltext = found.fulltext.get(paper.id)
        parts = (
            fulltext.snippet_parts
            if fulltext is not None
            else marked_snippet(runtime.analyzer, query, passage)
        )
        all_words = fulltext is not None or why.coverage >= 1.0
        results.append(FoundDocument(paper, hit.score, parts, why, all_words))
    return results


def _chunks(session: Any, wanted: dict[str, int]) -> dict[str, Chunk]:
    if not wanted:
        return {}
    rows = session.exec(
        select(DocumentChunk).where(col(DocumentChunk.document_id).in_(list(wanted)))
    ).all()
    return {
        row.document_id: Chunk(row.number, row.start, row.end)
        for row in rows
        if wanted.get(row.document_id) == row.number
    }
