"""What the routes are given: the use cases and what they need to know of the server.

`create_app` builds one `ApiState` and every route asks for its part through the
`Annotated` aliases below; no route reaches the runtime, the database or the queue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from prometheus_client import CollectorRegistry

from appliance.api.auth import Credentials
from appliance.backups.service import BackupService
from appliance.documents.service import DocumentService
from appliance.projects.service import ProjectService
from appliance.projects.vector_owner import VectorOwner
from appliance.tasking.monitor import TaskMonitor
from appliance.trash.service import TrashService
from appliance.wording import Language, negotiate
from appliance.work.overview import WorkService


@dataclass(frozen=True)
class Server:
    """What the system routes say about the running server, and how it is stopped."""

    lan_mode: bool
    port: int
    credentials: Credentials
    request_stop: Callable[[], None] | None = None  # the launcher's; None in tests
    tls_fingerprint: str | None = None


@dataclass(frozen=True)
class ApiState:
    backups: BackupService
    projects: ProjectService
    documents: DocumentService
    monitor: TaskMonitor
    vector_owner: VectorOwner
    server: Server
    metrics: CollectorRegistry
    work: WorkService
    trash: TrashService
    # Messages for people in a request that names no language we speak (APPLIANCE_LANGUAGE).
    language: Language = Language.DE


def api_state(request: Request) -> ApiState:
    state: ApiState = request.app.state.api
    return state


# The getters are `async def` although they do not wait for anything: FastAPI runs a plain
# `def` dependency in its thread pool, a hop of ~0.1 ms (more when the GIL is busy) on
# every request for what is an attribute lookup.


async def get_backups(request: Request) -> BackupService:
    return api_state(request).backups


async def get_projects(request: Request) -> ProjectService:
    return api_state(request).projects


async def get_documents(request: Request) -> DocumentService:
    return api_state(request).documents


async def get_monitor(request: Request) -> TaskMonitor:
    return api_state(request).monitor


async def get_vector_owner(request: Request) -> VectorOwner:
    return api_state(request).vector_owner


async def get_server(request: Request) -> Server:
    return api_state(request).server


def request_language(request: Request) -> Language:
    """The language of the person's messages: `Accept-Language`, else the installation's."""
    default = getattr(request.app.state, "api", None)
    fallback = default.language if isinstance(default, ApiState) else Language.DE
    return negotiate(request.headers.get("accept-language"), fallback)


async def get_work(request: Request) -> WorkService:
    return api_state(request).work


async def get_trash(request: Request) -> TrashService:
    return api_state(request).trash


async def get_language(request: Request) -> Language:
    return request_language(request)


async def get_metrics(request: Request) -> CollectorRegistry:
    return api_state(request).metrics


BackupsDep = Annotated[BackupService, Depends(get_backups)]
ProjectsDep = Annotated[ProjectService, Depends(get_projects)]
DocumentsDep = Annotated[DocumentService, Depends(get_documents)]
MonitorDep = Annotated[TaskMonitor, Depends(get_monitor)]
VectorOwnerDep = Annotated[VectorOwner, Depends(get_vector_owner)]
ServerDep = Annotated[Server, Depends(get_server)]
MetricsDep = Annotated[CollectorRegistry, Depends(get_metrics)]
LanguageDep = Annotated[Language, Depends(get_language)]
WorkDep = Annotated[WorkService, Depends(get_work)]
TrashDep = Annotated[TrashService, Depends(get_trash)]
