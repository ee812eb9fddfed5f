"""What both full-text engines share: words and their spellings, hits and snippets.

`fts_sqlite.py` (SQLite FTS5) and `fts_postgres.py` (PostgreSQL's text search) build
their queries from `spellings_per_word` and their hits with `hit`; `search.py` picks the
engine of the connection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection

HIT_START, HIT_END = "\x02", "\x03"  # never occur in extracted text (it is cleaned)
SNIPPET_TOKENS = 16
MAX_QUERY_WORDS = 12

_WORD = re.compile(r"\w+", re.UNICODE)
_UMLAUT_SPELLINGS = (("ae", "ä"), ("oe", "ö"), ("ue", "ü"))


@dataclass(frozen=True)
class SearchHit:
    document_id: str
    score: float
    snippet: str
    snippet_parts: list[dict[str, Any]]


def clean_text(value: str) -> str:
    """Text as stored: without control characters (and so without the hit markers)."""
    return "".join(ch for ch in value if ch in "\n\t" or ch >= " ")


def spellings(word: str) -> set[str]:
    """The word in every German spelling of its umlauts and ß (casefolded input)."""
    forms = {word}
    for ascii_form, umlaut in _UMLAUT_SPELLINGS:
        forms |= {f.replace(ascii_form, umlaut) for f in forms}
    forms |= {f.replace("ss", "ß") for f in forms}
    forms |= {f.replace("ß", "ss") for f in forms}
    return forms


def spellings_per_word(user_query: str) -> list[list[str]]:
    """Per word of what a person typed, its spellings (sorted); empty if it has no words."""
    words = _WORD.findall(user_query.casefold())[:MAX_QUERY_WORDS]
    return [sorted(spellings(word)) for word in words]


def snippet_parts(snippet: str) -> list[dict[str, Any]]:
    parts = []
    for index, piece in enumerate(re.split(f"[{HIT_START}{HIT_END}]", snippet)):
        if piece:
            parts.append({"text": piece, "hit": index % 2 == 1})
    return parts


def hit(document_id: str, score: float, marked_snippet: str) -> SearchHit:
    """A search hit from a snippet whose hits are wrapped in HIT_START/HIT_END."""
    plain = marked_snippet.replace(HIT_START, "").replace(HIT_END, "")
    return SearchHit(document_id, score, plain, snippet_parts(marked_snippet))


class TextIndex(Protocol):
    """A full-text index of completed documents, inside the app database."""

    def create(self, conn: Connection) -> None: ...

    def put(self, conn: Connection, document_id: str, name: str, body: str) -> None: ...

    def remove(self, conn: Connection, document_id: str) -> None: ...

    def search(
        self,
        conn: Connection,
        user_query: str,
        *,
        project_id: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[SearchHit], int]: ...
