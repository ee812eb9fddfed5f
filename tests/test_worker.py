"""`appliance worker` refuses a name a live worker elsewhere already holds."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from appliance.bootstrap import start_runtime
from appliance.config import Settings


def test_a_second_live_worker_under_one_name_is_refused_in_one_line(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    runtime = start_runtime(settings)
    try:
        runtime.workers.register_worker(
            name="huey@keller/worker-1",
            pid=4242,
            hostname="keller-pc",
            periodic=False,
            registered=[],
            now=time.time(),
        )
    finally:
        runtime.close()
    done = subprocess.run(
        [sys.executable, "-m", "appliance", "worker", "--name", "huey@keller/worker-1"],
        env={**os.environ, "APPLIANCE_DATA_DIR": str(settings.data_dir)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        "A live worker named huey@keller/worker-1 already runs on keller-pc (pid 4242). "
        "Give this machine another APPLIANCE_NODE_NAME."
    )
    assert "Traceback" not in done.stderr
