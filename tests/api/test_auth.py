"""Credentials for every route in every mode: the token, sessions, the LAN password."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from appliance.api.app import create_app
from appliance.api.auth import SESSION_COOKIE, Credentials, LoginThrottle, Sessions
from appliance.bootstrap import start_runtime
from appliance.config import Settings
from appliance.private_files import installation_token
from appliance.runtime import Runtime
from tests.support import LOCAL

PASSWORD = "Müller-Büro-2026"  # non-ASCII on purpose


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def anonymous(runtime: Runtime, base_url: str = LOCAL, **app: object) -> TestClient:
    return TestClient(create_app(runtime, **app), base_url=base_url)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/documents/"),
        ("GET", "/api/v1/projects/"),
        ("GET", "/api/v1/tasks/summary"),
        ("GET", "/api/v1/system/info"),
        ("GET", "/metrics"),
        ("GET", "/docs"),
        ("GET", "/openapi.json"),
        ("GET", "/"),
        ("GET", "/js/app.js"),
        ("POST", "/api/v1/system/shutdown"),
        ("DELETE", "/api/v1/documents/some-id"),
    ],
)
def test_on_this_pc_nothing_answers_without_a_credential(
    runtime: Runtime, method: str, path: str
) -> None:
    # Another account on the same PC reaches 127.0.0.1 with the right Host header.
    response = anonymous(runtime).request(method, path, follow_redirects=False)
    assert response.status_code == 401


def test_the_token_opens_a_session_and_leaves_the_address(runtime: Runtime) -> None:
    client = anonymous(runtime)
    token = installation_token(runtime.settings.data_dir)
    opened = client.get(f"/?token={token}", follow_redirects=False)
    assert opened.status_code == 303
    assert opened.headers["location"] == "/"  # the token is not kept in the address bar
    cookie = opened.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert token not in cookie
    assert client.get("/api/v1/documents/").status_code == 200  # the cookie is sent along
    kept = client.get(f"/js/app.js?token={token}&v=2", follow_redirects=False)
    assert kept.headers["location"] == "/js/app.js?v=2"


def test_a_wrong_token_opens_nothing(runtime: Runtime) -> None:
    client = anonymous(runtime)
    assert client.get("/?token=falsch", follow_redirects=False).status_code == 401
    assert client.get("/api/v1/documents/").status_code == 401


def test_scripts_send_the_token_as_bearer(runtime: Runtime) -> None:
    token = installation_token(runtime.settings.data_dir)
    client = anonymous(runtime)
    good = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert good.status_code == 200
    assert client.get("/metrics", headers={"Authorization": "Bearer nein"}).status_code == 401
    # Anything a stranger sends is a refusal, never a server error.
    for odd in ("Bearer Müller", "Basic abc", "Bearer", ""):
        assert client.get("/metrics", headers={"Authorization": odd.encode()}).status_code == 401


def test_the_token_is_made_once_and_kept_private(runtime: Runtime) -> None:
    data_dir = runtime.settings.data_dir
    token = installation_token(data_dir)
    assert installation_token(data_dir) == token
    assert len(token) >= 40
    assert (data_dir / "access.token").stat().st_mode & 0o777 == 0o600


@pytest.fixture
def lan(tmp_path: Path) -> Iterator[Runtime]:
    settings = Settings(
        data_dir=tmp_path / "data",
        host="0.0.0.0",
        access_token=PASSWORD,
        allowed_hosts="buero-pc",
    )
    built = start_runtime(settings)
    yield built
    built.close()


def login(client: TestClient, password: str) -> int:
    return client.post("/api/v1/auth/login", json={"password": password}).status_code


def test_a_non_ascii_password_logs_in_and_each_login_is_a_new_session(lan: Runtime) -> None:
    client = anonymous(lan, "http://buero-pc:8001")
    assert login(client, PASSWORD) == 200
    first = client.cookies[SESSION_COOKIE]
    assert login(client, PASSWORD) == 200
    second = client.cookies[SESSION_COOKIE]
    assert first != second  # random, never derived from the password
    assert client.get("/api/v1/projects/").status_code == 200
    stale = TestClient(client.app, base_url="http://buero-pc:8001", cookies={SESSION_COOKIE: first})
    assert stale.get("/api/v1/projects/").status_code == 401  # ended by the second login


def test_logout_ends_the_session_for_good(lan: Runtime) -> None:
    client = anonymous(lan, "http://buero-pc:8001")
    login(client, PASSWORD)
    session = client.cookies[SESSION_COOKIE]
    assert client.post("/api/v1/auth/logout").status_code == 200
    replay = TestClient(
        client.app, base_url="http://buero-pc:8001", cookies={SESSION_COOKIE: session}
    )
    assert replay.get("/api/v1/projects/").status_code == 401


def test_sessions_expire(lan: Runtime) -> None:
    clock = Clock()
    credentials = Credentials(
        installation_token(lan.settings.data_dir),
        lan_password=PASSWORD,
        sessions=Sessions(lifetime=100, idle=30, clock=clock),
    )
    client = anonymous(lan, "http://buero-pc:8001", credentials=credentials)
    login(client, PASSWORD)
    clock.now += 29
    assert client.get("/api/v1/projects/").status_code == 200  # use keeps it alive
    clock.now += 29
    assert client.get("/api/v1/projects/").status_code == 200
    clock.now += 31
    assert client.get("/api/v1/projects/").status_code == 401  # idle too long
    login(client, PASSWORD)
    for _ in range(5):
        clock.now += 25
        client.get("/api/v1/projects/")
    assert client.get("/api/v1/projects/").status_code == 401  # past its lifetime


def test_password_guessing_is_slowed_down_per_address(lan: Runtime) -> None:
    clock = Clock()
    credentials = Credentials(
        installation_token(lan.settings.data_dir),
        lan_password=PASSWORD,
        sessions=Sessions(lifetime=100, idle=100, clock=clock),
        throttle=LoginThrottle(clock=clock),
    )
    client = anonymous(lan, "http://buero-pc:8001", credentials=credentials)
    assert [login(client, f"falsch-{n}") for n in range(5)] == [401] * 5
    locked = client.post("/api/v1/auth/login", json={"password": PASSWORD})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) >= 1
    assert login(client, PASSWORD) == 429  # the right password too, until the wait is over
    clock.now += 2
    assert login(client, PASSWORD) == 200
    assert login(client, "falsch") == 401  # a success starts the count anew


def test_a_lan_password_needs_twelve_characters(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="at least 12 characters"):
        Settings(data_dir=tmp_path, host="0.0.0.0", access_token="kurz-123")


def test_the_login_page_is_public_but_nothing_behind_it(lan: Runtime) -> None:
    client = anonymous(lan, "http://buero-pc:8001")
    assert client.get("/login.html").status_code == 200
    assert client.get("/js/login.js").status_code == 200
    assert client.get("/api/v1/auth/status").json() == {"lan_mode": True}
    page = client.get("/", headers={"accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login.html"
    # A path that walks out of a public folder is refused, not served.
    sneaky = client.get("/js/%2e%2e/index.html", follow_redirects=False)
    assert sneaky.status_code == 404 and "<html" not in sneaky.text
