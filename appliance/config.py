"""Every setting of the appliance, declared once.

Values come from command-line flags, then `APPLIANCE_*` environment variables, then the
defaults below. The README's configuration table is tested against this class, so a new
field without a description (or missing from the README) fails the test suite.
"""

from __future__ import annotations

import re
from pathlib import Path, PureWindowsPath
from typing import Literal

import platformdirs
from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from appliance.private_files import make_private_dir

APP_NAME = "HandwerkML"


_POSTGRES_SCHEMES = ("postgresql+psycopg://", "postgresql://", "postgres://")
_DATABASE_URL_HELP = (
    "use postgresql://user:password@host:5432/dbname, or sqlite:////absolute/path/app.db"
)


def normalize_database_url(value: str | None) -> str | None:
    """The SQLAlchemy URL for APPLIANCE_DATABASE_URL; None (or empty) means the data dir's file.

    `postgresql://` and `postgres://` mean psycopg 3, the driver the appliance bundles. A
    SQLite URL must name an absolute path: a relative one would resolve differently in
    every process that opens it (a worker started from another folder, a service).
    """
    if value is None or not value.strip():
        return None
    url = value.strip()
    for scheme in _POSTGRES_SCHEMES:
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :].split("?", 1)[0]
        if not (path.startswith("/") or PureWindowsPath(path).is_absolute()):
            raise ValueError(f"a SQLite URL needs an absolute path; {_DATABASE_URL_HELP}")
        return url
    given = re.match(r"^[\w+.-]+://", url)
    named = f"{given.group(0)!r} is not supported" if given else "this is not a database URL"
    raise ValueError(f"{named}; {_DATABASE_URL_HELP}")


def default_data_dir() -> Path:
    """The OS's per-user data folder, e.g. ~/.local/share/HandwerkML or %LOCALAPPDATA%."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


class Settings(BaseSettings):
    """Configuration of one appliance installation."""

    model_config = SettingsConfigDict(
        env_prefix="APPLIANCE_", extra="ignore", populate_by_name=True
    )

    host: str = Field("127.0.0.1", description="Address the web server binds to.")
    port: int = Field(8001, ge=1, le=65535, description="TCP port of the web server and UI.")
    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Folder for the app database, queue database, vectors, uploads and logs.",
    )
    database_url: str | None = Field(
        None,
        description="App database (projects, documents, task ledger) on a PostgreSQL "
        "server, e.g. 'postgresql://user:password@host:5432/handwerkml'; empty: app.db in "
        "the data folder. 'sqlite:////absolute/path/app.db' names another SQLite file.",
    )
    workers: int = Field(
        4,
        ge=0,
        le=32,
        description="Number of worker processes to start (0 only with APPLIANCE_QUEUE_URL: "
        "then worker nodes on other machines do the work).",
    )
    open_browser: bool = Field(True, description="Open the UI in the browser after start.")
    language: Literal["de", "en"] = Field(
        "de",
        description="Language of messages for people (errors of the API, documents and "
        "tasks) when a request's Accept-Language names neither German nor English.",
    )
    access_token: str | None = Field(
        None,
        min_length=12,
        description="Password for LAN mode (at least 12 characters); required when the host "
        "is not a loopback address.",
    )
    lan_plain_http: bool = Field(
        False,
        description="LAN mode: serve plain HTTP instead of HTTPS with the appliance's own "
        "certificate (only behind a proxy that does TLS).",
    )
    allowed_hosts: str = Field(
        "",
        description="LAN mode: extra host names or addresses (comma-separated) under which "
        "other PCs reach the appliance, e.g. 'buero-pc,192.168.1.20'.",
    )

    retry_base_delay: float = Field(
        60.0,
        gt=0,
        description="First retry delay in seconds; later retries double it.",
    )
    retry_max_delay: float = Field(
        600.0,
        gt=0,
        description="Longest delay before a retry, in seconds, jitter included.",
    )
    max_retries: int = Field(3, ge=0, le=20, description="Retries after a task's first failure.")
    task_soft_time_limit: float = Field(
        1800.0, gt=0, description="Seconds after which a running task is asked to stop."
    )
    task_hard_time_limit: float = Field(
        1900.0, gt=0, description="Seconds after which the worker running a task is killed."
    )
    max_tasks_per_child: int = Field(
        100,
        ge=0,
        description="Task runs after which a worker process is replaced by a fresh one "
        "(a batch counts once; 0: never), as Celery's --max-tasks-per-child.",
    )
    result_expires: float = Field(
        3600.0, gt=0, description="Seconds a finished task's result is kept before cleanup."
    )
    task_history_days: float = Field(
        30.0, gt=0, description="Days a finished task stays in the history (without result)."
    )
    worker_lease: float = Field(
        30.0,
        gt=0,
        description="Seconds without a heartbeat after which a worker counts as dead.",
    )
    heartbeat_interval: float = Field(
        2.0, gt=0, description="Seconds between a worker's heartbeats."
    )
    reaper_interval: float = Field(
        10.0, gt=0, description="Seconds between the launcher's checks for lost tasks."
    )
    shutdown_grace: float = Field(
        6.0,
        ge=0,
        description="Seconds running tasks get to finish on stop before they are re-queued.",
    )
    log_level: str = Field("INFO", description="Log level: DEBUG, INFO, WARNING or ERROR.")

    max_upload_mb: int = Field(100, ge=1, le=10240, description="Largest file accepted, in MB.")
    extraction_timeout: float = Field(
        600.0, gt=0, description="Seconds one document may take to read before it is stopped."
    )
    extraction_memory_mb: int = Field(
        1536, ge=128, description="Memory one document may use while it is read, in MB."
    )
    reader_idle_seconds: float = Field(
        120.0,
        gt=0,
        description="Seconds a document worker's file reader waits for the next file before "
        "it ends (75 MB each; the next file then waits about a second for a fresh one).",
    )
    embed_chunks_per_run: int = Field(
        64,
        ge=1,
        le=4096,
        description="Chunks of a document's text embedded per background run (about a "
        "second on two cores); project embeddings get in between runs.",
    )
    max_image_megapixels: int = Field(
        100, ge=1, description="Largest image (or page scan) accepted, in megapixels."
    )
    ocr_languages: str = Field("deu+eng", description="Tesseract languages for OCR.")
    tesseract_cmd: Path | None = Field(
        None, description="A tesseract program to use; empty: the bundled one."
    )
    failed_document_retention_hours: float = Field(
        24.0, gt=0, description="Hours a failed document is kept before the daily cleanup."
    )
    trash_days: int = Field(
        30,
        ge=1,
        le=3650,
        description="Days deleted projects and documents stay restorable in the Papierkorb "
        "before the daily cleanup removes them for good.",
    )

    embedding_engine: Literal["onnx", "torch"] = Field(
        "onnx",
        description="What computes the embeddings: 'onnx' (ONNX Runtime, twice as fast, "
        "no torch) or 'torch' (sentence-transformers, the reference). Both give the same "
        "vectors.",
    )
    embedding_model: Path | None = Field(
        None,
        description="Folder of a local sentence-transformers model; empty: the bundled "
        "all-MiniLM-L6-v2. The vector size follows the model. The 'onnx' engine exports "
        "it once (with torch) into the model cache.",
    )
    model_cache_dir: Path | None = Field(
        None,
        description="Where ONNX exports of embedding models are kept; empty: the user's "
        "cache folder (handwerkml/onnx-models).",
    )
    embedding_threads: int | None = Field(
        None,
        ge=1,
        le=64,
        # Its name until 0.1.0; still read so an installation's setting keeps working.
        validation_alias=AliasChoices("APPLIANCE_EMBEDDING_THREADS", "APPLIANCE_TORCH_THREADS"),
        description="Lanes (threads) the embedding model encodes a batch in; empty: every "
        "core in an embedding worker of its own, 1 in a worker that shares its time with "
        "documents. APPLIANCE_TORCH_THREADS is read too (its name until 0.1.0).",
    )
    vector_engine: Literal["edge", "local"] = Field(
        "edge",
        description="Embedded vector engine: 'edge' (Qdrant Edge) or 'local' "
        "(qdrant-client's local-file mode).",
    )
    qdrant_url: str | None = Field(
        None, description="URL of a Qdrant server; when set it replaces the embedded engine."
    )
    qdrant_api_key: str | None = Field(None, description="API key for the Qdrant server.")

    # -- several machines (see "Outgrowing one PC" in the README) ----------------------
    queue_url: str | None = Field(
        None,
        description="Redis server for the task queue, e.g. 'redis://host:6379/0'; empty: "
        "the SQLite queue file in the data folder.",
    )
    server_certificate: Path | None = Field(
        None,
        description="Worker nodes: the server's certificate (tls/cert.pem in its data "
        "folder, copied here) to check an https:// APPLIANCE_SERVER_URL against.",
    )
    server_url: str | None = Field(
        None,
        description="Worker nodes: base URL of the machine running `appliance run`, e.g. "
        "'http://buero-pc:8001'; files and vector writes are fetched from and sent there.",
    )
    worker_token: str | None = Field(
        None,
        min_length=16,
        description="Shared secret with which worker nodes on other machines reach the "
        "server's internal API; set the same value on the server and every node.",
    )
    node_name: str | None = Field(
        None,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="Name of this machine in worker names (huey@<node>/worker-1) when the "
        "queue is on Redis; empty: the host name.",
    )
    backup_dir: Path | None = Field(
        None,
        description="Folder for backup archives, best on another disk (a USB disk or a "
        "network share); empty: 'backups' in the data folder, which does not survive that "
        "disk.",
    )
    backup_keep: int = Field(7, ge=1, le=1000, description="How many newest backups to keep.")
    hold_dir: Path | None = Field(
        None,
        description="For tests: a folder of hold files that make work wait at named points "
        "(appliance/holds.py); empty: off.",
    )

    @field_validator("queue_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a Redis URL: redis://host:6379/0, rediss://... or unix://")
        return value or None

    @field_validator("server_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL, e.g. http://buero-pc:8001")
        return value.rstrip("/") if value else None

    @model_validator(mode="after")
    def _someone_works(self) -> Settings:
        if self.workers == 0 and not self.queue_url:
            raise ValueError(
                "workers=0 needs APPLIANCE_QUEUE_URL: without a shared queue no other "
                "machine can take the work"
            )
        return self

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        return normalize_database_url(value)

    @property
    def app_db_path(self) -> Path:
        return self.data_dir / "app.db"

    @property
    def app_database_url(self) -> str:
        """Where the app database is: the configured URL, else app.db in the data folder."""
        return self.database_url or f"sqlite:///{self.app_db_path.resolve()}"

    @property
    def distributed(self) -> bool:
        """True when the queue is shared with worker nodes on other machines (Redis)."""
        return self.queue_url is not None

    @property
    def queue_db_path(self) -> Path:
        return self.data_dir / "queue.db"

    @property
    def vectors_dir(self) -> Path:
        return self.data_dir / "vectors"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def backup_target(self) -> Path:
        """Where backup archives go: APPLIANCE_BACKUP_DIR, else `backups` in the data folder."""
        return self.backup_dir or self.data_dir / "backups"

    @property
    def tls_dir(self) -> Path:
        """LAN mode's certificate and key (`tls.py`)."""
        return self.data_dir / "tls"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def tls(self) -> bool:
        """HTTPS with the appliance's own certificate: LAN mode, unless plain HTTP is asked."""
        return self.lan_mode and not self.lan_plain_http

    @property
    def base_url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        if ":" in host:
            host = f"[{host}]"
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"

    @property
    def lan_mode(self) -> bool:
        return self.host not in ("127.0.0.1", "localhost", "::1") and not self.host.startswith(
            "127."
        )

    def host_names(self) -> list[str]:
        """Names besides the loopback ones that the Host header may carry."""
        names = [n.strip() for n in self.allowed_hosts.split(",") if n.strip()]
        if self.lan_mode and self.host not in ("0.0.0.0", "::"):
            names.append(f"[{self.host}]" if ":" in self.host else self.host)
        return names

    def ensure_dirs(self) -> None:
        """Create the data directory and its sub-folders, private to this user."""
        for folder in (self.data_dir, self.vectors_dir, self.uploads_dir, self.logs_dir):
            make_private_dir(folder)
