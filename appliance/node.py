"""`appliance node`: worker processes on another machine, without the server.

A worker node takes tasks from the shared queue (Redis) and writes to the shared app
database; files come from the launcher's API and vector writes go there too (or to a
Qdrant server). It supervises its workers the way the launcher does: restarts the ones
that die and hands their tasks back, and kills one that runs past the hard time limit,
which the launcher cannot do on another machine.
"""

from __future__ import annotations

import logging
import socket
import threading
import time

import psutil
from filelock import FileLock, Timeout

from appliance import __version__
from appliance.bootstrap import start_runtime
from appliance.config import Settings
from appliance.errors import StartupError
from appliance.logs import setup_logging
from appliance.runtime import Runtime
from appliance.supervision import Every, stop_on_signals, supervise
from appliance.supervisor import WorkerSupervisor
from appliance.tasking.broker import redacted
from appliance.tasking.layout import node_name, worker_plans
from appliance.tasking.reaper import Reaper
from appliance.wording import Language, say

log = logging.getLogger("appliance.node")

LOCK_FILE = "node.lock"
LOG_FILE = "node.log"
HARD_LIMIT_CHECK_INTERVAL = 1.0


class NodeConfigError(StartupError):
    """The settings cannot work on another machine; the message says what to set."""

    exit_code = 2


def check_node_settings(settings: Settings) -> list[str]:
    """Raise `NodeConfigError` for settings a node cannot work with; return warnings."""
    if settings.workers < 1:
        raise NodeConfigError("node.no_workers")
    if not settings.queue_url:
        raise NodeConfigError("node.no_queue")
    if not settings.database_url:
        raise NodeConfigError("node.no_database")
    if settings.server_url and not settings.worker_token:
        raise NodeConfigError("node.no_worker_token")
    if not settings.server_url and not settings.qdrant_url:
        raise NodeConfigError("node.no_server")
    if not settings.server_url:
        return [
            "APPLIANCE_SERVER_URL is not set: uploaded files must be in this node's "
            f"uploads folder ({settings.uploads_dir}), e.g. a shared folder."
        ]
    return []


class WorkerNode:
    """Runs and watches this machine's worker processes until stopped."""

    def __init__(
        self,
        settings: Settings,
        *,
        count: int,
        embedding_workers: int | None = None,
        periodic: bool = False,
    ) -> None:
        self.settings = settings
        self.plans = worker_plans(
            settings, count=count, embedding_workers=embedding_workers, periodic=periodic
        )
        self.stop_requested = threading.Event()

    def run(self) -> int:
        settings = self.settings
        warnings = check_node_settings(settings)
        settings.ensure_dirs()
        lock = FileLock(str(settings.data_dir / LOCK_FILE))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise NodeConfigError("node.already_running", data_dir=settings.data_dir) from None
        try:
            setup_logging(settings, process_name=f"node {node_name(settings)}", log_file=LOG_FILE)
            for warning in warnings:
                log.warning(warning)
            return self._run_locked()
        finally:
            lock.release()

    def _run_locked(self) -> int:
        settings = self.settings
        runtime = start_runtime(settings)
        supervisor = WorkerSupervisor(settings, on_exit=self._on_worker_exit, plans=self.plans)
        self._reaper = Reaper(runtime, supervisor, local_workers=supervisor.names, foreign=False)
        self._recover_previous_run(runtime)
        log.info(
            "HandwerkML worker node %s (%s) with %d workers; queue %s, server %s",
            node_name(settings),
            __version__,
            len(self.plans),
            redacted(settings.queue_url or ""),
            settings.server_url or "-",
        )
        stop_on_signals(self.stop_requested)
        try:
            supervisor.start_all()
            self._supervise(supervisor)
        finally:
            log.info("stopping")
            supervisor.stop_all(timeout=settings.shutdown_grace + 1.0)
            for name in supervisor.names():
                self._reaper.requeue_tasks_of(
                    name, say("task.node_stopped", Language.EN), count_attempt=False
                )
                runtime.workers.mark_worker_stopped(name=name, pid=None, now=time.time())
            runtime.close()
            log.info("stopped")
        return 0

    def _recover_previous_run(self, runtime: Runtime) -> None:
        """Tasks this machine's workers ran before a crash are lost: hand them back now,
        instead of waiting a lease. Only rows of this host whose process is gone."""
        host = socket.gethostname()
        for plan in self.plans:
            row = runtime.workers.worker(plan.name)
            if row is None or row.stopped_at is not None or row.hostname != host:
                continue
            if psutil.pid_exists(row.pid):
                continue
            runtime.workers.mark_worker_stopped(name=plan.name, pid=row.pid, now=time.time())
            self._reaper.requeue_tasks_of(plan.name, say("task.node_stopped", Language.EN))

    def _supervise(self, supervisor: WorkerSupervisor) -> None:
        reaper = self._reaper

        def each_turn() -> None:
            reaper.tick()
            supervisor.check()

        # The database or Redis may be away for a moment; the workers keep going.
        supervise(
            self.stop_requested,
            each_turn,
            [Every(HARD_LIMIT_CHECK_INTERVAL, reaper.enforce_hard_limit)],
        )

    def _on_worker_exit(self, name: str, count_attempt: bool) -> None:
        reason = (
            say("task.worker_died", Language.EN, worker=name)
            if count_attempt
            else say("task.worker_replaced", Language.EN, worker=name)
        )
        self._reaper.requeue_tasks_of(name, reason, count_attempt=count_attempt)
