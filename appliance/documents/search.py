"""Full-text search over extracted document text: SQLite FTS5, German-friendly.

- The tokenizer `unicode61 remove_diacritics 2` folds case and accents, so "Müller",
  "MULLER" and "müller" are one word, and so are "Größe" and "Grosse" up to the ß.
- German spells umlauts as "ae/oe/ue" where a keyboard lacks them, and "ß" as "ss": each
  query word is also searched in its other spellings ("Mueller" finds "Müller",
  "Strasse" finds "Straße").
- Every word is a prefix ("Rechnung" finds "Rechnungen"), all words must occur, and
  results are ranked by bm25 with the file name weighted above the body.
- Snippets come back as parts (text, hit or not): the UI can mark hits without
  interpreting any HTML that a document might contain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

FTS_TABLE = "documents_fts"
HIT_START, HIT_END = "\x02", "\x03"  # never occur in extracted text (it is cleaned)
SNIPPET_TOKENS = 16
MAX_QUERY_WORDS = 12

CREATE_FTS = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "document_id UNINDEXED, name, body, tokenize = 'unicode61 remove_diacritics 2')"
)
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


def _spellings(word: str) -> set[str]:
    forms = {word}
    for ascii_form, umlaut in _UMLAUT_SPELLINGS:
        forms |= {f.replace(ascii_form, umlaut) for f in forms}
    forms |= {f.replace("ss", "ß") for f in forms}
    forms |= {f.replace("ß", "ss") for f in forms}
    return forms


def fts_query(user_query: str) -> str | None:
    """The FTS5 MATCH expression for what a person typed; None if it has no words."""
    words = _WORD.findall(user_query.casefold())[:MAX_QUERY_WORDS]
    if not words:
        return None
    groups = []
    for word in words:
        alternatives = " OR ".join(f'"{form}"*' for form in sorted(_spellings(word)))
        groups.append(f"({alternatives})")
    return " AND ".join(groups)


def snippet_parts(snippet: str) -> list[dict[str, Any]]:
    parts = []
    for index, piece in enumerate(re.split(f"[{HIT_START}{HIT_END}]", snippet)):
        if piece:
            parts.append({"text": piece, "hit": index % 2 == 1})
    return parts


class DocumentIndex:
    """The FTS5 table: rows added when a document completes, removed when it goes."""

    @staticmethod
    def create(conn: Connection) -> None:
        conn.exec_driver_sql(CREATE_FTS)

    @staticmethod
    def put(conn: Connection, document_id: str, name: str, body: str) -> None:
        DocumentIndex.remove(conn, document_id)
        conn.execute(
            text(f"INSERT INTO {FTS_TABLE} (document_id, name, body) VALUES (:id, :n, :b)"),
            {"id": document_id, "n": name, "b": body},
        )

    @staticmethod
    def remove(conn: Connection, document_id: str) -> None:
        conn.execute(text(f"DELETE FROM {FTS_TABLE} WHERE document_id = :id"), {"id": document_id})

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
        match = fts_query(user_query)
        if match is None:
            return [], 0
        project_filter = ""
        params: dict[str, Any] = {"match": match, "limit": limit, "offset": offset}
        if project_id is not None:
            project_filter = (
                "AND f.document_id IN (SELECT id FROM documents WHERE project_id = :project)"
            )
            params["project"] = project_id
        where = f"WHERE {FTS_TABLE} MATCH :match {project_filter}"
        total = conn.execute(text(f"SELECT count(*) FROM {FTS_TABLE} f {where}"), params).scalar()
        rows = conn.execute(
            text(
                f"SELECT f.document_id, bm25({FTS_TABLE}, 0.0, 3.0, 1.0) AS rank, "
                f"snippet({FTS_TABLE}, 2, '{HIT_START}', '{HIT_END}', ' … ', {SNIPPET_TOKENS}) "
                f"FROM {FTS_TABLE} f {where} ORDER BY rank LIMIT :limit OFFSET :offset"
            ),
            params,
        ).all()
        hits = []
        for document_id, rank, snippet in rows:
            plain = snippet.replace(HIT_START, "").replace(HIT_END, "")
            hits.append(SearchHit(document_id, -float(rank), plain, snippet_parts(snippet)))
        return hits, int(total or 0)
