"""Maintenance commands: `appliance reindex` (through the running appliance if there is
one, else directly), `appliance purge` and `appliance prepare-model`."""

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
    url = str(info["url"]).rstrip("/") + "/api/v1/projects/reindex"
    response = httpx.post(
        url,
        json={"from_stored": from_stored},
        headers={"Authorization": f"Bearer {installation_token(settings.data_dir)}"},
        timeout=600,
        # In LAN mode the appliance answers HTTPS with its own certificate.
        verify=ssl.create_default_context(cafile=str(settings.tls_dir / "cert.pem"))
        if settings.tls
        else True,
    )
    print(response.text)
    return 0 if response.status_code == 200 else 1


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
