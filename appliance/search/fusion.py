"""One ranking from two: the dense (meaning) hits and the sparse (words) hits.

The fused score is `WORDS_WEIGHT * bm25 / best_bm25 + (1 - WORDS_WEIGHT) * max(cosine, 0)`,
in [0, 1]. A weighted sum of scores, not reciprocal-rank fusion: on the evaluation set
(bench/eval, 72 jobs and 65 queries) RRF (k = 60, equal weights) reached top-3 0.86 and MRR
0.82, below words alone (1.00, 0.95), because it throws away how far apart the scores
are and the English-trained model's ranks are weak in German. The weighted sum kept words'
top-3 and raised MRR to 0.97; any weight from 0.5 to 0.9 did within 0.02 (bench section
`search_quality` prints the figures). The dense half still decides where no word matches,
and orders the jobs that match the same words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from appliance.vectors.base import VectorHit

WORDS_WEIGHT = 0.5


class SearchMode(StrEnum):
    """What a search ranks by: both (the default), or one side alone (to compare).

    `fulltext` is for documents only: the full-text index alone, every word must occur
    (the search before words and meaning were fused); for projects it means `words`.
    """

    HYBRID = "hybrid"
    MEANING = "meaning"
    WORDS = "words"
    FULLTEXT = "fulltext"

    @property
    def words_weight(self) -> float:
        """How much the words side counts in the fused score."""
        if self is SearchMode.MEANING:
            return 0.0
        return WORDS_WEIGHT if self.fused else 1.0

    @property
    def fused(self) -> bool:
        return self is SearchMode.HYBRID


@dataclass(frozen=True)
class FusedHit:
    """A point found by meaning, by words, or both."""

    id: str
    score: float
    """The fused score in [0, 1], by which hits are ordered."""
    similarity: float
    """Cosine similarity of the dense vectors."""
    words: float
    """BM25 score relative to the best hit's (0: no word in common)."""


def fuse(
    by_meaning: Sequence[VectorHit],
    by_words: Sequence[VectorHit],
    *,
    words_weight: float = WORDS_WEIGHT,
) -> list[FusedHit]:
    """Every hit of either list, best fused score first (ties: by id, for a stable order).

    A hit found by words only must also be in `by_meaning` with its cosine; the caller
    looks those up, so a word hit is never ranked without its meaning.
    """
    cosine = {hit.id: hit.score for hit in by_meaning}
    best = max((hit.score for hit in by_words), default=0.0)
    relative = {hit.id: hit.score / best for hit in by_words} if best > 0 else {}
    fused = []
    for point_id in cosine.keys() | relative.keys():
        similarity = cosine.get(point_id, 0.0)
        words = relative.get(point_id, 0.0)
        score = words_weight * words + (1 - words_weight) * max(similarity, 0.0)
        fused.append(FusedHit(point_id, score, similarity, words))
    fused.sort(key=lambda hit: (-hit.score, hit.id))
    return fused
