"""The monitoring use-cases behind /api/v1/tasks: status, stats, health, revoke, retry.

Shapes follow the seed's Celery monitoring API (section 5), so existing scripts and the
seed's documentation keep working; fields Flower users expect are added beside them.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row

from appliance.errors import ConflictError, InvalidInputError, NotFoundError
from appliance.tasking.control import WorkerControl
from appliance.tasking.host import EngineHost
from appliance.tasking.outcomes import give_up
from appliance.tasking.records import message_from_row
from appliance.tasking.states import PURGED_REASON, REVOKED_REASON, TaskState
from appliance.tasking.subjects import Subject, SubjectLookup, Subjects

log = logging.getLogger("appliance.monitor")

HEARTBEAT_HEALTH_WINDOW = 30.0  # the seed: unhealthy when no worker was heard for 30 s
RETRYABLE = (TaskState.FAILURE, TaskState.REVOKED)  # what the dead-letter retry takes


def iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat()


def task_view(
    row: Row[Any], *, expired_before: float, subject: Subject | None = None
) -> dict[str, Any]:
    """One task as the API shows it; a result finished before `expired_before` is gone.

    The cleanup task drops expired results from the rows, but it runs every few minutes
    at the lowest priority: what it has not reached yet is hidden here all the same.
    `subject` is what the task is about (a document, a project), when it is known.
    """
    state = TaskState(row.state)
    expired = bool(row.result_expired) or (
        row.finished_at is not None and row.finished_at < expired_before
    )
    return {
        "task_id": row.id,
        "task_name": row.name,
        "subject": subject.name if subject else None,
        "status": state.value,
        "result": json.loads(row.result_json)
        if row.result_json is not None and not expired
        else None,
        "error": row.error if state in (TaskState.FAILURE, TaskState.RETRY) else None,
        "ready": state.is_final,
        "successful": state is TaskState.SUCCESS,
        "retryable": state in RETRYABLE and (subject is None or subject.retryable),
        "args": row.args_summary,
        "attempts": row.attempts,
        "max_retries": row.max_retries,
        "worker": row.worker,
        "priority": row.priority,
        "enqueued_at": iso(row.enqueued_at),
        "started_at": iso(row.started_at),
        "finished_at": iso(row.finished_at),
        "next_retry_at": iso(row.next_retry_at),
        "result_expired": expired,
    }


class TaskMonitor:
    """Reads the ledger and the queue; revokes and retries tasks.

    `subjects` name what tasks are about, by kind (see subjects.py); without them tasks
    are shown by name and arguments alone.
    """

    def __init__(
        self,
        runtime: EngineHost,
        control: WorkerControl | None = None,
        subjects: Mapping[str, SubjectLookup] | None = None,
    ) -> None:
        self.runtime = runtime
        self.control = control
        self.subjects = Subjects(runtime.queue.registry, subjects or {})

    def _row(self, task_id: str) -> Row[Any]:
        row = self.runtime.ledger.get(task_id)
        if row is None:
            raise NotFoundError("task_not_found", id=task_id)
        return row

    def _views(self, rows: list[Row[Any]]) -> list[dict[str, Any]]:
        """The rows as the API shows them, their subjects named in one lookup per kind."""
        expired_before = time.time() - self.runtime.settings.result_expires
        subjects = self.subjects.of(rows)
        return [
            task_view(row, expired_before=expired_before, subject=subjects.get(row.id))
            for row in rows
        ]

    def task(self, task_id: str) -> dict[str, Any]:
        return self._views([self._row(task_id)])[0]

    def result(self, task_id: str) -> tuple[bool, dict[str, Any]]:
        """(ready, body): the full result once the task has finished; reading keeps it."""
        view = self.task(task_id)
        body = {
            "task_id": view["task_id"],
            "status": view["status"],
            "result": view["result"],
            "error": view["error"] if view["status"] == TaskState.FAILURE else None,
            "result_expired": view["result_expired"],
        }
        return view["ready"], body

    def history(
        self, *, state: str | None, name: str | None, limit: int, offset: int
    ) -> dict[str, Any]:
        states = [s.strip().upper() for s in state.split(",")] if state else []
        for s in states:
            if s not in TaskState.__members__:
                allowed = ", ".join(TaskState.__members__)
                raise InvalidInputError(
                    "task_state_unknown", loc=("query", "state"), state=s, allowed=allowed
                )
        rows, total = self.runtime.history.recent(
            states=states, name=name, limit=limit, offset=offset
        )
        return {
            "tasks": self._views(rows),
            "total_count": total,
            "limit": limit,
            "offset": offset,
        }

    # -- workers and queue -------------------------------------------------------------

    @property
    def live_window(self) -> float:
        """Seconds since its last heartbeat during which a worker counts as online: the
        seed's 30 s, but never longer than the lease after which the reaper takes its
        tasks away (a worker whose tasks were re-queued is not shown online)."""
        return min(HEARTBEAT_HEALTH_WINDOW, self.runtime.settings.worker_lease)

    def _workers(self) -> tuple[list[Row[Any]], set[str]]:
        now = time.time()
        rows = self.runtime.workers.workers()
        window = self.live_window
        live = {
            row.name for row in rows if row.stopped_at is None and now - row.heartbeat_at <= window
        }
        return rows, live

    def active(self) -> dict[str, Any]:
        now = time.time()
        rows = self.runtime.history.started()
        subjects = self.subjects.of(rows)
        tasks = [
            {
                "task_id": row.id,
                "task_name": row.name,
                "subject": subjects[row.id].name if row.id in subjects else None,
                "worker": row.worker,
                "time_start": row.started_at,
                "runtime": round(now - row.started_at, 3) if row.started_at else None,
                "args": row.args_summary,
                "attempt": row.attempts,
            }
            for row in rows
        ]
        return {"active_tasks": tasks, "total_count": len(tasks)}

    def queue_stats(self) -> dict[str, Any]:
        counts = self.runtime.history.count_by_state()
        rows, live = self._workers()
        active_by_worker = self._active_by_worker()
        return {
            "active_tasks": counts.get(TaskState.STARTED, 0),
            "reserved_tasks": counts.get(TaskState.PENDING, 0),
            "scheduled_tasks": counts.get(TaskState.RETRY, 0),
            "queue_depth": self.queue_depth(),
            "workers": len(live),
            "workers_active": sorted(live),
            "queue_stats": {
                row.name: {
                    "hostname": row.hostname,
                    "queue": row.queue,
                    "pool": "thread",
                    "max_concurrency": 1,
                    "processes": 1,
                    "active_tasks": active_by_worker.get(row.name, 0),
                    "reserved_tasks": 0,
                }
                for row in rows
                if row.name in live
            },
        }

    def workers_stats(self) -> dict[str, Any]:
        rows, live = self._workers()
        active_by_worker = self._active_by_worker()
        workers = {}
        for row in rows:
            workers[row.name] = {
                "status": "online" if row.name in live else "offline",
                "pool": {
                    "implementation": "huey.consumer (1 thread per process)",
                    "max_concurrency": 1,
                    "processes": [row.pid],
                },
                "pid": row.pid,
                "hostname": row.hostname,
                "active_tasks": active_by_worker.get(row.name, 0),
                "current_task": row.current_task_id if row.name in live else None,
                "tasks_done": row.tasks_done,
                "periodic": bool(row.periodic),
                "queue": row.queue,
                "started_at": iso(row.started_at),
                "last_heartbeat": iso(row.heartbeat_at),
                "registered_tasks": json.loads(row.registered_json),
            }
        return {"workers": workers, "total_workers": len(live)}

    def _active_by_worker(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.runtime.history.started():
            if row.worker:
                counts[row.worker] = counts.get(row.worker, 0) + 1
        return counts

    def queue_depth(self) -> int | None:
        """Messages waiting in the queue, or None when the queue is unreachable."""
        try:
            return self.runtime.queue.queue_depth()
        except Exception as exc:
            # One line: a Redis outage would otherwise log a trace on every health poll.
            log.error("queue (%s) unreachable: %s", self.runtime.queue.broker, exc)
            return None

    def health(self) -> tuple[bool, dict[str, Any]]:
        """(healthy, body): unhealthy when the queue is unreachable, no worker is alive, or
        a queue has no live worker taking it."""
        broker_connected = self.queue_depth() is not None
        rows, live = self._workers()
        active = self.runtime.history.count_by_state().get(TaskState.STARTED, 0)
        problems = []
        if not broker_connected:
            problems.append(f"queue unreachable ({self.runtime.queue.broker})")
        if not live:
            problems.append(f"no worker heartbeat within {self.live_window:.0f} s")
        else:
            served = {row.queue for row in rows if row.name in live}
            for queue in self.runtime.queue.layout.queues:
                if queue not in served:
                    problems.append(f"no live worker takes the {queue} queue")
        healthy = not problems
        return healthy, {
            "status": "healthy" if healthy else "unhealthy",
            "broker": self.runtime.queue.broker,
            "broker_connected": broker_connected,
            "workers": len(live),
            "active_tasks": active,
            "problems": problems,
            "timestamp": datetime.now(UTC).isoformat(),
        }

    def summary(self) -> dict[str, Any]:
        _healthy, health = self.health()
        counts = self.runtime.history.count_by_state()
        rows, live = self._workers()
        active = counts.get(TaskState.STARTED, 0)
        reserved = counts.get(TaskState.PENDING, 0)
        return {
            "status": health["status"],
            "workers": {
                "total": len([r for r in rows if r.stopped_at is None]),
                "active": len(live),
            },
            "tasks": {
                "active": active,
                "reserved": reserved,
                "scheduled": counts.get(TaskState.RETRY, 0),
                "total": active + reserved,
                "succeeded": counts.get(TaskState.SUCCESS, 0),
                "failed": counts.get(TaskState.FAILURE, 0),
                "revoked": counts.get(TaskState.REVOKED, 0),
            },
            "broker": {
                "connected": health["broker_connected"],
                "type": self.runtime.queue.broker,
            },
        }

    # -- control -----------------------------------------------------------------------

    def revoke(self, task_id: str, *, terminate: bool) -> dict[str, Any]:
        """Keep a waiting task from running; with `terminate`, stop a running one too."""
        before = self.runtime.queue.interventions.revoke(
            task_id, allow_running=terminate, now=time.time()
        )
        if before is None:
            raise NotFoundError("task_not_found", id=task_id)
        state = TaskState(before.state)
        if state.is_final:
            raise ConflictError(
                "revoke_finished", body={"state": state.value}, id=task_id, state=state.value
            )
        if state is TaskState.STARTED and not terminate:
            raise ConflictError("revoke_running", body={"state": state.value}, id=task_id)
        if state is TaskState.STARTED and before.worker and self.control is not None:
            # Only the process that ran it: a worker that finished the task meanwhile
            # finds it taken away and exits by itself, before it starts another one; a
            # worker on another machine sees the revoke at its next heartbeat and stops.
            worker = self.runtime.workers.worker(before.worker)
            self.control.kill(before.worker, pid=worker.pid if worker is not None else None)
        give_up(self.runtime, message_from_row(before), REVOKED_REASON)
        message = f"Task {task_id} has been revoked"
        log.warning(message)
        return {"status": "revoked", "task_id": task_id, "message": message}

    def _task_names(self, queue: str | None) -> tuple[list[str], list[str]]:
        """(physical queues, names of the tasks that travel on them) for `queue` or all."""
        tasks = self.runtime.queue
        queues = list(tasks.layout.queues)
        if queue is not None:
            if queue not in queues:
                raise InvalidInputError(
                    "queue_unknown", loc=("query", "queue"), queue=queue, known=", ".join(queues)
                )
            queues = [queue]
        return queues, [name for q in queues for name in tasks.registry.names_on(q, tasks.layout)]

    def waiting_count(self, queue: str | None) -> int:
        """Tasks waiting (queued or scheduled for a retry) on `queue`, or on all."""
        _queues, names = self._task_names(queue)
        counts = self.runtime.history.count_by_name_and_state()
        return sum(n for name, state, n in counts if name in names and TaskState(state).is_waiting)

    def purge(self, queue: str | None) -> dict[str, Any]:
        """Drop every waiting task (of one queue, when named), as `celery purge` does.

        The ledger rows become REVOKED first (a worker taking one of their messages
        meanwhile runs nothing), then the messages go; the documents and projects whose
        work was dropped are told, so they show it and offer their retry.
        """
        queues, names = self._task_names(queue)
        purged = self.runtime.queue.interventions.purge_waiting(
            names=names, reason=PURGED_REASON, now=time.time()
        )
        self.runtime.queue.drop_messages(queues)
        for message in purged:
            give_up(self.runtime, message, PURGED_REASON)
        log.warning("Purged %d waiting tasks from %s", len(purged), ", ".join(queues))
        return {
            "status": "purged",
            "purged": len(purged),
            "queues": queues,
            "task_ids": [message.task_id for message in purged],
        }

    def retry(self, task_id: str) -> dict[str, Any]:
        """Queue a failed (or revoked) task again with a fresh retry budget; not when its
        subject says that cannot help (a file that cannot be read fails the same way)."""
        row = self._row(task_id)
        subject = self.subjects.of([row]).get(task_id)
        if subject is not None and not subject.retryable:
            raise ConflictError("task_not_retryable", subject=subject.name)
        message = self.runtime.queue.interventions.reset_for_retry(task_id, now=time.time())
        if message is None:
            raise ConflictError(
                "retry_task_not_failed", body={"state": row.state}, id=task_id, state=row.state
            )
        self.runtime.queue.send(message)
        log.info("Queued %s [%s] again by request", row.name, task_id)
        return {"status": "queued", "task_id": task_id, "message": f"Task {task_id} queued again"}
