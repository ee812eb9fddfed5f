"""Why a file could not be read (`ExtractionError` reasons), by code."""

from __future__ import annotations

EXTRACTION: dict[str, tuple[str, str]] = {}
