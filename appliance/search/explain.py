"""Why a hit was found, in terms a person can judge: which words matched, and how well.

The fused score orders the hits; it is relative (the best word match scores 1 on the words
side), so it cannot say whether anything fits at all. The level can: it rests on how many of
the query's words the hit contains (directly, by a word of the same meaning, or by all the
parts of a compound), and for hits that share no word, on the cosine similarity.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from appliance.search.analyzer import Analyzer

# Share of the query's words a hit must contain.
HIGH_COVERAGE = 0.75
MEDIUM_COVERAGE = 0.4
# Cosine similarity that counts without a word in common. Measured on bench/eval's 72 jobs
# with the bundled model: a query's right job had a median cosine of 0.48, its best wrong
# one 0.43; a job's nearest other job 0.57 (10th percentile 0.46); an empty "Test" project
# reached at most 0.12, and unrelated queries ("Urlaubsplanung Mallorca") 0.33.
HIGH_SIMILARITY = 0.65
MEDIUM_SIMILARITY = 0.5
# For "similar jobs" (a whole job as the query) only the cosine is used.
SIMILAR_HIGH = 0.6
SIMILAR_MEDIUM = 0.45


class Level(StrEnum):
    """How well a hit fits, as the UI says it: hoch / mittel / gering."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True)
class Explanation:
    """The words of the hit's text that matched the query, and how well the hit fits."""

    level: Level
    matched: tuple[str, ...]
    """Words as written in the hit's text (for highlighting), each once."""
    coverage: float
    """Share of the query's words found in the hit."""

    @property
    def meaning_only(self) -> bool:
        """Found by meaning alone: no word in common with the query."""
        return not self.matched


def explain_search(analyzer: Analyzer, query: str, text: str, similarity: float) -> Explanation:
    """How `text` (a hit) answers `query`."""
    written = analyzer.surface_words(text)
    hit_terms = analyzer.term_set([word.casefold() for word in written])
    query_words = list(dict.fromkeys(analyzer.words(query)))
    found = sum(1 for word in query_words if analyzer.word_found(word, hit_terms))
    coverage = found / len(query_words) if query_words else 0.0
    if coverage >= HIGH_COVERAGE or similarity >= HIGH_SIMILARITY:
        level = Level.HIGH
    elif coverage >= MEDIUM_COVERAGE or similarity >= MEDIUM_SIMILARITY:
        level = Level.MEDIUM
    else:
        level = Level.LOW
    return Explanation(level, _matched(analyzer, query_words, written), coverage)


def explain_similar(analyzer: Analyzer, source: str, text: str, similarity: float) -> Explanation:
    """How `text` (a hit) resembles the job whose text is `source`."""
    if similarity >= SIMILAR_HIGH:
        level = Level.HIGH
    elif similarity >= SIMILAR_MEDIUM:
        level = Level.MEDIUM
    else:
        level = Level.LOW
    source_words = list(dict.fromkeys(analyzer.words(source)))
    return Explanation(level, _matched(analyzer, source_words, analyzer.surface_words(text)), 0.0)


def _matched(analyzer: Analyzer, query_words: list[str], written: list[str]) -> tuple[str, ...]:
    """The words of a text (`written`, as written) that mean a query word or share a part
    with it."""
    wanted = [analyzer.word_terms(word) for word in query_words]
    wanted_own = frozenset().union(*(w.own for w in wanted))
    wanted_every = frozenset().union(*(w.every for w in wanted))
    seen: dict[str, str] = {}
    for word in written:
        key = word.casefold()
        if key in seen:
            continue
        terms = analyzer.word_terms(key)
        if terms.own & wanted_every or terms.every & wanted_own:
            seen[key] = word
    return tuple(seen.values())
