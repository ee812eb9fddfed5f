"""Errors of the HTTP API (`AppError` codes), by code."""

from __future__ import annotations

API_ERRORS: dict[str, tuple[str, str]] = {
    "internal_error": (
        "Interner Fehler. Das Protokoll der Appliance enthält die Einzelheiten.",
        "Internal error. The appliance log has the details.",
    ),
    "no_such_address": ("Diese Adresse gibt es nicht.", "There is no such address."),
    "method_not_allowed": (
        "Diese Aktion ist unter dieser Adresse nicht möglich.",
        "This method is not allowed at this address.",
    ),
    "request_invalid": (
        "Diese Angaben passen nicht: {fields}.",
        "These fields are not valid: {fields}.",
    ),
    # links of documents to projects (PATCH /api/v1/documents/{id})
    "link_document_not_found": (
        "Dieses Dokument gibt es nicht (mehr) – vielleicht wurde es gelöscht.",
        "This document does not exist (any more) – it may have been deleted.",
    ),
    "link_project_not_found": (
        "Dieses Projekt gibt es nicht (mehr) – vielleicht wurde es gelöscht.",
        "This project does not exist (any more) – it may have been deleted.",
    ),
    # end of links
}
