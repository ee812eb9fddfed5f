"""Section: does a German office find the right job? Top-1, top-3 and MRR on our own set.

`bench/eval/projects.json` holds 64 past jobs across 8 trades, written for this set;
`bench/eval/queries.json` 44 searches phrased the way an office asks ("Regenrinne undicht"
for a job that says "Dachrinne", "Klo" for "WC"), each with the jobs that answer it.
The set is kept apart from the code that ranks: nothing in `appliance/` reads it.

Each query goes through the real API (`POST /api/v1/projects/search`, 10 results) of a
freshly started appliance holding exactly these jobs. A query scores by the rank of its
first right job: top-1 and top-3 count hits, MRR averages 1/rank (0 when none is in the
10 results).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.core import BenchContext, Figure, SectionResult, Target
from bench.http import TimedClient
from bench.live import PROJECTS, create_project, started
from bench.stats import summary
from tests.support import wait_for

EVAL = Path(__file__).resolve().parent / "eval"
SOURCE = "issue 19"
TARGETS = {"top3": Target(">=", 0.90, SOURCE), "mrr": Target(">=", 0.85, SOURCE)}
RESULTS_PER_QUERY = 10


@dataclass(frozen=True)
class Ranking:
    """Where the first right job of each query came (None: not in the results)."""

    ranks: list[int | None]

    def top(self, n: int) -> float:
        return sum(1 for r in self.ranks if r is not None and r <= n) / len(self.ranks)

    @property
    def mrr(self) -> float:
        return sum(1 / r for r in self.ranks if r is not None) / len(self.ranks)


def load_set() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    projects = json.loads((EVAL / "projects.json").read_text("utf-8"))
    queries = json.loads((EVAL / "queries.json").read_text("utf-8"))
    return projects, queries


def first_right(found: list[str], right: set[str]) -> int | None:
    """1-based rank of the first id in `found` that is in `right`."""
    return next((rank for rank, key in enumerate(found, 1) if key in right), None)


def run(ctx: BenchContext) -> SectionResult:
    result = SectionResult("search_quality", "Finding the right job in German (own set)")
    projects, queries = load_set()
    with started(ctx.folder("search-quality")) as running:
        client = TimedClient(running.port)
        keys = {}
        for project in projects:
            body = {k: v for k, v in project.items() if k != "key"}
            keys[create_project(client, body)["id"]] = project["key"]
        wait_for(
            lambda: client.get(f"{PROJECTS}stats").body["indexed"] == len(projects),
            timeout=600,
            interval=0.2,
            what="the evaluation jobs indexed",
        )
        ranks: list[int | None] = []
        timings: list[float] = []
        misses: list[dict[str, Any]] = []
        for query in queries:
            answer = client.post(
                f"{PROJECTS}search", {"query": query["query"], "limit": RESULTS_PER_QUERY}
            )
            if answer.status != 200:
                raise RuntimeError(f"search answered {answer.status} {answer.body}")
            timings.append(answer.ms)
            found = [keys[hit["id"]] for hit in answer.body["data"]]
            rank = first_right(found, set(query["relevant"]))
            ranks.append(rank)
            if rank is None or rank > 3:
                misses.append({"query": query["query"], "rank": rank, "top3": found[:3]})
        client.close()
    ranking = Ranking(ranks)
    mode = "the API's search (dense vectors)"
    result.add(Figure(f"projects top-1, {mode}", "share", ranking.top(1)))
    result.add(Figure(f"projects top-3, {mode}", "share", ranking.top(3), target=TARGETS["top3"]))
    result.add(Figure(f"projects MRR, {mode}", "", ranking.mrr, target=TARGETS["mrr"]))
    result.detail = {
        "jobs": len(projects),
        "queries": len(queries),
        "ranks": dict(zip((q["query"] for q in queries), ranks, strict=True)),
        "not_in_top_3": misses,
        "search_ms": summary(timings),
    }
    return result
