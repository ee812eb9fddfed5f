"""A finished task's result is shown until its expiry moment, and hidden from then on."""

from __future__ import annotations

from appliance.runtime import Runtime
from appliance.tasking.monitor import task_view


def test_a_result_is_hidden_exactly_from_its_expiry_moment(runtime: Runtime) -> None:
    task_id = runtime.queue.enqueue("tasks.ping")
    finished = 1_800_000_000.0
    runtime.ledger.claim(
        task_id=task_id,
        name="tasks.ping",
        worker="w1",
        now=finished - 1,
        default_max_retries=3,
        create_missing=False,
    )
    runtime.ledger.finish_success(
        task_id=task_id, worker="w1", result={"pong": 1}, duration=0.1, now=finished
    )
    row = runtime.ledger.get(task_id)
    assert row is not None

    # The cutoff is "finished before": a result finished at the cutoff itself is kept.
    at_cutoff = task_view(row, expired_before=finished)
    past_cutoff = task_view(row, expired_before=finished + 0.001)

    assert (at_cutoff["result"], at_cutoff["result_expired"]) == ({"pong": 1}, False)
    assert (past_cutoff["result"], past_cutoff["result_expired"]) == (None, True)
