"""Section 3: document throughput, upload until completed, and upload to searchable.

Text PDFs, DOCX and TXT files (each unique) are uploaded through the API three at a
time, as the UI uploads a batch of dropped files, and timed until the last one is
completed; then scanned letters (one A4 page each, 200 dpi, read by OCR). Baselines,
each in a fresh process: the raw libraries reading the same files one after another
(pypdf, python-docx, plain decode), and the tesseract binary on the same pages rendered
as the appliance renders them (300 dpi, grayscale), one at a time and `cores` at once.
"Upload to searchable" is compared with the synchronous baseline server, whose upload
answers once the document is searchable.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from sqlalchemy import func, select
from sqlmodel import col

from appliance.documents.models import Document, DocumentStatus
from appliance.extract import ExtractLimits
from appliance.extract.ocr import prepare_for_ocr
from appliance.extract.pdf import render_scale
from bench import ledger_view, samples
from bench.baseline_app import baseline_server
from bench.core import BenchContext, Figure, SectionResult, Target
from bench.http import Answer, TimedClient
from bench.live import DOCUMENTS, started
from bench.raw import run_raw
from bench.stats import fmt_number, summary
from tests.support import RunningAppliance, wait_for

KINDS: dict[str, Callable[[Path, int], Path]] = {
    "pdf": samples.text_pdf,
    "docx": samples.docx,
    "txt": samples.txt,
}
RAW_READERS = {"pdf": "pypdf", "docx": "python-docx", "txt": "decode"}
TEXT_TARGET = Target(">=", 50.0)
UPLOAD_CLIENTS = 3  # the UI uploads 3 files at a time (ui/js/uploads.js)


def _count(running: RunningAppliance, status: DocumentStatus) -> int:
    query = select(func.count()).select_from(Document).where(col(Document.status) == status)
    with running.runtime.db.read() as conn:
        return int(conn.execute(query).scalar_one())


def _upload(client: TimedClient, path: Path, url: str = f"{DOCUMENTS}upload") -> Answer:
    answer = client.upload(url, path.name, path.read_bytes())
    if answer.status != 201:
        raise RuntimeError(f"upload of {path.name} failed: {answer.status} {answer.body}")
    return answer


def _upload_all(port: int, paths: list[Path]) -> list[Answer]:
    """Upload every file, UPLOAD_CLIENTS at a time (as the UI does)."""
    local = threading.local()

    def one(path: Path) -> Answer:
        if not hasattr(local, "client"):
            local.client = TimedClient(port)
        return _upload(local.client, path)

    with ThreadPoolExecutor(UPLOAD_CLIENTS) as pool:
        return list(pool.map(one, paths))


def _throughput(running: RunningAppliance, paths: list[Path]) -> dict[str, Any]:
    """Upload `paths`, UPLOAD_CLIENTS at a time; seconds until every one is completed."""
    before = _count(running, DocumentStatus.COMPLETED)
    failed_before = _count(running, DocumentStatus.FAILED)
    started_at = time.perf_counter()
    answers = _upload_all(running.port, paths)
    uploaded = time.perf_counter() - started_at

    def done() -> bool:
        if _count(running, DocumentStatus.FAILED) > failed_before:
            raise RuntimeError("a benchmark document failed")
        return _count(running, DocumentStatus.COMPLETED) >= before + len(paths)

    wait_for(done, timeout=900, interval=0.02, what="documents completed")
    seconds = time.perf_counter() - started_at
    rows = ledger_view.timings(running.runtime, [a.body["task_id"] for a in answers])
    return {
        "docs": len(paths),
        "seconds": seconds,
        "upload_seconds": uploaded,
        "per_s": len(paths) / seconds,
        "upload_ms": summary([a.ms for a in answers]),
        "tasks": ledger_view.latency_summary(rows),
    }


def _render(scans: list[Path], folder: Path) -> tuple[list[str], dict[str, float]]:
    """The scanned pages as the appliance hands them to tesseract (PGM, 300 dpi, gray)."""
    folder.mkdir(parents=True, exist_ok=True)
    limits = ExtractLimits()
    images, times = [], []
    for path in scans:
        started_at = time.perf_counter()
        document = pdfium.PdfDocument(path)
        page = document[0]
        bitmap = page.render(scale=render_scale(*page.get_size(), limits), grayscale=True)
        image = prepare_for_ocr(bitmap.to_pil().copy(), limits.max_render_pixels)
        target = folder / f"{path.stem}.pgm"
        image.save(target, format="PPM")
        times.append((time.perf_counter() - started_at) * 1000)
        bitmap.close()
        page.close()
        document.close()
        images.append(str(target))
    return images, summary(times)


def _searchable(client: TimedClient, path: Path, word: str) -> float:
    """Milliseconds from the start of the upload until full-text search finds `word`."""
    started_at = time.perf_counter()
    _upload(client, path)

    def found() -> bool:
        return bool(client.get(f"{DOCUMENTS}search?q={word}").body["count"])

    wait_for(found, timeout=120, interval=0.01, what=f"{word} searchable")
    return (time.perf_counter() - started_at) * 1000


def run(ctx: BenchContext) -> SectionResult:
    result = SectionResult("documents", "3. Document throughput")
    folder = ctx.folder("documents")
    count = ctx.scale(100, 10)
    pages = ctx.scale(16, 3)
    runs = ctx.scale(10, 3)
    files = {
        kind: [make(folder / kind, i) for i in range(count)] for kind, make in _folders(folder)
    }
    scans = [samples.scanned_letter(folder / "scans", i) for i in range(pages)]
    probes = [samples.text_pdf(folder / "probe", 300000 + i) for i in range(runs)]
    raw = run_raw("extract", {"files": {k: [str(p) for p in v] for k, v in files.items()}})
    images, render_ms = _render(scans, folder / "pgm")
    tesseract = run_raw("tesseract", {"images": images, "parallel": ctx.cores})
    measured: dict[str, Any] = {}
    with started(folder / "appliance") as running:
        warm = [samples.txt(folder / "warm", 800000 + i) for i in range(6)]
        _throughput(running, warm)  # starts each document worker's parser child
        for kind, paths in files.items():
            measured[kind] = _throughput(running, paths)
        measured["ocr"] = _throughput(running, scans)
        client = TimedClient(running.port)
        to_search = [
            _searchable(client, probe, samples.token("pdf", 300000 + i))
            for i, probe in enumerate(probes)
        ]
        client.close()
    with baseline_server(folder / "baseline", ctx.cores) as base:
        client = TimedClient(base.port)
        sync_ms = [_upload(client, probe, "/documents/upload").ms for probe in probes]
        client.close()
    result.detail = {
        "raw_extract": raw,
        "raw_tesseract": tesseract,
        "render_ms": render_ms,
        "appliance": measured,
        "upload_to_searchable_ms": summary(to_search),
        "sync_upload_ms": summary(sync_ms),
    }
    for kind in files:
        result.add(
            Figure(
                f"{kind.upper()} documents, upload → completed",
                "/s",
                measured[kind]["per_s"],
                raw[kind]["per_s"],
                f"raw {RAW_READERS[kind]}, one process",
                TEXT_TARGET,
                f"{count} files, {fmt_number(measured[kind]['seconds'])} s",
            )
        )
    lines = [
        "| Kind | uploads took | queue wait p50 / p95 ms | task run p50 / p95 ms"
        " | worker gap between tasks p50 / p95 ms |",
        "|---|---|---|---|---|",
    ]
    for kind, found in measured.items():
        tasks = found["tasks"]
        lines.append(
            f"| {kind} | {fmt_number(found['upload_seconds'])} s of "
            f"{fmt_number(found['seconds'])} s | "
            f"{fmt_number(tasks['wait_ms'].get('p50'))} / {fmt_number(tasks['wait_ms'].get('p95'))}"
            f" | {fmt_number(tasks['run_ms'].get('p50'))} / "
            f"{fmt_number(tasks['run_ms'].get('p95'))} | "
            f"{fmt_number(tasks['gap_ms'].get('p50'))} / {fmt_number(tasks['gap_ms'].get('p95'))} |"
        )
    result.detail["markdown"] = lines
    s_per_page = tesseract["serial_s_per_page"]
    ocr_target = 0.9 * ctx.cores / s_per_page
    result.add(
        Figure(
            "OCR pages (scanned A4 letters), upload → completed",
            "pages/s",
            measured["ocr"]["per_s"],
            1 / s_per_page,
            "raw tesseract, one at a time",
            Target(">=", ocr_target, "issue 8: 0.9 × cores / raw s per page"),
            f"raw tesseract {fmt_number(s_per_page)} s/page; {ctx.cores} at once "
            f"{fmt_number(tesseract['parallel_pages_per_s'])} pages/s; render "
            f"{fmt_number(render_ms['p50'])} ms/page",
        )
    )
    result.add(
        Figure(
            "one text PDF, upload → found by search (p50)",
            "ms",
            summary(to_search)["p50"],
            summary(sync_ms)["p50"],
            "synchronous upload",
            notes=f"p95 {fmt_number(summary(to_search)['p95'])} ms over {runs} uploads",
        )
    )
    return result


def _folders(folder: Path) -> list[tuple[str, Callable[[Path, int], Path]]]:
    for kind in KINDS:
        (folder / kind).mkdir(parents=True, exist_ok=True)
    for name in ("scans", "probe", "warm"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    return list(KINDS.items())
