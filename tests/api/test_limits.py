"""Body limits before parsing, answers that do not echo, and the headers on every answer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from appliance.api.app import create_app
from appliance.runtime import Runtime
from tests.support import LOCAL, api_client

MB = 1024 * 1024


class CountingBody:
    """A request body sent in chunks, counting how many the server asked for."""

    def __init__(self, size: int, chunk: int = 64 * 1024) -> None:
        self.size = size
        self.chunk = chunk
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        while self.sent < self.size:
            self.sent += self.chunk
            yield b"x" * self.chunk


def test_a_large_body_to_the_login_is_refused_before_it_is_read(runtime: Runtime) -> None:
    client = TestClient(create_app(runtime), base_url=LOCAL)
    body = b'{"password": "' + b"a" * 30 * MB + b'"}'
    response = client.post(
        "/api/v1/auth/login", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "zu groß" in response.json()["detail"]


def test_a_body_without_length_is_refused_once_it_passes_its_limit(runtime: Runtime) -> None:
    # Chunked, so only counting the bytes as they come can tell (how much the server
    # reads before it stops is measured against the live server, tests/e2e/test_limits.py).
    response = api_client(runtime).post(
        "/api/v1/projects/search",
        content=CountingBody(3 * MB),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert "zu groß" in response.json()["detail"]


def test_the_workers_channel_refuses_a_wrong_token_whatever_the_body(runtime: Runtime) -> None:
    client = TestClient(create_app(runtime, internal_token="richtig"), base_url=LOCAL)
    for token in ("falsch", "Müller", ""):
        response = client.post(
            "/internal/vectors/upsert",
            content=b"{" * 1000,
            headers={"content-type": "application/json", "x-appliance-token": token.encode()},
        )
        assert response.status_code == 403


def test_a_refused_input_is_not_echoed_back(runtime: Runtime) -> None:
    huge = "Ä" * 200_000
    response = api_client(runtime).post("/api/v1/projects/", json={"name": huge})
    assert response.status_code == 422
    assert len(response.content) < 2_000
    assert response.json()["detail"][0]["loc"] == ["body", "name"]


@pytest.mark.parametrize("path", ["/", "/api/v1/projects/", "/docs", "/api/v1/nothing"])
def test_every_answer_carries_the_security_headers(runtime: Runtime, path: str) -> None:
    response = api_client(runtime).get(path)
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_a_page_of_another_site_cannot_read_the_api(runtime: Runtime) -> None:
    client = api_client(runtime)
    foreign = {"sec-fetch-site": "cross-site", "sec-fetch-mode": "cors"}
    assert client.get("/api/v1/documents/search?q=Rechnung", headers=foreign).status_code == 403
    # Another port of this PC is "same-site" to a browser: still not ours.
    same_site = {"sec-fetch-site": "same-site"}
    assert client.get("/api/v1/projects/", headers=same_site).status_code == 403
    own = client.get("/api/v1/projects/", headers={"sec-fetch-site": "same-origin"})
    assert own.status_code == 200
    # A link from elsewhere may still open the UI itself.
    navigation = {"sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate"}
    assert client.get("/", headers=navigation).status_code == 200


def test_the_api_documentation_loads_nothing_from_elsewhere(runtime: Runtime) -> None:
    client = api_client(runtime)
    html = client.get("/docs").text
    assert "http://" not in html and "https://" not in html and "cdn" not in html
    assert client.get("/redoc", follow_redirects=False).headers["location"] == "/docs"
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/docs-assets/redoc.standalone.js").status_code == 404
    assert client.get("/docs-assets/../app.py").status_code in (400, 404)
