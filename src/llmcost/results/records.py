"""The results of `fit`, `capacity`, `workload`, `buy-vs-rent` and `validate`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from llmcost.plain import plain
from llmcost.results import Result


@dataclass(frozen=True)
class FitResult(Result):
    """`fit`: the memory plan of one replica (every MemoryPlan field), its compute path and licence."""

    KIND = "fit"
    plan: Any = field(repr=False)  # llmcost.memory.MemoryPlan
    compute: Mapping[str, Any]
    commercial_use: bool
    tp_link: Mapping[str, Any] | None = None  # the fabric of the chosen tensor-parallel size (None: one GPU)
    kv_cache: str = "auto"  # how the KV dtype was chosen: "auto (<engine>: ...)" or the explicit choice

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = plain(
            {
                **plain(self.plan),
                "kv_cache": self.kv_cache,
                "compute": self.compute,
                "tp_link": self.tp_link,
                "commercial_use": self.commercial_use,
            }
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
    tp_link: Mapping[str, Any] | None = None  # the fabric the all-reduces run over (None: one GPU)
    load: Mapping[str, Any] | None = None  # at a concurrency ("concurrency" key) or a request rate
    parallelism: str = "tp"  # how the replica splits over its GPUs (tp, ep, dp-attention)
    moe: Mapping[str, Any] | None = None  # MoE models: the decode step at the batch (throughput.MoeStep)
    backend: Mapping[str, Any] | None = None  # set when --backend aiconfigurator answered: which measurements
    # the decode step's fixed costs used: per layer (and MoE layer), per sequence, and their record
    fixed_cost: Mapping[str, Any] | None = None
    notes: tuple[str, ...] = ()  # caveats on the figures (an AMD GPU's factors are NVIDIA-fitted)

    def to_dict(self) -> dict[str, Any]:
        head = {
            k: getattr(self, k)
            for k in ("model", "quantization", "gpu", "gpus", "parallelism", "input_tokens", "output_tokens")
        }
        out: dict[str, Any] = plain(
            {**head, "engine": self.engine, **plain(self.capacity), "compute": self.compute, "tp_link": self.tp_link}
        )
        if self.moe is not None:
            out["moe"] = plain(dict(self.moe))
        if self.fixed_cost is not None:
            out["fixed_cost"] = dict(self.fixed_cost)
        if self.load is not None:
            out["at_concurrency" if "concurrency" in self.load else "at_rate"] = plain(dict(self.load))
        if self.backend is not None:
            out["backend"] = plain(dict(self.backend))
        if self.notes:
            out["notes"] = list(self.notes)
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
    level: Literal["error", "warning", "notice"]
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
    known: int = 0  # findings the baseline already lists (not reported, not counted)


@dataclass(frozen=True)
class CheckResult(Result):
    """`check`: a scenario's monthly cost against a budget and against the base data; `failures`
    says in words what crossed a limit (empty: the gate passes)."""

    KIND = "check"
    scenario: str
    option: str
    monthly_cost_usd: float
    fail_above_usd: float | None
    base_monthly_cost_usd: float | None
    increase_pct: float | None
    fail_on_increase_pct: float | None
    failures: tuple[str, ...]
