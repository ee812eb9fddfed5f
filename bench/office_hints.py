"""Section: the right project for each paper, and the price hint, on the office set.

One freshly started appliance holds the office set's 72 jobs (`bench/eval/projects.json`,
with their costs) and its 45 papers (`documents/*.txt`), read to the end by its workers.

Suggested projects (`GET /api/v1/documents/{id}/suggested-projects`): for the 41 papers
linked to a job, is that job suggested first (top-1), or among the three (top-3)? For the
4 papers that belong to no job, is nothing suggested? The baseline is what the office
could do before: the paper's text as a project search (`POST /api/v1/projects/search`,
hybrid, its first 2,000 characters: the query's limit), first hit taken.

Price hint (`GET /api/v1/projects/{id}/price-hint`): for each of the 20 completed jobs with
a final cost, the hint from the other jobs (a job is never part of its own hint). Does
its real final cost fall into the hint's range, and how far is the hint's median from it?
The baseline is the simple guess an office makes without the appliance: the median final
cost of the other completed jobs of the same trade.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from bench.core import BenchContext, Figure, SectionResult
from bench.http import TimedClient
from bench.live import DOCUMENTS, PROJECTS, started
from bench.search_quality import load_projects
from bench.stats import summary
from tests.support import wait_for

EVAL = Path(__file__).resolve().parent / "eval"
FIELDS = (
    "name",
    "description",
    "trade",
    "customer",
    "city",
    "phase",
    "estimated_cost",
    "final_cost",
)
QUERY_CHARS = 2000  # POST /projects/search takes at most this much


def run(ctx: BenchContext) -> SectionResult:
    result = SectionResult("office_hints", "The right project for each paper; price hints")
    projects = json.loads((EVAL / "projects.json").read_text("utf-8"))
    papers = json.loads((EVAL / "documents.json").read_text("utf-8"))
    with started(ctx.folder("office-hints")) as running:
        client = TimedClient(running.port)
        ids = load_projects(client, projects, FIELDS)
        keys = {key: project_id for project_id, key in ids.items()}
        paper_ids = load_papers(client, papers)
        suggestions(client, keys, papers, paper_ids, result)
        price_hints(client, keys, projects, result)
        client.close()
    return result


def load_papers(client: TimedClient, papers: list[dict[str, Any]]) -> dict[str, str]:
    """The set's papers, uploaded without a project and read; set key -> id."""
    ids = {}
    for paper in papers:
        path = EVAL / "documents" / paper["file"]
        answer = client.upload(f"{DOCUMENTS}upload", path.name, path.read_bytes())
        if answer.status not in (200, 201):
            raise RuntimeError(f"upload of {path.name}: {answer.status} {answer.body}")
        ids[paper["key"]] = answer.body["id"]

    def read() -> bool:
        listed = client.get(f"{DOCUMENTS}?limit=500").body["data"]
        return len(listed) == len(papers) and all(d["status"] == "completed" for d in listed)

    wait_for(read, timeout=900, interval=0.5, what="the papers read")
    return ids


def suggestions(
    client: TimedClient,
    keys: dict[str, str],
    papers: list[dict[str, Any]],
    paper_ids: dict[str, str],
    result: SectionResult,
) -> None:
    key_of = {project_id: key for key, project_id in keys.items()}
    suggested: dict[str, list[str]] = {}
    searched: dict[str, list[str]] = {}
    timings = []
    for paper in papers:
        document_id = paper_ids[paper["key"]]
        answer = client.get(f"{DOCUMENTS}{document_id}/suggested-projects")
        if answer.status != 200:
            raise RuntimeError(f"suggestions answered {answer.status} {answer.body}")
        timings.append(answer.ms)
        suggested[paper["key"]] = [key_of[hit["id"]] for hit in answer.body["data"]]
        text = client.get(f"{DOCUMENTS}{document_id}").body["searchable_text"]
        query = {"query": text[:QUERY_CHARS], "limit": 3}
        found = client.post(f"{PROJECTS}search", query).body["data"]
        searched[paper["key"]] = [key_of[hit["id"]] for hit in found]
    linked = [p for p in papers if p["project"]]
    unlinked = [p for p in papers if not p["project"]]

    def share(picks: dict[str, list[str]], top: int) -> float:
        return sum(1 for p in linked if p["project"] in picks[p["key"]][:top]) / len(linked)

    for name, top in (("right job first", 1), ("right job among the 3", 3)):
        result.add(
            Figure(
                f"papers linked to a job ({len(linked)}): {name}",
                "share",
                share(suggested, top),
                baseline=share(searched, top),
                baseline_name="the paper's text as a project search",
            )
        )
    result.add(
        Figure(
            f"papers of no job ({len(unlinked)}): nothing suggested",
            "share",
            sum(1 for p in unlinked if not suggested[p["key"]]) / len(unlinked),
            baseline=sum(1 for p in unlinked if not searched[p["key"]]) / len(unlinked),
            baseline_name="the paper's text as a project search",
        )
    )
    result.detail["suggestions"] = {
        "ms": summary(timings),
        "wrong_first": [
            {"paper": p["key"], "right": p["project"], "suggested": suggested[p["key"]]}
            for p in papers
            if (suggested[p["key"]][:1] or [None])[0] != p["project"]
        ],
    }


def price_hints(
    client: TimedClient,
    keys: dict[str, str],
    projects: list[dict[str, Any]],
    result: SectionResult,
) -> None:
    done = [p for p in projects if p["phase"] == "abgeschlossen" and p.get("final_cost")]
    inside = 0
    hinted = 0
    errors: list[float] = []
    trade_errors: list[float] = []
    detail = []
    for job in done:
        hint = client.get(f"{PROJECTS}{keys[job['key']]}/price-hint").body
        cost = float(job["final_cost"])
        others = [
            float(p["final_cost"]) for p in done if p["trade"] == job["trade"] and p is not job
        ]
        if others:
            trade_errors.append(abs(statistics.median(others) - cost) / cost)
        if hint["based_on"]:
            hinted += 1
            inside += int(hint["low"] <= cost <= hint["high"])
            errors.append(abs(hint["median"] - cost) / cost)
        detail.append(
            {
                "job": job["key"],
                "cost": cost,
                **{k: hint[k] for k in ("based_on", "low", "median", "high")},
            }
        )
    result.add(Figure(f"completed jobs ({len(done)}) with a hint", "share", hinted / len(done)))
    result.add(Figure("their final cost inside the hint's range", "share", inside / max(hinted, 1)))
    result.add(
        Figure(
            "hint's median off the final cost (median of jobs)",
            "share",
            statistics.median(errors) if errors else None,
            baseline=statistics.median(trade_errors) if trade_errors else None,
            baseline_name="median final cost of the same trade",
        )
    )
    result.detail["price_hints"] = detail
