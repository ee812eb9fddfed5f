"""LAN mode for real: HTTPS with the appliance's own certificate, the password, workers."""

from __future__ import annotations

import ssl

import httpx
import pytest

from tests.support import RunningAppliance, wait_for

pytestmark = pytest.mark.e2e

PASSWORD = "Büro-Passwort-2026"


def test_lan_mode_serves_https_with_its_own_certificate_and_the_workers_use_it(
    fresh_appliance: RunningAppliance,
) -> None:
    fresh_appliance.env.update(
        {
            "APPLIANCE_HOST": "0.0.0.0",
            "APPLIANCE_ACCESS_TOKEN": PASSWORD,
            "APPLIANCE_ALLOWED_HOSTS": "buero-pc",
        }
    )
    fresh_appliance.start(wait=False)
    cert = fresh_appliance.data_dir / "tls" / "cert.pem"
    wait_for(cert.exists, timeout=60, what="the certificate")
    verify = ssl.create_default_context(cafile=str(cert))
    url = f"https://127.0.0.1:{fresh_appliance.port}"
    with httpx.Client(base_url=url, verify=verify, timeout=10) as client:

        def healthy() -> bool:
            try:
                answer = client.get("/api/v1/tasks/health", headers=fresh_appliance.client.headers)
            except httpx.TransportError:
                return False
            return answer.status_code == 200

        wait_for(healthy, timeout=120, what="a healthy appliance over HTTPS")
        # Plain HTTP on the same port gets nothing.
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{fresh_appliance.port}/login.html", timeout=5)

        assert client.post("/api/v1/auth/login", json={"password": "falsch"}).status_code == 401
        login = client.post("/api/v1/auth/login", json={"password": PASSWORD})
        assert login.status_code == 200 and "Secure" in login.headers["set-cookie"]
        fingerprint = client.get("/api/v1/system/info").json()["tls_fingerprint"]
        assert len(fingerprint.split(":")) == 32
        assert fingerprint in fresh_appliance.log_text()

        # A project is embedded by a worker, whose vector reaches the launcher over HTTPS.
        created = client.post(
            "/api/v1/projects/", json={"name": "Dach LAN", "description": "Ziegel tauschen"}
        ).json()

        def indexed() -> bool:
            project = client.get(f"/api/v1/projects/{created['id']}").json()
            return project["status"] == "indexed"

        wait_for(indexed, timeout=180, what="the project indexed through the HTTPS channel")
