"""Time the PC was awake: what time limits and leases count, not the wall clock.

An office PC sleeps every night. Across a sleep the wall clock jumps hours ahead between
two turns of the supervise loop, and every running task would look as if it had worked
those hours, every worker as if it had been silent for them. The loop turns every half
second, so a gap much longer than that is time nobody worked: it is left out. A clock
set back or forward by hand is treated the same way.
"""

from __future__ import annotations

MAX_TURN_GAP = 15.0  # seconds; a supervise turn stalls for a few at most (a busy database)


class AwakeClock:
    """Counts awake seconds from wall-clock readings passed in at every loop turn."""

    def __init__(self, now: float, *, max_gap: float = MAX_TURN_GAP) -> None:
        self.max_gap = max_gap
        self.awake = 0.0
        self.woke_at: float | None = None  # wall time of the last jump seen, if any
        self._last = now
        self._task_starts: dict[str, float] = {}

    def tick(self, now: float) -> None:
        """Advance to `now` (wall clock); a gap longer than `max_gap` does not count."""
        gap = now - self._last
        if 0 <= gap <= self.max_gap:
            self.awake += gap
        else:
            self.woke_at = now
        self._last = now

    def ran_for(self, task_id: str, started_at: float, now: float) -> float:
        """Awake seconds since a task started, as seen from this clock's turns.

        A task is placed on the awake time line when first asked about: its wall-clock
        age then (a turn or two, or the time before this process started; never across
        a jump) is taken as awake time.
        """
        start = self._task_starts.get(task_id)
        if start is None:
            # A task first seen after a jump started before it at the earliest.
            since = started_at if self.woke_at is None else max(started_at, self.woke_at)
            start = self.awake - max(now - since, 0.0)
            self._task_starts[task_id] = start
        return self.awake - start

    def forget_tasks_except(self, running: set[str]) -> None:
        """Drop what is known of tasks that no longer run."""
        for task_id in list(self._task_starts):
            if task_id not in running:
                del self._task_starts[task_id]

    def within_fresh_lease(self, now: float, lease: float) -> bool:
        """Whether a jump happened less than `lease` seconds ago: every lease restarts
        then, since no worker could send a heartbeat while the PC slept."""
        return self.woke_at is not None and now - self.woke_at < lease
