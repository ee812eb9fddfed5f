"""Who may use the appliance: the installation token, sessions, and the LAN password.

Every request needs a credential, in every mode (the way Jupyter guards a notebook
server): another account on the same PC reaches 127.0.0.1 as easily as the office does.
- `Authorization: Bearer <installation token>`: scripts, monitoring, the CLI.
- A session cookie: the browser. The program opens the browser at `/?token=<token>`,
  which is exchanged for a session; in LAN mode a person logs in with the password.
Sessions are random, expire, are made anew at every login and end at logout; they
outlive a restart of the appliance (an open browser tab stays logged in), kept as hashes
in a private file of the data folder. Wrong passwords slow the next try from the same
address down.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from appliance.private_files import read_private, write_private

SESSION_COOKIE = "appliance_session"
FREE_FAILURES = 5  # wrong passwords from one address before it has to wait
LONGEST_LOCKOUT = 15 * 60.0
TRACKED_ADDRESSES = 10_000


def session_cookie(session_id: str, *, secure: bool) -> str:
    """The Set-Cookie value for a session: not for scripts, not sent from other sites."""
    flags = "; Secure" if secure else ""
    return f"{SESSION_COOKIE}={session_id}; Path=/; HttpOnly; SameSite=Strict{flags}"


def ended_cookie(*, secure: bool) -> str:
    return session_cookie("", secure=secure) + "; Max-Age=0"


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison of two secrets, for any characters ("Müller-Büro-2026")."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _key(session_id: str) -> str:
    # Looked up by a hash: the dictionary's timing says nothing about the stored ids.
    return hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class _Session:
    expires: float
    idle_until: float


class Sessions:
    """Server-side sessions with an absolute lifetime and an idle timeout.

    With `store`, the sessions' hashes and end times are kept in that file whenever one
    begins or ends (not at every request: after a restart the idle time starts anew).
    Times are wall-clock seconds, so a lifetime holds across a restart or a night's sleep.
    """

    def __init__(
        self,
        *,
        lifetime: float,
        idle: float,
        clock: Callable[[], float] = time.time,
        store: Path | None = None,
    ) -> None:
        self.lifetime = lifetime
        self.idle = idle
        self._clock = clock
        self._store = store
        self._lock = threading.Lock()
        self._sessions: dict[str, _Session] = self._load()

    def create(self) -> str:
        """A new session id (for the cookie); the only place it exists in clear text."""
        session_id = secrets.token_urlsafe(32)
        now = self._clock()
        with self._lock:
            self._drop_expired(now)
            self._sessions[_key(session_id)] = _Session(now + self.lifetime, now + self.idle)
            self._save()
        return session_id

    def check(self, session_id: str) -> bool:
        """Whether the id belongs to a live session; a live one's idle time starts anew."""
        now = self._clock()
        with self._lock:
            session = self._sessions.get(_key(session_id))
            if session is None:
                return False
            if now >= session.expires or now >= session.idle_until:
                del self._sessions[_key(session_id)]
                return False
            session.idle_until = min(now + self.idle, session.expires)
            return True

    def end(self, session_id: str) -> None:
        with self._lock:
            if self._sessions.pop(_key(session_id), None) is not None:
                self._save()

    def _drop_expired(self, now: float) -> None:
        for key in [k for k, s in self._sessions.items() if now >= min(s.expires, s.idle_until)]:
            del self._sessions[key]

    def _load(self) -> dict[str, _Session]:
        if self._store is None:
            return {}
        try:
            saved = json.loads(read_private(self._store))
        except (OSError, ValueError):
            return {}  # none yet, or unreadable: everyone logs in again
        now = self._clock()
        loaded = {}
        for key, expires in saved.items() if isinstance(saved, dict) else ():
            if isinstance(key, str) and isinstance(expires, int | float) and expires > now:
                loaded[key] = _Session(float(expires), min(now + self.idle, float(expires)))
        return loaded

    def _save(self) -> None:
        if self._store is None:
            return
        ends = {key: session.expires for key, session in self._sessions.items()}
        write_private(self._store, json.dumps(ends))


@dataclass
class _Failures:
    count: int = 0
    wait_until: float = 0.0


@dataclass
class LoginThrottle:
    """Per-address backoff after wrong passwords: 1, 2, 4 ... s up to 15 min, reset on
    success. A guesser gets a handful of tries an hour instead of thousands a second."""

    clock: Callable[[], float] = time.monotonic
    _failures: OrderedDict[str, _Failures] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, address: str) -> float:
        """Seconds `address` must still wait before its next try (0: it may try now)."""
        with self._lock:
            failures = self._failures.get(address)
            return 0.0 if failures is None else max(failures.wait_until - self.clock(), 0.0)

    def failed(self, address: str) -> None:
        with self._lock:
            failures = self._failures.pop(address, None) or _Failures()
            failures.count += 1
            if failures.count >= FREE_FAILURES:
                delay = min(2.0 ** (failures.count - FREE_FAILURES), LONGEST_LOCKOUT)
                failures.wait_until = self.clock() + delay
            self._failures[address] = failures
            while len(self._failures) > TRACKED_ADDRESSES:
                self._failures.popitem(last=False)

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)


class Credentials:
    """The secrets one installation accepts, and its sessions."""

    def __init__(
        self,
        installation_token: str,
        *,
        lan_password: str | None,
        sessions: Sessions,
        throttle: LoginThrottle | None = None,
    ) -> None:
        self.installation_token = installation_token
        self.lan_password = lan_password
        self.sessions = sessions
        self.throttle = throttle or LoginThrottle()

    def bearer_ok(self, authorization: str) -> bool:
        scheme, _, value = authorization.partition(" ")
        return scheme.lower() == "bearer" and same_secret(value.strip(), self.installation_token)

    def token_ok(self, token: str) -> bool:
        return same_secret(token, self.installation_token)

    def password_ok(self, password: str) -> bool:
        return self.lan_password is not None and same_secret(password, self.lan_password)
