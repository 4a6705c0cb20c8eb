"""The result of `plan`: the cheapest fleet, the best single GPU type, and the cost-latency frontier."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from llmcost.results import Result


@dataclass(frozen=True)
class FleetLine:
    """One group of the fleet: instances of one offer running one replica configuration."""

    id: str
    gpu: str
    gpus_per_replica: int
    quant: str
    engine: str
    pricing: str
    offer: str  # provider/instance
    instances: int
    replicas: int
    gpus: int
    monthly_cost_usd: float
    utilization: float  # load carried / capacity installed at the targets
    serves: str  # which request sizes, and what share of each (in words)
    bucket_shares: tuple[float, ...]  # share of each bucket's requests on this group, in the order of `buckets`
    max_tpot_ms: float | None  # slowest served bucket held to the target
    max_ttft_ms: float | None


@dataclass(frozen=True)
class PlanResult(Result):
    KIND = "plan"
    model: str
    workload: Mapping[str, Any]
    assumptions: Mapping[str, Any]
    feasible: bool
    monthly_cost_usd: float | None
    rows: tuple[FleetLine, ...]  # the cheapest fleet, one row per group
    buckets: tuple[Mapping[str, Any], ...]
    best_single_type: Mapping[str, Any] | None  # {gpu, monthly_cost_usd, fleet}
    saving_from_mixing_usd: float | None
    saving_from_mixing_share: float | None
    single_types: tuple[Mapping[str, Any], ...]  # every GPU type alone: its cheapest fleet or why none
    frontier: tuple[Mapping[str, Any], ...]  # cost against latency, Pareto points only
    searched: Mapping[str, int]
    reason: str | None = None  # when infeasible: why, and the closest option
    closest: Mapping[str, Any] | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def columns(self) -> tuple[str, ...]:
        """The CSV header, also when no fleet meets the targets (no rows)."""
        return tuple(f.name for f in fields(FleetLine))
