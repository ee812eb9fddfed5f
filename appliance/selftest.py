"""`appliance selftest`: start everything on a temporary data folder and use it for real.

It proves an installation works on this PC: the launcher, the workers, the model, the
vector store, every document parser and OCR, search and the monitoring API. It prints a
short report and exits 0 when every check passed, 1 otherwise.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from appliance import __version__, samples
from appliance.private_files import installation_token
from appliance.processes import program_command

START_TIMEOUT = 300.0
WORK_TIMEOUT = 300.0

PROJECTS = [
    ("Badsanierung", "Sanitär", "Bad saniert, bodengleiche Dusche und neue Fliesen"),
    ("Dachsanierung", "Dach", "Dach neu eingedeckt mit Tonziegeln und gedämmt"),
    ("Wallbox", "Elektro", "Wallbox für das Elektroauto in der Garage installiert"),
]


def _sample_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """One file of each supported type, with a word that must be found in its text."""
    return {
        "pdf": (
            samples.text_pdf(folder / "rechnung.pdf", ["Rechnung Heizungswartung"]),
            "heizungswartung",
        ),
        "scan": (samples.scanned_pdf(folder / "scan.pdf", "Lieferschein Fliesen"), "lieferschein"),
        "docx": (samples.docx_file(folder / "angebot.docx", ["Angebot Dachrinne"]), "dachrinne"),
        "png": (samples.text_image(folder / "notiz.png", "Wasserhahn tropft"), "wasserhahn"),
        "jpeg": (
            samples.text_image(folder / "foto.jpg", "Zaehlerschrank", format="JPEG"),
            "zaehlerschrank",
        ),
        "tiff": (samples.tiff_pages(folder / "scan.tiff", ["Estrich Keller"]), "estrich"),
        "heic": (samples.heic_image(folder / "foto.heic", "Kupferrohr"), "kupferrohr"),
        "txt": (samples.cp1252_txt(folder / "notiz.txt", "Größe der Fläche 12 m²"), "fläche"),
    }


class SelfTest:
    """Runs the checks against a launcher it starts itself."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="handwerkml-selftest-"))
        self.port = _free_port()
        data_dir = self.folder / "data"
        data_dir.mkdir(mode=0o700)
        # The selftest makes the installation's access token before the launcher reads it.
        token = installation_token(data_dir)
        self.client = httpx.Client(
            base_url=f"http://127.0.0.1:{self.port}",
            timeout=120,
            headers={"Authorization": f"Bearer {token}"},
        )
        self.results: list[tuple[bool, str]] = []
        self.process: subprocess.Popen[bytes] | None = None

    def check(self, name: str, action: Callable[[], str]) -> None:
        started = time.monotonic()
        try:
            detail = action()
            ok = True
        except Exception as exc:
            detail, ok = f"{type(exc).__name__}: {exc}", False
        seconds = time.monotonic() - started
        self.results.append((ok, f"{'OK  ' if ok else 'FAIL'} {name} ({seconds:.1f} s) {detail}"))
        print(self.results[-1][1], flush=True)

    def run(self) -> int:
        print(f"HandwerkML Appliance {__version__} selftest in {self.folder}", flush=True)
        try:
            self.check("start", self.start)
            if self.results[-1][0]:
                self.check("projects and semantic search", self.projects)
                self.check("documents of every type", self.documents)
                self.check("monitoring API", self.monitoring)
        finally:
            self.check("stop", self.stop)
            self.client.close()
            shutil.rmtree(self.folder, ignore_errors=True)
        failed = sum(not ok for ok, _ in self.results)
        print(f"{len(self.results) - failed} of {len(self.results)} checks passed", flush=True)
        return 1 if failed else 0

    def start(self) -> str:
        env = {
            **os.environ,
            "APPLIANCE_DATA_DIR": str(self.folder / "data"),
            "APPLIANCE_PORT": str(self.port),
            "APPLIANCE_HOST": "127.0.0.1",
            "APPLIANCE_OPEN_BROWSER": "false",
        }
        # The checks write projects and documents: into the temporary folder, never into
        # the site's database server.
        env.pop("APPLIANCE_DATABASE_URL", None)
        log = (self.folder / "launcher.log").open("wb")
        self.process = subprocess.Popen(
            [*program_command(), "run"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        started = time.monotonic()
        self._wait(self._healthy, START_TIMEOUT, "a healthy appliance")
        return f"healthy after {time.monotonic() - started:.1f} s"

    def _healthy(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError("the launcher exited: " + self._log_tail())
        with contextlib.suppress(httpx.TransportError):
            return self.client.get("/api/v1/tasks/health").status_code == 200
        return False

    def projects(self) -> str:
        ids = {}
        for name, trade, description in PROJECTS:
            body = self._json(
                "POST",
                "/api/v1/projects/",
                201,
                json={"name": name, "trade": trade, "description": description},
            )
            ids[name] = body["id"]
        for project_id in ids.values():
            self._wait_for_field(f"/api/v1/projects/{project_id}", "status", {"indexed"})
        hits = self._json("POST", "/api/v1/projects/search", json={"query": "Dusche im Bad"})
        if hits["data"][0]["id"] != ids["Badsanierung"]:
            raise AssertionError("the bathroom project is not the best match for 'Dusche im Bad'")
        return f"{len(ids)} projects indexed, search ranks the right one first"

    def documents(self) -> str:
        files = _sample_files(self.folder)
        uploaded = {}
        for kind, (path, _word) in files.items():
            with path.open("rb") as handle:
                uploaded[kind] = self._json(
                    "POST", "/api/v1/documents/upload", 201, files={"file": (path.name, handle)}
                )["id"]
        for kind, document_id in uploaded.items():
            url = f"/api/v1/documents/{document_id}"
            self._wait_for_field(url, "status", {"completed", "failed"}, f"the {kind} file")
            body = self._json("GET", f"/api/v1/documents/{document_id}")
            if body["status"] != "completed":
                raise AssertionError(f"{kind}: {body['error']}")
        for kind, (_path, word) in files.items():
            found = self._json("GET", "/api/v1/documents/search", params={"q": word})
            if uploaded[kind] not in [hit["id"] for hit in found["data"]]:
                raise AssertionError(f"{kind}: search for {word!r} does not find it")
        return f"{len(uploaded)} types read and found by search"

    def monitoring(self) -> str:
        for path in ("summary", "queue/stats", "workers/stats", "tasks/active", "tasks"):
            self._json("GET", f"/api/v1/tasks/{path}")
        metrics = self.client.get("/metrics")
        if metrics.status_code != 200 or "appliance_tasks_total" not in metrics.text:
            raise AssertionError("/metrics has no task counters")
        # The API documentation comes from the bundle, not from a CDN.
        docs = self.client.get("/docs-assets/swagger-ui-bundle.js")
        if docs.status_code != 200 or len(docs.content) < 100_000:
            raise AssertionError("/docs has no bundled Swagger UI")
        if (
            self.client.get("/api/v1/tasks/summary", headers={"authorization": ""}).status_code
            != 401
        ):
            raise AssertionError("the API answers without the access token")
        summary = self._json("GET", "/api/v1/tasks/summary")
        return f"{summary['workers']['active']} workers, {summary['tasks']['succeeded']} tasks done"

    def stop(self) -> str:
        if self.process is None or self.process.poll() is not None:
            return "not running"
        started = time.monotonic()
        if sys.platform == "win32":
            self.process.terminate()
        else:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        return f"exit code {code} after {time.monotonic() - started:.1f} s"

    def _json(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = self.client.request(method, path, **kwargs)
        if response.status_code != status:
            raise AssertionError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json()

    def _wait_for_field(
        self, path: str, field: str, values: set[str], what: str | None = None
    ) -> None:
        def reached() -> bool:
            return bool(self._json("GET", path)[field] in values)

        self._wait(reached, WORK_TIMEOUT, what or path)

    def _wait(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {timeout:.0f} s for {what}")
            time.sleep(0.2)

    def _log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return (self.folder / "launcher.log").read_text("utf-8", "replace")[-2000:]
        return ""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_selftest() -> int:
    """Entry point of `appliance selftest`."""
    return SelfTest().run()
