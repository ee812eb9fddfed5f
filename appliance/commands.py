"""Maintenance commands: `appliance reindex` (through the running appliance if there is
one, else directly), `appliance purge`, `appliance prepare-model` and `appliance stop`."""

from __future__ import annotations

import json
import ssl
import sys

import httpx
from filelock import Timeout

from appliance.bootstrap import start_runtime
from appliance.config import Settings
from appliance.errors import InvalidInputError
from appliance.instance import instance_lock, running_instance
from appliance.private_files import installation_token
from appliance.projects.service import ProjectService
from appliance.tasking.monitor import TaskMonitor


def reindex(settings: Settings, *, from_stored: bool) -> int:
    """Queue re-embedding of every project, or rebuild the vectors from stored ones."""
    settings.ensure_dirs()
    lock = instance_lock(settings)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return _through_running_appliance(settings, from_stored=from_stored)
    try:
        # No appliance runs: this process may own the vector store for a moment.
        runtime = start_runtime(settings, own_vectors=True)
        try:
            projects = ProjectService(runtime)
            answer = projects.rebuild_from_stored() if from_stored else projects.reindex(None)
        finally:
            runtime.close()
    finally:
        lock.release()
    print(json.dumps(answer))
    return 0


def _through_running_appliance(settings: Settings, *, from_stored: bool) -> int:
    info = running_instance(settings)
    if not info:
        print("The appliance seems to be starting or stopping; try again in a moment.")
        return 1
    response = _post(settings, info, "/api/v1/projects/reindex", {"from_stored": from_stored})
    print(response.text)
    return 0 if response.status_code == 200 else 1


def stop(settings: Settings, *, wait: float = 30.0) -> int:
    """Stop the appliance running on the data folder, as the UI's "Beenden" does, and wait
    until it has let go of the folder (an installer runs this before it replaces files).

    0 when it stopped or was not running, 1 when it still runs after `wait` seconds.
    """
    info = running_instance(settings)
    if info:
        try:
            _post(settings, info, "/api/v1/system/shutdown", None)
        except httpx.HTTPError as exc:
            print(f"Asking the appliance to stop failed: {exc}", file=sys.stderr)
    lock = instance_lock(settings)
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        print("HandwerkML Appliance is still running.", file=sys.stderr)
        return 1
    lock.release()
    print("HandwerkML Appliance is not running.")
    return 0


def _post(settings: Settings, info: dict[str, object], path: str, body: object) -> httpx.Response:
    return httpx.post(
        str(info["url"]).rstrip("/") + path,
        json=body,
        headers={"Authorization": f"Bearer {installation_token(settings.data_dir)}"},
        timeout=600,
        # In LAN mode the appliance answers HTTPS with its own certificate.
        verify=ssl.create_default_context(cafile=str(settings.tls_dir / "cert.pem"))
        if settings.tls
        else True,
    )


def purge(settings: Settings, *, queue: str | None, confirmed: bool) -> int:
    """Drop every waiting task (of `queue`), after asking unless `confirmed`.

    Works whether or not the appliance runs: the ledger and the queue are shared files
    (or servers), and the documents and projects concerned are told in the app database.
    """
    runtime = start_runtime(settings)
    try:
        monitor = TaskMonitor(runtime)
        waiting = monitor.waiting_count(queue)
        if waiting == 0:
            print("No task is waiting; nothing to drop.")
            return 0
        where = f"the {queue} queue" if queue else "every queue"
        if not confirmed and not _ask(f"Drop {waiting} waiting tasks from {where}? [y/N] "):
            print("Nothing was dropped.")
            return 1
        answer = monitor.purge(queue)
    except InvalidInputError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    finally:
        runtime.close()
    print(f"Dropped {answer['purged']} waiting tasks from {', '.join(answer['queues'])}.")
    return 0


def _ask(question: str) -> bool:
    if not sys.stdin or not sys.stdin.isatty():
        print("Not asked (no terminal): add --yes to drop them.", file=sys.stderr)
        return False
    return input(question).strip().lower() in ("y", "yes", "j", "ja")


def prepare_model(settings: Settings) -> int:
    """Export the configured embedding model for ONNX Runtime, checked; print its folder."""
    from appliance.embedding import default_cache_dir, prepared_onnx_model

    if settings.embedding_engine != "onnx":
        print("APPLIANCE_EMBEDDING_ENGINE is not 'onnx': nothing to prepare.")
        return 0
    cache = settings.model_cache_dir or default_cache_dir()
    print(prepared_onnx_model(settings.embedding_model, cache).folder)
    return 0
