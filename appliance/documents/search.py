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

from sqlalchemy import Connection

from appliance.documents.fts_postgres import PostgresTextIndex
from appliance.documents.fts_sqlite import Fts5Index
from appliance.documents.fulltext import SearchHit, TextIndex


def index_for(conn: Connection) -> TextIndex:
    """The text index of the connection's database."""
    if conn.dialect.name == "postgresql":
        return PostgresTextIndex()
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
