"""Section: the Linux package as installed - its size, and its start (issue 20).

The package is `build/out/handwerkml_<version>_amd64.deb` (`build/linux/build.sh` makes it
when it is missing; delete it to measure a new build).
It is unpacked with `dpkg-deb -x`, which lays down the files `apt install` would, without
root, and the installed program is started on a fresh data folder with an environment
free of this Python's variables. Each start is timed as in the start-up section: the UI
answers, then 4 workers are healthy. The baseline is the same appliance started from
source in the same run. The median of three starts (one discarded first, to warm the page
cache) is reported.
"""

from __future__ import annotations

import statistics
import subprocess
from pathlib import Path

from bench.core import BenchContext, Figure, SectionResult, Target
from bench.startup import _one_start

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "out"
MB = 1024 * 1024


def run(ctx: BenchContext) -> SectionResult:
    result = SectionResult("installed", "The installed Linux package: size and start")
    deb = _package()
    folder = ctx.folder("installed")
    root = folder / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    program = [str(root / "opt" / "handwerkml" / "handwerkml")]
    runs = ctx.scale(3, 1)
    if not ctx.quick:
        _one_start(folder / "warm-installed", program)
        _one_start(folder / "warm-source")
    installed = [_one_start(folder / f"installed-{i}", program) for i in range(runs)]
    source = [_one_start(folder / f"source-{i}") for i in range(runs)]

    def median(starts: list[dict[str, float]], key: str) -> float:
        return statistics.median(start[key] for start in starts)

    result.add(
        Figure(
            ".deb size (zstd)",
            "MB",
            round(deb.stat().st_size / MB, 1),
            target=Target("<=", 250.0, "issue 20"),
        )
    )
    result.add(Figure("installed program folder", "MB", round(_size(root / "opt") / MB, 1)))
    for key, label, target in (
        ("ui_ready", "installed: start → UI answers", 5.0),
        ("healthy", "installed: start → 4 healthy workers", 10.0),
    ):
        result.add(
            Figure(
                label,
                "s",
                round(median(installed, key), 2),
                round(median(source, key), 2),
                "the same start from source",
                Target("<=", target, "issue 20"),
                ", ".join(f"{start[key]:.2f}" for start in installed),
            )
        )
    result.detail = {"package": deb.name, "installed": installed, "source": source}
    return result


def _package() -> Path:
    found = sorted(OUT.glob("handwerkml_*_amd64.deb"))
    if not found:
        subprocess.run(["bash", str(ROOT / "build" / "linux" / "build.sh")], check=True)
        found = sorted(OUT.glob("handwerkml_*_amd64.deb"))
    return found[-1]


def _size(folder: Path) -> int:
    # Links (PyInstaller links some libraries) count once, as in `du`.
    return sum(
        path.stat().st_size
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink()
    )
