"""The result of `platforms`: every way to run one model, priced over the daily profile."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from llmcost.results import Result


@dataclass(frozen=True)
class RunOption:
    """One way to serve the workload: an API, rented GPUs (24/7, autoscaled, spot, reserved plus
    burst), a serverless platform or a dedicated endpoint."""

    id: str
    billing_model: str  # api | rented | serverless | dedicated | spot | reserved_plus_burst
    label: str
    monthly_cost_usd: float
    cost_per_1k_queries_usd: float
    config: str | None = None  # model:quant@NxGPU
    billed_gpu_hours_per_month: float | None = None
    busy_gpu_hours_per_month: float | None = None
    cold_starts_per_day: float | None = None
    cold_wait_share: float | None = None  # share of requests that wait for a cold start
    cold_ttft_ms: float | None = None  # the TTFT a request that triggers a cold start sees
    short_time_share: float | None = None  # spot: share of time with fewer replicas up than needed
    meets_latency: bool = True
    detail: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    band: Mapping[str, float] | None = None  # Monte Carlo P10/P50/P90 of the monthly cost


@dataclass(frozen=True)
class Crossing:
    qpd: float
    cheaper_below: str
    cheaper_above: str


@dataclass(frozen=True)
class Win:
    from_qpd: float
    to_qpd: float
    billing_model: str


@dataclass(frozen=True)
class PlatformsResult(Result):
    KIND = "platforms"
    workload: Mapping[str, float]
    assumptions: Mapping[str, Any]
    model: str
    options: tuple[RunOption, ...]  # cheapest first; options that miss the latency target last
    crossings: tuple[Crossing, ...]  # every volume where two billing models swap, up to max_qpd
    wins: tuple[Win, ...]  # which billing model is cheapest over each range of volume
    skipped: Mapping[str, str] = field(default_factory=dict)  # platform id -> why it has no row
    curves: Mapping[str, list[float | None]] | None = None  # cost vs volume of each billing model, for charts

    @property
    def cheapest(self) -> RunOption:
        return next(o for o in self.options if o.meets_latency)
