"""Serving the bundled UI: GET and HEAD of files under `ui/`, and nothing else.

A static-files mount at "/" would answer every request no API route matched in full -
an OPTIONS or a GET on a POST-only API path would get the mount's "405, allow GET" instead
of the API's own 405. This route leaves /api and /internal paths to the API entirely.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Match, Route
from starlette.types import Scope

API_PREFIXES = ("/api/", "/internal/")


class UIRoute(Route):
    """A catch-all GET route that never claims API paths."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and scope["path"].startswith(API_PREFIXES):
            return Match.NONE, {}
        return super().matches(scope)


def ui_route(folder: Path) -> Route:
    """The route serving `folder` (index.html for folders), always revalidated."""
    root = folder.resolve()
    # Windows' registry may map .js to text/plain; browsers refuse such module scripts.
    mimetypes.add_type("text/javascript", ".js")

    async def serve(request: Request) -> Response:
        target = (root / request.path_params["path"]).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(root) or not target.is_file():
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        # After an update no stale script may run: the browser asks every time (and gets
        # 304 when nothing changed).
        return FileResponse(target, headers={"Cache-Control": "no-cache"})

    return UIRoute("/{path:path}", serve, methods=["GET", "HEAD"], include_in_schema=False)
