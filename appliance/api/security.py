"""Guarding a server on localhost against the browser it serves.

Any web page the user opens can send requests to 127.0.0.1. Two attacks follow, and
this middleware stops both before a route runs:
- DNS rebinding: a page re-points its own host name at 127.0.0.1 and is then
  same-origin with us; only the Host header gives it away. Every request must name one of
  our exact host:port pairs (as Jupyter, Syncthing and Ollama check).
- Cross-site requests: a foreign page can POST to us (form posts need no CORS). Every
  unsafe method whose Origin (or Sec-Fetch-Site) is not our own exact origin is refused.
  Requests without those headers (curl, scripts, our own workers) pass.
In LAN mode (bound to a non-loopback address) every request must also carry the access
token: a session cookie set by the login page, or `Authorization: Bearer <token>`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
SESSION_COOKIE = "appliance_session"
# What the login page needs before anyone is logged in.
PUBLIC_PATHS = frozenset({"/login.html", "/style.css", "/api/v1/auth/login", "/api/v1/system/info"})
PUBLIC_PREFIXES = ("/css/", "/js/", "/favicon")


def is_loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")


def session_value(token: str) -> str:
    """The cookie value for a token: proves knowledge of it without storing it raw."""
    return hmac.new(token.encode(), b"handwerkml-session", hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class AccessPolicy:
    """Which Host headers and Origins are ours, and the LAN token if there is one."""

    hosts: frozenset[str]
    origins: frozenset[str]
    token: str | None

    @classmethod
    def for_port(
        cls, port: int, extra_names: Iterable[str] = (), token: str | None = None
    ) -> AccessPolicy:
        names = [*LOOPBACK_NAMES, *(n.strip() for n in extra_names if n.strip())]
        hosts = {f"{name}:{port}" for name in names}
        if port == 80:
            hosts |= set(names)
        return cls(frozenset(hosts), frozenset(f"http://{h}" for h in hosts), token)


class AccessGuardMiddleware:
    """403 for foreign Host headers and cross-site writes; 401 without the LAN token."""

    def __init__(self, app: ASGIApp, policy: AccessPolicy) -> None:
        self.app = app
        self.policy = policy
        self._session = session_value(policy.token) if policy.token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = self._refusal(scope, headers)
        if refusal is None:
            await self.app(scope, receive, send)
            return
        status, message = refusal
        if status == 401 and scope["method"] == "GET" and "text/html" in headers.get("accept", ""):
            # A person opening the UI: show the login page rather than a JSON message.
            await send(
                {
                    "type": "http.response.start",
                    "status": 303,
                    "headers": [(b"location", b"/login.html"), (b"content-length", b"0")],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        body = json.dumps({"detail": message}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _refusal(self, scope: Scope, headers: Headers) -> tuple[int, str] | None:
        host = headers.get("host", "")
        if host not in self.policy.hosts:
            return 403, "This address is not allowed to reach the appliance (unknown host name)."
        if scope["method"] in UNSAFE_METHODS:
            origin = headers.get("origin")
            site = headers.get("sec-fetch-site")
            if origin is not None and origin not in self.policy.origins:
                return 403, "Requests from other web sites are not allowed."
            if origin is None and site is not None and site not in ("same-origin", "none"):
                return 403, "Requests from other web sites are not allowed."
        if self._session is not None and not self._authorized(scope, headers):
            return 401, "Please log in: the appliance is shared on the network (LAN mode)."
        return None

    def _authorized(self, scope: Scope, headers: Headers) -> bool:
        path: str = scope["path"]
        if (
            path in PUBLIC_PATHS
            or path.startswith(PUBLIC_PREFIXES)
            or path.startswith(
                "/internal/"  # the workers' channel has a token of its own
            )
        ):
            return True
        token = self.policy.token
        assert token is not None and self._session is not None
        authorization = headers.get("authorization", "")
        if authorization.startswith("Bearer ") and hmac.compare_digest(
            authorization[7:].strip(), token
        ):
            return True
        cookies = headers.get("cookie", "")
        for pair in cookies.split(";"):
            name, _, value = pair.strip().partition("=")
            if name == SESSION_COOKIE and hmac.compare_digest(value, self._session):
                return True
        return False
