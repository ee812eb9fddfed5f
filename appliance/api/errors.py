"""How errors look on the wire, declared once so the OpenAPI schema tells the truth."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

# Far beyond any real list, well inside SQLite's 64-bit integers.
MAX_OFFSET = 1_000_000_000


class ErrorMessage(BaseModel):
    """Every error but validation: one sentence a person understands."""

    detail: str


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorBody(BaseModel):
    """422: what is wrong, field by field (FastAPI's own shape)."""

    detail: list[FieldError]


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorMessage, "description": "The request could not be read."},
    401: {"model": ErrorMessage, "description": "LAN mode: not logged in."},
    403: {"model": ErrorMessage, "description": "Foreign host name or cross-site request."},
    404: {"model": ErrorMessage, "description": "No such item."},
    409: {"model": ErrorMessage, "description": "Not possible in the item's current state."},
    422: {"model": ValidationErrorBody, "description": "Invalid input, field by field."},
}
