"""The result of `compare`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from llmcost.notes import Note
from llmcost.results import Result


@dataclass(frozen=True)
class ApiOption:
    id: str
    label: str
    monthly_cost_usd: float
    cost_per_query_usd: float
    cost_per_1k_queries_usd: float
    monthly_token_cost_usd: float
    quality_elo: float | None
    quality_tier: str | None
    prices_usd_per_mtok: Mapping[str, Any]
    source: str
    as_of: str
    notes: tuple[Note, ...]
    open_model: str | None = None  # a hosted open-weight model: its id
    tokens_per_query: Mapping[str, float] = field(default_factory=dict)  # billed: input, cached, written, ...
    reasoning: Mapping[str, Any] = field(default_factory=dict)  # effort, reasoning_tokens, why, source
    list_price_usd_per_query: float = 0.0  # the same bill without reasoning tokens
    comparable_api: str | None = None
    vs_comparable_api_usd: float | None = None
    band: Mapping[str, float] | None = field(default=None, repr=False)  # Monte Carlo P10/P50/P90
    kind: Literal["api"] = "api"
    feasible: bool = True

    def _extra(self) -> dict[str, Any]:
        return dict(self.band or {})


@dataclass(frozen=True)
class SelfHostedOption:
    id: str
    label: str
    monthly_cost_usd: float
    cost_per_query_usd: float
    cost_per_1k_queries_usd: float
    model: str
    quantization: str
    gpu: str
    gpus_per_replica: int
    replicas: int
    gpu_count: int
    monthly_gpu_cost_usd: float
    monthly_hidden_cost_usd: float
    hidden_costs_usd: Mapping[str, float]
    utilization: float
    peak_requests_per_s: float
    commercial_use: bool
    licence: str
    quality_elo: float | None
    quality_tier: str | None
    offer: Mapping[str, Any]
    memory: Mapping[str, Any]
    capacity: Mapping[str, Any]
    autoscaling: Mapping[str, Any] | None
    notes: tuple[Note, ...]
    parallelism: str = "tp"  # how a replica splits over its GPUs: tp, ep or dp-attention (MoE models)
    comparable_api: str | None = None
    vs_comparable_api_usd: float | None = None
    band: Mapping[str, float] | None = field(default=None, repr=False)
    p_self_hosted_cheaper: Mapping[str, float] | None = None
    kind: Literal["self_hosted"] = "self_hosted"
    feasible: bool = True

    def _extra(self) -> dict[str, Any]:
        return dict(self.band or {})


@dataclass(frozen=True)
class Infeasible:
    """A configuration, model or GPU that cannot run, with its best reason."""

    id: str
    label: str
    reason: str
    model: str
    quantization: str | None
    gpu: str | None
    short_gb: float | None = None
    notes: tuple[Note, ...] = ()
    kind: Literal["self_hosted"] = "self_hosted"
    feasible: bool = False
    monthly_cost_usd: None = None
    cost_per_query_usd: None = None
    cost_per_1k_queries_usd: None = None
    comparable_api: None = None
    vs_comparable_api_usd: None = None


Option = ApiOption | SelfHostedOption | Infeasible


@dataclass(frozen=True)
class Comparison(Result):
    """The result of `compare`: every option at one volume, cheapest first within each kind."""

    KIND = "compare"
    workload: Mapping[str, float]
    assumptions: Mapping[str, Any]
    options: tuple[Option, ...]
    selection_rule: str = "cheapest at this volume"
    # serving platforms priced beside the options (--platforms; llmcost.results.platforms.RunOption),
    # in the JSON only when asked for, so the contract of a plain compare is unchanged
    platforms: tuple[Any, ...] = field(default=(), repr=False)

    def _extra(self) -> dict[str, Any]:
        from llmcost.plain import plain

        return {"platforms": plain(self.platforms)} if self.platforms else {}
