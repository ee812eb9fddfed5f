"""An installation with projects and uploaded files (nothing processed: no worker runs)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import select

from appliance.bootstrap import start_runtime
from appliance.config import Settings
from appliance.documents.models import Document
from appliance.runtime import Runtime
from tests.support import api_client


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


FILES = {
    "Angebot Bad.txt": "Angebot: Fliesen im Bad, 24 m² zu 58,00 €\n".encode(),
    "Notiz Dach.txt": "Dachrinne erneuern, Fallrohr prüfen\n".encode(),
    "Skizze.png": png(),
}


@pytest.fixture
def installation(tmp_path: Path) -> Iterator[tuple[Runtime, TestClient]]:
    settings = Settings(data_dir=tmp_path / "data", backup_dir=tmp_path / "backups")
    runtime = start_runtime(settings)
    client = api_client(runtime)
    for name in ("Badsanierung Müller", "Dachrinne Schäfer"):
        answer = client.post("/api/v1/projects/", json={"name": name, "description": name})
        assert answer.status_code == 201, answer.text
    for name, content in FILES.items():
        answer = client.post("/api/v1/documents/upload", files={"file": (name, content)})
        assert answer.status_code == 201, answer.text
    yield runtime, client
    runtime.close()


def stored_documents(runtime: Runtime) -> dict[str, Document]:
    """The documents by original name, with where their files are stored."""
    with runtime.db.session() as session:
        return {d.original_name: d for d in session.exec(select(Document))}
