"""Full-text search on PostgreSQL against FTS5 on SQLite: the same documents, the same
queries, the same hits (the promises in appliance/documents/search.py), plus what only
PostgreSQL adds (stemming) or limits (1 MB of distinct words per text).
"""

from __future__ import annotations

import logging
import random
import string
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert

from appliance.db import Database
from appliance.documents.models import Document, DocumentStatus
from appliance.documents.search import DocumentIndex
from appliance.schema import open_database

TEXTS = {
    "invoice": (
        "Rechnung 2024-117.pdf",
        "Rechnung für Familie Müller: Überprüfung der Heizungsanlage.",
    ),
    "quote": ("angebot.docx", "Angebot: Dachrinne aus Kupfer, Hauptstraße gesperrt. Straße frei."),
    "note": ("notiz.txt", "Größe der Fläche 12 m², Preis 99 €, MÜLLER anrufen"),
    "plan": ("Plan Bad.pdf", "Bodengleiche Dusche, Wand-WC und Fliesen im Bad"),
}
QUERIES = [
    "Heizungsanlage",
    "heizung",
    "mueller",
    "MÜLLER",
    "Strasse",
    "straße",
    "ueberpruefung",
    "groesse flae",
    "Rechnung Dachrinne",
    "Rechnung Müller",
    "bad",
    "wand wc",
    "2024",
    "der",
    "kupfer dachrinne",
    "xyzzy",
]


def build(url: str) -> Database:
    db = open_database(url)
    now = datetime.now(UTC)
    with db.write() as conn:
        for key, (name, body) in TEXTS.items():
            conn.execute(
                insert(Document.__table__).values(  # type: ignore[attr-defined]
                    id=key,
                    original_name=name,
                    stored_name=f"{key}.txt",
                    file_type="txt",
                    size_bytes=len(body),
                    sha256=key,
                    status=DocumentStatus.COMPLETED,
                    created_at=now,
                    updated_at=now,
                )
            )
            DocumentIndex.put(conn, key, name, body)
    return db


@pytest.fixture
def engines(pg_url: str, tmp_path: Path) -> Iterator[dict[str, Database]]:
    built = {"sqlite": build(f"sqlite:///{tmp_path / 'app.db'}"), "postgresql": build(pg_url)}
    yield built
    for db in built.values():
        db.dispose()


def hits(db: Database, query: str) -> list[str]:
    with db.read() as conn:
        found, total = DocumentIndex.search(conn, query, project_id=None, limit=20, offset=0)
    assert total == len(found)
    return sorted(hit.document_id for hit in found)


def test_both_engines_find_the_same_documents(engines: dict[str, Database]) -> None:
    for query in QUERIES:
        on_sqlite, on_postgres = (hits(db, query) for db in engines.values())
        assert on_postgres == on_sqlite, query
    assert hits(engines["postgresql"], "mueller") == ["invoice", "note"]


def test_a_name_hit_ranks_above_a_body_hit(engines: dict[str, Database]) -> None:
    for db in engines.values():
        with db.read() as conn:
            found, _ = DocumentIndex.search(conn, "Rechnung", project_id=None, limit=5, offset=0)
        assert [hit.document_id for hit in found] == ["invoice"]
        with db.read() as conn:
            found, _ = DocumentIndex.search(conn, "bad", project_id=None, limit=5, offset=0)
        assert found[0].document_id == "plan"


def test_snippets_mark_the_hits_alike(engines: dict[str, Database]) -> None:
    for db in engines.values():
        with db.read() as conn:
            found, _ = DocumentIndex.search(
                conn, "ueberpruefung", project_id=None, limit=5, offset=0
            )
        parts = found[0].snippet_parts
        assert {"text": "Überprüfung", "hit": True} in parts
        assert "".join(part["text"] for part in parts) == found[0].snippet
        assert "\x02" not in found[0].snippet


def test_postgresql_also_finds_other_forms_of_a_word(engines: dict[str, Database]) -> None:
    # German stemming: "Rechnungen" meets "Rechnung"; FTS5 only matches prefixes.
    assert hits(engines["postgresql"], "Rechnungen") == ["invoice"]
    assert hits(engines["sqlite"], "Rechnungen") == []


def test_a_text_beyond_the_tsvector_limit_is_indexed_from_its_start(
    pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    db = open_database(pg_url)
    random.seed(3)
    words = ["".join(random.choices(string.ascii_lowercase, k=9)) for _ in range(130_000)]
    body = "Anfangswort " + " ".join(words) + " Schlusswort"
    try:
        with caplog.at_level(logging.WARNING), db.write() as conn:
            conn.execute(
                insert(Document.__table__).values(  # type: ignore[attr-defined]
                    id="huge",
                    original_name="huge.txt",
                    stored_name="huge.txt",
                    file_type="txt",
                    size_bytes=len(body),
                    sha256="huge",
                    status=DocumentStatus.COMPLETED,
                    created_at=datetime.now(UTC),
                    updated_at=datetime.now(UTC),
                )
            )
            DocumentIndex.put(conn, "huge", "huge.txt", body)
        assert hits(db, "Anfangswort") == ["huge"]
        assert hits(db, "Schlusswort") == []
        assert "only the first" in caplog.text
    finally:
        db.dispose()
