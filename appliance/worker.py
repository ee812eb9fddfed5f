"""One worker process: a Huey consumer with one worker thread, a heartbeat, a stop pipe.

The launcher starts N of these as `appliance worker` subprocesses of `sys.executable`
(Huey's process workers need fork, which Windows lacks, and a frozen program can only
start itself). The launcher keeps the worker's stdin open: a line `stop` asks for a
graceful stop; end-of-file without it means the launcher is gone, and the worker leaves
at once so no orphan keeps running tasks behind a new launcher's back.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import sys
import threading
import time

import psutil

from appliance.bootstrap import start_runtime
from appliance.config import Settings
from appliance.documents.processing import new_reader
from appliance.errors import StartupError
from appliance.logs import setup_logging
from appliance.priority import lower_worker
from appliance.processes import STOP_COMMAND, WorkerExit
from appliance.runtime import Role
from appliance.tasking.broker import Consumer, ConsumerStopped
from appliance.tasking.execution import TaskExecutor
from appliance.tasking.layout import EMBEDDING_QUEUE, layout_for
from appliance.tasking.outcomes import settle
from appliance.tasking.reaper import hand_back_tasks_of
from appliance.tasking.states import TaskState
from appliance.tasks import build_registry
from appliance.wording import Language, say

log = logging.getLogger("appliance.worker")


class DuplicateWorkerError(StartupError):
    """Another live process already works under this worker name."""

    exit_code = 2


class WorkerConsumer(Consumer):
    """Huey's consumer, minus what does not fit a supervised (or frozen) worker.

    Huey re-executes `sys.argv` on SIGHUP, which breaks a frozen exe, so SIGHUP is left
    alone; and the launcher asks for a stop through the pipe rather than a signal, since
    Windows cannot deliver SIGINT to one child process.
    """

    def _set_signal_handlers(self) -> None:
        for signum in (self._graceful_sig, self._interrupt_sig):
            signal.signal(signum, self._handle_signal)

    retiring = False

    def request_stop(self, *, graceful: bool) -> None:
        """Ask the main loop to stop (callable from any thread)."""
        # What Huey's signal handler records, minus re-installing a handler (main thread only).
        self._restart = False
        self._graceful = graceful
        self._signum = self._graceful_sig if graceful else self._interrupt_sig

    def retire(self) -> None:
        """Take no further message (called from the task thread, inside a task)."""
        # The stop flag itself, not a request the main loop reads 0.1 s later: in between,
        # the task thread would already have taken the next message off the queue.
        self.retiring = True
        self.stop_flag.set()

    def run(self) -> None:
        """Run until stopped; unlike Huey's `run`, never re-execute the process."""
        self.start()
        health_check_ts = time.monotonic()
        while True:
            try:
                health_check_ts = self.loop(health_check_ts)
            except ConsumerStopped:
                break
        if self.retiring:
            # The flag was set from inside a task: let it write its outcome before leaving.
            self._join_workers()


class WorkerProcess:
    """The pieces of one worker process and their lifecycle."""

    def __init__(self, settings: Settings, name: str, *, queue: str, periodic: bool) -> None:
        self.settings = settings
        self.name = name
        self.queue = queue
        self.periodic = periodic
        self.pid = os.getpid()
        self.hostname = socket.gethostname()
        registry = build_registry()
        layout = layout_for(settings)
        self.registered = registry.names_on(queue, layout)
        # A worker that only embeds has the model to itself: it may use every core (it runs
        # at low priority, so the web server still comes first). Workers that also extract
        # documents keep one thread so they do not fight the OCR processes beside them.
        threads = (os.cpu_count() or 1) if queue == EMBEDDING_QUEUE else 1
        # Built in one direction: the reader (a worker that reads documents owns one),
        # then the runtime, then the executor that runs this process's tasks on it.
        reads_documents = "tasks.process_document" in self.registered
        self.runtime = start_runtime(
            settings,
            registry=registry,
            role=Role.WORKER,
            embedding_threads=threads,
            reader=new_reader(settings) if reads_documents else None,
        )
        self.executor = TaskExecutor(name, self.runtime, lifecycle=self)
        self.runtime.queue.run_tasks_with(self.executor)
        self._refuse_duplicate_name()
        # Registering first: the answer decides whether Huey's scheduler runs periodic tasks.
        self.periodic = self.runtime.workers.register_worker(
            name=name,
            pid=self.pid,
            hostname=self.hostname,
            periodic=periodic,
            queue=queue,
            registered=self.registered,
            now=time.time(),
            lease=settings.worker_lease,
        )
        if periodic and not self.periodic:
            log.warning("%s runs no periodic tasks: another live worker already does", name)
        # An earlier process under this name may have ended without its tasks being handed
        # back (its supervisor could not reach the database, or it was started by hand).
        # This process's heartbeats would keep those rows alive: hand them back first.
        hand_back_tasks_of(
            self.runtime,
            name,
            say("task.worker_restarted", Language.EN, worker=name),
            count_attempt=True,
        )
        self.consumer = WorkerConsumer(
            self.runtime.queue.huey(queue),
            workers=1,
            periodic=self.periodic,
            worker_type="thread",
            # Poll often: an idle worker should notice a new upload within half a second.
            initial_delay=0.02,
            backoff=1.5,
            max_delay=0.2,
            shutdown_timeout=settings.shutdown_grace,
        )
        self._stopping = threading.Event()

    def _refuse_duplicate_name(self) -> None:
        """Two live processes under one name would hand each other's tasks back."""
        row = self.runtime.workers.worker(self.name)
        if row is None or row.stopped_at is not None:
            return
        if time.time() - row.heartbeat_at > self.settings.worker_lease:
            return
        same_host = row.hostname == self.hostname
        if same_host and (row.pid == self.pid or not psutil.pid_exists(row.pid)):
            return  # this machine's earlier process under the name, now gone
        raise DuplicateWorkerError(
            "start.duplicate_worker", name=self.name, host=row.hostname, pid=row.pid
        )

    def run(self, *, watch_parent: bool) -> int:
        threading.Thread(target=self._heartbeat_loop, name="heartbeat", daemon=True).start()
        if "tasks.generate_project_embedding" in self.registered:
            # Load the model now, not inside the first task.
            threading.Thread(target=self._warm_up, name="model", daemon=True).start()
        if watch_parent:
            threading.Thread(target=self._watch_parent, name="parent-pipe", daemon=True).start()
        log.info(
            "%s ready (pid %d, queue %s, periodic tasks %s)",
            self.name,
            self.pid,
            self.queue,
            self.periodic,
        )
        try:
            self.consumer.run()
        finally:
            self._stopping.set()
            self._give_back_current_tasks("worker stopped before the task finished")
            if not self.consumer.retiring:
                # A retiring worker's row stays as it is: the fresh process that takes
                # over under its name re-registers within seconds, and until then the
                # queue does not look unserved (health would answer 503 for nothing).
                self.runtime.workers.mark_worker_stopped(
                    name=self.name, pid=self.pid, now=time.time()
                )
            log.info("%s stopped", self.name)
        return WorkerExit.RETIRED if self.consumer.retiring else WorkerExit.STOPPED

    # -- what the executor may ask of this process (WorkerLifecycle) --------------------

    def retire(self, reason: str) -> None:
        log.info("%s is replaced by a fresh process: %s", self.name, reason)
        self.consumer.retire()

    def exit_now(self, reason: str) -> None:
        log.warning("%s exits: %s", self.name, reason)
        self._exit_now(WorkerExit.GAVE_UP_TASK)

    def _warm_up(self) -> None:
        try:
            self.runtime.embedder.warm_up()
        except Exception:
            log.exception("loading the embedding model failed")

    def _heartbeat_loop(self) -> None:
        workers = self.runtime.workers
        while not self._stopping.wait(self.settings.heartbeat_interval):
            running = self.executor.running_task_ids()
            try:
                workers.heartbeat(
                    name=self.name,
                    pid=self.pid,
                    current_task_id=running[0] if running else None,
                    tasks_done=self.executor.tasks_done,
                    now=time.time(),
                )
                for task_id in running:
                    self._exit_if_taken_away(task_id)
            except Exception:
                log.exception("heartbeat failed")

    def _exit_if_taken_away(self, task_id: str) -> None:
        # The launcher kills a local worker whose task was revoked with terminate=true or
        # ran past the hard limit. A worker on another machine it cannot kill: such a
        # worker stops itself once the ledger no longer says a task it runs is its own
        # (revoked, failed by the hard limit, or re-queued after a missed lease) - any
        # member of a batch, not only the first.
        record = self.runtime.ledger.get(task_id)
        if record is not None and (record.state, record.worker) == (TaskState.STARTED, self.name):
            return
        state = record.state if record is not None else "deleted"

        def leave() -> None:
            log.warning(
                "Task %s is %s and no longer ours; %s exits to stop it", task_id, state, self.name
            )
            self._exit_now(WorkerExit.GAVE_UP_TASK)

        # Only while that task still runs: once it has ended, the next task must not pay.
        self.executor.exit_if_running(task_id, leave)

    def _watch_parent(self) -> None:
        for line in sys.stdin:
            if line.strip() == STOP_COMMAND:
                log.info("%s stopping on request", self.name)
                self.consumer.request_stop(graceful=True)
                return
        log.warning("%s lost its launcher; exiting", self.name)
        self._give_back_current_tasks(say("task.launcher_gone", Language.EN))
        self._exit_now(WorkerExit.LAUNCHER_GONE)

    def _give_back_current_tasks(self, reason: str) -> None:
        for task_id in self.executor.running_task_ids():
            outcome = self.runtime.ledger.requeue_started(
                task_id=task_id,
                worker=self.name,
                reason=reason,
                count_attempt=False,
                now=time.time(),
            )
            settle(self.runtime, outcome, reason)
            if outcome.resend is not None:
                log.info("[Task %s] re-queued: %s", task_id, reason)

    def _exit_now(self, code: int) -> None:
        logging.shutdown()
        os._exit(code)


def run_worker(
    settings: Settings, name: str, *, queue: str, periodic: bool, watch_parent: bool
) -> int:
    """Entry point of `appliance worker`."""
    # Supervised workers log to stderr, which the launcher writes to its log file; a worker
    # started by hand keeps a file of its own.
    # (Names on a shared queue hold a '/': huey@<node>/worker-1.)
    own_file = None if watch_parent else re.sub(r"[^A-Za-z0-9._-]", "-", name) + ".log"
    setup_logging(settings, process_name=name, log_file=own_file)
    lower_worker()
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    worker = WorkerProcess(settings, name, queue=queue, periodic=periodic)
    code = worker.run(watch_parent=watch_parent)
    # A task thread that ignored the stop may still run; it must not outlive the process.
    worker._exit_now(code)
    return code
