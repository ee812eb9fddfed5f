"""Section: a change of embedding model at 20,000 projects (issue 19, item 5).

The appliance learns 20,000 projects with the bundled model (384 dimensions) and stops;
it starts again with another model (the 32-dimension model the tests make, the only
second model on an offline machine). While the new vectors are built, the search answers
from the old ones: measured are its p50 then, against the same searches before the
change, whether it ranks exactly as before, and how long the rebuild takes to the switch.
"""

from __future__ import annotations

import time

from bench.core import BenchContext, Figure, SectionResult
from bench.http import TimedClient
from bench.live import PROJECTS, started, warm_up
from bench.search_load import QUERIES, SEARCH, _create, _searches
from bench.stats import summary
from tests.fixtures.tiny_model import make_tiny_model
from tests.support import wait_for

SEARCH_MODEL = "/api/v1/system/search-model"
CHECK_EVERY = 10  # searches between two looks at the change's state


def run(ctx: BenchContext) -> SectionResult:
    result = SectionResult("model_change", "A change of embedding model at 20,000 projects")
    count = ctx.scale(20000, 2000)
    searches = ctx.scale(200, 40)
    folder = ctx.folder("model-change")
    model = make_tiny_model(folder / "tiny-model")
    with started(folder) as running:
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
        before = _rankings(client)
        client.close()
    with started(folder, env={"APPLIANCE_EMBEDDING_MODEL": str(model)}) as running:
        began = time.perf_counter()
        client = TimedClient(running.port)
        during, same = _searches_while_building(client, searches, before)
        switched = wait_for(
            lambda: client.get(SEARCH_MODEL).body["change"] is None and time.perf_counter(),
            timeout=3600,
            interval=0.5,
            what="the switch to the new model",
        )
        after = _searches(client, searches, offset=2 * searches)
        client.close()
    result.add(
        Figure(
            f"project search p50 at {count} projects while a new model's vectors are built",
            "ms",
            summary(during)["p50"] if during else None,
            baseline=summary(idle)["p50"],
            baseline_name="the same search before the change, workers idle",
            notes=f"{len(during)} searches ran before the switch",
        )
    )
    result.add(Figure("rebuild to the switch", "s", round(switched - began, 1)))
    result.detail = {
        "projects": count,
        "idle_ms": summary(idle),
        "during_change_ms": summary(during) if during else None,
        "after_switch_ms": summary(after),
        "rankings_as_before_during_the_change": same,
    }
    return result


def _rankings(client: TimedClient) -> dict[str, list[str]]:
    return {
        query: [hit["id"] for hit in client.post(SEARCH, {"query": query}).body["data"]]
        for query in QUERIES
    }


def _searches_while_building(
    client: TimedClient, count: int, before: dict[str, list[str]]
) -> tuple[list[float], bool | None]:
    """Searches until `count` ran or the search switched; and whether the first queries,
    asked again, ranked as before the change (None: the switch came first)."""
    same = None
    if client.get(SEARCH_MODEL).body["change"] is not None:
        same = _rankings(client) == before
    timings: list[float] = []
    while len(timings) < count:
        if client.get(SEARCH_MODEL).body["change"] is None:
            break
        timings += _searches(client, CHECK_EVERY, offset=count + len(timings))
    return timings, same
