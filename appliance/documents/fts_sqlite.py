"""The full-text index on SQLite: an FTS5 table.

The tokenizer `unicode61 remove_diacritics 2` folds case and accents ("Größe" and
"Grosse" differ only in the ß, which the query's spellings cover); ranking is bm25 with
the file name weighted 3:1 over the body.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from appliance.documents.fulltext import (
    HIT_END,
    HIT_START,
    SNIPPET_TOKENS,
    SearchHit,
    hit,
    spellings_per_word,
)

FTS_TABLE = "documents_fts"
CREATE_FTS = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "document_id UNINDEXED, name, body, tokenize = 'unicode61 remove_diacritics 2')"
)


def fts_query(user_query: str) -> str | None:
    """The FTS5 MATCH expression for what a person typed; None if it has no words."""
    groups = []
    for forms in spellings_per_word(user_query):
        alternatives = " OR ".join(f'"{form}"*' for form in forms)
        groups.append(f"({alternatives})")
    return " AND ".join(groups) if groups else None


class Fts5Index:
    """The FTS5 table `documents_fts`."""

    def create(self, conn: Connection) -> None:
        conn.exec_driver_sql(CREATE_FTS)

    def put(self, conn: Connection, document_id: str, name: str, body: str) -> None:
        self.remove(conn, document_id)
        conn.execute(
            text(f"INSERT INTO {FTS_TABLE} (document_id, name, body) VALUES (:id, :n, :b)"),
            {"id": document_id, "n": name, "b": body},
        )

    def remove(self, conn: Connection, document_id: str) -> None:
        conn.execute(text(f"DELETE FROM {FTS_TABLE} WHERE document_id = :id"), {"id": document_id})

    def search(
        self,
        conn: Connection,
        user_query: str,
        *,
        project_id: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[SearchHit], int]:
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
        hits = [hit(document_id, -float(rank), snippet) for document_id, rank, snippet in rows]
        return hits, int(total or 0)
