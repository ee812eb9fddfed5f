"""What similar finished jobs cost: a price hint ("Kalkulationshilfe") for a job.

The hint rests on the completed jobs (phase `abgeschlossen`, a final cost known) that are
most like the job, by the same hybrid search as "similar jobs". A price is read from jobs of
the same kind, so two rules keep the others out (measured on the office set's 20 invoiced
jobs, `bench/office_hints.py`): a job counts from a cosine similarity of 0.5 (a cupboard
under a sloping roof reached 0.47 to bathroom jobs), and only while its fused score stays
within 80 % of the nearest job's: the model puts a gas boiler as close to a heat pump as
another heat pump (cosine 0.78 and 0.79), the words do not (fused 0.67 and 0.89).

The spread is the middle half of their final costs (25th to 75th percentile): one
unusually cheap or dear job does not stretch it. Below four jobs percentiles say little,
and the range is the lowest to the highest cost instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from appliance.projects.listing import ProjectFilters
from appliance.projects.models import Phase, PriceHintDraft
from appliance.projects.search import ScoredProject
from appliance.projects.service import ProjectService
from appliance.projects.texts import job_text

# At most this many jobs make a hint: the nearest ones say most about a price.
HINT_JOBS = 10
MIN_SIMILARITY = 0.5
CLOSE_TO_NEAREST = 0.8
# Searched for, before jobs without a final cost or too little alike are left out.
CANDIDATES = 50
# From this many jobs on, the range is the 25th to 75th percentile.
PERCENTILE_FROM = 4
COMPLETED = Phase.ABGESCHLOSSEN
CENT = Decimal("0.01")
# The 409 codes without the project's vector (see `ProjectService.similar`).
NOT_READY = ("price_hint_not_indexed", "price_hint_during_model_change")


@dataclass(frozen=True)
class HintJob:
    """A completed job a hint rests on."""

    id: str
    name: str
    final_cost: Decimal
    score: float


@dataclass(frozen=True)
class PriceHint:
    """The jobs a hint rests on (best first) and what they cost; None without any."""

    jobs: tuple[HintJob, ...]
    median: Decimal | None
    low: Decimal | None
    high: Decimal | None

    @property
    def based_on(self) -> int:
        return len(self.jobs)


def price_hint(projects: ProjectService, project_id: str) -> PriceHint:
    """What the completed jobs most like a stored job cost (itself left out); 409 while
    it has no vector."""
    found = projects.similar(
        project_id,
        ProjectFilters(phase=COMPLETED),
        limit=CANDIDATES,
        min_score=None,
        not_ready=NOT_READY,
    )
    return hint_from(found)


def draft_price_hint(projects: ProjectService, draft: PriceHintDraft) -> PriceHint:
    """What the completed jobs most like a job not saved yet cost (its text the query);
    no jobs while it has no words."""
    text = job_text(draft.name, draft.trade, draft.description)
    if not text:
        return hint_from([])
    found = projects.search(text, ProjectFilters(phase=COMPLETED), limit=CANDIDATES, min_score=None)
    return hint_from([hit for hit in found if hit.project.id != draft.project_id])


def hint_from(found: Sequence[ScoredProject]) -> PriceHint:
    """The hint from similar jobs (best first), keeping the completed, costed jobs of the
    same kind (see the module's doc)."""
    costed = [
        HintJob(hit.project.id, hit.project.name, hit.project.final_cost, hit.score)
        for hit in found
        if hit.project.phase == COMPLETED
        and hit.project.final_cost is not None
        and hit.similarity >= MIN_SIMILARITY
    ]
    nearest = max((job.score for job in costed), default=0.0)
    jobs = tuple(job for job in costed if job.score >= CLOSE_TO_NEAREST * nearest)[:HINT_JOBS]
    costs = sorted(job.final_cost for job in jobs)
    if not costs:
        return PriceHint((), None, None, None)
    if len(costs) < PERCENTILE_FROM:
        low, high = costs[0], costs[-1]
    else:
        low, high = percentile(costs, 25), percentile(costs, 75)
    return PriceHint(jobs, percentile(costs, 50), low, high)


def percentile(ordered: Sequence[Decimal], share: int) -> Decimal:
    """The `share`th percentile of ascending amounts, to the cent.

    Linear between the two nearest amounts (the common "inclusive" definition: the 0th is
    the lowest, the 100th the highest, the 50th the median).
    """
    position = Decimal(len(ordered) - 1) * share / 100
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    fraction = position - below
    value = ordered[below] + (ordered[above] - ordered[below]) * fraction
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
