"""A lean keep-alive HTTP client for timing requests.

httpx costs a few hundred microseconds of client-side Python per request; the targets
are a few milliseconds, so the timed requests go through `http.client` instead, which
adds little beyond the socket calls. The same client times the appliance and its
baseline, so what it does add is the same on both sides.
"""

from __future__ import annotations

import http.client
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class Answer:
    """Status, parsed JSON body (None if not JSON) and wall time in milliseconds."""

    status: int
    body: Any
    ms: float


def multipart(field: str, filename: str, content: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body with one file part, and its Content-Type header."""
    boundary = uuid.uuid4().hex
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return head + content + tail, f"multipart/form-data; boundary={boundary}"


class TimedClient:
    """One keep-alive connection to `127.0.0.1:port`; every call returns its wall time."""

    # The header that opens each server's API, by port: an appliance answers 401 without
    # its access token; the peers and baselines need none.
    _credentials: ClassVar[dict[int, dict[str, str]]] = {}

    def __init__(self, port: int, timeout: float = 120.0) -> None:
        self.port = port
        self.timeout = timeout
        self._conn: http.client.HTTPConnection | None = None

    @classmethod
    def authorize(cls, port: int, headers: dict[str, str]) -> None:
        """Send `headers` on every request to `port` (an appliance's access token)."""
        cls._credentials[port] = headers

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        return self._conn

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        body: bytes | None = None,
        content_type: str | None = None,
    ) -> Answer:
        """Send one request and read the whole answer; reconnects once if the server closed."""
        headers = dict(self._credentials.get(self.port, {}))
        if json_body is not None:
            body = json.dumps(json_body).encode()
            content_type = "application/json"
        if content_type is not None:
            headers["Content-Type"] = content_type
        for attempt in (1, 2):
            conn = self._connection()
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                raw = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise
                continue
            elapsed = (time.perf_counter() - started) * 1000
            try:
                parsed = json.loads(raw) if raw else None
            except ValueError:
                parsed = None
            return Answer(response.status, parsed, elapsed)
        raise AssertionError("unreachable")

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(self, path: str, json_body: Any) -> Answer:
        return self.request("POST", path, json_body=json_body)

    def upload(self, path: str, filename: str, content: bytes) -> Answer:
        body, content_type = multipart("file", filename, content)
        return self.request("POST", path, body=body, content_type=content_type)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
