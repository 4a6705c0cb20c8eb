"""Typed results: one frozen object per command. `to_dict()` is the JSON contract (strict JSON:
finite numbers only); tables, CSV, Markdown, DataFrames, HTML and charts are functions over these
objects (llmcost.render, .frames, .charts). Notes are codes plus their numbers; `Note.message`
words them, the one place that does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from llmcost.notes import Note
from llmcost.plain import plain

if TYPE_CHECKING:
    import pandas as pd  # noqa: TID251 - for the annotation only


class Result:
    """Base of every command's result: JSON, DataFrame, chart and notebook views."""

    KIND: ClassVar[str] = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = plain(self)
        return out

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def to_frame(self) -> pd.DataFrame:
        """A tidy pandas DataFrame (needs pandas: `pip install llmcost[frames]`)."""
        from llmcost.frames import to_frame

        return to_frame(self)

    def plot(self, out: str | None = None) -> Any:
        """A matplotlib Figure of this result (needs `pip install llmcost[plot]`); saved when `out` is given."""
        from llmcost.charts import plot

        return plot(self, out)

    def _repr_html_(self) -> str:
        from llmcost.frames import to_html

        return to_html(self)


# ---------------------------------------------------------------- compare


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


# ---------------------------------------------------------------- breakeven


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


# ---------------------------------------------------------------- hybrid, tco, sensitivity


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
    selection_rule: str = "cheapest at this volume"

    def _extra(self) -> dict[str, Any]:
        return dict(self.monte_carlo or {})


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
    selection_rule: str = "cheapest over the horizon"

    @property
    def reason(self) -> str:
        if self.payback_month is not None:
            return f"self-hosting has cost no more than the API, in total, since month {self.payback_month}"
        return f"self-hosting does not pay back within {len(self.months)} months"

    def _extra(self) -> dict[str, Any]:
        return {"reason": self.reason, **(self.monte_carlo or {})}


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


# ---------------------------------------------------------------- one replica, a usage log, owned GPUs, data checks


@dataclass(frozen=True)
class FitResult(Result):
    """`fit`: the memory plan of one replica (every MemoryPlan field), its compute path and licence."""

    KIND = "fit"
    plan: Any = field(repr=False)  # llmcost.memory.MemoryPlan
    compute: Mapping[str, Any]
    commercial_use: bool

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = plain(
            {**plain(self.plan), "compute": self.compute, "commercial_use": self.commercial_use}
        )
        return out


@dataclass(frozen=True)
class CapacityResult(Result):
    """`capacity`: saturated throughput of one replica (every Capacity field) for a token mix."""

    KIND = "capacity"
    model: str
    quantization: str
    gpu: str
    gpus: int
    input_tokens: float
    output_tokens: float
    engine: str
    capacity: Any = field(repr=False)  # llmcost.throughput.Capacity
    compute: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        head = {k: getattr(self, k) for k in ("model", "quantization", "gpu", "gpus", "input_tokens", "output_tokens")}
        out: dict[str, Any] = plain({**head, "engine": self.engine, **plain(self.capacity), "compute": self.compute})
        return out


@dataclass(frozen=True)
class WorkloadResult(Result):
    """`workload`: what a usage log says about volume, token mix and load shape."""

    KIND = "workload"
    file: str
    format: str
    summary: Any = field(repr=False)  # llmcost.usage.UsageSummary

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = plain({"file": self.file, "format": self.format, **plain(self.summary)})
        return out


@dataclass(frozen=True)
class OwnedRow:
    gpu: str
    owned_usd_per_gpu_hour: float | None
    owned: Mapping[str, float] | None
    cheapest_rental_usd_per_gpu_hour: Mapping[str, float | None]
    reason: str | None


@dataclass(frozen=True)
class BuyVsRentResult(Result):
    KIND = "buy_vs_rent"
    assumptions: Mapping[str, float]
    gpus: tuple[OwnedRow, ...]


@dataclass(frozen=True)
class Finding:
    level: Literal["error", "warning"]
    file: str
    entry: str
    message: str


@dataclass(frozen=True)
class ValidationResult(Result):
    """`validate`: every problem found in the data files; errors fail the check."""

    KIND = "validate"
    files: tuple[str, ...]
    errors: int
    warnings: int
    findings: tuple[Finding, ...]
