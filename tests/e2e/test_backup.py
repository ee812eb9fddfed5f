"""Backups end to end: taken while the office works, restored into a new folder, started.

The backup waits at a hold point after its snapshot of the databases (holds.py), so the
test knows exactly what the archive must hold: what was there at that moment. Meanwhile
it creates, edits, uploads and deletes; afterwards the restored appliance must answer
as the original did at the snapshot, and a second backup must hold the rest.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from appliance.backups.archive import verify
from appliance.holds import BACKUP_SNAPSHOT_TAKEN
from tests.fixtures import documents as make
from tests.support import RunningAppliance, document_settled, wait_for

pytestmark = pytest.mark.e2e

PROJECTS = "/api/v1/projects/"
DOCUMENTS = "/api/v1/documents/"
BEFORE = [
    {
        "name": "Badsanierung Familie Krüger",
        "trade": "Sanitär",
        "city": "Köln",
        "description": "Bodengleiche Dusche, neue Fliesen, Hänge-WC und Waschtisch.",
        "estimated_cost": 18450.5,
    },
    {
        "name": "Gastherme tauschen",
        "trade": "Heizung",
        "city": "Bonn",
        "description": "Alte Gastherme gegen Brennwerttherme tauschen, Abgasleitung über Dach.",
    },
    {
        "name": "Dachrinne erneuern",
        "trade": "Dach",
        "city": "Bonn",
        "description": "Zinkdachrinne und Fallrohre an der Straßenseite erneuern.",
    },
    {
        "name": "Küche fliesen",
        "trade": "Fliesen",
        "city": "Siegburg",
        "description": "Fliesenspiegel in der Küche, 6 m², Fugen in Anthrazit.",
    },
]
EMBEDDING_TASKS = (
    "tasks.generate_project_embedding",
    "tasks.regenerate_project_embedding",
    "tasks.batch_generate_embeddings",
)
DURING = [
    {"name": "Carport bauen", "trade": "Zimmerei", "description": "Carport aus Lärche."},
    {"name": "Wallbox montieren", "trade": "Elektro", "description": "11-kW-Wallbox."},
]


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "appliance", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def upload(appliance: RunningAppliance, path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        answer = appliance.client.post(f"{DOCUMENTS}upload", files={"file": (path.name, handle)})
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def create(appliance: RunningAppliance, fields: dict[str, Any]) -> dict[str, Any]:
    answer = appliance.client.post(PROJECTS, json=fields)
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def settled(appliance: RunningAppliance) -> None:
    """Every project indexed and every document read: the queue has nothing left."""

    def idle() -> bool:
        projects = appliance.client.get(PROJECTS, params={"limit": 100}).json()["data"]
        documents = appliance.client.get(DOCUMENTS, params={"limit": 100}).json()["data"]
        return all(p["status"] == "indexed" for p in projects) and all(
            document_settled(d) for d in documents
        )

    wait_for(idle, timeout=180, interval=0.2, what="projects indexed and documents read")


def projects_of(appliance: RunningAppliance) -> dict[str, dict[str, Any]]:
    data = appliance.client.get(PROJECTS, params={"limit": 100}).json()["data"]
    return {p["id"]: p for p in data}


def documents_of(appliance: RunningAppliance) -> dict[str, dict[str, Any]]:
    data = appliance.client.get(DOCUMENTS, params={"limit": 100}).json()["data"]
    return {d["id"]: d for d in data}


def download(appliance: RunningAppliance, document_id: str) -> bytes:
    answer = appliance.client.get(f"{DOCUMENTS}{document_id}/download")
    assert answer.status_code == 200, answer.text
    return answer.content


def ranking(answer: list[dict[str, Any]], among: set[str]) -> list[tuple[str, float]]:
    return [(hit["id"], round(hit["score"], 4)) for hit in answer if hit["id"] in among]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("backup-e2e")


@pytest.fixture(scope="module")
def source(folder: Path) -> Iterator[RunningAppliance]:
    """The office's appliance, with its backups on "another disk"."""
    running = RunningAppliance(
        folder / "office", env={"APPLIANCE_BACKUP_DIR": str(folder / "usb")}
    ).start()
    for fields in BEFORE:
        create(running, fields)
    files = folder / "files"
    files.mkdir()
    upload(running, make.utf8_txt(files / "Notiz Krüger.txt", "Aufmaß Bad Krüger: 14 m² Fliesen"))
    upload(running, make.text_pdf(files / "Rechnung 2024-117.pdf", [make.INVOICE]))
    upload(running, make.docx_file(files / "Angebot Dach.docx", [make.QUOTE]))
    settled(running)
    yield running
    running.close()


@pytest.fixture(scope="module")
def taken(source: RunningAppliance, folder: Path) -> dict[str, Any]:
    """`appliance backup` while the office works; what was there at its snapshot."""
    with source.hold(BACKUP_SNAPSHOT_TAKEN) as hold:
        backup = subprocess.Popen(
            [sys.executable, "-m", "appliance", "backup", "--to", str(folder / "cli")],
            env=source.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        reached = hold.with_name(f"{hold.name}.reached")
        wait_for(reached.exists, timeout=120, what="the backup's snapshot")
        at_snapshot = {"projects": projects_of(source), "documents": documents_of(source)}
        # The office goes on working while the backup packs the files.
        added = [create(source, fields)["id"] for fields in DURING]
        edited = next(p for p in at_snapshot["projects"].values() if p["name"] == "Küche fliesen")
        answer = source.client.patch(
            f"{PROJECTS}{edited['id']}", json={"description": "Nachtrag: zweites Bad"}
        )
        assert answer.status_code == 200, answer.text
        files = folder / "files"
        added.append(
            upload(source, make.utf8_txt(files / "Lieferschein.txt", "Lieferschein 4711"))["id"]
        )
        deleted = next(d for d in at_snapshot["documents"].values() if d["file_type"] == "txt")
        assert source.client.delete(f"{DOCUMENTS}{deleted['id']}").status_code == 200
    out, err = backup.communicate(timeout=300)
    assert backup.returncode == 0, err
    archive = Path(out.strip().splitlines()[-1])
    assert archive.parent == folder / "cli" and archive.is_file()
    settled(source)
    return {
        **at_snapshot,
        "archive": archive,
        "added": added,
        "edited": edited["id"],
        "deleted": deleted["id"],
    }


@pytest.fixture(scope="module")
def restored(taken: dict[str, Any], folder: Path) -> Iterator[RunningAppliance]:
    target = folder / "new-pc"
    done = run_cli(
        "restore", str(taken["archive"]), "--data-dir", str(target), env=dict(os.environ)
    )
    assert done.returncode == 0, done.stderr
    assert "appliance --data-dir" in done.stdout
    running = RunningAppliance(target).start()
    settled(running)
    yield running
    running.close()


def test_the_restore_holds_every_project_as_it_was_at_the_snapshot(
    taken: dict[str, Any], restored: RunningAppliance
) -> None:
    before = taken["projects"]
    after = projects_of(restored)
    assert set(after) == set(before)
    for project_id, project in before.items():
        kept = ("name", "description", "trade", "city", "estimated_cost", "created_at")
        assert {k: after[project_id][k] for k in kept} == {k: project[k] for k in kept}
        assert after[project_id]["status"] == "indexed"


def test_the_restored_vectors_are_used_not_made_again(
    taken: dict[str, Any], restored: RunningAppliance, folder: Path
) -> None:
    with zipfile.ZipFile(taken["archive"]) as archive:
        (folder / "archived.db").write_bytes(archive.read("app.db"))
    with closing(sqlite3.connect(folder / "archived.db")) as conn:
        archived = dict(conn.execute("SELECT name, count(*) FROM task_ledger GROUP BY name"))
    assert archived["tasks.generate_project_embedding"] == len(BEFORE)
    for name in EMBEDDING_TASKS:
        answer = restored.client.get("/api/v1/tasks/tasks", params={"name": name, "limit": 1})
        assert answer.json()["total_count"] == archived.get(name, 0), name


def test_the_restore_holds_every_document_byte_for_byte(
    taken: dict[str, Any], source: RunningAppliance, restored: RunningAppliance
) -> None:
    # The archive holds the documents of its snapshot: the one deleted while it was packed
    # went to the Papierkorb, which keeps its file, so it is there, whole, as at the snapshot.
    expected = taken["documents"]
    assert taken["deleted"] in expected
    after = documents_of(restored)
    assert set(after) == set(expected)
    for document_id, document in expected.items():
        content = download(restored, document_id)
        assert hashlib.sha256(content).hexdigest() == document["sha256"]
        if document_id != taken["deleted"]:  # in the source's Papierkorb now
            assert content == download(source, document_id)
        assert after[document_id]["status"] == document["status"]


def test_search_and_similar_jobs_answer_as_in_the_original(
    taken: dict[str, Any], source: RunningAppliance, restored: RunningAppliance
) -> None:
    among = set(taken["projects"])
    query = {"query": "Bad sanieren mit bodengleicher Dusche", "limit": 10}
    original = source.client.post(f"{PROJECTS}search", json=query, timeout=120).json()["data"]
    again = restored.client.post(f"{PROJECTS}search", json=query, timeout=120).json()["data"]
    among_unchanged = among - {taken["edited"]}  # its text changed after the snapshot
    assert ranking(again, among_unchanged) == ranking(original, among_unchanged)
    assert again[0]["name"] == "Badsanierung Familie Krüger"

    project_id = next(p for p, v in taken["projects"].items() if v["trade"] == "Dach")
    similar = restored.client.get(f"{PROJECTS}{project_id}/similar").json()["data"]
    assert {hit["id"] for hit in similar} <= among - {project_id}
    assert len(similar) == len(among) - 1

    hits = restored.client.get(f"{DOCUMENTS}search", params={"q": "Dachdeckerarbeiten"}).json()
    every_word = [hit["original_name"] for hit in hits["data"] if hit["match"]["all_words"]]
    assert every_word == ["Angebot Dach.docx"]
    assert hits["data"][0]["original_name"] == "Angebot Dach.docx"


def test_a_backup_now_from_the_ui_holds_what_came_during_the_first(
    taken: dict[str, Any], source: RunningAppliance, folder: Path
) -> None:
    answer = source.client.post("/api/v1/backups/")
    assert answer.status_code == 202, answer.text
    source.wait_state(answer.json()["task_id"], ["SUCCESS"], timeout=120)
    status = source.client.get("/api/v1/backups/").json()
    assert status["warning"] is None and status["same_disk"] is False
    # The one the appliance made at its start, the first ever.
    wait_for(
        lambda: any(
            b["reason"] == "scheduled" and b["state"] == "done"
            for b in source.client.get("/api/v1/backups/").json()["history"]
        ),
        timeout=120,
        what="the backup made at start",
    )
    assert status["last"]["state"] == "done" and status["last"]["reason"] == "manual"
    archive = Path(status["last"]["path"])
    assert archive.parent == folder / "usb"
    manifest = verify(archive)
    assert manifest["counts"]["projects"] == len(BEFORE) + len(DURING)
    assert manifest["counts"]["documents"] == len(taken["documents"])  # one added, one deleted
    downloaded = source.client.get("/api/v1/backups/latest/download")
    assert downloaded.status_code == 200
    assert downloaded.content == archive.read_bytes()
    with zipfile.ZipFile(archive) as opened:
        assert not any(taken["deleted"] in name for name in opened.namelist())


def test_a_folder_in_use_and_a_damaged_archive_are_refused(
    taken: dict[str, Any], restored: RunningAppliance, folder: Path
) -> None:
    env = dict(os.environ)
    occupied = run_cli(
        "restore", str(taken["archive"]), "--data-dir", str(restored.data_dir), env=env
    )
    assert occupied.returncode == 2
    assert "already holds data" in occupied.stderr
    assert restored.client.get("/api/v1/tasks/health").status_code == 200

    damaged = folder / "damaged.zip"
    content = bytearray(taken["archive"].read_bytes())
    middle = len(content) // 2
    content[middle : middle + 64] = bytes(64)
    damaged.write_bytes(bytes(content))
    refused = run_cli("restore", str(damaged), "--data-dir", str(folder / "never"), env=env)
    assert refused.returncode == 1
    assert "Nothing was restored" in refused.stderr
    assert not (folder / "never").exists()
