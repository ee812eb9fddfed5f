"""`appliance reindex`: through the running appliance if there is one, else directly."""

from __future__ import annotations

import json

import httpx
from filelock import FileLock, Timeout

from appliance.config import Settings
from appliance.container import Services
from appliance.launcher import LOCK_FILE, running_instance
from appliance.projects.query import QueryEmbedder
from appliance.projects.service import ProjectService


def reindex(settings: Settings, *, from_stored: bool) -> int:
    """Queue re-embedding of every project, or rebuild the vectors from stored ones."""
    settings.ensure_dirs()
    lock = FileLock(str(settings.data_dir / LOCK_FILE))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return _through_running_appliance(settings, from_stored=from_stored)
    try:
        # No appliance runs: this process may own the vector store for a moment.
        services = Services.build(settings, own_vectors=True)
        try:
            projects = ProjectService(services, QueryEmbedder(services))
            answer = projects.rebuild_from_stored() if from_stored else projects.reindex(None)
        finally:
            services.close()
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
    response = httpx.post(url, json={"from_stored": from_stored}, timeout=600)
    print(response.text)
    return 0 if response.status_code == 200 else 1
