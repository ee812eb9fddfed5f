"""A stand-in worker for the concurrency tests: `python -m tests.distributed.claimer`.

It opens the app database itself (as a worker on another machine would), says "ready",
waits for "go" on stdin (sent to every process at once, so they race for the same
rows), then does one job:

- `claim`: claim each given task and finish the ones it won. Ids the ledger has never
  seen are admitted as Huey's periodic tasks are (`create_missing`);
- `finish` / `requeue`: the worker finishing its tasks against the reaper handing them back.

It prints one JSON object: which ids it won.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from appliance.schema import open_database
from appliance.tasking.ledger import Ledger


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["claim", "finish", "requeue"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--worker", required=True)
    parser.add_argument("--reverse", action="store_true")
    parser.add_argument("ids", nargs="+")
    args = parser.parse_args()
    ledger = Ledger(open_database(args.url))
    ids = list(reversed(args.ids)) if args.reverse else args.ids
    print("ready", flush=True)
    sys.stdin.readline()
    started = time.time()
    won = []
    for task_id in ids:
        now = time.time()
        if args.mode == "claim":
            claim = ledger.claim(
                task_id=task_id,
                name="tasks.ping",
                worker=args.worker,
                now=now,
                default_max_retries=3,
                create_missing=True,
            )
            if claim is not None:
                assert ledger.finish_success(
                    task_id=task_id, worker=args.worker, result="ok", duration=0.01, now=now
                )
                won.append(task_id)
        elif args.mode == "finish":
            if ledger.finish_success(
                task_id=task_id, worker=args.worker, result="ok", duration=0.01, now=now
            ):
                won.append(task_id)
        else:
            outcome = ledger.requeue_started(
                task_id=task_id, worker=args.worker, reason="lost", count_attempt=True, now=now
            )
            if outcome.resend is not None:
                won.append(task_id)
    print(json.dumps({"worker": args.worker, "won": won, "seconds": time.time() - started}))


if __name__ == "__main__":
    main()
