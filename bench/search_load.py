"""Section: project search at 20,000 projects while a reindex re-embeds all of them.

A search embeds its text in the web server (ONNX Runtime, one thread) and asks the vector
store; neither waits for the embedding worker, which is busy with the reindex. Each query
is a different text, so none is answered from the search cache. The baseline is the same
search on the same appliance before the reindex, with the workers idle.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from bench import samples
from bench.core import BenchContext, Figure, SectionResult, Target
from bench.http import TimedClient
from bench.live import PROJECTS, started, warm_up
from bench.stats import summary
from tests.support import wait_for

POSTERS = 4
SEARCH = f"{PROJECTS}search"
ACTIVE = "/api/v1/tasks/tasks/active"
QUERIES = (
    "Bad sanieren, bodengleiche Dusche",
    "Dachrinne undicht",
    "Heizung tauschen",
    "Zählerschrank erneuern",
    "Parkett schleifen",
    "Fassade streichen",
)


def run(ctx: BenchContext) -> SectionResult:
    result = SectionResult("search_load", "Project search at 20,000 projects during a reindex")
    count = ctx.scale(20000, 2000)
    searches = ctx.scale(200, 40)
    with started(ctx.folder("search-load")) as running:
        warm_up(running)
        client = TimedClient(running.port)
        _create(running.port, count)
        wait_for(
            lambda: client.get(f"{PROJECTS}stats").body["pending"] == 0,
            timeout=3600,
            interval=1.0,
            what=f"{count} projects indexed",
        )
        idle = _searches(client, searches, offset=0)
        answer = client.post(f"{PROJECTS}reindex", {})
        if answer.status not in (200, 202):
            raise RuntimeError(f"reindex answered {answer.status} {answer.body}")
        wait_for(lambda: _reindexing(client), timeout=300, interval=0.1, what="the reindex")
        busy = _searches(client, searches, offset=searches)
        still_reindexing = _reindexing(client)
        client.close()
    during = summary(busy)
    result.add(
        Figure(
            f"project search p50 at {count} projects while a reindex runs",
            "ms",
            during["p50"],
            baseline=summary(idle)["p50"],
            baseline_name="the same search, workers idle",
            target=Target("<=", 15.0, "issue 18"),
        )
    )
    result.detail = {
        "projects": count,
        "idle_ms": summary(idle),
        "during_reindex_ms": during,
        "reindex_still_running_after_the_searches": still_reindexing,
    }
    return result


def _reindexing(client: TimedClient) -> bool:
    """Whether a re-embedding batch runs now."""
    active = client.get(ACTIVE).body["active_tasks"]
    return any(task["task_name"] == "tasks.batch_generate_embeddings" for task in active)


def _create(port: int, count: int) -> None:
    def post_share(indexes: range) -> None:
        poster = TimedClient(port)
        for index in indexes:
            answer = poster.post(PROJECTS, samples.project_body(index))
            if answer.status != 201:
                raise RuntimeError(f"create answered {answer.status} {answer.body}")
        poster.close()

    with ThreadPoolExecutor(POSTERS) as pool:
        list(pool.map(post_share, [range(i, count, POSTERS) for i in range(POSTERS)]))


def _searches(client: TimedClient, count: int, offset: int) -> list[float]:
    """`count` searches, each with a text not searched before (no cache hit)."""
    timings = []
    for index in range(offset, offset + count):
        query = f"{QUERIES[index % len(QUERIES)]} {index}"
        answer = client.post(SEARCH, {"query": query, "limit": 10})
        if answer.status != 200:
            raise RuntimeError(f"search answered {answer.status} {answer.body}")
        timings.append(answer.ms)
        time.sleep(0.02)
    return timings
