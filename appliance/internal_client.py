"""How a worker reaches the launcher's internal API (vector writes, uploaded files).

Local workers find the launcher on loopback and read the token it writes into the data
directory at each start. Worker nodes on other machines cannot see that folder: they
use `APPLIANCE_SERVER_URL` and the shared secret `APPLIANCE_WORKER_TOKEN`, which the
launcher accepts beside its own per-start token.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import ssl
from pathlib import Path
from typing import Any

import httpx

from appliance.config import Settings
from appliance.private_files import read_private, write_private

TOKEN_FILE = "owner.token"
TOKEN_HEADER = "X-Appliance-Token"
# The internal API's paths, for the routes that serve them and the clients that call them.
INTERNAL_PREFIX = "/internal"
UPSERT_VECTORS = "/vectors/upsert"
DELETE_VECTORS = "/vectors/delete"
FILES = "/files/"
DOWNLOAD_CHUNK = 1024 * 1024


class LauncherUnavailableError(ConnectionError):
    """The launcher did not answer, or refused: the task follows the retry schedule."""


class RemoteFileMissingError(LookupError):
    """The launcher answered that the file does not exist (404)."""


def write_token(data_dir: Path) -> str:
    """A fresh token for this launcher run, readable only by this user (never for a
    moment by anyone else: the file is created private)."""
    token = secrets.token_urlsafe(32)
    write_private(data_dir / TOKEN_FILE, token)
    return token


class InternalClient:
    """Authenticated requests to the launcher's `/internal/*` endpoints."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        token_file: Path | None = None,
        certificate: Path | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.base_url = base_url
        self._token = token
        self._token_file = token_file
        self._certificate = certificate
        self._timeout = timeout
        self._http: httpx.Client | None = None

    @property
    def _client(self) -> httpx.Client:
        # Made at first use: the launcher writes its certificate when it starts, which may
        # be after this process built its runtime.
        if self._http is None:
            verify: ssl.SSLContext | bool = True
            if self._certificate is not None:
                # An https server with its own certificate is checked against that one.
                verify = ssl.create_default_context(cafile=str(self._certificate))
            self._http = httpx.Client(base_url=self.base_url, timeout=self._timeout, verify=verify)
        return self._http

    @classmethod
    def for_settings(cls, settings: Settings) -> InternalClient:
        """A worker node's client (server URL and shared token), else the local one."""
        if settings.server_url:
            return cls(
                settings.server_url,
                token=settings.worker_token,
                certificate=settings.server_certificate,
            )
        return cls(
            settings.base_url,
            token=settings.worker_token,
            token_file=settings.data_dir / TOKEN_FILE,
            certificate=settings.tls_dir / "cert.pem" if settings.tls else None,
        )

    def _headers(self) -> dict[str, str]:
        if self._token:
            return {TOKEN_HEADER: self._token}
        if self._token_file is None:
            raise LauncherUnavailableError(
                f"no token for the appliance at {self.base_url}: set APPLIANCE_WORKER_TOKEN"
            )
        try:
            token = read_private(self._token_file)
        except OSError:
            # The launcher writes it at start and removes it on stop.
            raise LauncherUnavailableError(
                "the appliance that owns the vector store is not running"
            ) from None
        return {TOKEN_HEADER: token}

    def post(self, path: str, body: dict[str, Any]) -> None:
        """POST JSON; anything but 200 raises `LauncherUnavailableError`."""
        headers = self._headers()
        try:
            response = self._client.post(path, json=body, headers=headers)
        except httpx.TransportError as exc:
            raise LauncherUnavailableError(
                f"the appliance at {self.base_url} is not reachable ({exc})"
            ) from None
        if response.status_code != 200:
            raise LauncherUnavailableError(
                f"the appliance at {self.base_url} refused the request "
                f"({response.status_code}: {response.text[:200]})"
            )

    def download(self, path: str, dest: Path, *, sha256: str | None = None) -> None:
        """Stream `path` into `dest` (atomically), checking its sha256 when given."""
        partial = dest.with_name(dest.name + ".part")
        digest = hashlib.sha256()
        try:
            with (
                self._client.stream("GET", path, headers=self._headers()) as response,
            ):
                if response.status_code == 404:
                    raise RemoteFileMissingError(path)
                if response.status_code != 200:
                    raise LauncherUnavailableError(
                        f"the appliance at {self.base_url} refused the download "
                        f"({response.status_code})"
                    )
                with partial.open("wb") as out:
                    for chunk in response.iter_bytes(DOWNLOAD_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        except httpx.TransportError as exc:
            partial.unlink(missing_ok=True)
            raise LauncherUnavailableError(
                f"the appliance at {self.base_url} is not reachable ({exc})"
            ) from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        if sha256 is not None and digest.hexdigest() != sha256:
            partial.unlink(missing_ok=True)
            raise LauncherUnavailableError("the downloaded file does not match its checksum")
        os.replace(partial, dest)

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
