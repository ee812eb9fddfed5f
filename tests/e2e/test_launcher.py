"""The launcher's life: refusing a second copy, stopping in time, surviving kill -9."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from appliance.holds import HoldPoints
from tests.support import RunningAppliance, wait_for

pytestmark = pytest.mark.e2e


def worker_processes(appliance: RunningAppliance) -> list[psutil.Process]:
    """Worker processes (live ones) that belong to this appliance's data directory."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if "worker" not in cmdline or "--supervised" not in cmdline:
            continue
        try:
            if process.environ().get("APPLIANCE_DATA_DIR") == str(appliance.data_dir):
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def test_a_second_launcher_on_the_same_data_dir_is_refused(
    appliance: RunningAppliance,
) -> None:
    second = subprocess.run(
        [sys.executable, "-m", "appliance", "run"],
        env=appliance.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 3
    assert "already running" in second.stderr
    assert str(appliance.data_dir) in second.stderr
    assert appliance.client.get("/api/v1/tasks/health").status_code == 200


def test_graceful_stop_within_10_s_requeues_running_work(
    fresh_appliance: RunningAppliance,
) -> None:
    fresh_appliance.start()
    # Held: the task runs for as long as the test wants, here longer than the stop.
    with fresh_appliance.hold(HoldPoints.task("tasks.sleep")):
        task_id = fresh_appliance.enqueue("tasks.sleep", 0.1)
        fresh_appliance.wait_state(task_id, {"STARTED"})
        started = time.monotonic()
        code = fresh_appliance.stop(signal.SIGTERM)
        assert time.monotonic() - started < 10
    assert code == 0
    assert wait_for(lambda: not worker_processes(fresh_appliance), timeout=5, what="workers gone")
    row = fresh_appliance.task(task_id)
    assert (row.state, row.attempts) == ("PENDING", 0)
    assert row.error == "worker stopped before the task finished"

    fresh_appliance.start()
    row = fresh_appliance.wait_state(task_id, {"SUCCESS"}, timeout=60)
    assert row.attempts == 1


def test_kill_9_of_the_launcher_then_restart_recovers(
    fresh_appliance: RunningAppliance,
) -> None:
    fresh_appliance.start()
    with fresh_appliance.hold(HoldPoints.task("tasks.sleep")):
        task_id = fresh_appliance.enqueue("tasks.sleep", 0.1)
        waiting = [fresh_appliance.enqueue("tasks.ping", i) for i in range(3)]
        fresh_appliance.wait_state(task_id, {"STARTED"})
        assert worker_processes(fresh_appliance)
        fresh_appliance.kill9()
        # The workers notice their launcher is gone and leave; nothing keeps running.
        assert wait_for(
            lambda: not worker_processes(fresh_appliance), timeout=10, what="orphans gone"
        )

    fresh_appliance.start()
    row = fresh_appliance.wait_state(task_id, {"SUCCESS"}, timeout=60)
    assert row.attempts in (1, 2)
    for ping in waiting:
        fresh_appliance.wait_state(ping, {"SUCCESS"})
    assert fresh_appliance.runtime.history.started() == []
    with fresh_appliance.runtime.db.read() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def test_beenden_from_the_ui_stops_everything(fresh_appliance: RunningAppliance) -> None:
    fresh_appliance.start()
    response = fresh_appliance.client.post(
        "/api/v1/system/shutdown", headers={"origin": fresh_appliance.url}
    )
    assert response.json() == {"status": "stopping"}
    assert fresh_appliance.process is not None
    assert fresh_appliance.process.wait(timeout=10) == 0
    assert wait_for(lambda: not worker_processes(fresh_appliance), timeout=5, what="no workers")


def test_appliance_stop_ends_the_running_copy_and_waits_for_it(
    fresh_appliance: RunningAppliance,
) -> None:
    # What an installer runs before it replaces the program's files.
    fresh_appliance.start()
    command = [sys.executable, "-m", "appliance", "stop"]
    stopped = subprocess.run(
        command, env=fresh_appliance.env, capture_output=True, text=True, timeout=60
    )
    assert stopped.returncode == 0, stopped.stderr
    assert stopped.stdout.strip() == "HandwerkML Appliance is not running."
    # It returned once the launcher had let go of the data folder.
    assert fresh_appliance.process is not None
    assert fresh_appliance.process.wait(timeout=5) == 0
    assert wait_for(lambda: not worker_processes(fresh_appliance), timeout=5, what="no workers")
    # Nothing running: nothing to do, and still success.
    again = subprocess.run(command, env=fresh_appliance.env, capture_output=True, text=True)
    assert again.returncode == 0


def test_a_double_click_opens_the_browser_which_gets_the_ui_once_it_answers(
    fresh_appliance: RunningAppliance, tmp_path: Path
) -> None:
    # The "browser" here fetches the address it is given, as a real one would: opened as
    # soon as the port listens, its request waits until the server answers.
    seen = tmp_path / "browser.txt"
    browser = tmp_path / "browser.py"
    browser.write_text(
        "import sys, urllib.request\n"
        "url = sys.argv[1]\n"
        "browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())\n"
        "try:\n"
        "    page = browser.open(url, timeout=120).read().decode()\n"
        "except Exception as exc:\n"
        "    page = repr(exc)\n"
        f"open({str(seen)!r}, 'w').write(url + '\\n' + page)\n",
        encoding="utf-8",
    )
    fresh_appliance.env["APPLIANCE_OPEN_BROWSER"] = "true"
    fresh_appliance.env["BROWSER"] = f"{sys.executable} {browser} %s"
    fresh_appliance.start()
    url, page = wait_for(
        lambda: seen.exists() and seen.read_text("utf-8").split("\n", 1),
        timeout=60,
        what="the browser's page",
    )
    assert url == f"{fresh_appliance.url}/?token={fresh_appliance.token}"
    assert '<title data-i18n="app.title">HandwerkML' in page
