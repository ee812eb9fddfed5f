"""The launcher's side of the worker processes: start, watch, restart, stop, kill."""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

import psutil

from appliance.config import Settings
from appliance.logs import forward_line
from appliance.processes import LEFT_ON_PURPOSE, STOP_COMMAND, WorkerExit, program_command
from appliance.tasking.layout import WorkerPlan, worker_plans

log = logging.getLogger("appliance.supervisor")

RESTART_BACKOFF_MAX = 30.0
STABLE_AFTER = 60.0  # a worker that lived this long restarts without delay


def settings_env(settings: Settings) -> dict[str, str]:
    """The launcher's effective settings as `APPLIANCE_*` variables for a child process."""
    env = {}
    for name, value in settings.model_dump().items():
        if value is not None:
            env[f"APPLIANCE_{name.upper()}"] = str(value)
    return env


# on_exit(worker name, count_attempt): hand back the tasks the worker still held; raises
# when the database cannot take it now (the supervisor tries again at its next check).
OnExit = Callable[[str, bool], None]


@dataclass
class WorkerHandle:
    """One supervised worker process slot."""

    name: str
    queue: str
    periodic: bool
    process: subprocess.Popen[str] | None = None
    started_at: float = 0.0
    quick_deaths: int = 0
    restart_at: float = 0.0
    reader: threading.Thread | None = field(default=None, repr=False)
    # Set when this supervisor killed the process on purpose (revoke, hard limit): the
    # other tasks it held were not at fault.
    killed_on_purpose: bool = False
    # The process has ended, but its tasks are not handed back yet.
    ended_code: int | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


class WorkerSupervisor:
    """Keeps worker processes running (the launcher's, or a worker node's `plans`)."""

    def __init__(
        self,
        settings: Settings,
        on_exit: OnExit,
        plans: list[WorkerPlan] | None = None,
    ) -> None:
        self.settings = settings
        self.on_exit = on_exit
        plans = worker_plans(settings) if plans is None else plans
        self.handles = [WorkerHandle(plan.name, plan.queue, plan.periodic) for plan in plans]
        self._env = settings_env(settings)
        self._lock = threading.Lock()
        self._stopping = False

    def start_all(self) -> None:
        for handle in self.handles:
            self._spawn(handle)

    def _spawn(self, handle: WorkerHandle) -> None:
        command = [
            *program_command(),
            "worker",
            "--name",
            handle.name,
            "--queue",
            handle.queue,
            "--supervised",
        ]
        if handle.periodic:
            command.append("--periodic")
        creationflags = getattr(subprocess, "CREATE_NO_WINDOW", 0)
        handle.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={**os.environ, **self._env},
            text=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
            creationflags=creationflags,
        )
        handle.started_at = time.monotonic()
        handle.killed_on_purpose = False
        handle.reader = threading.Thread(
            target=_forward_output, args=(handle.process.stdout, handle.name), daemon=True
        )
        handle.reader.start()
        log.info("started %s (pid %d)", handle.name, handle.process.pid)

    def check(self) -> None:
        """Notice workers that ended, hand their tasks back, and start them again.

        A worker is started again only after its tasks were handed back: a new process
        under the same name would otherwise keep the old tasks' rows alive with its
        heartbeats, and only the hard limit would free them (killing whatever the new
        process runs by then). A hand-back the database refuses is tried at every check.
        """
        now = time.monotonic()
        with self._lock:
            if self._stopping:
                return
            for handle in self.handles:
                if handle.process is not None and handle.ended_code is None:
                    code = handle.process.poll()
                    if code is None:
                        continue
                    handle.ended_code = code
                    self._log_exit(handle, code)
                if handle.ended_code is not None and not self._hand_back(handle):
                    continue
                if handle.process is None and now >= handle.restart_at:
                    self._spawn(handle)

    def _log_exit(self, handle: WorkerHandle, code: int) -> None:
        if code == WorkerExit.RETIRED:
            log.info("%s (pid %d) retired; a fresh process takes over", handle.name, handle.pid)
        else:
            log.warning("%s (pid %d) exited with code %s", handle.name, handle.pid, code)

    def _hand_back(self, handle: WorkerHandle) -> bool:
        code = handle.ended_code
        assert code is not None
        on_purpose = handle.killed_on_purpose or code in LEFT_ON_PURPOSE
        try:
            self.on_exit(handle.name, not on_purpose)
        except Exception as exc:
            log.warning("the tasks of %s cannot be handed back yet (%s)", handle.name, exc)
            return False
        now = time.monotonic()
        lived = now - handle.started_at
        handle.process = None
        handle.ended_code = None
        if code == WorkerExit.RETIRED:
            handle.restart_at = now
            return True
        handle.quick_deaths = 0 if lived >= STABLE_AFTER else handle.quick_deaths + 1
        delay = min(2.0 ** max(handle.quick_deaths - 1, 0) - 1, RESTART_BACKOFF_MAX)
        handle.restart_at = now + delay
        if delay > 0:
            log.warning("restarting %s in %.0f s", handle.name, delay)
        return True

    def kill(self, name: str, *, pid: int | None = None) -> bool:
        """Kill a worker and its children at once (revoke with terminate, hard limit).

        With `pid`, only that process: a worker restarted under the same name since the
        caller looked is left alone. The tasks the worker still held lose no attempt.
        """
        handle = self._handle(name)
        process = handle.process if handle is not None else None
        if handle is None or process is None or process.poll() is not None:
            return False
        if pid is not None and process.pid != pid:
            return False
        handle.killed_on_purpose = True
        _kill_tree(process.pid)
        process.wait(timeout=10)
        log.warning("killed %s (pid %d)", name, process.pid)
        return True

    def pid_of(self, name: str) -> int | None:
        handle = self._handle(name)
        return handle.pid if handle is not None and handle.alive() else None

    def names(self) -> list[str]:
        return [handle.name for handle in self.handles]

    def _handle(self, name: str) -> WorkerHandle | None:
        return next((h for h in self.handles if h.name == name), None)

    def stop_all(self, timeout: float) -> None:
        """Ask every worker to stop; kill those still running after `timeout` seconds."""
        with self._lock:
            self._stopping = True
        running = [h for h in self.handles if h.alive()]
        for handle in running:
            assert handle.process is not None and handle.process.stdin is not None
            try:
                handle.process.stdin.write(STOP_COMMAND + "\n")
                handle.process.stdin.flush()
            except OSError:
                pass
        deadline = time.monotonic() + timeout
        for handle in running:
            assert handle.process is not None
            try:
                handle.process.wait(timeout=max(deadline - time.monotonic(), 0.05))
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop in time; killing it", handle.name)
                _kill_tree(handle.process.pid)
                handle.process.wait(timeout=5)
        for handle in self.handles:
            if handle.reader is not None:
                handle.reader.join(timeout=1)


def _forward_output(stream: IO[str] | None, source: str) -> None:
    if stream is None:
        return
    for line in stream:
        forward_line(line, source)


def _kill_tree(pid: int) -> None:
    try:
        parent = psutil.Process(pid)
        children = parent.children(recursive=True)
    except psutil.NoSuchProcess:
        return
    for process in [*children, parent]:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
