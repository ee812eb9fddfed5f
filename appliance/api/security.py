"""Guarding the server against the browser it serves and the other people near it.

Any web page the user opens can send requests to 127.0.0.1, and any other account on
the same PC (or, in LAN mode, any PC on the network) can too. This middleware decides
before a route runs, from the request line and headers alone (no body is read):
- Paths are plain: one with a `..` or an empty segment names nothing (404), so no check
  below can be walked around (`/js/%2e%2e/index.html`).
- DNS rebinding: a page re-points its own host name at 127.0.0.1 and is then
  same-origin with us; only the Host header gives it away. Every request must name one
  of our exact host:port pairs (as Jupyter, Syncthing and Ollama check).
- Cross-site requests: a foreign page can POST to us (form posts need no CORS), and
  time our GETs. Every unsafe method whose Origin (or Sec-Fetch-Site) is not our own
  exact origin is refused, and so is an API read the browser marks as from elsewhere.
- `/internal/*` (the workers' channel) needs its own token, checked here.
- Everything else needs a credential (`auth.py`): a Bearer token or a session cookie.
  `?token=<installation token>` on a page is traded for a session and taken out of the
  address (the program opens the browser that way).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from appliance.api.auth import SESSION_COOKIE, Credentials, same_secret, session_cookie
from appliance.api.language import error_json, scope_language
from appliance.internal_client import INTERNAL_PREFIX, TOKEN_HEADER
from appliance.wording import Language

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
# What the login page needs before anyone is logged in.
# The login page and the modules it imports (dom.js formats amounts and days with
# money.js and dates.js): a module that is refused stops the whole page.
PUBLIC_PATHS = frozenset(
    {
        "/login.html",
        "/style.css",
        "/js/login.js",
        "/js/dom.js",
        "/js/dates.js",
        "/js/money.js",
        "/js/i18n.js",
        "/favicon.ico",
        "/api/v1/auth/login",
        "/api/v1/auth/status",
    }
)
# Reads a page of another site must not make (it could time them, or read an answer).
API_PREFIXES = ("/api/", "/metrics", "/internal/", "/openapi.json", "/docs", "/redoc")


@dataclass(frozen=True)
class AccessPolicy:
    """Which Host headers and Origins are ours, and the tokens of the workers' channel."""

    hosts: frozenset[str]
    origins: frozenset[str]
    internal_tokens: tuple[str, ...] = ()
    secure_cookies: bool = False

    @classmethod
    def for_port(
        cls,
        port: int,
        extra_names: Iterable[str] = (),
        *,
        scheme: str = "http",
        internal_tokens: Iterable[str | None] = (),
    ) -> AccessPolicy:
        names = [*LOOPBACK_NAMES, *(n.strip() for n in extra_names if n.strip())]
        hosts = {f"{name}:{port}" for name in names}
        if (scheme, port) in (("http", 80), ("https", 443)):
            hosts |= set(names)
        return cls(
            frozenset(hosts),
            frozenset(f"{scheme}://{h}" for h in hosts),
            tuple(t for t in internal_tokens if t),
            secure_cookies=scheme == "https",
        )


@dataclass(frozen=True)
class _Refusal:
    status: int
    code: str  # of the message (appliance.wording)


@dataclass(frozen=True)
class _Redirect:
    location: str
    cookie: str | None = None


class AccessGuardMiddleware:
    """Refuses, redirects or lets a request through, from its headers alone."""

    def __init__(
        self,
        app: ASGIApp,
        policy: AccessPolicy,
        credentials: Credentials,
        language: Language = Language.DE,
    ) -> None:
        self.app = app
        self.policy = policy
        self.credentials = credentials
        self.language = language

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        decision = self._decide(scope, headers)
        if decision is None:
            await self.app(scope, receive, send)
        elif isinstance(decision, _Redirect):
            await _redirect(send, decision)
        elif (
            decision.status == 401
            and scope["method"] == "GET"
            and "text/html" in headers.get("accept", "")
        ):
            await _redirect(send, _Redirect("/login.html"))  # a person: show the login page
        else:
            await _refuse(send, decision, scope_language(scope, self.language))

    def _decide(self, scope: Scope, headers: Headers) -> _Refusal | _Redirect | None:
        path: str = scope["path"]
        method: str = scope["method"]
        if not _plain(path):
            return _Refusal(404, "no_such_address")  # no file or record is named like that
        if headers.get("host", "") not in self.policy.hosts:
            return _Refusal(403, "unknown_host")
        cross_site = self._cross_site(method, path, headers)
        if cross_site is not None:
            return cross_site
        if path.startswith(INTERNAL_PREFIX + "/"):
            given = headers.get(TOKEN_HEADER, "")
            # Every token is compared, so the time taken does not tell which one was close.
            matches = [same_secret(given, token) for token in self.policy.internal_tokens]
            if not given or not any(matches):
                return _Refusal(403, "internal_only")
            return None
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        if method == "GET" and "token" in query:
            return self._exchange_token(path, query)
        if path in PUBLIC_PATHS or self._authenticated(headers):
            return None
        return _Refusal(401, "login_needed")

    def _cross_site(self, method: str, path: str, headers: Headers) -> _Refusal | None:
        origin = headers.get("origin")
        site = headers.get("sec-fetch-site")
        foreign = _Refusal(403, "cross_site")
        if method in UNSAFE_METHODS:
            if origin is not None and origin not in self.policy.origins:
                return foreign
            if origin is None and site is not None and site not in ("same-origin", "none"):
                return foreign
        # A page of another site (or another port of this PC: "same-site") may link to
        # the UI, but not read the API.
        elif path.startswith(API_PREFIXES) and site not in (None, "same-origin", "none"):
            return foreign
        return None

    def _exchange_token(self, path: str, query: dict[str, str]) -> _Refusal | _Redirect:
        if not self.credentials.token_ok(query.pop("token")):
            return _Refusal(401, "token_invalid")
        rest = urlencode(query)
        return _Redirect(f"{path}?{rest}" if rest else path, self._session_cookie())

    def _session_cookie(self) -> str:
        session_id = self.credentials.sessions.create()
        return session_cookie(session_id, secure=self.policy.secure_cookies)

    def _authenticated(self, headers: Headers) -> bool:
        authorization = headers.get("authorization")
        if authorization is not None and self.credentials.bearer_ok(authorization):
            return True
        session_id = session_from(headers)
        return session_id is not None and self.credentials.sessions.check(session_id)


def session_from(headers: Headers) -> str | None:
    """The session id in the request's cookie, if it sends one."""
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except Exception:  # a malformed Cookie header is simply no session
        return None
    morsel = cookie.get(SESSION_COOKIE)
    return morsel.value if morsel is not None else None


def _plain(path: str) -> bool:
    """No `.` or `..` segment, no empty segment, no backslash: one name per file."""
    if "\\" in path:
        return False
    segments = path.split("/")[1:]
    return all(s not in (".", "..") for s in segments) and "" not in segments[:-1]


async def _redirect(send: Send, redirect: _Redirect) -> None:
    headers = [
        (b"location", redirect.location.encode("latin-1", "replace")),
        (b"content-length", b"0"),
        (b"cache-control", b"no-store"),
    ]
    if redirect.cookie is not None:
        headers.append((b"set-cookie", redirect.cookie.encode("latin-1")))
    await send({"type": "http.response.start", "status": 303, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


async def _refuse(send: Send, refusal: _Refusal, language: Language) -> None:
    body = error_json(refusal.code, language)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
