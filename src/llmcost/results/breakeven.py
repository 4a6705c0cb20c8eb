"""The result of `breakeven`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from llmcost.results import Result


@dataclass(frozen=True)
class Pair:
    api: str
    self_hosted: str
    model: str
    quantization: str
    gpu: str
    gpus_per_replica: int
    pairing: str
    self_hosted_quality_elo: float | None
    api_usd_per_1k_queries: float
    self_hosted_gpu_usd_per_1k_queries_at_full_use: float
    self_hosted_fixed_usd_per_month: float
    queries_per_day_per_replica: float
    api_usd_per_qpd_month: float
    self_hosted_step_usd_per_month: tuple[float, ...]
    crossings_qpd: tuple[float, ...]
    crossings: tuple[Mapping[str, Any], ...]
    self_hosted_cheaper_above_qpd: float | None
    outcome: Literal["cheaper_above", "never", "not_within_max"]
    recovered_from_qpd: float | None
    max_qpd: float
    commercial_use: bool
    monte_carlo: Mapping[str, Any] | None = field(default=None, repr=False)

    @property
    def reason(self) -> str:
        """The outcome in a sentence, from its numbers."""
        api, gpu = self.api_usd_per_1k_queries, self.self_hosted_gpu_usd_per_1k_queries_at_full_use
        if self.outcome == "cheaper_above":
            n = len(self.crossings)
            many = f"; costs cross {n} times because replicas come in whole steps" if n > 1 else ""
            return (
                f"self-hosting is cheaper from {self.self_hosted_cheaper_above_qpd:,.0f} queries/day up to at "
                f"least {self.max_qpd:,.0f}{many}"
            )
        if self.outcome == "never":
            return f"never: even fully used, the GPUs cost ${gpu:,.2f} per 1,000 queries, the API ${api:,.2f}"
        return (
            f"not below {self.max_qpd:,.0f} queries/day: the GPUs cost ${gpu:,.2f} per 1,000 queries vs the "
            f"API's ${api:,.2f}, so the fixed costs are recovered only from about {self.recovered_from_qpd:,.0f}"
        )

    def _extra(self) -> dict[str, Any]:
        return {"reason": self.reason, **(self.monte_carlo or {})}


@dataclass(frozen=True)
class NoPair:
    """A model with no pair: it cannot run, or there is no API to pair it with."""

    model: str
    reason: str
    api: None = None
    self_hosted: None = None


@dataclass(frozen=True)
class BreakEvenResult(Result):
    KIND = "breakeven"
    workload: Mapping[str, float]
    assumptions: Mapping[str, Any]
    pairs: tuple[Pair | NoPair, ...]
    selection_rule: str = "pays off soonest (lowest break-even volume)"
    # with --platforms: per (API, model) pair, every crossing among the API, rented GPUs, serverless
    # platforms and dedicated endpoints, and where each wins (in the JSON only when asked for)
    billing_models: tuple[Mapping[str, Any], ...] = field(default=(), repr=False)

    def _extra(self) -> dict[str, Any]:
        from llmcost.plain import plain

        return {"billing_models": plain(self.billing_models)} if self.billing_models else {}
