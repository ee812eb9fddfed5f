"""Security headers on every answer: no framing, no sniffing, no foreign code, no referrer.

The UI loads only its own scripts and styles, so the policy can be strict: a page of
another site cannot frame the appliance (clickjacking "Löschen"), a downloaded text file
is never run as HTML, and no address of a document leaks to another site.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI styles its elements inline; its page, and only that, allows it. Scripts
# stay the bundled files alone.
DOCS_PAGES = ("/docs",)
DOCS_POLICY = CONTENT_SECURITY_POLICY + "; style-src 'self' 'unsafe-inline'"
SECURITY_HEADERS = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
_NAMES = frozenset(name for name, _value in SECURITY_HEADERS) | {b"content-security-policy"}


class SecurityHeadersMiddleware:
    """Adds SECURITY_HEADERS to every HTTP response (replacing any a route set)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        policy = DOCS_POLICY if scope["path"] in DOCS_PAGES else CONTENT_SECURITY_POLICY
        added = [(b"content-security-policy", policy.encode()), *SECURITY_HEADERS]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _NAMES]
                message = {**message, "headers": [*kept, *added]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
