"""Section: does a German office find the right job? Top-1, top-3 and MRR on our own sets.

Two sets of past jobs with office searches, written for this repository (bench/eval):
- the office set: `projects.json` (72 jobs, 10 trades) and `project_queries.json` (65
  searches phrased as an office asks: other words, colloquial, compounds split or joined,
  ae/oe/ue spellings, a topic with a city), with the jobs that answer each;
- the second set: `holdout/` (64 jobs, 44 searches), written separately; the search's
  weights and vocabulary were tuned on the office set only, so this set tells whether
  they carry over.
Nothing in `appliance/` reads these files.

Each query goes through the real API (`POST /api/v1/projects/search`, 10 results) of a
freshly started appliance holding exactly one set's jobs, once per mode: `meaning` (dense
vectors alone, the search before hybrid), `words` (German BM25 alone) and `hybrid` (the
default). A query scores by the rank of its first right job: top-1 and top-3 count hits,
MRR averages 1/rank (0 when none is in the 10 results).

Papers: the office set's 45 papers (`documents/*.txt`, as text extraction gives them) are
uploaded to one more appliance and processed to the end (text, then chunks embedded); its
60 searches (`document_queries.json`) go through `GET /api/v1/documents/search` in each
mode, and in `fulltext` (the full-text index alone, every word must occur: the search
before), which is hybrid's baseline there.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.core import BenchContext, Figure, SectionResult, Target
from bench.http import Answer, TimedClient
from bench.live import DOCUMENTS, PROJECTS, create_project, started
from bench.stats import summary
from tests.support import wait_for

EVAL = Path(__file__).resolve().parent / "eval"
SOURCE = "issue 19"
TARGETS = {"top3": Target(">=", 0.90, SOURCE), "mrr": Target(">=", 0.85, SOURCE)}
RESULTS_PER_QUERY = 10
MODES = ("meaning", "words", "hybrid")
DOCUMENT_MODES = ("fulltext", "meaning", "words", "hybrid")
PROJECT_FIELDS = ("name", "description", "trade", "customer", "city", "phase")


@dataclass(frozen=True)
class EvalSet:
    name: str
    projects: Path
    queries: Path
    targets: bool


SETS = (
    EvalSet("office set", EVAL / "projects.json", EVAL / "project_queries.json", True),
    EvalSet(
        "second set", EVAL / "holdout" / "projects.json", EVAL / "holdout" / "queries.json", False
    ),
)


@dataclass(frozen=True)
class Ranking:
    """Where the first right answer of each query came (None: not in the results)."""

    ranks: list[int | None]

    def top(self, n: int) -> float:
        return sum(1 for r in self.ranks if r is not None and r <= n) / len(self.ranks)

    @property
    def mrr(self) -> float:
        return sum(1 / r for r in self.ranks if r is not None) / len(self.ranks)


def first_right(found: list[str], right: set[str]) -> int | None:
    """1-based rank of the first key in `found` that is in `right`."""
    return next((rank for rank, key in enumerate(found, 1) if key in right), None)


def run(ctx: BenchContext) -> SectionResult:
    result = SectionResult("search_quality", "Finding the right job in German (own sets)")
    result.detail = {}
    for eval_set in SETS:
        projects = json.loads(eval_set.projects.read_text("utf-8"))
        queries = json.loads(eval_set.queries.read_text("utf-8"))
        folder = ctx.folder(f"search-quality-{eval_set.name.split()[0]}")
        with started(folder) as running:
            client = TimedClient(running.port)
            keys = load_projects(client, projects)
            rankings = {}
            for mode in MODES:
                rankings[mode], detail = rank_queries(client, keys, queries, mode)
                result.detail[f"{eval_set.name}, {mode}"] = detail
            client.close()
        for mode in MODES:
            add_figures(result, eval_set, mode, rankings[mode], rankings["meaning"])
    rank_documents(ctx, result)
    return result


def rank_documents(ctx: BenchContext, result: SectionResult) -> None:
    papers = json.loads((EVAL / "documents.json").read_text("utf-8"))
    queries = json.loads((EVAL / "document_queries.json").read_text("utf-8"))
    with started(ctx.folder("search-quality-documents")) as running:
        client = TimedClient(running.port)
        keys = {}
        for paper in papers:
            path = EVAL / "documents" / paper["file"]
            answer = client.upload(f"{DOCUMENTS}upload", path.name, path.read_bytes())
            if answer.status not in (200, 201, 202):
                raise RuntimeError(f"upload of {path.name}: {answer.status} {answer.body}")
            keys[answer.body["id"]] = paper["key"]

        def settled() -> bool:
            listed = client.get(f"{DOCUMENTS}?limit=500").body["data"]
            return len(listed) == len(papers) and all(
                d["status"] == "completed" and d["stage"] == "done" for d in listed
            )

        wait_for(settled, timeout=900, interval=0.5, what="the papers read and embedded")
        rankings = {}
        for mode in DOCUMENT_MODES:

            def ask(query: str, mode: str = mode) -> Answer:
                params = {"q": query, "limit": RESULTS_PER_QUERY, "mode": mode}
                return client.get(f"{DOCUMENTS}search?{urllib.parse.urlencode(params)}")

            rankings[mode], result.detail[f"papers, {mode}"] = rank(ask, keys, queries)
        client.close()
    for mode in DOCUMENT_MODES:
        ranking, before = rankings[mode], rankings["fulltext"]
        baseline = mode == "hybrid"
        for name, unit, value, base in (
            ("top-1", "share", ranking.top(1), before.top(1)),
            ("top-3", "share", ranking.top(3), before.top(3)),
            ("MRR", "", ranking.mrr, before.mrr),
        ):
            target = TARGETS["top3"] if baseline and name == "top-3" else None
            result.add(
                Figure(
                    f"papers {name}, office set, {mode}",
                    unit,
                    value,
                    baseline=base if baseline else None,
                    baseline_name="full text alone" if baseline else "",
                    target=target,
                )
            )


def load_projects(
    client: TimedClient, projects: list[dict[str, Any]], fields: tuple[str, ...] = PROJECT_FIELDS
) -> dict[str, str]:
    """Create the set's jobs (with `fields`), wait until all are indexed; their ids mapped
    to set keys."""
    keys = {}
    for project in projects:
        body = {field: project[field] for field in fields if project.get(field)}
        keys[create_project(client, body)["id"]] = project["key"]
    wait_for(
        lambda: client.get(f"{PROJECTS}stats").body["indexed"] == len(projects),
        timeout=600,
        interval=0.2,
        what="the evaluation jobs indexed",
    )
    return keys


def rank_queries(
    client: TimedClient, keys: dict[str, str], queries: list[dict[str, Any]], mode: str
) -> tuple[Ranking, dict[str, Any]]:
    def ask(query: str) -> Answer:
        body = {"query": query, "limit": RESULTS_PER_QUERY, "mode": mode}
        return client.post(f"{PROJECTS}search", body)

    return rank(ask, keys, queries)


def rank(
    ask: Callable[[str], Answer], keys: dict[str, str], queries: list[dict[str, Any]]
) -> tuple[Ranking, dict[str, Any]]:
    """Each query through `ask` (one search request): where its first right answer came,
    and the details (misses, timings)."""
    ranks: list[int | None] = []
    timings: list[float] = []
    misses: list[dict[str, Any]] = []
    for query in queries:
        answer = ask(query["query"])
        if answer.status != 200:
            raise RuntimeError(f"search answered {answer.status} {answer.body}")
        timings.append(answer.ms)
        found = [keys[hit["id"]] for hit in answer.body["data"]]
        position = first_right(found, set(query["relevant"]))
        ranks.append(position)
        if position is None or position > 3:
            misses.append({"query": query["query"], "rank": position, "top3": found[:3]})
    detail = {"queries": len(queries), "not_in_top_3": misses, "search_ms": summary(timings)}
    return Ranking(ranks), detail


def add_figures(
    result: SectionResult, eval_set: EvalSet, mode: str, ranking: Ranking, meaning: Ranking
) -> None:
    """Top-1, top-3 and MRR of one mode; hybrid's baseline is meaning alone (the search
    before words were added), measured in the same run."""
    label = f"{eval_set.name}, {mode}"
    targeted = eval_set.targets and mode == "hybrid"
    figures = (
        ("top-1", "share", ranking.top(1), meaning.top(1), None),
        ("top-3", "share", ranking.top(3), meaning.top(3), TARGETS["top3"]),
        ("MRR", "", ranking.mrr, meaning.mrr, TARGETS["mrr"]),
    )
    for name, unit, value, base, target in figures:
        baseline = base if mode == "hybrid" else None
        result.add(
            Figure(
                f"projects {name}, {label}",
                unit,
                value,
                baseline=baseline,
                baseline_name="meaning alone" if baseline is not None else "",
                target=target if targeted else None,
            )
        )
