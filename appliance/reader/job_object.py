"""Windows: the file reader's child in a Job Object, with a memory ceiling and kill-on-close.

POSIX children cap their own address space (`RLIMIT_AS`, child.py); Windows has no such
call. A Job Object gives the same ceiling to the child and to every process it starts
(tesseract): an allocation past it fails inside the child, which reports
"too_much_memory". Its handle lives in the worker: when the worker ends, even killed,
Windows closes the handle and ends every process of the job, so no reader outlives it.
The parent's RSS watch (sandbox.py) stays on top, on every system.
"""

from __future__ import annotations

import ctypes
import logging
import subprocess
import sys
from ctypes import wintypes

log = logging.getLogger("appliance.reader")

JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS = 9
JOB_OBJECT_LIMIT_PROCESS_MEMORY = 0x00000100
JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x00002000


class _IoCounters(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_ulonglong)
        for name in (
            "ReadOperationCount",
            "WriteOperationCount",
            "OtherOperationCount",
            "ReadTransferCount",
            "WriteTransferCount",
            "OtherTransferCount",
        )
    ]


class _BasicLimits(ctypes.Structure):
    _fields_ = [
        ("PerProcessUserTimeLimit", ctypes.c_int64),
        ("PerJobUserTimeLimit", ctypes.c_int64),
        ("LimitFlags", wintypes.DWORD),
        ("MinimumWorkingSetSize", ctypes.c_size_t),
        ("MaximumWorkingSetSize", ctypes.c_size_t),
        ("ActiveProcessLimit", wintypes.DWORD),
        ("Affinity", ctypes.c_size_t),
        ("PriorityClass", wintypes.DWORD),
        ("SchedulingClass", wintypes.DWORD),
    ]


class _ExtendedLimits(ctypes.Structure):
    _fields_ = [
        ("BasicLimitInformation", _BasicLimits),
        ("IoInfo", _IoCounters),
        ("ProcessMemoryLimit", ctypes.c_size_t),
        ("JobMemoryLimit", ctypes.c_size_t),
        ("PeakProcessMemoryUsed", ctypes.c_size_t),
        ("PeakJobMemoryUsed", ctypes.c_size_t),
    ]


class ReaderJob:
    """A Job Object holding one child; `close()` ends the child and all it started."""

    def __init__(self, child: subprocess.Popen[str], memory_mb: int) -> None:
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        kernel32.CreateJobObjectW.restype = wintypes.HANDLE
        self._kernel32 = kernel32
        self._handle = kernel32.CreateJobObjectW(None, None)
        if not self._handle:
            raise ctypes.WinError(ctypes.get_last_error())  # type: ignore[attr-defined]
        limits = _ExtendedLimits()
        limits.BasicLimitInformation.LimitFlags = (
            JOB_OBJECT_LIMIT_PROCESS_MEMORY | JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
        )
        # The same ceiling as RLIMIT_AS on POSIX: twice the cap, for mapped libraries.
        limits.ProcessMemoryLimit = memory_mb * 2 * 1024 * 1024
        ok = kernel32.SetInformationJobObject(
            self._handle,
            JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS,
            ctypes.byref(limits),
            ctypes.sizeof(limits),
        )
        if ok:
            ok = kernel32.AssignProcessToJobObject(self._handle, int(child._handle))  # type: ignore[attr-defined]
        if not ok:
            error = ctypes.WinError(ctypes.get_last_error())  # type: ignore[attr-defined]
            self.close()
            raise error

    def close(self) -> None:
        if self._handle:
            self._kernel32.CloseHandle(self._handle)
            self._handle = None


def confine(child: subprocess.Popen[str], memory_mb: int) -> ReaderJob | None:
    """Put `child` in a Job Object on Windows; None elsewhere, or when Windows refuses
    (the RSS watch then is the limit, as before)."""
    if sys.platform != "win32":
        return None
    try:
        return ReaderJob(child, memory_mb)
    except OSError:
        log.warning("the file reader runs without a Job Object", exc_info=True)
        return None
