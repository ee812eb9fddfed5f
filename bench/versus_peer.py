"""Section: the appliance beside the seed's own design (Celery + Redis), in the same run.

Both run on this machine at once, idle except for what is measured, driven by the same
client; every figure is measured on each in turn, in rounds that alternate which one
goes first, and reported as the median over the rounds:

- embeddings through the queue: N creates posted back to back, until all are indexed
  (the API's work included); and the drain rate: projects indexed per second after the
  last create was answered (the queue and the workers alone, as the raw encode is);
- create latency, workers idle: creates with a pause between them (no backlog);
- create latency, workers busy: the same while a backlog of embeddings keeps every
  worker busy (filled before the timed creates until it holds twice what the side embeds
  during them, so it cannot run dry; what is left at the end is reported);
- memory: resident memory of every process of each stack while busy.

The raw encode speed of the appliance's engine with the embedding worker's lanes, in this
process, is the ceiling for the throughput through the queue.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from bench import samples
from bench.core import BenchContext, Figure, SectionResult, Target
from bench.http import TimedClient
from bench.live import PROJECTS, process_tree, started, warm_up
from bench.peer.stack import PeerStack, peer_stack
from bench.stats import percentile, summary
from tests.support import wait_for

PAUSE = 0.04
POSTERS = 4
SOURCE = "issue 18"
TARGETS = {
    "throughput": Target(">=", 2.0, SOURCE),  # x the peer
    "throughput_of_raw": Target(">=", 0.9, SOURCE),  # x the raw encode
    "create_idle_p50": Target("<=", 0.8, SOURCE),  # x the peer
    "create_busy_p99": Target("<=", 0.8, SOURCE),  # x the peer
    "rss_busy_mb": Target("<=", 1024, SOURCE),
}


@dataclass
class Side:
    """One system under test, with what was measured on it per round."""

    name: str
    port: int
    pids: Callable[[], list[int]]
    throughput: list[float] = field(default_factory=list)
    drain: list[float] = field(default_factory=list)
    idle_ms: list[list[float]] = field(default_factory=list)
    busy_ms: list[list[float]] = field(default_factory=list)
    busy_rss_mb: list[float] = field(default_factory=list)
    pending_at_end: list[int] = field(default_factory=list)
    counter: int = 0

    def body(self) -> dict[str, Any]:
        self.counter += 1
        return samples.project_body(self.counter + (0 if self.name == "appliance" else 500000))


def run(ctx: BenchContext) -> SectionResult:
    result = SectionResult("versus_peer", "The appliance beside the seed's design (Celery + Redis)")
    rounds = ctx.scale(3, 1)
    creates = ctx.scale(400, 80)
    timed = ctx.scale(200, 40)
    with _appliance(ctx.folder("versus-appliance")) as ours, _peer(ctx.folder("peer")) as peer:
        for round_ in range(rounds):
            order = (ours, peer) if round_ % 2 == 0 else (peer, ours)
            for side in order:
                _measure_round(side, creates, timed)
    raw = _raw_encode(creates)
    _report(result, ours, peer, raw)
    return result


@contextmanager
def _appliance(folder: Path) -> Iterator[Side]:
    with started(folder) as running:
        warm_up(running)
        assert running.process is not None
        launcher = running.process.pid
        yield Side("appliance", running.port, lambda: [p.pid for p in process_tree(launcher)])


@contextmanager
def _peer(folder: Path) -> Iterator[Side]:
    stack: AbstractContextManager[PeerStack] = peer_stack(folder)
    with stack as running:
        yield Side("peer", running.port, running.pids)


def _measure_round(side: Side, creates: int, timed: int) -> None:
    client = TimedClient(side.port)
    throughput, drain = _throughput(client, side, creates)
    side.throughput.append(throughput)
    side.drain.append(drain)
    side.idle_ms.append([_create(client, side) for _ in range(timed)])
    _drain(client)
    # Twice what this side embeds, at its own pace, while the timed creates run.
    seconds = timed * (PAUSE + 0.02) + 5
    _fill_backlog(client, side, int(drain * seconds * 2))
    rss: list[float] = []
    sampler = threading.Thread(target=_sample_rss, args=(side, rss), daemon=True)
    sampler.start()
    side.busy_ms.append([_create(client, side) for _ in range(timed)])
    side.pending_at_end.append(_stats(client)["pending"])  # > 0: busy all along
    sampler.join()
    side.busy_rss_mb.append(max(rss) if rss else 0.0)
    _drain(client)
    client.close()


def _throughput(client: TimedClient, side: Side, count: int) -> tuple[float, float]:
    """Embeddings per second for `count` creates until all are indexed, and the drain rate.

    The creates are posted by POSTERS clients at once: one client alone posts about as
    fast as either side embeds, and the figure would be the client's speed.
    """
    before = _stats(client)["indexed"]
    started_at = time.perf_counter()
    _post_all(side, [side.body() for _ in range(count)])
    posted_at = time.perf_counter()
    left = before + count - _stats(client)["indexed"]
    wait_for(
        lambda: _stats(client)["indexed"] >= before + count,
        timeout=600,
        interval=0.02,
        what=f"{side.name}: {count} projects indexed",
    )
    done_at = time.perf_counter()
    return count / (done_at - started_at), left / max(done_at - posted_at, 1e-9)


def _post_all(side: Side, bodies: list[dict[str, Any]]) -> None:
    def post_share(share: list[dict[str, Any]]) -> None:
        poster = TimedClient(side.port)
        for body in share:
            answer = poster.post(PROJECTS, body)
            if answer.status != 201:
                raise RuntimeError(f"{side.name}: create answered {answer.status}")
        poster.close()

    with ThreadPoolExecutor(POSTERS) as pool:
        list(pool.map(post_share, [bodies[i::POSTERS] for i in range(POSTERS)]))


def _fill_backlog(client: TimedClient, side: Side, pending: int) -> None:
    """Post creates until `pending` projects wait (the workers drain it meanwhile)."""
    while _stats(client)["pending"] < pending:
        _post_all(side, [side.body() for _ in range(200)])


def _post(client: TimedClient, side: Side) -> float:
    answer = client.post(PROJECTS, side.body())
    if answer.status != 201:
        raise RuntimeError(f"{side.name}: create answered {answer.status} {answer.body}")
    return answer.ms


def _create(client: TimedClient, side: Side) -> float:
    ms = _post(client, side)
    time.sleep(PAUSE)
    return ms


def _stats(client: TimedClient) -> dict[str, int]:
    body: dict[str, int] = client.get(f"{PROJECTS}stats").body
    return body


def _drain(client: TimedClient) -> None:
    wait_for(lambda: _stats(client)["pending"] == 0, timeout=900, interval=0.1, what="drained")


def _sample_rss(side: Side, found: list[float]) -> None:
    """Total resident memory of the side's processes, a few times while it is busy."""
    for _ in range(5):
        total = 0
        for pid in side.pids():
            try:
                total += psutil.Process(pid).memory_info().rss
            except psutil.NoSuchProcess:
                continue
        found.append(total / 2**20)
        time.sleep(1.0)


def _raw_encode(count: int) -> float:
    """Texts/s of the appliance's engine with the embedding worker's lanes, no queue."""
    from appliance.config import Settings
    from appliance.embedding import open_embedder

    lanes = psutil.cpu_count() or 1  # an embedding worker of its own uses every core
    embedder = open_embedder(Settings(), threads=lanes, background=False)
    texts = [f"{b['name']}\n{b['description']}" for b in map(samples.project_body, range(count))]
    embedder.embed(texts[:32])  # loaded and warm
    started_at = time.perf_counter()
    embedder.embed(texts)
    return count / (time.perf_counter() - started_at)


def _median(values: list[float]) -> float:
    return float(statistics.median(values))


def _report(result: SectionResult, ours: Side, peer: Side, raw: float) -> None:
    def per_round(side: Side, pick: Callable[[list[float]], float], kind: str) -> float:
        rounds = side.idle_ms if kind == "idle" else side.busy_ms
        return _median([pick(values) for values in rounds])

    ours_tp, peer_tp = _median(ours.throughput), _median(peer.throughput)
    result.add(
        Figure(
            "embeddings through the queue, appliance / peer",
            "x",
            ours_tp / peer_tp,
            notes=f"appliance {ours_tp:.1f}/s, peer {peer_tp:.1f}/s",
            target=TARGETS["throughput"],
        )
    )
    ours_drain, peer_drain = _median(ours.drain), _median(peer.drain)
    result.add(
        Figure(
            "drain rate after the last create, appliance / peer",
            "x",
            ours_drain / peer_drain,
            notes=f"appliance {ours_drain:.1f}/s, peer {peer_drain:.1f}/s",
        )
    )
    result.add(
        Figure(
            "drain rate / raw encode (same lanes)",
            "x",
            ours_drain / raw,
            notes=f"raw ONNX encode {raw:.1f} texts/s; the raw encode pays no API",
            target=TARGETS["throughput_of_raw"],
        )
    )
    result.add(
        Figure(
            "embeddings through the queue / raw encode (same lanes)",
            "x",
            ours_tp / raw,
            notes="the API's work for the creates shares the cores with the encode",
        )
    )
    for kind, pct, target in (
        ("idle", 50, "create_idle_p50"),
        ("busy", 50, None),
        ("busy", 99, "create_busy_p99"),
    ):
        mine = per_round(ours, lambda v, p=pct: percentile(v, p), kind)
        theirs = per_round(peer, lambda v, p=pct: percentile(v, p), kind)
        result.add(
            Figure(
                f"create project p{pct}, workers {kind}, appliance / peer",
                "x",
                mine / theirs,
                notes=f"appliance {mine:.2f} ms, peer {theirs:.2f} ms",
                target=TARGETS[target] if target else None,
            )
        )
    result.add(
        Figure(
            "resident memory of the appliance under load (4 workers)",
            "MB",
            _median(ours.busy_rss_mb),
            baseline=_median(peer.busy_rss_mb),
            baseline_name="peer (Celery + Redis, 4 workers)",
            target=TARGETS["rss_busy_mb"],
        )
    )
    result.detail = {
        side.name: {
            "throughput_per_s": side.throughput,
            "drain_per_s": side.drain,
            "create_idle_ms": [summary(v) for v in side.idle_ms],
            "create_busy_ms": [summary(v) for v in side.busy_ms],
            "create_busy_distribution_ms": _distribution([x for v in side.busy_ms for x in v]),
            "busy_rss_mb": side.busy_rss_mb,
            "backlog_left_after_busy_measurement": side.pending_at_end,
        }
        for side in (ours, peer)
    } | {"raw_encode_per_s": raw}


def _distribution(values: list[float]) -> dict[str, float]:
    """Every tenth percentile and the tail: the shape, not only p99."""
    points = [10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 98, 99, 99.5, 100]
    return {f"p{p:g}": round(percentile(values, p), 2) for p in points} if values else {}
