"""Host and Origin checks, and LAN mode, on the real app (in-process)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from appliance.api.app import create_app
from appliance.bootstrap import start_runtime
from appliance.config import Settings
from appliance.runtime import Runtime
from tests.support import LOCAL, api_client, bearer

UI_JS = Path(__file__).resolve().parents[2] / "ui" / "js"

PORT = 8001
WRITE = "/api/v1/projects/"


@pytest.fixture
def client(runtime: Runtime) -> TestClient:
    return api_client(runtime)


@pytest.mark.parametrize(
    "host",
    [
        "",
        "evil.com",
        f"evil.com:{PORT}",
        f"127.0.0.1.evil.com:{PORT}",
        f"localhost.evil.com:{PORT}",
        "127.0.0.1",  # the right name on the wrong (default) port
        f"127.0.0.1:{PORT + 1}",
        f"LOCALHOST:{PORT}x",
    ],
)
def test_foreign_host_headers_are_refused(client: TestClient, host: str) -> None:
    response = client.get("/api/v1/tasks/summary", headers={"host": host})
    assert response.status_code == 403
    assert response.json()["error_code"] == "unknown_host"
    assert "Rechnername" in response.json()["detail"]


@pytest.mark.parametrize("host", [f"127.0.0.1:{PORT}", f"localhost:{PORT}", f"[::1]:{PORT}"])
def test_own_host_names_pass(client: TestClient, host: str) -> None:
    assert client.get("/api/v1/tasks/summary", headers={"host": host}).status_code == 200


@pytest.mark.parametrize(
    "origin",
    [
        "null",
        "http://evil.com",
        f"http://127.0.0.1:{PORT}.evil.com",
        f"http://localhost:{PORT}@evil.com",
        f"https://127.0.0.1:{PORT}",
        f"http://127.0.0.1:{PORT + 1}",
        f"http://127.0.0.1:{PORT}/",
    ],
)
def test_writes_from_other_origins_are_refused(client: TestClient, origin: str) -> None:
    response = client.post(WRITE, json={"name": "Angriff"}, headers={"origin": origin})
    assert response.status_code == 403
    listed = client.get(WRITE).json()
    assert listed["count"] == 0  # nothing was stored


def test_cross_site_form_post_without_origin_is_refused(client: TestClient) -> None:
    response = client.post(
        WRITE,
        data={"name": "x"},
        headers={
            "sec-fetch-site": "cross-site",
            "content-type": "application/x-www-form-urlencoded",
        },
    )
    assert response.status_code == 403


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_every_unsafe_method_is_checked(client: TestClient, method: str) -> None:
    response = client.request(
        method.upper(), f"{WRITE}some-id", headers={"origin": "http://evil.com"}
    )
    assert response.status_code == 403


def test_same_origin_and_script_requests_pass(client: TestClient) -> None:
    own = client.post(WRITE, json={"name": "Eigen"}, headers={"origin": LOCAL})
    assert own.status_code == 201
    same_site = client.post(
        WRITE, json={"name": "Fetch"}, headers={"sec-fetch-site": "same-origin"}
    )
    assert same_site.status_code == 201
    curl = client.post(WRITE, json={"name": "Skript"})
    assert curl.status_code == 201
    # Reading with a foreign Origin is harmless (no CORS headers, the browser hides it).
    read = client.get(WRITE, headers={"origin": "http://evil.com"})
    assert read.status_code == 200
    assert "access-control-allow-origin" not in read.headers


@pytest.fixture
def lan_runtime(tmp_path: Path) -> Iterator[Runtime]:
    settings = Settings(
        data_dir=tmp_path / "data",
        host="0.0.0.0",
        access_token="geheim-123456",
        allowed_hosts="buero-pc, 192.168.1.20",
    )
    built = start_runtime(settings)
    yield built
    built.close()


def test_lan_mode_needs_the_password_for_everything(lan_runtime: Runtime) -> None:
    client = TestClient(create_app(lan_runtime), base_url="http://buero-pc:8001")
    assert client.get("/api/v1/tasks/summary").status_code == 401
    assert client.get(WRITE).status_code == 401
    assert client.get("/api/v1/system/info").status_code == 401
    wrong = client.post("/api/v1/auth/login", json={"password": "falsch"})
    assert wrong.status_code == 401
    right = client.post("/api/v1/auth/login", json={"password": "geheim-123456"})
    assert right.status_code == 200
    assert "httponly" in right.headers["set-cookie"].lower()
    assert client.get(WRITE).status_code == 200  # the session cookie is sent along
    assert client.get("/api/v1/system/info").json()["lan_mode"] is True


def test_lan_mode_scripts_use_the_installation_token(lan_runtime: Runtime) -> None:
    client = TestClient(create_app(lan_runtime), base_url="http://192.168.1.20:8001")
    headers = bearer(lan_runtime.settings.data_dir)
    assert client.get(WRITE, headers=headers).status_code == 200
    # The password is for people at the login page, not a bearer token.
    password = {"authorization": "Bearer geheim-123456"}
    assert client.get(WRITE, headers=password).status_code == 401
    other = TestClient(create_app(lan_runtime), base_url="http://fremd:8001")
    assert other.get(WRITE, headers=headers).status_code == 403


def test_unknown_paths_and_methods_answer_json(client: TestClient) -> None:
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["detail"]
    wrong_method = client.put("/api/v1/tasks/summary")
    assert wrong_method.status_code == 405 and wrong_method.json()["detail"]


def test_lan_mode_serves_the_login_page_without_a_session(lan_runtime: Runtime) -> None:
    client = TestClient(create_app(lan_runtime), base_url="http://buero-pc:8001")
    page = client.get("/login.html")
    assert page.status_code == 200 and 'type="password"' in page.text
    assert client.get("/style.css").status_code == 200
    # Every module the login page imports, however deep: one refused module stops it all.
    for module in modules_of("login.js"):
        assert client.get(f"/js/{module}").status_code == 200, module


IMPORT = re.compile(r'^import .* from "\./([\w-]+\.js)";$', re.MULTILINE)


def modules_of(entry: str) -> set[str]:
    """`entry` and every module of ui/js it imports, directly or through others."""
    found, pending = set(), [entry]
    while pending:
        module = pending.pop()
        if module not in found:
            found.add(module)
            pending.extend(IMPORT.findall((UI_JS / module).read_text("utf-8")))
    return found


def test_ui_files_are_revalidated_and_scripts_are_javascript(client: TestClient) -> None:
    script = client.get("/js/app.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert script.headers["cache-control"] == "no-cache"
