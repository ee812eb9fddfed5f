"""Vectors for search texts, computed by the embedding worker.

The web server holds no model (it would add 570 MB and seconds of start-up to the process
that must answer in milliseconds); it queues `tasks.embed_query` at the highest priority
and waits for the worker's answer. Recent answers are cached, so paging through results
or repeating a search costs nothing.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict

from appliance.errors import AppError
from appliance.runtime import Runtime
from appliance.tasking.states import TaskState

CACHE_SIZE = 256
# The worker answers in milliseconds when it is free, in seconds when the model is still
# loading: look often at first, then less and less.
FIRST_LOOK = 0.001
LONGEST_WAIT = 0.02
FINISHED = (TaskState.SUCCESS, TaskState.FAILURE, TaskState.REVOKED)


class SearchUnavailableError(AppError):
    status = 503


class QueryEmbedder:
    """Embeds search texts through the queue, with a small cache."""

    def __init__(self, runtime: Runtime, timeout: float = 60.0) -> None:
        self.runtime = runtime
        self.timeout = timeout
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def embed(self, text: str) -> list[float]:
        key = " ".join(text.split()).casefold()
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        vector = self._ask_worker(text)
        with self._lock:
            self._cache[key] = vector
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return vector

    def _ask_worker(self, text: str) -> list[float]:
        ledger = self.runtime.ledger
        task_id = self.runtime.queue.enqueue("tasks.embed_query", text)
        deadline = time.monotonic() + self.timeout
        wait = FIRST_LOOK
        while time.monotonic() < deadline:
            state = ledger.state_of(task_id)  # one column until it is done
            row = ledger.get(task_id) if state in FINISHED else None
            if row is not None and row.state == TaskState.SUCCESS:
                vector: list[float] = json.loads(row.result_json)
                return vector
            if row is not None:
                raise SearchUnavailableError(f"The search could not be prepared: {row.error}")
            time.sleep(wait)
            wait = min(wait * 2, LONGEST_WAIT)
        # Nobody waits for this answer any more: it must not run later (or again).
        self.runtime.queue.interventions.revoke(task_id, allow_running=False, now=time.time())
        raise SearchUnavailableError(
            "The search took too long: the embedding worker is busy or not running. "
            "Please try again in a moment."
        )
