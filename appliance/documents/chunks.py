"""Cutting a document's text into chunks that the model can embed one at a time.

The model reads at most 256 word pieces; German office text runs at about 1.6 pieces per
word, so a chunk holds up to `CHUNK_WORDS` words. Chunks overlap by `OVERLAP_WORDS`, so a
sentence cut at one chunk's end is whole in the next. A chunk is kept as character offsets
into the stored text: the text itself stays in one place (the document row).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CHUNK_WORDS = 120
OVERLAP_WORDS = 20
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Chunk:
    """Characters `start` to `end` of the document's text, the `number`th chunk."""

    number: int
    start: int
    end: int

    def of(self, text: str) -> str:
        return text[self.start : self.end]


def chunk_text(text: str) -> list[Chunk]:
    """The chunks of `text`, in order; none for a text without words."""
    spans = [match.span() for match in _WORD.finditer(text)]
    chunks: list[Chunk] = []
    step = CHUNK_WORDS - OVERLAP_WORDS
    first = 0
    while first < len(spans):
        last = min(first + CHUNK_WORDS, len(spans)) - 1
        chunks.append(Chunk(len(chunks), spans[first][0], spans[last][1]))
        if last == len(spans) - 1:
            break
        first += step
    return chunks
