"""/api/v1/system and /api/v1/auth: what the UI needs to know about the appliance."""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, Field

from appliance import __version__
from appliance.api.deps import ServicesDep
from appliance.api.errors import ERROR_RESPONSES
from appliance.api.security import SESSION_COOKIE, session_value

router = APIRouter(tags=["system"], responses=ERROR_RESPONSES)


class Login(BaseModel):
    password: str = Field(min_length=1, max_length=500)


@router.get("/api/v1/system/info")
def info(services: ServicesDep) -> dict[str, Any]:
    """Version, and whether the appliance is shared on the network (LAN mode)."""
    settings = services.settings
    return {"version": __version__, "lan_mode": settings.lan_mode, "port": settings.port}


@router.post("/api/v1/system/shutdown")
def shutdown(request: Request) -> dict[str, str]:
    """Stop the appliance (the UI's "Beenden"); running work is re-queued for next time."""
    request_stop = getattr(request.app.state, "request_stop", None)
    if request_stop is None:
        raise HTTPException(409, "This server was not started by the launcher.")
    request_stop()
    return {"status": "stopping"}


@router.post("/api/v1/auth/login")
def login(body: Login, services: ServicesDep, response: Response) -> dict[str, str]:
    """LAN mode: exchange the password for a session cookie."""
    token = services.settings.access_token
    if token is None:
        return {"status": "not needed"}
    if not hmac.compare_digest(body.password, token):
        raise HTTPException(401, "Wrong password.")
    response.set_cookie(
        SESSION_COOKIE, session_value(token), httponly=True, samesite="strict", path="/"
    )
    return {"status": "logged in"}


@router.post("/api/v1/auth/logout")
def logout(request: Request, response: Response) -> dict[str, str]:
    response.delete_cookie(SESSION_COOKIE, path="/")
    return {"status": "logged out"}
