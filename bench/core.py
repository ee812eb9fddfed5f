"""What a section measures and returns: figures with their baselines and targets."""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from bench.stats import ratio

Better = Literal["lower", "higher"]


@dataclass(frozen=True)
class Target:
    """A goal from the issue: `measured <= value` (lower is better) or `>= value`."""

    op: Literal["<=", ">="]
    value: float
    source: str = "issue 8"

    def met(self, measured: float | None) -> bool | None:
        if measured is None:
            return None
        return measured <= self.value if self.op == "<=" else measured >= self.value

    def gap(self, measured: float | None) -> float | None:
        """How far a missed figure is from the target (positive: missed by that much)."""
        if measured is None:
            return None
        return measured - self.value if self.op == "<=" else self.value - measured


@dataclass
class Figure:
    """One measured figure, its baseline measured in the same run, and its target."""

    name: str
    unit: str
    measured: float | None
    baseline: float | None = None
    baseline_name: str = ""
    target: Target | None = None
    notes: str = ""

    @property
    def ratio(self) -> float | None:
        return ratio(self.measured, self.baseline)

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.target.met(self.measured)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = self.ratio
        data["met"] = self.met
        data["gap"] = None if self.target is None else self.target.gap(self.measured)
        return data


@dataclass
class SectionResult:
    """What one section found: figures, notes, and raw detail for the JSON file."""

    name: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    error: str | None = None

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        return figure

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "seconds": round(self.seconds, 1),
            "error": self.error,
            "figures": [f.as_dict() for f in self.figures],
            "notes": self.notes,
            "detail": self.detail,
        }


@dataclass
class BenchContext:
    """Settings of one benchmark run, handed to every section."""

    quick: bool
    workdir: Path
    cores: int = field(default_factory=lambda: os.cpu_count() or 1)
    started: float = field(default_factory=time.time)

    def folder(self, name: str) -> Path:
        """A fresh folder for one section's files."""
        path = self.workdir / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def scale(self, full: int, quick: int) -> int:
        """`quick` in a smoke run, else `full`."""
        return quick if self.quick else full
