"""Search terms as sparse vectors that any Qdrant engine scores as BM25.

A stored text's vector holds, for each of its terms, BM25's saturated term frequency
`tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / AVERAGE_LENGTH))`; a query's vector holds
1.0 for each of its terms. The store's sparse vectors use Qdrant's IDF modifier, so the
engine multiplies each matching term by its inverse document frequency over the stored
points, and the dot product is the BM25 score. Edge, qdrant-client's local mode and a
Qdrant server compute that IDF the same way.

A term's index is a CRC-32 of its text: the same on every machine and in every version,
with no dictionary to store (a collision among a business's few thousand distinct terms
merely merges two terms).
"""

from __future__ import annotations

import zlib
from collections import Counter

from appliance.vectors.base import SparseVector

K1 = 1.2
B = 0.75
# A typical job description's number of terms, stems, compound parts and group terms
# counted (the evaluation set's 72 jobs: median 41). Papers are cut into chunks of about
# the same size, so one constant serves both.
AVERAGE_LENGTH = 40.0


def term_index(term: str) -> int:
    """The sparse dimension of a term."""
    return zlib.crc32(term.encode("utf-8"))


def stored_vector(terms: Counter[str]) -> SparseVector:
    """BM25 document weights of a stored text's terms (before IDF)."""
    length = sum(terms.values())
    norm = K1 * (1 - B + B * length / AVERAGE_LENGTH)
    return _vector({term: tf * (K1 + 1) / (tf + norm) for term, tf in terms.items()})


def query_vector(terms: Counter[str]) -> SparseVector:
    """A query's terms, each counted once: BM25 gives a repeated query word no extra weight."""
    return _vector(dict.fromkeys(terms, 1.0))


def _vector(weights: dict[str, float]) -> SparseVector:
    by_index: dict[int, float] = {}
    for term, weight in weights.items():
        index = term_index(term)
        by_index[index] = by_index.get(index, 0.0) + weight
    ordered = sorted(by_index.items())
    return SparseVector(tuple(i for i, _ in ordered), tuple(w for _, w in ordered))
