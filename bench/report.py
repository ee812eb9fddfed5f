"""Writing a run's results: the JSON file and the Markdown table."""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Any

import psutil

from bench.core import BenchContext, Figure, SectionResult
from bench.stats import fmt_number, fmt_ratio


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": psutil.cpu_count(logical=True),
        "physical_cores": psutil.cpu_count(logical=False),
        "cpu": cpu,
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": [round(x, 2) for x in psutil.getloadavg()],
    }


def _met(figure: Figure) -> str:
    if figure.met is None:
        return ""
    if figure.met:
        return "met"
    gap = figure.target.gap(figure.measured) if figure.target else None
    return f"**missed** by {fmt_number(gap)} {figure.unit}"


def _target(figure: Figure) -> str:
    if figure.target is None:
        return ""
    return f"{figure.target.op} {fmt_number(figure.target.value)} {figure.unit}"


def figure_row(figure: Figure, *, with_notes: bool = True) -> str:
    baseline = fmt_number(figure.baseline)
    if figure.baseline_name and figure.baseline is not None:
        baseline += f" ({figure.baseline_name})"
    cells = [
        figure.name,
        f"{fmt_number(figure.measured)} {figure.unit}",
        baseline,
        fmt_ratio(figure.ratio),
        _target(figure),
        _met(figure),
    ]
    if with_notes:
        cells.append(figure.notes)
    return "| " + " | ".join(cells) + " |"


def markdown(ctx: BenchContext, sections: list[SectionResult], info: dict[str, Any]) -> str:
    """The whole report: machine, targets at a glance, then every section's figures."""
    # Sections run in the order that suits the machine; the report follows the issue's.
    sections = sorted(sections, key=lambda s: s.title)
    mode = "quick (smoke run, small N)" if ctx.quick else "full"
    lines = [
        f"# Benchmarks {info['date']}",
        "",
        f"Machine: {info['machine']['cores']} cores ({info['machine']['cpu']}), "
        f"{info['machine']['memory_gb']} GB RAM, Python {info['machine']['python']}; "
        f"load average at start {info['machine']['load_average']}. Run: {mode}, "
        f"{info['seconds'] / 60:.1f} min. Ratio = appliance / baseline, both measured "
        "in this run.",
        "",
        "## Targets",
        "",
        "| Figure | Measured | Baseline | Ratio | Target | Met |",
        "|---|---|---|---|---|---|",
    ]
    for section in sections:
        lines += [figure_row(f, with_notes=False) for f in section.figures if f.target]
    for section in sections:
        lines += ["", f"## {section.title}", ""]
        if section.error:
            lines += [f"**The section failed:** `{section.error}`", ""]
        if section.figures:
            lines += [
                "| Figure | Measured | Baseline | Ratio | Target | Met | Notes |",
                "|---|---|---|---|---|---|---|",
                *(figure_row(f) for f in section.figures),
            ]
        extra = section.detail.get("markdown")
        if extra:
            lines += ["", *extra]
        if section.notes:
            lines += ["", *(f"- {note}" for note in section.notes)]
        lines.append(f"\n_Section time: {section.seconds:.0f} s._")
    return "\n".join(lines) + "\n"


def write(
    folder: Path, ctx: BenchContext, sections: list[SectionResult], info: dict[str, Any]
) -> tuple[Path, Path]:
    """Write `<date>.json` and `<date>.md` into `folder`; returns both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = info["date"] + ("-quick" if ctx.quick else "")
    json_path = folder / f"{stem}.json"
    md_path = folder / f"{stem}.md"
    data = {**info, "quick": ctx.quick, "sections": [s.as_dict() for s in sections]}
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str), "utf-8")
    md_path.write_text(markdown(ctx, sections, info), "utf-8")
    return json_path, md_path
