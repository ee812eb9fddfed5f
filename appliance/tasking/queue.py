"""Putting tasks on the queue: a ledger row first, then the Huey message.

The ledger row is committed before its message is sent, so a worker never takes a
message whose row it cannot see. If the process dies between the two, the row stays
PENDING without a message, and the reaper sends it again (see `reaper.py`).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from queue import SimpleQueue
from typing import Any

from huey import Huey, crontab
from huey.api import Task as HueyTask
from huey.api import TaskWrapper
from huey.utils import normalize_time
from sqlmodel import Session

from appliance.config import Settings
from appliance.db import Database
from appliance.tasking.broker import BrokerKind, broker_kind, check_reachable, create_huey
from appliance.tasking.history import TaskHistory
from appliance.tasking.interventions import Interventions, reset_finished
from appliance.tasking.layout import QueueLayout, layout_for
from appliance.tasking.ledger import Ledger
from appliance.tasking.records import TaskMessage, summarize_args
from appliance.tasking.registry import TaskRegistry, TaskSpec
from appliance.tasking.worker_table import WorkerTable

log = logging.getLogger("appliance.queue")

# Called by the Huey task function in a worker: (spec, huey task id, args, kwargs).
Executor = Callable[[TaskSpec, str, tuple[Any, ...], dict[str, Any]], None]


def _not_in_this_process(*_args: Any, **_kwargs: Any) -> None:
    raise RuntimeError("tasks run in worker processes, not here")


class HueyTasks:
    """The registry's tasks registered on their queues' Huey instances, by documented name."""

    def __init__(self, hueys: dict[str, Huey], layout: QueueLayout, registry: TaskRegistry) -> None:
        self.hueys = hueys
        self.registry = registry
        # Who runs the messages a consumer takes: set in worker processes only.
        self.executor: Executor | None = None
        self._wrappers: dict[str, TaskWrapper] = {}
        for spec in registry:
            huey = hueys[layout.physical(spec.queue)]
            self._wrappers[spec.name] = self._register(huey, spec)

    def _register(self, huey: Huey, spec: TaskSpec) -> TaskWrapper:
        def run(*args: Any, task: HueyTask, **kwargs: Any) -> None:
            if self.executor is None:
                _not_in_this_process()
                return
            self.executor(spec, task.id, args, kwargs)

        run.__name__ = spec.name
        if spec.periodic is not None:
            rule = crontab(minute=spec.periodic.minute, hour=spec.periodic.hour)
            return huey.periodic_task(rule, name=spec.name, context=True, priority=spec.priority)(
                run
            )
        return huey.task(name=spec.name, context=True, priority=spec.priority)(run)

    def send(self, message: TaskMessage) -> None:
        """Put a message on the Huey queue (now, or after its delay)."""
        wrapper = self._wrappers[message.name]
        huey = wrapper.huey
        task = wrapper.s(*message.args, **message.kwargs)
        task.id = message.task_id
        task.revoke_id = f"r:{message.task_id}"
        task.priority = message.priority
        if message.delay > 0:
            # Straight into the schedule: a worker need not take it only to put it back.
            task.eta = _eta_after(huey, message.delay)
            huey.add_schedule(task)
        else:
            huey.enqueue(task)

    def message_ids(self) -> set[str]:
        """Ids of every message waiting in any queue or schedule."""
        ids: set[str] = set()
        for huey in self.hueys.values():
            for data in [*huey.storage.enqueued_items(), *huey.storage.scheduled_items()]:
                # A message that cannot be read (not JSON) counts as absent: its task is
                # sent again, and a worker drops the unreadable one unrun.
                try:
                    ids.add(huey.deserialize_task(data).id)
                except Exception:
                    continue
        return ids


# True inside `sending_in_background()`.
_send_in_background: ContextVar[bool] = ContextVar("send_in_background", default=False)


@contextmanager
def sending_in_background() -> Iterator[None]:
    """Transactions in this block hand their messages to a sender thread after commit.

    For the web server's event loop, which must not wait for the queue's lock or server.
    The ledger rows are committed before that: a message the sender could not deliver
    (the process ended first, the queue was away) is sent again by the reaper.
    """
    token = _send_in_background.set(True)
    try:
        yield
    finally:
        _send_in_background.reset(token)


class MessageSender:
    """A thread that sends committed transactions' messages, in the order they came."""

    def __init__(self, send_all: Callable[[list[TaskMessage]], None]) -> None:
        self._send_all = send_all
        self._waiting: SimpleQueue[list[TaskMessage] | None] = SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="message-sender", daemon=True)
        self._thread.start()

    def put(self, messages: list[TaskMessage]) -> None:
        self._waiting.put(messages)

    def stop(self, timeout: float = 5.0) -> None:
        """Send what is waiting, then end the thread."""
        self._waiting.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        while (messages := self._waiting.get()) is not None:
            self._send_all(messages)


def _eta_after(huey: Huey, delay: float) -> Any:
    return normalize_time(None, delay, huey.utc)


@dataclass
class QueueTransaction:
    """A write transaction on the app database that may enqueue tasks.

    Messages are sent after the transaction commits; nothing is sent if it fails.
    """

    session: Session
    queue: TaskQueue
    now: float = field(default_factory=time.time)
    outbox: list[TaskMessage] = field(default_factory=list)

    def enqueue(self, name: str, *args: Any, priority: int | None = None, **kwargs: Any) -> str:
        """Record task `name(*args, **kwargs)` as PENDING; returns its id."""
        spec = self.queue.registry.get(name)
        task_id = str(uuid.uuid4())
        prio = int(spec.priority if priority is None else priority)
        self.queue.ledger.insert_pending(
            self.session.connection(),
            task_id=task_id,
            name=name,
            args=args,
            kwargs=kwargs,
            priority=prio,
            max_retries=self.queue.settings.max_retries
            if spec.max_retries is None
            else spec.max_retries,
            now=self.now,
        )
        self.outbox.append(TaskMessage(task_id, name, tuple(args), dict(kwargs), prio))
        return task_id

    def run_again(self, task_id: str, name: str) -> bool:
        """Queue the finished (FAILURE or REVOKED) task `name` again under its own id, with
        a fresh retry budget; False when there is no such task to run again."""
        message = reset_finished(self.session.connection(), task_id, now=self.now, name=name)
        if message is None:
            return False
        self.outbox.append(message)
        return True


class TaskQueue:
    """Enqueue tasks by name; re-send messages the ledger says are due."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        registry: TaskRegistry,
    ) -> None:
        self.settings = settings
        self.db = db
        self.registry = registry
        self.ledger = Ledger(db)
        self.history = TaskHistory(db)
        self.interventions = Interventions(db)
        self.workers = WorkerTable(db)
        self.layout = layout_for(settings)
        self.broker: BrokerKind = broker_kind(settings)
        self.hueys = {name: create_huey(settings, name) for name in self.layout.queues}
        self.tasks = HueyTasks(self.hueys, self.layout, registry)
        self._sender: MessageSender | None = None
        self._sender_lock = threading.Lock()

    def run_tasks_with(self, executor: Executor) -> None:
        """In a worker: the messages its consumer takes are run by `executor`."""
        self.tasks.executor = executor

    def check_reachable(self) -> None:
        """Raise `BrokerUnavailableError` when the queue server cannot be reached."""
        check_reachable(next(iter(self.hueys.values())), self.settings)

    @contextmanager
    def transaction(self) -> Iterator[QueueTransaction]:
        """A write transaction whose enqueued tasks are sent once it has committed.

        Inside `sending_in_background()` the messages go to a sender thread instead, so
        the caller does not wait for the queue (its lock, or a Redis server's answer).
        """
        with self.db.session(write=True) as session:
            tx = QueueTransaction(session, self)
            yield tx
        if not tx.outbox:
            return
        if _send_in_background.get():
            self._background_sender().put(tx.outbox)
        else:
            self._send_all(tx.outbox)

    def _background_sender(self) -> MessageSender:
        with self._sender_lock:
            if self._sender is None:
                self._sender = MessageSender(self._send_all)
            return self._sender

    def _send_all(self, messages: list[TaskMessage]) -> None:
        for message in messages:
            try:
                self.send(message)
            except Exception as exc:
                # The row is committed: the task is safe, and the reaper sends its message
                # once the queue (a Redis server away for a moment) answers again. The
                # person gets their answer instead of an error for work already accepted.
                log.warning(
                    "[Task %s] %s recorded, but the queue is unreachable (%s); it is sent "
                    "when the queue is back",
                    message.task_id,
                    message.name,
                    exc,
                )
                continue
            log.info(
                "Queued %s [%s] (%s)",
                message.name,
                message.task_id,
                summarize_args(message.args, message.kwargs),
            )

    def enqueue(self, name: str, *args: Any, priority: int | None = None, **kwargs: Any) -> str:
        """Enqueue one task in its own transaction; returns the task id."""
        with self.transaction() as tx:
            return tx.enqueue(name, *args, priority=priority, **kwargs)

    def send(self, message: TaskMessage) -> None:
        self.tasks.send(message)

    def huey(self, queue: str) -> Huey:
        """The Huey instance of a physical queue (for a worker's consumer)."""
        try:
            return self.hueys[queue]
        except KeyError:
            known = ", ".join(self.hueys)
            raise ValueError(f"unknown queue {queue!r}; this layout has: {known}") from None

    def drop_messages(self, queues: Collection[str]) -> None:
        """Remove every waiting and scheduled message of these physical queues."""
        for queue in queues:
            storage = self.huey(queue).storage
            storage.flush_queue()
            storage.flush_schedule()

    def queue_depth(self) -> int:
        """Messages waiting for a worker, over all queues."""
        return sum(int(huey.pending_count()) for huey in self.hueys.values())

    def scheduled_count(self) -> int:
        return sum(int(huey.scheduled_count()) for huey in self.hueys.values())

    def checkpoint(self) -> None:
        """Truncate the queue database's WAL (all queues share one file); Redis has none."""
        if self.broker != "sqlite":
            return
        storage = next(iter(self.hueys.values())).storage
        with storage.db(commit=False) as cursor:
            cursor.execute("pragma wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        if self._sender is not None:
            self._sender.stop()
        for huey in self.hueys.values():
            huey.storage.close()
