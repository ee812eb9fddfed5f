"""`appliance run`: the web server, the worker processes and the reaper in one program.

The launcher's main thread supervises; uvicorn serves from a second thread (uvicorn only
installs signal handlers on the main thread, so the launcher keeps Ctrl-C and SIGTERM for
itself and shuts the pieces down in order).
"""

from __future__ import annotations

import logging
import socket
import sys
import threading
import time
import webbrowser

import uvicorn
from filelock import Timeout

from appliance import __version__
from appliance.api.app import create_app
from appliance.backups.service import BackupService
from appliance.bootstrap import start_runtime
from appliance.config import Settings
from appliance.documents.meaning import restore_chunk_store
from appliance.documents.reconcile import reconcile_documents
from appliance.errors import StartupError
from appliance.instance import announce, instance_lock, opening_url, running_instance, withdraw
from appliance.internal_client import TOKEN_FILE, write_token
from appliance.logs import LOG_FILE, setup_logging
from appliance.model_change import ModelSwitch
from appliance.private_files import installation_token, tighten_tree
from appliance.projects.reconcile import reconcile
from appliance.runtime import Role, Runtime
from appliance.supervision import Every, stop_on_signals, supervise
from appliance.supervisor import WorkerSupervisor
from appliance.tasking.reaper import Reaper
from appliance.tls import certificate_names, ensure_certificate
from appliance.wording import Language, say

log = logging.getLogger("appliance.launcher")

HARD_LIMIT_CHECK_INTERVAL = 1.0
READY_TIMEOUT = 30.0
VECTOR_FLUSH_INTERVAL = 5.0
MODEL_SWITCH_CHECK_INTERVAL = 5.0  # while a new model's vectors are built (model_change.py)
CHECKPOINT_INTERVAL = 60.0  # keeps the WAL files small under steady load


class CannotStartError(StartupError):
    """The appliance cannot start: another copy runs, the port is taken, or similar."""

    exit_code = 3


class Launcher:
    """Owns one data directory while it runs: server, workers, reaper."""

    def __init__(self, settings: Settings, *, reuse_running: bool = False) -> None:
        self.settings = settings
        self.reuse_running = reuse_running
        self.stop_requested = threading.Event()
        self._lock = instance_lock(settings)

    def run(self) -> int:
        settings = self.settings
        if settings.lan_mode and not settings.access_token:
            raise CannotStartError("start.lan_needs_password", host=settings.host)
        settings.ensure_dirs()
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            url = opening_url(settings)
            if self.reuse_running and url:
                webbrowser.open(url)
                return 0
            info = running_instance(settings)
            where = f" at {info.get('url')} (pid {info.get('pid')})" if info else ""
            raise CannotStartError(
                "start.already_running", data_dir=settings.data_dir, where=where
            ) from None
        try:
            return self._run_locked()
        finally:
            withdraw(settings.data_dir)
            self._lock.release()

    def _run_locked(self) -> int:
        settings = self.settings
        setup_logging(settings, process_name="launcher", log_file=LOG_FILE)
        log.info("HandwerkML Appliance %s starting; data in %s", __version__, settings.data_dir)
        opened_up = tighten_tree(settings.data_dir)
        if opened_up:
            log.info("made %d files and folders of the data folder private", opened_up)
        sock = self._bind()
        self._open_browser()
        runtime = start_runtime(settings, role=Role.SERVER, own_vectors=True)
        supervisor = WorkerSupervisor(settings, on_exit=self._on_worker_exit)
        # With a shared queue, workers of other machines appear in the ledger too: this
        # launcher may kill only its own.
        self._reaper = Reaper(
            runtime,
            supervisor,
            local_workers=supervisor.names if settings.distributed else None,
        )
        self._reaper.startup(supervisor.names())
        reconcile(runtime)
        restore_chunk_store(runtime)
        reconcile_documents(runtime)
        self._model_switch = ModelSwitch(runtime)
        self._model_switch.start()
        BackupService(runtime).close_interrupted()

        token = write_token(settings.data_dir)
        certificate = None
        if settings.tls:
            certificate = ensure_certificate(
                settings.tls_dir, certificate_names(settings.host, settings.host_names())
            )
            log.info("HTTPS certificate fingerprint (SHA-256): %s", certificate.fingerprint)
        app = create_app(
            runtime,
            control=supervisor,
            internal_token=token,
            request_stop=self.stop_requested.set,  # the UI's "Beenden"
            tls_fingerprint=certificate.fingerprint if certificate else None,
        )
        # Searches embed their text in this process: load the model while workers start.
        if runtime.search is not None and runtime.search.queries is not None:
            runtime.search.queries.warm_up_in_background()
        server = uvicorn.Server(
            uvicorn.Config(
                app,
                log_config=None,
                access_log=False,
                timeout_graceful_shutdown=2,
                ssl_certfile=str(certificate.cert_file) if certificate else None,
                ssl_keyfile=str(certificate.key_file) if certificate else None,
            )
        )
        server_thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="http", daemon=True
        )
        stop_on_signals(self.stop_requested)
        server_thread.start()
        try:
            # Serve first, then start the workers: on two cores, five processes importing
            # torch and the parsers would otherwise delay the page by seconds.
            serving = self._wait_until_serving(server, server_thread)
            supervisor.start_all()
            if serving:
                self._announce()
                self._enqueue_start_tasks(runtime)
                self._supervise(supervisor, runtime)
        finally:
            log.info("stopping")
            server.should_exit = True
            supervisor.stop_all(timeout=settings.shutdown_grace + 1.0)
            for name in supervisor.names():
                self._reaper.requeue_tasks_of(
                    name, say("task.appliance_stopped", Language.EN), count_attempt=False
                )
                runtime.workers.mark_worker_stopped(name=name, pid=None, now=time.time())
            server_thread.join(timeout=3)
            (settings.data_dir / TOKEN_FILE).unlink(missing_ok=True)
            self._model_switch.close()
            runtime.close()
            log.info("stopped")
        return 0

    def _bind(self) -> socket.socket:
        """Bind the port here, so a port in use is a clear message and not a thread's trace."""
        host, port = self.settings.host, self.settings.port
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # IPPROTO_TCP, not the default 0: asyncio turns Nagle's algorithm off only on
        # sockets that say they are TCP. With it on, a response written in two parts waits
        # for the browser's delayed ACK: 40 ms on every request that follows another closely.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        if sys.platform != "win32":
            # On Windows this option would let a second program steal the port.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            sock.close()
            raise CannotStartError(
                "start.port_in_use", port=port, host=host, reason=exc.strerror
            ) from None
        sock.listen(128)
        sock.set_inheritable(False)
        return sock

    def _wait_until_serving(self, server: uvicorn.Server, thread: threading.Thread) -> bool:
        deadline = time.monotonic() + READY_TIMEOUT
        while not server.started:
            if not thread.is_alive():
                log.error("the web server did not start")
                return False
            if self.stop_requested.wait(0.02) or time.monotonic() > deadline:
                return False
        return True

    def _open_browser(self) -> None:
        """Open the UI as soon as the port listens, before anything else starts: a
        double-click shows a window within a second, whose page loads once the server
        answers (the browser's connection waits in the socket's queue until then)."""
        if not self.settings.open_browser:
            return
        # With the access token: the UI answers nobody without it (or a password).
        url = f"{self.settings.base_url}/?token={installation_token(self.settings.data_dir)}"
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()

    def _announce(self) -> None:
        url = self.settings.base_url + "/"
        announce(self.settings.data_dir, url)
        log.info("HandwerkML Appliance is ready at %s", url)

    def _enqueue_start_tasks(self, runtime: Runtime) -> None:
        # Huey skips periodic runs missed while the PC was off: catch up once at start.
        for spec in runtime.queue.registry:
            if spec.periodic is not None and spec.periodic.run_at_start:
                runtime.queue.enqueue(spec.name)

    def _supervise(self, supervisor: WorkerSupervisor, runtime: Runtime) -> None:
        reaper = self._reaper

        def each_turn() -> None:
            reaper.tick()
            supervisor.check()

        def reap() -> None:
            reaper.reap_dead_workers()
            reaper.resend_orphans()

        def checkpoint() -> None:
            runtime.db.checkpoint()
            runtime.queue.checkpoint()

        jobs = [
            Every(HARD_LIMIT_CHECK_INTERVAL, reaper.enforce_hard_limit),
            Every(self.settings.reaper_interval, reap),
            Every(CHECKPOINT_INTERVAL, checkpoint, first=CHECKPOINT_INTERVAL),
        ]

        def flush_vectors() -> None:
            for store in runtime.stores():
                store.flush()

        jobs.append(Every(VECTOR_FLUSH_INTERVAL, flush_vectors))
        jobs.append(Every(MODEL_SWITCH_CHECK_INTERVAL, self._model_switch.check))
        supervise(self.stop_requested, each_turn, jobs)

    def _on_worker_exit(self, name: str, count_attempt: bool) -> None:
        reason = (
            say("task.worker_died", Language.EN, worker=name)
            if count_attempt
            else say("task.worker_replaced", Language.EN, worker=name)
        )
        self._reaper.requeue_tasks_of(name, reason, count_attempt=count_attempt)
