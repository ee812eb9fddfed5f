"""The API documentation (/docs) from files bundled with the program.

FastAPI's own pages load Swagger UI and ReDoc from a CDN: they break offline and run
third-party code with full access to the API. Swagger UI comes bundled in the
`fastapi-offline` package; the page loads it from here, and its start-up code is a file
of the UI (`ui/js/docs.js`), so no inline script is needed. ReDoc is left out: its
bundle fetches a logo from its CDN. /redoc leads to /docs.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSET_FILES = frozenset({"swagger-ui.css", "swagger-ui-bundle.js"})

SWAGGER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>HandwerkML Appliance - API</title>
<link rel="stylesheet" href="/docs-assets/swagger-ui.css">
</head><body><div id="swagger-ui"></div>
<script src="/docs-assets/swagger-ui-bundle.js"></script>
<script src="/js/docs.js"></script>
</body></html>
"""
router = APIRouter(include_in_schema=False)


@router.get("/docs")
def swagger() -> HTMLResponse:
    return HTMLResponse(SWAGGER_PAGE)


@router.get("/redoc")
def redoc() -> RedirectResponse:
    return RedirectResponse("/docs")


@router.get("/docs-assets/{name}")
def asset(name: str) -> Response:
    if name not in ASSET_FILES:
        return Response(status_code=404)
    return FileResponse(ASSETS / name, headers={"Cache-Control": "max-age=86400"})
