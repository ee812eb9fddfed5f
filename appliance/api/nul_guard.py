"""400 for a NUL character in the address: no database can store or compare it.

PostgreSQL refuses NUL in every text value ("text fields cannot contain NUL bytes"), so a
`%00` in a path or query parameter would surface as an internal error from whichever
query used it first. SQLite would store it, and a filter on it could never match
anything a person typed. Refused here, once, for every route, on both databases.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Receive, Scope, Send

from appliance.api.language import error_json, scope_language
from appliance.wording import Language


class NulGuardMiddleware:
    """Answers 400 when the path or the query string holds a NUL character."""

    def __init__(self, app: ASGIApp, language: Language = Language.DE) -> None:
        self.app = app
        self.language = language

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _has_nul(scope):
            await self.app(scope, receive, send)
            return
        body = error_json("address_has_nul", scope_language(scope, self.language))
        await send(
            {
                "type": "http.response.start",
                "status": 400,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _has_nul(scope: Scope) -> bool:
    path: str = scope.get("path", "")
    query: bytes = scope.get("query_string", b"")
    return "\x00" in path or b"\x00" in unquote_to_bytes(query)
