"""The worker table (tasking/workers.py): periodic tasks go to one live worker only."""

from __future__ import annotations

import time

from appliance.runtime import Runtime


def register(runtime: Runtime, name: str, *, periodic: bool, now: float) -> bool:
    return runtime.workers.register_worker(
        name=name, pid=1, hostname="h", periodic=periodic, registered=[], now=now, lease=30
    )


def test_only_one_live_worker_gets_the_periodic_tasks(runtime: Runtime) -> None:
    now = time.time()
    assert register(runtime, "huey@server/worker-2", periodic=True, now=now)
    assert not register(runtime, "huey@node-a/worker-2", periodic=True, now=now)
    assert runtime.workers.worker("huey@node-a/worker-2").periodic is False
    # The same worker starting again (a restart) keeps them.
    assert register(runtime, "huey@server/worker-2", periodic=True, now=now + 1)


def test_the_periodic_tasks_pass_on_when_their_holder_is_gone(runtime: Runtime) -> None:
    now = time.time()
    assert register(runtime, "huey@server/worker-2", periodic=True, now=now - 100)
    # Its heartbeat is older than the lease: another may take them.
    assert register(runtime, "huey@node-a/worker-2", periodic=True, now=now)
    runtime.workers.mark_worker_stopped(name="huey@node-a/worker-2", pid=None, now=now)
    assert register(runtime, "huey@node-b/worker-1", periodic=True, now=now)
