"""A real worker stores why a file could not be read in English; the API answers it in the
request's language (German without a header), for the document and for its task."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.fixtures import documents as make
from tests.support import RunningAppliance, document_settled, wait_for

pytestmark = pytest.mark.e2e

GERMAN = "Die PDF-Datei ist beschädigt oder unvollständig und kann nicht gelesen werden."
ENGLISH = "The PDF file is damaged or incomplete and cannot be read."


def test_a_damaged_pdf_is_explained_in_german_and_on_request_in_english(
    appliance: RunningAppliance, tmp_path: Path
) -> None:
    client = appliance.client
    path = make.truncated_pdf(tmp_path / "Rechnung kaputt")
    # Bytes of its own: the same damaged PDF uploaded by another test would be a duplicate.
    path.write_bytes(path.read_bytes() + f"\n% {uuid.uuid4()}\n".encode())
    with path.open("rb") as handle:
        uploaded = client.post(
            "/api/v1/documents/upload", files={"file": (path.name, handle)}
        ).json()
    url = f"/api/v1/documents/{uploaded['id']}"

    def failed() -> dict[str, object] | None:
        body: dict[str, object] = client.get(url).json()
        return body if document_settled(body) else None

    german = wait_for(failed, timeout=120, interval=0.1, what="the damaged PDF to fail")
    assert (german["status"], german["error_code"]) == ("failed", "corrupt")
    assert german["error"] == GERMAN
    english = client.get(url, headers={"accept-language": "en-US,en;q=0.9"}).json()
    assert (english["error_code"], english["error"]) == ("corrupt", ENGLISH)

    task = appliance.wait_state(uploaded["task_id"], ("FAILURE",))
    assert task.error == ENGLISH  # stored as the worker wrote it
    task_url = f"/api/v1/tasks/task/{uploaded['task_id']}"
    assert client.get(task_url).json()["error"] == GERMAN
    assert client.get(task_url, headers={"accept-language": "en"}).json()["error"] == ENGLISH
