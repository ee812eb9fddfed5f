"""/api/v1/system and /api/v1/auth: what the UI needs to know, and logging in and out."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from appliance import __version__
from appliance.api.auth import ended_cookie, session_cookie
from appliance.api.deps import ProjectsDep, ServerDep
from appliance.api.errors import ERROR_RESPONSES
from appliance.api.security import session_from
from appliance.errors import ConflictError, NotLoggedInError, TooManyAttemptsError
from appliance.model_change import progress

router = APIRouter(tags=["system"], responses=ERROR_RESPONSES)


class Login(BaseModel):
    """LAN mode: the password. Any mode: the installation token (from the link the
    program opens, or `access.token` in the data folder)."""

    password: str | None = Field(default=None, min_length=1, max_length=500)
    token: str | None = Field(default=None, min_length=1, max_length=500)


@router.get("/api/v1/system/info")
def info(server: ServerDep) -> dict[str, Any]:
    """Version, whether the appliance is shared on the network (LAN mode), and the
    fingerprint of its certificate there."""
    return {
        "version": __version__,
        "lan_mode": server.lan_mode,
        "port": server.port,
        "tls_fingerprint": server.tls_fingerprint,
    }


@router.get("/api/v1/system/search-model")
def search_model(projects: ProjectsDep) -> dict[str, Any]:
    """The embedding model the search answers with; during a change of model, how far the
    new model's vectors are (`change`, null otherwise). `state` "stuck" means the rebuild
    stopped short (the task monitor lists the failed tasks) and the old model keeps
    serving."""
    runtime = projects.runtime
    found = progress(runtime)
    serving = runtime.search.model if runtime.search is not None else None
    return {
        "serving": serving,
        "configured": runtime.embedder.model_name,
        "change": found.as_json() if found is not None else None,
    }


@router.post("/api/v1/system/shutdown")
def shutdown(server: ServerDep) -> dict[str, str]:
    """Stop the appliance (the UI's "Beenden"); running work is re-queued for next time."""
    if server.request_stop is None:
        raise ConflictError("not_started_by_launcher")
    server.request_stop()
    return {"status": "stopping"}


@router.get("/api/v1/auth/status")
def status(server: ServerDep) -> dict[str, Any]:
    """What the login page must know before anyone is logged in."""
    return {"lan_mode": server.lan_mode}


@router.post(
    "/api/v1/auth/login",
    responses={429: {"description": "Too many wrong passwords from this address for now."}},
)
def login(body: Login, server: ServerDep, request: Request, response: Response) -> dict[str, str]:
    """Exchange the password (LAN mode) or the installation token for a session cookie.

    A fresh session every time; the one the browser had before ends.
    """
    credentials = server.credentials
    if body.token is not None and credentials.token_ok(body.token):
        pass  # 256 random bits: guessing it needs no slowing down
    elif body.password is not None and credentials.lan_password is not None:
        address = request.client.host if request.client else "unknown"
        wait = credentials.throttle.wait_for(address)
        if wait > 0:
            raise TooManyAttemptsError(
                "too_many_passwords",
                headers={"Retry-After": str(int(wait) + 1)},
                seconds=f"{wait:.0f}",
            )
        if not credentials.password_ok(body.password):
            credentials.throttle.failed(address)
            raise NotLoggedInError("wrong_password")
        credentials.throttle.succeeded(address)
    else:
        raise NotLoggedInError("wrong_password")
    previous = session_from(request.headers)
    if previous is not None:
        credentials.sessions.end(previous)
    secure = request.url.scheme == "https"
    response.headers.append(
        "set-cookie", session_cookie(credentials.sessions.create(), secure=secure)
    )
    return {"status": "logged in"}


@router.post("/api/v1/auth/logout")
def logout(server: ServerDep, request: Request, response: Response) -> dict[str, str]:
    """End this browser's session."""
    credentials = server.credentials
    session_id = session_from(request.headers)
    if session_id is not None:
        credentials.sessions.end(session_id)
    response.headers.append("set-cookie", ended_cookie(secure=request.url.scheme == "https"))
    return {"status": "logged out"}
