"""`create_app`: the FastAPI application, built from runtime that already exist."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from prometheus_client import CollectorRegistry
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route

from appliance import __version__
from appliance.api import docs
from appliance.api.auth import Credentials, Sessions
from appliance.api.deps import ApiState, Server, request_language
from appliance.api.headers import SecurityHeadersMiddleware
from appliance.api.limits import BodyLimitMiddleware
from appliance.api.nul_guard import NulGuardMiddleware
from appliance.api.routes import (
    backups,
    documents,
    internal,
    metrics,
    projects,
    system,
    tasks,
    trash,
    work,
)
from appliance.api.security import AccessGuardMiddleware, AccessPolicy
from appliance.api.ui import UIRoute, ui_route
from appliance.backups.service import BackupService
from appliance.config import Settings
from appliance.documents.service import DocumentService
from appliance.documents.subjects import DOCUMENT, document_subjects
from appliance.errors import AppError, InvalidInputError, field_error
from appliance.private_files import installation_token
from appliance.projects.service import ProjectService
from appliance.projects.subjects import PROJECT, project_subjects
from appliance.projects.vector_owner import VectorOwner
from appliance.runtime import Runtime
from appliance.tasking.control import WorkerControl
from appliance.tasking.metrics import TaskMetricsCollector
from appliance.tasking.monitor import TaskMonitor
from appliance.trash.service import TrashService
from appliance.wording import Language, say
from appliance.work.overview import WorkService

log = logging.getLogger("appliance.api")

HOUR = 3600.0
DAY = 24 * HOUR
ECHO_LIMIT = 100  # characters of a refused input shown back
SESSIONS_FILE = "sessions.json"


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method some API route accepts on `path`."""
    methods: set[str] = set()
    for route in app.router.routes:
        if isinstance(route, UIRoute) or not isinstance(route, APIRoute | Route):
            continue
        if route.path_regex.match(path) and route.methods:
            methods |= route.methods
    return sorted(methods)


def ui_dir() -> Path:
    """The bundled UI: beside the package from source, inside the bundle when frozen."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "ui"
    return Path(__file__).resolve().parents[2] / "ui"


def credentials_for(settings: Settings) -> Credentials:
    """The installation token (made at first use), the LAN password, fresh sessions."""
    lan = settings.lan_mode
    return Credentials(
        installation_token(settings.data_dir),
        lan_password=settings.access_token,
        sessions=Sessions(
            lifetime=(7 if lan else 30) * DAY,
            idle=12 * HOUR if lan else 7 * DAY,
            store=settings.data_dir / SESSIONS_FILE,
        ),
    )


# Starlette's own errors (no route, no such method) in the person's language.
HTTP_CODES = {404: "no_such_address", 405: "method_not_allowed"}


def _short(error: Any) -> dict[str, Any]:
    """A validation error with its input cut to a few characters (or left out)."""
    shown = {key: value for key, value in error.items() if key not in ("input", "url")}
    value = error.get("input")
    if isinstance(value, str | int | float | bool) or value is None:
        text = str(value)
        shown["input"] = text if len(text) <= ECHO_LIMIT else text[:ECHO_LIMIT] + "..."
    return shown


NUL_FREE = "^[^\\x00]*$"  # NulGuardMiddleware refuses a NUL in the address


def _declare_nul_free_parameters(app: FastAPI) -> None:
    """Say in the OpenAPI schema what the NUL guard enforces: no path or query parameter
    may hold a NUL character (no database can store or compare one)."""
    generate = app.openapi

    def schema_with_rule() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            for operation in (op for path in schema["paths"].values() for op in path.values()):
                for parameter in operation.get("parameters", []):
                    _nul_free(parameter.get("schema", {}))
        return app.openapi_schema or generate()

    app.openapi = schema_with_rule  # type: ignore[method-assign]


def _nul_free(schema: dict[str, Any]) -> None:
    for choice in schema.get("anyOf", [schema]):
        if choice.get("type") == "string" and "pattern" not in choice and "enum" not in choice:
            choice["pattern"] = NUL_FREE


def create_app(
    runtime: Runtime,
    control: WorkerControl | None = None,
    *,
    internal_token: str | None = None,
    credentials: Credentials | None = None,
    request_stop: Callable[[], None] | None = None,
    tls_fingerprint: str | None = None,
) -> FastAPI:
    """The appliance's HTTP app. Nothing starts here: the runtime is opened by the caller.

    `request_stop` is what the UI's "Beenden" calls (the launcher's stop); the
    fingerprint of LAN mode's certificate is shown to people who check it.
    """
    app = FastAPI(
        title="HandwerkML Appliance",
        version=__version__,
        description="Projects, documents and background tasks of a craftsman's office.",
        # The pages are served from bundled files (api/docs.py), not from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    settings = runtime.settings
    credentials = credentials or credentials_for(settings)
    subjects = {
        DOCUMENT: partial(document_subjects, runtime.db),
        PROJECT: partial(project_subjects, runtime.db),
    }
    monitor = TaskMonitor(runtime, control, subjects)
    registry = CollectorRegistry(auto_describe=True)
    registry.register(TaskMetricsCollector(monitor))
    app.state.api = ApiState(
        backups=BackupService(runtime),
        projects=ProjectService(runtime),
        documents=DocumentService(runtime),
        monitor=monitor,
        vector_owner=VectorOwner(runtime),
        server=Server(
            lan_mode=settings.lan_mode,
            port=settings.port,
            credentials=credentials,
            request_stop=request_stop,
            tls_fingerprint=tls_fingerprint,
        ),
        metrics=registry,
        work=WorkService(runtime.db),
        trash=TrashService(runtime),
        language=Language(settings.language),
    )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Starlette names only the first route on the path; all of them count.
            headers["Allow"] = ", ".join(allowed_methods(request.app, request.url.path))
        # Errors raised below the routes carry a catalog code (limits.BodyTooLargeError).
        code = getattr(exc, "code", None) or HTTP_CODES.get(exc.status_code)
        if code is None:
            body = {"detail": exc.detail}
        else:
            params = getattr(exc, "params", {})
            body = {"detail": say(code, request_language(request), **params), "error_code": code}
        return JSONResponse(body, status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        language = request_language(request)
        # FastAPI echoes each refused input; a 30 MB field must not come back as 30 MB.
        fields = [field_error(_short(error), language) for error in exc.errors()]
        return JSONResponse({"detail": fields}, status_code=422)

    @app.exception_handler(InvalidInputError)
    async def invalid_request(request: Request, exc: InvalidInputError) -> JSONResponse:
        return JSONResponse(
            {"detail": exc.details(request_language(request))}, status_code=exc.status
        )

    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> JSONResponse:
        body = {"detail": exc.say(request_language(request)), "error_code": exc.code}
        return JSONResponse({**body, **exc.body}, status_code=exc.status, headers=exc.headers)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
        # The person gets a message, the log gets the trace; no paths leak to the browser.
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        detail = say("internal_error", request_language(request))
        return JSONResponse({"detail": detail, "error_code": "internal_error"}, status_code=500)

    app.include_router(system.router)
    app.include_router(backups.router)
    app.include_router(projects.router)
    app.include_router(documents.router)
    app.include_router(tasks.router)
    app.include_router(work.router)
    app.include_router(trash.router)
    app.include_router(internal.router)
    app.include_router(metrics.router)
    app.include_router(docs.router)
    _declare_nul_free_parameters(app)
    policy = AccessPolicy.for_port(
        settings.port,
        settings.host_names(),
        scheme="https" if settings.tls else "http",
        internal_tokens=(internal_token, settings.worker_token),
    )
    # Added innermost first: headers on every answer, then the guard (from the headers
    # alone), then the body limit, so strangers get 403/401, not 413 or 400.
    language = Language(settings.language)
    app.add_middleware(NulGuardMiddleware, language=language)
    app.add_middleware(BodyLimitMiddleware, language=language)
    app.add_middleware(
        AccessGuardMiddleware, policy=policy, credentials=credentials, language=language
    )
    app.add_middleware(SecurityHeadersMiddleware)
    folder = ui_dir()
    if folder.is_dir():
        app.router.routes.append(ui_route(folder))
    return app
