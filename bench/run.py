"""`python -m bench.run [--quick] [--only SECTION ...]`: run the benchmarks, write the report.

Writes `bench/results/<YYYY-MM-DD>.json` and `.md` (`-quick` added for a smoke run).
Each section starts what it needs fresh (the appliance, the baseline server, raw
library runs) and cleans up after itself; a failing section is reported, not fatal.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import shutil
import sys
import tempfile
import time
import traceback
from datetime import date
from pathlib import Path

from bench.core import BenchContext, SectionResult
from bench.report import machine, write

SECTIONS = (
    "startup",
    "installed",
    "versus_peer",
    "search_load",
    "search_quality",
    "office_hints",
    "model_change",
    "api_latency",
    "embeddings",
    "documents",
    "load",
    "memory",
    "vectors",
)
RESULTS = Path(__file__).resolve().parent / "results"


def run_section(name: str, ctx: BenchContext) -> SectionResult:
    """Run one section module's `run(ctx)`, timing it and catching its failure."""
    started = time.perf_counter()
    print(f"[bench] {name} ...", flush=True)
    try:
        module = importlib.import_module(f"bench.{name}")
        result: SectionResult = module.run(ctx)
    except Exception as exc:
        traceback.print_exc()
        result = SectionResult(name, name, error=f"{type(exc).__name__}: {exc}")
    result.seconds = time.perf_counter() - started
    print(f"[bench] {name} done in {result.seconds:.0f} s", flush=True)
    for figure in result.figures:
        met = "" if figure.met is None else (" MET" if figure.met else " MISSED")
        print(
            f"    {figure.name}: {figure.measured} {figure.unit} (baseline {figure.baseline}){met}"
        )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small N, about 3 minutes")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, help="run only these sections")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folders")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    workdir = Path(tempfile.mkdtemp(prefix="appliance-bench-"))
    ctx = BenchContext(quick=args.quick, workdir=workdir)
    info = {"date": date.today().isoformat(), "machine": machine()}
    started = time.perf_counter()
    try:
        sections = [run_section(name, ctx) for name in args.only or SECTIONS]
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    info["seconds"] = time.perf_counter() - started
    json_path, md_path = write(args.results, ctx, sections, info)
    print(f"[bench] wrote {json_path} and {md_path}")
    return 1 if any(s.error for s in sections) else 0


if __name__ == "__main__":
    sys.exit(main())
