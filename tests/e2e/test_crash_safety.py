"""Crash safety as a person would meet it: kills, restarts, a busy office, hostile bodies."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from appliance.holds import HoldPoints
from tests.e2e.test_documents import URL, upload, wait_done
from tests.e2e.test_projects import wait_indexed
from tests.fixtures import documents as make
from tests.support import RunningAppliance, document_settled, wait_for

pytestmark = pytest.mark.e2e


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        result: str = conn.execute("PRAGMA integrity_check").fetchone()[0]
    return result


def uploads(appliance: RunningAppliance) -> set[str]:
    return {p.name for p in (appliance.data_dir / "uploads").iterdir()}


def stored_names(appliance: RunningAppliance) -> set[str]:
    with appliance.runtime.db.read() as conn:
        return {row[0] for row in conn.exec_driver_sql("SELECT stored_name FROM documents")}


def test_kill_9_of_a_worker_mid_extraction_reprocesses_the_document_once(
    appliance: RunningAppliance, tmp_path: Path
) -> None:
    scan = make.tiff_pages(tmp_path / "lang.tiff", [f"Seite {i} Estrich Keller" for i in range(4)])
    # Held after its first page: the worker is provably in the middle of the document.
    with appliance.hold(HoldPoints.document_of(4)):
        body = upload(appliance, scan)
        wait_for(
            lambda: appliance.client.get(f"{URL}{body['id']}").json()["page_current"] == 1,
            timeout=60,
            what="the first page read",
        )
        running = appliance.wait_state(body["task_id"], {"STARTED"})
        os.kill(appliance.worker_pids()[running.worker], signal.SIGKILL)
    done = wait_done(appliance, body["id"])
    assert done["status"] == "completed" and done["page_count"] == 4
    task = appliance.wait_state(body["task_id"], {"SUCCESS"})
    assert task.attempts == 2
    appliance.wait_healthy()


def test_kill_9_of_the_embedding_worker_during_a_reindex_keeps_one_vector_per_project(
    appliance: RunningAppliance,
) -> None:
    for i in range(12):
        created = appliance.client.post(
            "/api/v1/projects/", json={"name": f"Fenster {i}", "description": "Fenster getauscht"}
        ).json()
        wait_indexed(appliance, created["id"])
    before = appliance.client.get("/api/v1/projects/stats").json()
    assert before["vectors"] == before["stored_vectors"] == before["projects"]
    # Held once claimed: the first batch is provably running when its worker is killed.
    with appliance.hold(HoldPoints.task("tasks.batch_generate_embeddings")):
        batches = appliance.client.post("/api/v1/projects/reindex").json()["task_ids"]
        appliance.wait_state(batches[0], {"STARTED"})
        os.kill(appliance.worker_pids()["huey@worker-1"], signal.SIGKILL)
    for task_id in batches:
        appliance.wait_state(task_id, {"SUCCESS"}, timeout=180)
    assert appliance.task(batches[0]).attempts == 2  # the killed run, and the one that did it
    after = appliance.client.get("/api/v1/projects/stats").json()
    assert after["vectors"] == before["vectors"] and after["indexed"] == before["projects"]
    appliance.wait_healthy()


def _slow_upload(url: str, token: str, stop: threading.Event) -> None:
    """Send a multipart body slowly, as a big file over a slow network would arrive."""
    boundary = "slowboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        'filename="langsam.txt"\r\nContent-Type: text/plain\r\n\r\n'
    ).encode()

    def body() -> Iterator[bytes]:
        yield head
        while not stop.is_set():
            yield b"Noch eine Zeile Text\n" * 50
            time.sleep(0.05)

    with contextlib.suppress(httpx.HTTPError):  # the server is killed under it
        httpx.post(
            url,
            content=body(),
            headers={
                "content-type": f"multipart/form-data; boundary={boundary}",
                "authorization": f"Bearer {token}",
            },
            timeout=30,
        )


def test_kill_9_of_the_launcher_during_upload_and_processing_then_restart(
    fresh_appliance: RunningAppliance, tmp_path: Path
) -> None:
    fresh_appliance.start()
    scan = make.tiff_pages(tmp_path / "scan.tiff", [f"Blatt {i} Abrechnung" for i in range(4)])
    # Held after its first page, so the launcher dies while the scan is provably mid-way.
    with fresh_appliance.hold(HoldPoints.document_of(4)):
        processing = upload(fresh_appliance, scan)
        wait_for(
            lambda: (
                fresh_appliance.client.get(f"{URL}{processing['id']}").json()["page_current"] == 1
            ),
            timeout=60,
            what="the first page read",
        )
        stop = threading.Event()
        url = f"{fresh_appliance.url}{URL}upload"
        sender = threading.Thread(target=_slow_upload, args=(url, fresh_appliance.token, stop))
        sender.start()
        wait_for(
            lambda: any(n.endswith(".part") for n in uploads(fresh_appliance)),
            timeout=30,
            what="an upload in flight",
        )
        fresh_appliance.kill9()
        stop.set()
        sender.join(timeout=30)
    assert any(n.endswith(".part") for n in uploads(fresh_appliance))

    fresh_appliance.start()
    done = wait_done(fresh_appliance, processing["id"])
    assert done["status"] == "completed" and done["page_count"] == 4
    listed = fresh_appliance.client.get(URL).json()
    assert all(document_settled(d) for d in listed["data"])
    assert uploads(fresh_appliance) == stored_names(fresh_appliance)  # no orphaned files
    assert fresh_appliance.runtime.history.started() == []
    fresh_appliance.stop()
    data = fresh_appliance.data_dir
    assert integrity(data / "app.db") == "ok" and integrity(data / "queue.db") == "ok"


def test_twenty_concurrent_uploads_while_the_workers_write(
    appliance: RunningAppliance, tmp_path: Path
) -> None:
    paths = [
        make.cp1252_txt(tmp_path / f"notiz-{i}.txt", f"Gleichzeitige Notiz Nummer {i} Dachlatte")
        for i in range(14)
    ] + [make.text_pdf(tmp_path / f"r-{i}.pdf", [f"Rechnung parallel {i}"]) for i in range(6)]
    results: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def send(path: Path) -> None:
        try:
            results.append(upload(appliance, path))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(p,)) for p in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [] and len(results) == 20
    for body in results:
        assert wait_done(appliance, body["id"])["status"] == "completed"
    log = appliance.log_path.read_text("utf-8", errors="replace")
    assert "database is locked" not in log


def _raw_request(port: int, head: bytes, body_chunks: Iterator[bytes]) -> bytes:
    """Send a request over a plain socket; return what the server answered (maybe early)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head)
        try:
            for chunk in body_chunks:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed while we were still sending
        # No half-close: a client that stops mid-body gets no answer from h11 at all.
        answer = b""
        sock.settimeout(5)  # a kept-alive connection stays open after the answer
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except (ConnectionResetError, TimeoutError):
            pass
    return answer


def _multipart_head(appliance: RunningAppliance, length: int | None) -> bytes:
    lines = [
        "POST /api/v1/documents/upload HTTP/1.1",
        f"Host: 127.0.0.1:{appliance.port}",
        f"Authorization: Bearer {appliance.token}",
        "Content-Type: multipart/form-data; boundary=xx",
    ]
    lines.append(
        f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    )
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _chunked(parts: Iterator[bytes]) -> Iterator[bytes]:
    for part in parts:
        yield f"{len(part):x}\r\n".encode() + part + b"\r\n"
    yield b"0\r\n\r\n"


def test_hostile_multipart_bodies_are_refused_with_flat_memory(
    appliance: RunningAppliance,
) -> None:
    assert appliance.process is not None
    port = appliance.port
    launcher = psutil.Process(appliance.process.pid)
    rss_before = launcher.memory_info().rss

    fields = (
        b"".join(
            f'--xx\r\nContent-Disposition: form-data; name="f{i}"\r\n\r\nv\r\n'.encode()
            for i in range(10_000)
        )
        + b"--xx--\r\n"
    )
    answer = _raw_request(appliance.port, _multipart_head(appliance, len(fields)), iter([fields]))
    assert answer.startswith(b"HTTP/1.1 400") and b"upload_too_many_parts" in answer

    header = b'--xx\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nX-Big: '
    header += b"a" * (1024 * 1024) + b"\r\n\r\nhallo\r\n--xx--\r\n"
    answer = _raw_request(appliance.port, _multipart_head(appliance, len(header)), iter([header]))
    assert answer.startswith(b"HTTP/1.1 400") and b"header" in answer

    two_gb = 2 * 1024**3
    answer = _raw_request(port, _multipart_head(appliance, two_gb), iter([b"--xx"]))
    assert answer.startswith(b"HTTP/1.1 413")

    file_head = b'--xx\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n'
    block = b"\0" * (1024 * 1024)
    endless = _chunked(iter([file_head, *(block for _ in range(2048))]))
    answer = _raw_request(port, _multipart_head(appliance, None), endless)
    assert answer.startswith(b"HTTP/1.1 413")

    grown = launcher.memory_info().rss - rss_before
    assert grown < 100 * 1024 * 1024, f"launcher grew by {grown / 1e6:.0f} MB"
    assert not any(n.endswith(".part") for n in uploads(appliance))
    assert appliance.client.get("/api/v1/tasks/health").status_code == 200
