"""The result of `list`: the catalog's models, APIs, GPUs or rental offers, one typed row each."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Generic, Literal, TypeVar

from llmcost.plain import plain
from llmcost.results import Result

Kind = Literal["models", "apis", "gpus", "offers", "reasoning"]
KINDS: tuple[Kind, ...] = ("models", "apis", "gpus", "offers", "reasoning")


@dataclass(frozen=True)
class ModelRow:
    """An open-weight model: size, context, licence and quality (LMArena Elo, None when unscored)."""

    id: str
    name: str
    params_total_b: float
    params_active_b: float
    max_context_tokens: int
    native_precision: str
    licence: str
    commercial_use: bool
    lmarena_elo: float | None
    as_of: str


@dataclass(frozen=True)
class ApiRow:
    """An API model: list prices (central values when the data gives a range), context and quality."""

    id: str
    provider: str
    name: str
    input_usd_per_mtok: float
    output_usd_per_mtok: float
    cached_input_usd_per_mtok: float | None
    batch_discount: float | None
    context_window_tokens: int | None
    open_model: str | None
    lmarena_elo: float | None
    as_of: str
    lifecycle: str = "active"  # active | deprecated | retired, today
    retirement_date: str | None = None


@dataclass(frozen=True)
class GpuRow:
    """A GPU: memory, bandwidth and dense TFLOP/s per precision (None where the data has no rate)."""

    id: str
    name: str
    vendor: str
    memory_gb: float
    memory_bandwidth_tb_per_s: float
    bf16_dense_tflops: float
    fp8_dense_tflops: float | None
    int4_dense_tflops: float | None
    interconnect: str
    tdp_w: float | None
    form_factor: str | None = None  # sxm | pcie | consumer | superchip
    multi_gpu: str | None = None  # the tensor-parallel fabric: nvlink | xgmi | pcie
    usable_memory_gib: float | None = None  # as the driver reports it (the device memory `fit` accounts)


@dataclass(frozen=True)
class OfferRow:
    """A GPU rental offer: whole instances of `gpus_per_instance` GPUs at an hourly price."""

    id: str
    provider: str
    gpu: str
    gpus_per_instance: int
    pricing: str
    usd_per_instance_hour: float
    usd_per_gpu_hour: float
    region: str | None
    as_of: str


@dataclass(frozen=True)
class ReasoningRow:
    """Hidden reasoning tokens per request of a model at one effort: the point value (median or
    mode) and the 10th-90th percentile across the source's workloads (equal when it is a point)."""

    id: str
    model: str
    effort: str
    provider_default: str  # "yes" | "no" | "unknown": is this the provider's documented default?
    reasoning_tokens: float
    reasoning_tokens_p10: float
    reasoning_tokens_p90: float
    as_of: str
    source: str


RowT = TypeVar("RowT", ModelRow, ApiRow, GpuRow, OfferRow, ReasoningRow)
ROW_TYPES: Mapping[Kind, type[Any]] = {
    "models": ModelRow,
    "apis": ApiRow,
    "gpus": GpuRow,
    "offers": OfferRow,
    "reasoning": ReasoningRow,
}


@dataclass(frozen=True)
class CatalogList(Result, Generic[RowT]):
    """`list`: the rows of one kind that pass the filters, sorted by id.

    JSON: `{"kind", "filters": {"provider", "min_memory_gb", "reasoning", "commercial_only"},
    "count", "rows": [...]}`; a filter not given is null (false for commercial_only)."""

    KIND = "list"
    kind: Kind
    filters: Mapping[str, Any]
    rows: tuple[RowT, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        """The row fields in order: the CSV header, even when no row matched."""
        return tuple(f.name for f in fields(ROW_TYPES[self.kind]))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = plain(
            {"kind": self.kind, "filters": self.filters, "count": len(self.rows), "rows": self.rows}
        )
        return out


__all__ = ["KINDS", "ApiRow", "CatalogList", "GpuRow", "Kind", "ModelRow", "OfferRow", "ReasoningRow"]
