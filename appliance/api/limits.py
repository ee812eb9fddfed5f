"""Request bodies have a size limit by path, enforced before anything parses them.

FastAPI reads a whole JSON body into memory before the route (and its checks) run: 30 MB
sent to the login cost 150 MB of memory. So the limit is checked here, from
Content-Length when the client sends one, and on the bytes as they stream in when it
does not. Uploads are streamed by their route with their own limit.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from appliance.api.language import error_json, scope_language
from appliance.wording import Language, say

KB = 1024
MB = 1024 * KB
# (path prefix, largest body): the first prefix that matches decides.
BODY_LIMITS: tuple[tuple[str, int | None], ...] = (
    ("/api/v1/auth/", 4 * KB),  # a password
    ("/api/v1/documents/upload", None),  # streamed, APPLIANCE_MAX_UPLOAD_MB
    ("/internal/", 16 * MB),  # a batch of vectors from a worker
    ("/", 2 * MB),  # a project, a search, a list of ids
)


class BodyTooLargeError(HTTPException):
    """The body passed its limit while it streamed in. An HTTPException, so that FastAPI,
    which turns other errors while reading a body into "400 error parsing the body",
    lets it through as the 413 it is."""

    code = "body_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(413, _message(limit))
        self.params = {"kilobytes": str(limit // KB)}


def limit_for(path: str) -> int | None:
    for prefix, limit in BODY_LIMITS:
        if path.startswith(prefix):
            return limit
    return None


class BodyLimitMiddleware:
    """413 for a body over its path's limit, before the application reads it."""

    def __init__(self, app: ASGIApp, language: Language = Language.DE) -> None:
        self.app = app
        self.language = language

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = limit_for(scope["path"]) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(send, limit, scope_language(scope, self.language))
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError(limit)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except BodyTooLargeError:
            if not started:
                await _too_large(send, limit, scope_language(scope, self.language))


def _message(limit: int) -> str:
    return say("body_too_large", Language.EN, kilobytes=str(limit // KB))


async def _too_large(send: Send, limit: int, language: Language) -> None:
    body = error_json("body_too_large", language, kilobytes=str(limit // KB))
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
