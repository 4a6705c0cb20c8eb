"""The results of `hybrid`, `tco` and `sensitivity`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from llmcost.results import Result


@dataclass(frozen=True)
class HybridResult(Result):
    KIND = "hybrid"
    workload: Mapping[str, float]
    assumptions: Mapping[str, Any]
    share: float
    api: Mapping[str, Any]
    self_hosted: Mapping[str, Any]
    monthly_cost_usd: float
    blended_cost_per_query_usd: float
    all_api_monthly_cost_usd: float
    saving_vs_all_api_usd: float
    optimal_share: float
    optimal_monthly_cost_usd: float
    optimal_saving_vs_all_api_usd: float
    monte_carlo: Mapping[str, float] | None = field(default=None, repr=False)
    share_curve: Mapping[str, list[float]] | None = None  # monthly cost at shares 0..1 (for charts)
    selection_rule: str = "cheapest at this volume"
    # with --platforms: the split with a serverless platform / dedicated endpoint as the self-hosted side
    platforms: tuple[Mapping[str, Any], ...] = field(default=(), repr=False)

    def _extra(self) -> dict[str, Any]:
        extra = {"platforms": [dict(p) for p in self.platforms]} if self.platforms else {}
        return {**(self.monte_carlo or {}), **extra}


@dataclass(frozen=True)
class Month:
    month: int
    queries_per_day: float
    api_usd: float
    self_hosted_usd: float
    replicas: int
    cumulative_api_usd: float
    cumulative_self_hosted_usd: float


@dataclass(frozen=True)
class TcoResult(Result):
    KIND = "tco"
    workload: Mapping[str, float]
    assumptions: Mapping[str, Any]
    api: str
    self_hosted: str
    one_time_setup_usd: float
    model_updates_usd_per_month: float
    total_api_usd: float
    total_self_hosted_usd: float
    payback_month: int | None
    months: tuple[Month, ...]
    monte_carlo: Mapping[str, Any] | None = field(default=None, repr=False)
    # with --platforms: the cheapest serverless platform and dedicated endpoint over the same months
    # (compute only: no set-up or update work), in the JSON only when asked for
    platforms: tuple[Mapping[str, Any], ...] = field(default=(), repr=False)
    selection_rule: str = "cheapest over the horizon"

    @property
    def reason(self) -> str:
        if self.payback_month is not None:
            return f"self-hosting has cost no more than the API, in total, since month {self.payback_month}"
        return f"self-hosting does not pay back within {len(self.months)} months"

    def _extra(self) -> dict[str, Any]:
        extra = {"platforms": [dict(p) for p in self.platforms]} if self.platforms else {}
        return {"reason": self.reason, **(self.monte_carlo or {}), **extra}


@dataclass(frozen=True)
class Swing:
    input: str
    low: float
    high: float
    result_at_low: float | None
    result_at_high: float | None
    swing: float


@dataclass(frozen=True)
class TornadoResult(Result):
    KIND = "sensitivity"
    api: str
    self_hosted: str
    metric: str
    unit: str
    base: float | None
    workload: Mapping[str, float]
    inputs: tuple[Swing, ...]
    selection_rule: str = "cheapest at this volume"
