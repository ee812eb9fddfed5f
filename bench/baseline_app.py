"""The synchronous baseline: the same work done inside the request, as the seed's "before".

A small FastAPI app on the appliance's own databases, model, vector store and parsers,
minus the queue: creating or changing a project embeds it before answering, deleting
removes its vector before answering, and an upload is read (text layer or OCR) before
answering. It runs as its own uvicorn process, like the appliance's server.

`python -m bench.baseline_app --data-dir DIR --port PORT [--threads N]`
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from appliance.bootstrap import start_runtime
from appliance.config import Settings
from appliance.documents.fulltext import clean_text
from appliance.documents.models import Document, DocumentStage, DocumentStatus
from appliance.documents.processing import extract_limits
from appliance.documents.search import DocumentIndex
from appliance.documents.service import DocumentService, safe_display_name
from appliance.documents.upload import ReceivedFile, sync_to_disk
from appliance.extract import detect_file, extract
from appliance.projects.indexing import delete_vectors, index_projects
from appliance.projects.models import Project, ProjectCreate, ProjectUpdate
from appliance.runtime import Runtime
from tests.support import free_port, wait_for


def create_baseline_app(runtime: Runtime) -> FastAPI:
    """The synchronous app: every endpoint finishes its work before it answers."""
    app = FastAPI(title="synchronous baseline")
    documents = DocumentService(runtime)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/projects/", status_code=201)
    def create_project(body: ProjectCreate) -> dict[str, Any]:
        now = datetime.now(UTC)
        with runtime.db.session(write=True) as session:
            project = Project.model_validate(body, update={"created_at": now, "updated_at": now})
            session.add(project)
        report = index_projects(runtime, [project.id])
        return {"id": project.id, "status": "indexed", "duration_ms": report.duration_ms}

    @app.get("/projects/{project_id}")
    def get_project(project_id: str) -> dict[str, Any]:
        with runtime.db.session() as session:
            project = session.get(Project, project_id)
        if project is None:
            raise HTTPException(404, "no such project")
        return project.model_dump(mode="json")

    @app.patch("/projects/{project_id}")
    def update_project(project_id: str, body: ProjectUpdate) -> dict[str, Any]:
        with runtime.db.session(write=True) as session:
            project = session.get(Project, project_id)
            if project is None:
                raise HTTPException(404, "no such project")
            project.sqlmodel_update(body.model_dump(exclude_unset=True))
            project.updated_at = datetime.now(UTC)
            session.add(project)
        index_projects(runtime, [project_id])
        return {"id": project_id, "status": "indexed"}

    @app.delete("/projects/{project_id}")
    def delete_project(project_id: str) -> dict[str, str]:
        with runtime.db.session(write=True) as session:
            project = session.get(Project, project_id)
            if project is None:
                raise HTTPException(404, "no such project")
            session.delete(project)
        delete_vectors(runtime, [project_id])
        return {"status": "deleted", "id": project_id}

    @app.post("/documents/upload", status_code=201)
    async def upload(request: Request) -> dict[str, Any]:
        received, _fields = await documents.receive(
            request.headers.get("content-type"),
            request.headers.get("content-length"),
            request.stream(),
        )
        return await run_in_threadpool(_read_and_store, runtime, received)

    return app


def _read_and_store(runtime: Runtime, received: ReceivedFile) -> dict[str, Any]:
    """Detect, extract in this process (no sandbox), store the text and index it."""
    settings = runtime.settings
    try:
        sync_to_disk(received.temp_path)  # as the appliance does before storing
        file_type = detect_file(received.temp_path)
        stored_name = f"{uuid.uuid4().hex}.{file_type.value}"
        final_path = settings.uploads_dir / stored_name
        os.replace(received.temp_path, final_path)
        pages = list(extract(final_path, file_type, limits=extract_limits(settings)))
        body = clean_text("\n\n".join(page.text.strip() for page in pages)).strip()
        now = datetime.now(UTC)
        with runtime.db.session(write=True) as session:
            document = Document(
                original_name=safe_display_name(received.original_name),
                stored_name=stored_name,
                file_type=file_type.value,
                size_bytes=received.size,
                sha256=received.sha256,
                status=DocumentStatus.COMPLETED,
                stage=DocumentStage.DONE,
                searchable_text=body,
                page_count=len(pages),
                created_at=now,
                updated_at=now,
                processed_at=now,
            )
            session.add(document)
            session.flush()
            DocumentIndex.put(session.connection(), document.id, document.original_name, body)
        return {"id": document.id, "status": "completed", "pages": len(pages)}
    finally:
        received.temp_path.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    settings = Settings(
        data_dir=args.data_dir, port=args.port, embedding_threads=args.threads, open_browser=False
    )
    runtime = start_runtime(settings, own_vectors=True)
    runtime.embedder.embed(["Aufwärmen"])  # load the model before the first request
    try:
        uvicorn.run(
            create_baseline_app(runtime),
            host="127.0.0.1",
            port=args.port,
            log_level="warning",
            access_log=False,
        )
    finally:
        runtime.close()
    return 0


class BaselineServer:
    """The baseline app as a child process on a free port."""

    def __init__(self, folder: Path, threads: int) -> None:
        self.folder = folder
        self.threads = threads
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, timeout: float = 120) -> float:
        """Start it and wait until it answers; returns the seconds that took."""
        import httpx

        self.folder.mkdir(parents=True, exist_ok=True)
        log = (self.folder / "baseline.out").open("ab")
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.baseline_app",
                "--data-dir",
                str(self.folder / "data"),
                "--port",
                str(self.port),
                "--threads",
                str(self.threads),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "HF_HUB_OFFLINE": "1"},
        )

        def ready() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"the baseline server exited; see {self.folder}/baseline.out")
            try:
                return httpx.get(f"http://127.0.0.1:{self.port}/health").status_code == 200
            except httpx.TransportError:
                return False

        wait_for(ready, timeout=timeout, interval=0.1, what="the baseline server")
        return time.perf_counter() - started

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def baseline_server(folder: Path, threads: int) -> Iterator[BaselineServer]:
    server = BaselineServer(folder, threads)
    try:
        server.start()
        yield server
    finally:
        server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
