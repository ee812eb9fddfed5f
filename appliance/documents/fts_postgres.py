"""The full-text index on PostgreSQL: a tsvector column with a GIN index.

Each text is indexed twice, so a query word matches either way:
- `appliance_german`: unaccent, then the German Snowball stemmer ("Rechnungen" and
  "Rechnung" meet at "rechnung"; stop words such as "und" are dropped);
- `appliance_simple`: unaccent and lower case only, every word kept - the same words
  SQLite's FTS5 tokenizer sees, so prefixes and stop words behave as they do there.
unaccent folds "ü" to "u" and "ß" to "ss", so "Müller" is stored as "muller"; the query
adds the "ue" and "ss" spellings of each word (fulltext.py), as on SQLite.

The file name is weighted A and the body D; ts_rank's weights make a name hit count
three times a body hit, as bm25's column weights do on SQLite. ts_headline marks hits with
the same control characters as FTS5's snippet(), so the API answers alike on both.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from appliance.documents.fulltext import (
    HIT_END,
    HIT_START,
    SNIPPET_TOKENS,
    SearchHit,
    hit,
    spellings_per_word,
)

log = logging.getLogger("appliance.documents")

TABLE = "documents_fts"
GERMAN, SIMPLE = "appliance_german", "appliance_simple"
# ts_rank's weights, in the order D, C, B, A: a name (A) hit weighs 3 body (D) hits.
RANK_WEIGHTS = "{0.33, 0.2, 0.4, 1.0}"
RANK_NORMALIZATION = 1  # divide by 1 + log(length): long texts do not win by size alone
HEADLINE_OPTIONS = (
    f"StartSel={HIT_START}, StopSel={HIT_END}, MaxWords={SNIPPET_TOKENS}, MinWords=6, "
    'ShortWord=0, MaxFragments=2, FragmentDelimiter=" … "'
)
# PostgreSQL caps a tsvector's distinct words at 1 MB; a text beyond that is indexed
# from its start, halved until it fits.
_TOO_LONG = "54000"
_MAX_HALVINGS = 8

_CONFIGS = {GERMAN: ("german", "german_stem"), SIMPLE: ("simple", "simple")}
_VECTOR = " || ".join(
    f"setweight(to_tsvector('{config}', :{column}), '{weight}')"
    for column, weight in (("name", "A"), ("body", "D"))
    for config in (GERMAN, SIMPLE)
)


def _create_configurations(conn: Connection) -> None:
    for name, (template, dictionary) in _CONFIGS.items():
        exists = conn.execute(
            text("SELECT 1 FROM pg_ts_config WHERE cfgname = :name"), {"name": name}
        ).first()
        if exists is not None:
            continue
        conn.exec_driver_sql(f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = {template})")
        conn.exec_driver_sql(
            f"ALTER TEXT SEARCH CONFIGURATION {name} "
            f"ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {dictionary}"
        )


def tsquery_sql(words: list[list[str]]) -> tuple[str, dict[str, Any]]:
    """SQL for the tsquery: every word (in any spelling, as a prefix, stemmed or not)."""
    groups = []
    params: dict[str, Any] = {}
    for index, forms in enumerate(words):
        key = f"w{index}"
        # Only \w characters reach here, so quoting each form as a lexeme is safe.
        params[key] = " | ".join(f"'{form}':*" for form in forms)
        groups.append(f"(to_tsquery('{GERMAN}', :{key}) || to_tsquery('{SIMPLE}', :{key}))")
    return " && ".join(groups), params


class PostgresTextIndex:
    """The table `documents_fts` (document id, name, body, tsvector)."""

    def create(self, conn: Connection) -> None:
        _create_configurations(conn)
        # Checked first: CREATE ... IF NOT EXISTS still demands the right to create in the
        # schema, which a user given only the tables (not their owner) lacks.
        if conn.execute(text(f"SELECT to_regclass('{TABLE}_tsv')")).scalar() is not None:
            return
        conn.exec_driver_sql(
            f"CREATE TABLE IF NOT EXISTS {TABLE} ("
            "document_id VARCHAR(36) PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE, "
            "name TEXT NOT NULL, body TEXT NOT NULL, tsv TSVECTOR NOT NULL)"
        )
        conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {TABLE}_tsv ON {TABLE} USING GIN (tsv)")

    def put(self, conn: Connection, document_id: str, name: str, body: str) -> None:
        statement = text(
            f"INSERT INTO {TABLE} (document_id, name, body, tsv) "
            f"VALUES (:id, :name, :body, {_VECTOR}) "
            "ON CONFLICT (document_id) DO UPDATE "
            "SET name = EXCLUDED.name, body = EXCLUDED.body, tsv = EXCLUDED.tsv"
        )
        indexed = body
        for _ in range(_MAX_HALVINGS):
            try:
                with conn.begin_nested():
                    conn.execute(statement, {"id": document_id, "name": name, "body": indexed})
            except DBAPIError as exc:
                if getattr(exc.orig, "sqlstate", None) != _TOO_LONG:
                    raise
                indexed = indexed[: len(indexed) // 2]
                continue
            if len(indexed) < len(body):
                log.warning(
                    "document %s: only the first %d of %d characters are searchable "
                    "(PostgreSQL's limit for one text index entry)",
                    document_id,
                    len(indexed),
                    len(body),
                )
            return
        raise RuntimeError(f"document {document_id}: text could not be indexed")

    def remove(self, conn: Connection, document_id: str) -> None:
        conn.execute(text(f"DELETE FROM {TABLE} WHERE document_id = :id"), {"id": document_id})

    def search(
        self,
        conn: Connection,
        user_query: str,
        *,
        project_id: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[SearchHit], int]:
        words = spellings_per_word(user_query)
        if not words:
            return [], 0
        query, params = tsquery_sql(words)
        params.update(limit=limit, offset=offset, weights=RANK_WEIGHTS, opts=HEADLINE_OPTIONS)
        project_filter = ""
        if project_id is not None:
            project_filter = (
                "AND f.document_id IN (SELECT id FROM documents WHERE project_id = :project)"
            )
            params["project"] = project_id
        matches = f"FROM {TABLE} f, (SELECT {query} AS query) q WHERE f.tsv @@ q.query"
        # The planner prices a sequential scan by the table's small main part, not by
        # the toasted tsvectors it would have to read: with a few thousand documents it
        # picked one, at 50-130 ms a query where the GIN index answers in a few. The
        # setting ends with this (read) transaction.
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        total = conn.execute(text(f"SELECT count(*) {matches} {project_filter}"), params).scalar()
        # The headline re-reads the whole text: only for the page of hits, after ranking.
        rows = conn.execute(
            text(
                "SELECT document_id, rank, ts_headline("
                f"'{SIMPLE}', body, query, CAST(:opts AS text)) FROM ("
                "SELECT f.document_id, f.body, q.query, "
                f"ts_rank(CAST(:weights AS float4[]), f.tsv, q.query, {RANK_NORMALIZATION}) "
                f"AS rank {matches} {project_filter} "
                "ORDER BY rank DESC, f.document_id LIMIT :limit OFFSET :offset"
                ") page ORDER BY rank DESC, document_id"
            ),
            params,
        ).all()
        hits = [hit(document_id, float(rank), snippet) for document_id, rank, snippet in rows]
        return hits, int(total or 0)
