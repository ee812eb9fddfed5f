"""Parsers run in a child process with a wall-clock timeout and a memory cap.

pypdf, Pillow and python-docx have a history of hangs and memory blow-ups on crafted
files, and they say catching those is the caller's job. A worker therefore never parses
a file itself: it sends the job to a long-lived child process (`appliance extractor`,
started from the same program, so it works frozen and on Windows) and reads back
progress and page texts as JSON lines. If the child takes too long, uses too much memory
or dies, the worker kills it, reports a readable reason and starts a fresh child for the
next file. The child stays alive between files, so a text document costs no process
start; it starts with the first file and ends after `idle_seconds` without one, so an
office that only edits projects does not keep a reader (75 MB) per document worker.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

import psutil

from appliance.extract import ExtractLimits, FileType, PageText, Progress, Stage
from appliance.reader.isolation import child_environment
from appliance.reader.job_object import ReaderJob, confine
from appliance.tasking.context import PermanentTaskError, UserFacingError
from appliance.wording import Language, say

log = logging.getLogger("appliance.documents")

MEMORY_POLL_INTERVAL = 0.25
STARTUP_TIMEOUT = 120.0  # importing the parsers, on a slow PC, frozen
# A child reads this many files, then a fresh one takes over: whatever a parser leaked or
# a crafted file left behind in its memory ends with it.
DOCUMENTS_PER_CHILD = 50
IDLE_SECONDS = 120.0
_EOF = object()


class ExtractionFailedError(PermanentTaskError):
    """The file cannot be read (corrupt, encrypted, unsupported ...): retrying cannot help."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class SandboxError(UserFacingError):
    """The parser hung, used too much memory or crashed; a retry may still succeed."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class ExtractionSandbox:
    """One child process that extracts text, replaced whenever it misbehaves."""

    def __init__(
        self,
        command: list[str],
        *,
        timeout: float,
        memory_mb: int,
        hold_dir: Path | None = None,
        documents_per_child: int = DOCUMENTS_PER_CHILD,
        idle_seconds: float = IDLE_SECONDS,
    ) -> None:
        self.command = command
        self.idle_seconds = idle_seconds
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.documents_per_child = documents_per_child
        self.hold_dir = hold_dir  # tests only: see holds.py
        self.network_isolated = False  # what the running child reported
        self.reader_pid: int | None = None  # the child that read the last file
        self._documents_read = 0
        self._child: subprocess.Popen[str] | None = None
        self._job: ReaderJob | None = None  # Windows: the child's Job Object
        self._events: queue.Queue[Any] = queue.Queue()
        # Guards the child: it is started ahead of a file and ended when idle from other
        # threads than the one that reads.
        self._starting = threading.Lock()
        self._reading = False
        self._idle_timer: threading.Timer | None = None

    def start(self) -> None:
        """Start the child now (if it is not running), so the next file need not wait."""
        with self._starting:
            self._running_child()
            self._end_when_idle()

    def extract(
        self,
        path: Path,
        file_type: FileType,
        limits: ExtractLimits,
        on_progress: Callable[[Progress], None],
        on_page: Callable[[PageText], None],
    ) -> int:
        """Extract `path` in the child; returns the page count.

        Raises ExtractionFailedError for files that cannot be read, SandboxError when the
        child had to be stopped (timeout, memory) or died.
        """
        with self._starting:
            self._reading = True
            self._cancel_idle_timer()
            try:
                child = self._running_child()
            except BaseException:
                self._reading = False
                raise
        self.reader_pid = child.pid
        job: dict[str, Any] = {
            "path": str(path),
            "type": file_type.value,
            "limits": asdict(limits),
        }
        if self.hold_dir is not None:
            job["hold_dir"] = str(self.hold_dir)
        # The child is kept only after a clean read: a file the reader refused may have
        # left a parser in any state, and after `documents_per_child` files it retires.
        keep_child = False
        try:
            assert child.stdin is not None
            child.stdin.write(json.dumps(job) + "\n")
            child.stdin.flush()
            pages = self._follow(child, on_progress, on_page)
            self._documents_read += 1
            keep_child = self._documents_read < self.documents_per_child
            return pages
        except (BrokenPipeError, OSError) as exc:
            raise SandboxError("parser_crashed", say("reader.crashed", Language.EN)) from exc
        finally:
            with self._starting:
                self._reading = False
                if keep_child:
                    self._end_when_idle()
                else:
                    self._stop_child()
            if not keep_child:
                # The next file should not wait for the parsers to import: start its
                # reader now, beside the task's own bookkeeping.
                threading.Thread(target=self._start_quietly, daemon=True).start()

    def _follow(
        self,
        child: subprocess.Popen[str],
        on_progress: Callable[[Progress], None],
        on_page: Callable[[PageText], None],
    ) -> int:
        deadline = time.monotonic() + self.timeout
        # On a clock, not when the child falls silent: a child that keeps reporting pages
        # while its memory grows must be checked too (on Windows this check is the only
        # limit; elsewhere the child also caps its own address space).
        next_check = time.monotonic() + MEMORY_POLL_INTERVAL
        while True:
            now = time.monotonic()
            if now >= deadline:
                raise SandboxError(
                    "timeout", say("reader.timeout", Language.EN, seconds=f"{self.timeout:g}")
                )
            if now >= next_check:
                self._check_memory(child)
                next_check = now + MEMORY_POLL_INTERVAL
            try:
                event = self._events.get(timeout=min(deadline, next_check) - now)
            except queue.Empty:
                continue
            if event is _EOF:
                raise SandboxError("parser_crashed", say("reader.crashed_on_file", Language.EN))
            if "progress" in event:
                stage, page, pages = event["progress"]
                on_progress(Progress(Stage(stage), page, pages))
            elif "page" in event:
                on_page(PageText(event["page"], event["text"], event["ocr"]))
            elif "error" in event:
                if event["error"] == "too_much_memory":
                    raise SandboxError("too_much_memory", event["message"])
                raise ExtractionFailedError(event["error"], event["message"])
            elif "done" in event:
                return int(event["done"])

    def _check_memory(self, child: subprocess.Popen[str]) -> None:
        try:
            process = psutil.Process(child.pid)
            rss = process.memory_info().rss + sum(
                c.memory_info().rss for c in process.children(recursive=True)
            )
        except psutil.NoSuchProcess:
            return  # its end-of-output arrives next
        if rss > self.memory_mb * 1024 * 1024:
            raise SandboxError(
                "too_much_memory", say("reader.memory", Language.EN, megabytes=str(self.memory_mb))
            )

    def _end_when_idle(self) -> None:
        """Arm the timer that ends the child if no file comes within `idle_seconds`."""
        self._cancel_idle_timer()
        timer = threading.Timer(self.idle_seconds, self._end_idle_child)
        timer.args = (timer,)
        timer.daemon = True
        self._idle_timer = timer
        timer.start()

    def _cancel_idle_timer(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None

    def _end_idle_child(self, timer: threading.Timer) -> None:
        # A file that arrived as the timer fired took the lock first and cancelled or
        # replaced the timer: this late call then leaves the child alone.
        with self._starting:
            if timer is not self._idle_timer or self._reading:
                return
            log.debug("the file reader ends after %g s without a file", self.idle_seconds)
            self._idle_timer = None
            self._stop_child()

    def _running_child(self) -> subprocess.Popen[str]:
        if self._child is not None and self._child.poll() is None:
            return self._child
        self._events = queue.Queue()
        self._documents_read = 0
        self._child = subprocess.Popen(
            [*self.command, "--memory-mb", str(self.memory_mb)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,  # the child's warnings go to the worker's log
            env=child_environment(os.environ),  # none of the worker's secrets
            text=True,
            encoding="utf-8",
            bufsize=1,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
        )
        self._job = confine(self._child, self.memory_mb)
        threading.Thread(
            target=_read_events, args=(self._child.stdout, self._events), daemon=True
        ).start()
        # The timeout is for reading a file, not for starting the child: wait until its
        # parsers are imported.
        try:
            event = self._events.get(timeout=STARTUP_TIMEOUT)
        except queue.Empty:
            event = None
        if not isinstance(event, dict) or not event.get("ready"):
            self._stop_child()
            raise SandboxError("parser_crashed", say("reader.not_started", Language.EN))
        self.network_isolated = event.get("network") == "isolated"
        return self._child

    def _stop_child(self) -> None:
        child, self._child = self._child, None
        if child is None:
            return
        with contextlib.suppress(psutil.NoSuchProcess):
            parent = psutil.Process(child.pid)
            for process in [*parent.children(recursive=True), parent]:
                with contextlib.suppress(psutil.NoSuchProcess):
                    process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=5)
        if self._job is not None:
            self._job.close()
            self._job = None

    def _start_quietly(self) -> None:
        try:
            self.start()
        except SandboxError:
            log.warning("a fresh file reader could not be started; the next file tries again")

    def close(self) -> None:
        with self._starting:
            self._cancel_idle_timer()
            self._stop_child()


def _read_events(stream: IO[str] | None, events: queue.Queue[Any]) -> None:
    if stream is not None:
        for line in stream:
            try:
                events.put(json.loads(line))
            except ValueError:
                log.warning("extractor wrote a line that is not JSON: %.200s", line)
    events.put(_EOF)
