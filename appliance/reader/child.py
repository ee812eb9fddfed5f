"""`appliance extractor`: the child process side of the parser sandbox.

Reads one JSON job per line on stdin and answers with JSON lines: progress, one line per
page, then `done` or `error`. The protocol owns the real stdout; anything a library
prints goes to stderr instead, so it cannot corrupt the stream.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import IO, Any

# The parsers themselves, imported up front (the extract package imports them only when
# needed, to keep them out of the workers): "ready" means ready to read at full speed.
from appliance.extract import (
    ExtractionError,
    ExtractLimits,
    FileType,
    Progress,
    extract,
    images,  # noqa: F401
    office,  # noqa: F401
    pdf,  # noqa: F401
    text,  # noqa: F401
)
from appliance.holds import HoldPoints
from appliance.priority import lower_process
from appliance.reader.isolation import isolate_network
from appliance.wording import Language, say

log = logging.getLogger("appliance.extractor")


def _limit_memory(memory_mb: int) -> None:
    """A hard ceiling where the OS offers one (POSIX); the parent also watches the RSS."""
    try:
        import resource
    except ImportError:  # Windows: the parent's RSS watch is the limit
        return
    # Address space, not RSS: allow twice the cap for mapped libraries and thread stacks.
    ceiling = memory_mb * 2 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))


_PARENT = os.getppid()


def _parent_alive() -> bool:
    """Whether the worker that started this child still runs (else a hold ends)."""
    return os.getppid() == _PARENT


def _send(stream: IO[str], event: dict[str, Any]) -> None:
    stream.write(json.dumps(event) + "\n")
    stream.flush()


def run_job(job: dict[str, Any], out: IO[str]) -> None:
    holds = HoldPoints(job.get("hold_dir"))
    held_at = 1

    def report(progress: Progress) -> None:
        nonlocal held_at
        if progress.page > held_at and progress.pages:
            held_at = progress.page  # once per page (an OCR page is reported twice)
            holds.wait(HoldPoints.document_of(progress.pages), still_wanted=_parent_alive)
        _send(out, {"progress": [progress.stage.value, progress.page, progress.pages]})

    pages = 0
    try:
        limits = ExtractLimits(**job.get("limits", {}))
        for page in extract(Path(job["path"]), FileType(job["type"]), limits=limits, report=report):
            _send(out, {"page": page.number, "text": page.text, "ocr": page.ocr})
            pages += 1
    except ExtractionError as exc:
        _send(out, {"error": exc.code, "message": exc.message})
        return
    except MemoryError:
        _send(
            out,
            {"error": "too_much_memory", "message": say("reader.memory_unmeasured", Language.EN)},
        )
        return
    except Exception:
        log.exception("unexpected error while reading %s", job.get("type"))
        _send(out, {"error": "corrupt", "message": say("reader.unreadable", Language.EN)})
        return
    _send(out, {"done": pages})


def serve(memory_mb: int) -> int:
    """Answer jobs until stdin closes."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    isolated = isolate_network()  # first: the kernel wants a single-threaded process
    if not isolated and sys.platform.startswith("linux"):
        log.warning("the file reader could not leave the network (no user namespaces here)")
    os.environ["OMP_THREAD_LIMIT"] = "1"
    # Reading files is the computing part of a document worker: it (and the tesseract
    # processes it starts) runs below the web server; the worker itself need not.
    lower_process()
    _limit_memory(memory_mb)
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    sys.stdout = sys.stderr  # stray prints must not reach the protocol stream
    # The parsers are imported: the job clock may start.
    _send(out, {"ready": True, "network": "isolated" if isolated else "shared"})
    for line in sys.stdin:
        if line.strip():
            run_job(json.loads(line), out)
    return 0
