"""Full-text search over extracted document text, German-friendly, on either database.

One promise, two engines (`fts_sqlite.py`: SQLite FTS5; `fts_postgres.py`: PostgreSQL's
text search), chosen by the connection's dialect:

- Case and accents are folded, so "Müller", "MULLER" and "müller" are one word, and so
  are "Größe" and "Grosse".
- German spells umlauts as "ae/oe/ue" where a keyboard lacks them, and "ß" as "ss": each
  query word is also searched in its other spellings ("Mueller" finds "Müller",
  "Strasse" finds "Straße").
- Every word is a prefix ("Rechnung" finds "Rechnungen"), all words must occur, and
  results are ranked with the file name weighted above the body.
- Snippets come back as parts (text, hit or not): the UI can mark hits without
  interpreting any HTML that a document might contain.
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


def query_words(user_query: str) -> list[list[str]]:
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


def index_for(conn: Connection) -> TextIndex:
    """The text index of the connection's database."""
    if conn.dialect.name == "postgresql":
        from appliance.documents.fts_postgres import PostgresTextIndex

        return PostgresTextIndex()
    from appliance.documents.fts_sqlite import Fts5Index

    return Fts5Index()


class DocumentIndex:
    """Rows added when a document completes, removed when it goes; searched by the API."""

    @staticmethod
    def create(conn: Connection) -> None:
        index_for(conn).create(conn)

    @staticmethod
    def put(conn: Connection, document_id: str, name: str, body: str) -> None:
        index_for(conn).put(conn, document_id, name, body)

    @staticmethod
    def remove(conn: Connection, document_id: str) -> None:
        index_for(conn).remove(conn, document_id)

    @staticmethod
    def search(
        conn: Connection,
        user_query: str,
        *,
        project_id: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[SearchHit], int]:
        """Best matches first, with snippets, and the number of all matches."""
        return index_for(conn).search(
            conn, user_query, project_id=project_id, limit=limit, offset=offset
        )
