"""The parser sandbox with its real child process (`appliance extractor`)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from appliance.extract import ExtractLimits, FileType, PageText, Progress
from appliance.holds import HoldPoints
from appliance.reader.sandbox import ExtractionFailedError, ExtractionSandbox, SandboxError
from tests.fixtures import documents as make
from tests.support import wait_for

COMMAND = [sys.executable, "-m", "appliance", "extractor"]


@pytest.fixture
def sandbox() -> Iterator[ExtractionSandbox]:
    box = ExtractionSandbox(COMMAND, timeout=60, memory_mb=1536)
    yield box
    box.close()


def run(box: ExtractionSandbox, path: Path, file_type: FileType) -> tuple[int, list[PageText]]:
    pages: list[PageText] = []
    progress: list[Progress] = []
    count = box.extract(path, file_type, ExtractLimits(), progress.append, pages.append)
    return count, pages


def child_pid(box: ExtractionSandbox) -> int:
    assert box._child is not None
    return box._child.pid


def test_text_comes_back_page_by_page(sandbox: ExtractionSandbox, tmp_path: Path) -> None:
    path = make.text_pdf(tmp_path / "a.pdf", ["Erste Seite Überprüfung", "Zweite Seite Größe"])
    count, pages = run(sandbox, path, FileType.PDF)
    assert count == 2
    assert "Überprüfung" in pages[0].text and "Größe" in pages[1].text


def test_the_child_is_reused_between_files(sandbox: ExtractionSandbox, tmp_path: Path) -> None:
    first = make.cp1252_txt(tmp_path / "a.txt", "eins")
    second = make.cp1252_txt(tmp_path / "b.txt", "zwei")
    run(sandbox, first, FileType.TXT)
    pid = child_pid(sandbox)
    run(sandbox, second, FileType.TXT)
    assert child_pid(sandbox) == pid


def test_a_bad_file_is_a_clean_error_and_the_next_file_gets_a_fresh_child(
    sandbox: ExtractionSandbox, tmp_path: Path
) -> None:
    run(sandbox, make.cp1252_txt(tmp_path / "ok.txt", "ok"), FileType.TXT)
    pid = child_pid(sandbox)
    with pytest.raises(ExtractionFailedError) as failure:
        run(sandbox, make.truncated_pdf(tmp_path / "bad"), FileType.PDF)
    assert failure.value.code == "corrupt"
    # The file broke a parser: whatever state it left the child in ends with the child.
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    count, pages = run(sandbox, make.cp1252_txt(tmp_path / "next.txt", "weiter"), FileType.TXT)
    assert count == 1 and "weiter" in pages[0].text
    assert child_pid(sandbox) != pid


def test_a_child_retires_after_its_share_of_documents(tmp_path: Path) -> None:
    box = ExtractionSandbox(COMMAND, timeout=60, memory_mb=1536, documents_per_child=2)
    try:
        readers = []
        for n in range(6):
            run(box, make.cp1252_txt(tmp_path / f"{n}.txt", f"Notiz {n}"), FileType.TXT)
            readers.append(box.reader_pid)
        # Two files per child: each pair of files was read by a child of its own.
        assert readers[0] == readers[1] and readers[2] == readers[3] and readers[4] == readers[5]
        assert len({readers[0], readers[2], readers[4]}) == 3
    finally:
        box.close()


def test_the_child_has_no_secrets_and_no_network(tmp_path: Path) -> None:
    secrets = {
        "APPLIANCE_ACCESS_TOKEN": "lan-passwort-geheim",
        "APPLIANCE_WORKER_TOKEN": "worker-token-geheim-1234",
        "APPLIANCE_DATABASE_URL": "postgresql://hw:dbpasswort@db/hw",
    }
    old = {name: os.environ.get(name) for name in secrets}
    os.environ.update(secrets)  # the worker's own environment has them
    box = ExtractionSandbox(COMMAND, timeout=60, memory_mb=1536)
    try:
        box.start()
        pid = child_pid(box)
        environment = Path(f"/proc/{pid}/environ").read_bytes()
        for value in secrets.values():
            assert value.encode() not in environment
        assert b"APPLIANCE_" not in environment
        assert box.network_isolated  # Linux: a network namespace of its own
    finally:
        box.close()
        for name, value in old.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def test_a_process_that_left_the_network_reaches_no_address() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        probe = (
            "import socket, sys\n"
            "from appliance.reader.isolation import isolate_network\n"
            "assert isolate_network()\n"
            f"try:\n    socket.create_connection(('127.0.0.1', {port}), timeout=5)\n"
            "except OSError as exc:\n    print('refused', exc)\n    sys.exit(0)\n"
            "sys.exit(1)\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60
        )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "refused" in done.stdout


def test_a_parse_past_the_timeout_is_stopped_and_the_next_file_works(tmp_path: Path) -> None:
    # The parse never ends: it is held before its second page until the test lets it go,
    # which it never does. However fast the machine reads, the timeout must strike.
    holds = tmp_path / "holds"
    holds.mkdir()
    (holds / HoldPoints.document_of(3)).touch()
    box = ExtractionSandbox(COMMAND, timeout=0.5, memory_mb=1536, hold_dir=holds)
    try:
        slow = make.tiff_pages(tmp_path / "slow.tiff", ["Seite eins", "Seite zwei", "Seite drei"])
        with pytest.raises(SandboxError) as stopped:
            run(box, slow, FileType.TIFF)
        assert stopped.value.code == "timeout"
        assert "longer than 0.5 seconds" in str(stopped.value)
        assert box._child is None  # killed
        box.timeout = 60
        count, pages = run(box, make.cp1252_txt(tmp_path / "ok.txt", "danach"), FileType.TXT)
        assert count == 1 and "danach" in pages[0].text
    finally:
        box.close()


def test_a_parse_over_the_memory_cap_is_stopped(tmp_path: Path) -> None:
    # 9000 x 9000 RGB is 243 MB decoded: over a 200 MB cap.
    big = make.text_image(tmp_path / "big.png", "Gross", size=(9000, 9000))
    box = ExtractionSandbox(COMMAND, timeout=120, memory_mb=200)
    try:
        with pytest.raises(SandboxError) as stopped:
            run(box, big, FileType.PNG)
        assert stopped.value.code in ("too_much_memory", "parser_crashed")
    finally:
        box.close()


def test_a_child_started_ahead_of_time_reads_the_first_file(
    sandbox: ExtractionSandbox, tmp_path: Path
) -> None:
    # The worker starts the child from another thread while a task may already need it.
    starters = [threading.Thread(target=sandbox.start) for _ in range(3)]
    for starter in starters:
        starter.start()
    for starter in starters:
        starter.join()
    started = child_pid(sandbox)
    _count, pages = run(sandbox, make.cp1252_txt(tmp_path / "a.txt", "vorab"), FileType.TXT)
    assert [page.text.strip() for page in pages] == ["vorab"]
    assert child_pid(sandbox) == started  # one child, not one per start()


def test_an_idle_child_ends_and_the_next_file_starts_a_fresh_one(tmp_path: Path) -> None:
    box = ExtractionSandbox(COMMAND, timeout=60, memory_mb=1536, idle_seconds=0.3)
    try:
        run(box, make.cp1252_txt(tmp_path / "a.txt", "vorher"), FileType.TXT)
        first = box.reader_pid
        assert first is not None
        wait_for(lambda: not alive(first), timeout=60, what="the idle reader ended")
        count, pages = run(box, make.cp1252_txt(tmp_path / "b.txt", "nachher"), FileType.TXT)
        assert count == 1 and "nachher" in pages[0].text
        assert box.reader_pid != first
    finally:
        box.close()


def test_a_child_that_is_reading_is_not_ended_as_idle(tmp_path: Path) -> None:
    holds = tmp_path / "holds"
    holds.mkdir()
    hold = holds / HoldPoints.document_of(2)
    hold.touch()
    box = ExtractionSandbox(COMMAND, timeout=120, memory_mb=1536, hold_dir=holds, idle_seconds=0.2)
    try:
        box.start()  # started ahead of a file: its idle time runs from now
        reader = child_pid(box)
        path = make.tiff_pages(tmp_path / "two.tiff", ["Seite eins", "Seite zwei"])
        result: list[tuple[int, list[PageText]]] = []
        reading = threading.Thread(target=lambda: result.append(run(box, path, FileType.TIFF)))
        reading.start()
        wait_for((holds / f"{hold.name}.reached").exists, timeout=120, what="page 1 read")
        # Five times its idle time in the middle of a file: the reader must still be there.
        time.sleep(1.0)
        assert alive(reader)
        hold.unlink()
        reading.join(timeout=120)
        assert result and result[0][0] == 2
        assert box.reader_pid == reader
    finally:
        hold.unlink(missing_ok=True)
        box.close()


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


# A reader that reports a page every few ms while it takes 4 MB more each time, and caps
# nothing itself (as on Windows, where no address-space limit exists).
GREEDY_READER = """
import json, sys, time
print(json.dumps({"ready": True}), flush=True)
sys.stdin.readline()
hoard = []
for page in range(1, 100000):
    hoard.append(bytearray(4 * 1024 * 1024))
    print(json.dumps({"progress": ["reading", page, 0]}), flush=True)
    time.sleep(0.005)
"""


def test_a_reader_that_keeps_reporting_is_still_held_to_the_memory_cap(tmp_path: Path) -> None:
    greedy = tmp_path / "greedy.py"
    greedy.write_text(GREEDY_READER, encoding="utf-8")
    box = ExtractionSandbox([sys.executable, str(greedy)], timeout=60, memory_mb=300)
    reported: list[Progress] = []
    try:
        with pytest.raises(SandboxError) as stopped:
            box.extract(
                make.cp1252_txt(tmp_path / "any.txt", "egal"),
                FileType.TXT,
                ExtractLimits(),
                reported.append,
                lambda page: None,
            )
        assert stopped.value.code == "too_much_memory"
        assert box._child is None  # stopped
    finally:
        box.close()
    # Stopped soon after it passed the cap (some 70 pages of 4 MB beside the interpreter),
    # not when its time was up:
    # at one page per 5 ms at the most, a check every 0.25 s lets at most ~50 more pass.
    assert 50 <= reported[-1].page < 200, reported[-1]
