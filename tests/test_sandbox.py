"""The parser sandbox with its real child process (`appliance extractor`)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.documents.extract import ExtractLimits, FileType, PageText, Progress
from appliance.documents.sandbox import ExtractionFailedError, ExtractionSandbox, SandboxError
from appliance.holds import HoldPoints
from tests.fixtures import documents as make

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


def test_a_bad_file_is_a_clean_error_and_the_child_stays(
    sandbox: ExtractionSandbox, tmp_path: Path
) -> None:
    run(sandbox, make.cp1252_txt(tmp_path / "ok.txt", "ok"), FileType.TXT)
    pid = child_pid(sandbox)
    with pytest.raises(ExtractionFailedError) as failure:
        run(sandbox, make.truncated_pdf(tmp_path / "bad"), FileType.PDF)
    assert failure.value.code == "corrupt"
    assert child_pid(sandbox) == pid


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
