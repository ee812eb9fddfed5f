"""Task declarations: a name, a function, a priority. No queue is touched on import.

Task modules declare their functions on a `TaskRegistry`; the queue (API side) and the
worker (execution side) are built from that registry at start-up. This keeps importing a
task module free of side effects and lets the API enqueue by name without loading the
heavy libraries a task uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from appliance.tasking.layout import QueueLayout
from appliance.tasking.states import Priority

if TYPE_CHECKING:
    from appliance.tasking.context import TaskContext
    from appliance.tasking.records import TaskMessage

TaskFunction = Callable[..., Any]
# One call of a batched task: its positional and keyword arguments.
BatchCall = tuple[tuple[Any, ...], dict[str, Any]]
# on_give_up(runtime, task, reason): the task ended in FAILURE or was REVOKED. The first
# argument is the process's runtime (an EngineHost to the engine; Any here, since a hook
# is written against the application's own runtime type).
GiveUpHook = Callable[[Any, "TaskMessage", str], None]


class UnknownTaskError(KeyError):
    """A task name that no module declared."""


@dataclass(frozen=True)
class Periodic:
    """When a periodic task runs: a cron-like rule in UTC, and whether also at start."""

    minute: str = "0"
    hour: str = "*"
    run_at_start: bool = True


@dataclass(frozen=True)
class Batch:
    """Tasks a worker may run together, up to `size` at once, in one call of `run`.

    Worth it where per-call work has a large fixed part: the model encodes 32 texts in
    about the time of 5 one at a time, and one batch commits once instead of 32 times.
    `run(context, calls)` returns one result per call, in order.
    """

    key: str
    size: int
    run: Callable[[TaskContext[Any], list[BatchCall]], list[Any]]


@dataclass(frozen=True)
class TaskSpec:
    """One declared task."""

    name: str
    func: TaskFunction
    priority: Priority
    periodic: Periodic | None = None
    on_give_up: GiveUpHook | None = None
    queue: str = "default"
    batch: Batch | None = None
    # None: APPLIANCE_MAX_RETRIES. A task whose answer is useless later sets 0.
    max_retries: int | None = None
    # The kind of thing its first argument names ("document", "project"): the monitor
    # shows that thing's name beside the task's (subjects.py).
    subject: str | None = None

    def run(self, context: TaskContext[Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        return self.func(context, *args, **kwargs)


class TaskRegistry:
    """The set of tasks a worker can run and the API can enqueue."""

    def __init__(self) -> None:
        self._specs: dict[str, TaskSpec] = {}

    def task(
        self,
        name: str,
        *,
        priority: Priority = Priority.INTERACTIVE,
        periodic: Periodic | None = None,
        on_give_up: GiveUpHook | None = None,
        queue: str = "default",
        batch: Batch | None = None,
        max_retries: int | None = None,
        subject: str | None = None,
    ) -> Callable[[TaskFunction], TaskFunction]:
        """Declare `func(context, *args, **kwargs)` as the task `name`."""

        def declare(func: TaskFunction) -> TaskFunction:
            if name in self._specs:
                raise ValueError(f"task {name!r} is declared twice")
            self._specs[name] = TaskSpec(
                name, func, priority, periodic, on_give_up, queue, batch, max_retries, subject
            )
            return func

        return declare

    def include(self, other: TaskRegistry) -> None:
        """Add every task of `other`."""
        for spec in other:
            if spec.name in self._specs:
                raise ValueError(f"task {spec.name!r} is declared twice")
            self._specs[spec.name] = spec

    def get(self, name: str) -> TaskSpec:
        try:
            return self._specs[name]
        except KeyError:
            raise UnknownTaskError(name) from None

    def batched_with(self, batch: Batch) -> list[str]:
        """Names of the tasks that may join a batch of `batch`."""
        return sorted(s.name for s in self if s.batch is not None and s.batch.key == batch.key)

    def names(self) -> list[str]:
        return sorted(self._specs)

    def names_on(self, physical_queue: str, layout: QueueLayout) -> list[str]:
        """Names of the tasks that travel on `physical_queue`."""
        return sorted(s.name for s in self if layout.physical(s.queue) == physical_queue)

    def __iter__(self) -> Iterator[TaskSpec]:
        return iter(self._specs.values())
