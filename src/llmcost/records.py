"""The record schema of the data files: frozen dataclasses, validated by pydantic when a file is read.

Every fact carries `source` and `as_of`. pydantic is imported only when a record is validated (a
data file read anew); a catalog rebuilt from the cache is made of the same classes, built
directly from validated plain values (`from_plain`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from functools import cache
from typing import Any, ClassVar, Literal, TypeVar

from llmcost.errors import UsageError
from llmcost.uncertainty import DISTS, Dist, parse_uncertain

DATA_FILES = (
    "pricing.yaml",
    "hardware.yaml",
    "models.yaml",
    "costs.yaml",
    "engines.yaml",
    "quantization.yaml",
    "ownership.yaml",
    "reasoning.yaml",
    "platforms.yaml",
)

Precision = Literal["bf16", "fp8", "int8", "int4", "fp4"]
PricingModel = Literal["on_demand", "reserved_1y", "reserved_3y", "spot"]
PRICING_MODELS: tuple[PricingModel, ...] = ("on_demand", "reserved_1y", "reserved_3y", "spot")
OfferPricing = Literal["on_demand", "reserved_1y", "reserved_3y", "spot", "owned"]
T = TypeVar("T")
_AS_OF = re.compile(r"^(undated|(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?)$")
_ID = re.compile(r"^[a-z0-9][a-z0-9._/-]*$")


def as_of_days(as_of: str) -> tuple[date | None, date | None]:
    """The first and last day an `as_of` string can mean ((None, None) when undated); a ValueError
    for anything but 'YYYY-MM-DD', 'YYYY-MM', 'YYYY' or 'undated' naming a real date."""
    m = _AS_OF.match(as_of) if isinstance(as_of, str) else None
    if m is None:
        raise ValueError(f"as_of must be 'YYYY-MM-DD', 'YYYY-MM', 'YYYY' or 'undated', got {as_of!r}")
    if as_of == "undated":
        return None, None
    year, month, day = (int(g) if g else None for g in m.groups()[1:])
    assert year is not None
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)
        if day is None:
            last = date(year + month // 12, month % 12 + 1, 1).toordinal() - 1  # the day before next month's first
            return date(year, month, 1), date.fromordinal(last)
        return date(year, month, day), date(year, month, day)
    except ValueError:
        raise ValueError(f"as_of {as_of!r} is not a real date") from None


# Upper bounds on data-file figures: far above any real one, low enough that every cost computed from
# them stays finite (a typo like 1e308 is refused, not turned into `inf`).
MAX_PRICE_USD = 1e6  # per million tokens, per instance-hour
MAX_MONTHLY_USD = 1e9  # per month, per GPU purchase
MAX_SPEC = 1e9  # memory GB, TB/s, TFLOP/s, watts, layers, widths, tokens


def _req(**constraints: float) -> Any:
    """A required field with pydantic constraints (gt, ge, lt, le, min_length) checked on validation."""
    return field(metadata=constraints)


def _default(value: float, **constraints: float) -> Any:
    """A field with a default value and pydantic constraints."""
    return field(default=value, metadata=constraints)


def _opt(**constraints: float) -> Any:
    """An optional field (default None) with pydantic constraints."""
    return field(default=None, metadata=constraints)


@dataclass(frozen=True, kw_only=True)
class _Strict:
    __pydantic_config__: ClassVar[dict[str, str]] = {"extra": "forbid"}  # pydantic reads it as its ConfigDict
    # Numeric fields that may be written as a range or distribution in the YAML (see `spread`).
    UNCERTAIN: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        """Cross-field checks; a ValueError here becomes a validation error naming the entry."""


@dataclass(frozen=True, kw_only=True)
class Sourced(_Strict):
    """Every fact carries where it came from and when it was true."""

    source: str = _req(min_length=3)
    as_of: str
    notes: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        as_of_days(self.as_of)  # a ValueError names the bad date

    @property
    def as_of_date(self) -> date | None:
        """The latest day the as_of string can mean (None when undated)."""
        return as_of_days(self.as_of)[1]


@dataclass(frozen=True, kw_only=True)
class Identified(Sourced):
    id: str
    # Fields the YAML gave as a range or distribution: the field itself holds the central value
    # (what every point answer uses), this maps its name to the distribution Monte Carlo draws from.
    spread: dict[str, Dist] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        if not _ID.match(self.id):
            raise ValueError(f"id '{self.id}' must be a lowercase slug of [a-z0-9._/-]")


@dataclass(frozen=True, kw_only=True)
class Quality(_Strict):
    """Quality scores, each with its own source: LMArena's style-controlled text Elo (what pairing
    uses) and/or the Artificial Analysis Intelligence Index v4.1 (recorded, not compared)."""

    lmarena_elo: float | None = _opt(gt=0, le=1e4)
    source: str | None = None  # of lmarena_elo
    as_of: str | None = None
    # the reasoning effort the Elo was measured at (an effort name in reasoning.yaml, or "default":
    # the provider's default); None for a model that does not reason
    effort: str | None = None
    aa_index_v4_1: float | None = _opt(ge=0, le=100)
    aa_index_v4_1_estimated: bool | None = None
    aa_source: str | None = None
    aa_as_of: str | None = None
    notes: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        for score, src, when in (("lmarena_elo", "source", "as_of"), ("aa_index_v4_1", "aa_source", "aa_as_of")):
            given = getattr(self, score) is not None
            if given and (not getattr(self, src) or len(getattr(self, src)) < 3 or getattr(self, when) is None):
                raise ValueError(f"{score} needs {src} and {when}")
            if getattr(self, when) is not None:
                as_of_days(getattr(self, when))
        if self.lmarena_elo is None and self.aa_index_v4_1 is None:
            raise ValueError("quality needs lmarena_elo or aa_index_v4_1")


@dataclass(frozen=True, kw_only=True)
class AaIndex(Sourced):
    """An Artificial Analysis Intelligence Index v4.1 score (0-100; not comparable with v4.0).
    Documentary: llmcost pairs on LMArena Elo and does not use it."""

    score: float = _req(ge=0, le=100)
    estimated: bool  # AA's own estimate (its is_estimated flag), not a measured run
    row: str  # the AA leaderboard row the score is for (it names the reasoning setting)


@dataclass(frozen=True, kw_only=True)
class ApiQuality(Sourced):
    """An API's quality scores: LMArena Elo (what pairing uses) and/or the AA index (documentary)."""

    lmarena_elo: float | None = _opt(gt=0, le=1e4)
    # the reasoning effort lmarena_elo was measured at, as in Quality
    effort: str | None = None
    lmarena_row: str | None = None  # the arena row used: its key, 95% CI, rounding
    aa_index_v4_1: AaIndex | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.lmarena_elo is None and self.aa_index_v4_1 is None:
            raise ValueError("quality needs lmarena_elo or aa_index_v4_1")
        if self.lmarena_elo is None and (self.effort is not None or self.lmarena_row is not None):
            raise ValueError("quality.effort / lmarena_row describe lmarena_elo, which is not given")


@dataclass(frozen=True, kw_only=True)
class LongContextTier(_Strict):
    above_prompt_tokens: int = _req(gt=0, le=MAX_SPEC)
    input_usd_per_mtok: float = _req(ge=0, le=MAX_PRICE_USD)
    output_usd_per_mtok: float = _req(ge=0, le=MAX_PRICE_USD)
    cached_input_usd_per_mtok: float | None = _opt(ge=0, le=MAX_PRICE_USD)
    cache_write_usd_per_mtok: float | None = _opt(ge=0, le=MAX_PRICE_USD)
    cache_write_1h_usd_per_mtok: float | None = _opt(ge=0, le=MAX_PRICE_USD)


TokenClass = Literal["input", "cached_input", "cache_write", "cache_write_1h", "output"]
TOKEN_CLASSES: tuple[TokenClass, ...] = ("input", "cached_input", "cache_write", "cache_write_1h", "output")


@dataclass(frozen=True, kw_only=True)
class ServiceTier(Sourced):
    """A service tier's prices (flex, priority): its own per-token prices, or one multiplier over the
    standard prices of every token class where the provider states only a rule."""

    input_usd_per_mtok: float | None = _opt(ge=0, le=MAX_PRICE_USD)
    output_usd_per_mtok: float | None = _opt(ge=0, le=MAX_PRICE_USD)
    cached_input_usd_per_mtok: float | None = _opt(ge=0, le=MAX_PRICE_USD)
    cache_write_usd_per_mtok: float | None = _opt(ge=0, le=MAX_PRICE_USD)  # None: the standard write price
    multiplier: float | None = _opt(gt=0, le=100)

    def __post_init__(self) -> None:
        super().__post_init__()
        priced = self.input_usd_per_mtok is not None and self.output_usd_per_mtok is not None
        if priced == (self.multiplier is not None):
            raise ValueError("a service tier gives input_usd_per_mtok and output_usd_per_mtok, or a multiplier")


@dataclass(frozen=True, kw_only=True)
class ServiceTiers(_Strict):
    flex: ServiceTier | None = None
    priority: ServiceTier | None = None


@dataclass(frozen=True, kw_only=True)
class ApiModel(Identified):
    UNCERTAIN = ("input_usd_per_mtok", "output_usd_per_mtok", "cached_input_usd_per_mtok")
    provider: str
    name: str
    # the provider's own model id where it differs from the slug (any characters: Bedrock's
    # 'amazon.nova-pro-v1:0', a host's full path); documentary
    provider_model_id: str | None = None
    input_usd_per_mtok: float = _req(ge=0, le=MAX_PRICE_USD)
    output_usd_per_mtok: float = _req(ge=0, le=MAX_PRICE_USD)
    cached_input_usd_per_mtok: float | None = _opt(ge=0, le=MAX_PRICE_USD)
    cache_write_usd_per_mtok: float | None = _opt(ge=0, le=MAX_PRICE_USD)  # 5-minute TTL (or the only) write
    cache_write_1h_usd_per_mtok: float | None = _opt(ge=0, le=MAX_PRICE_USD)
    min_cacheable_prompt_tokens: int | None = _opt(gt=0, le=MAX_SPEC)  # shorter prompts are not cached
    cache_granularity_tokens: int | None = _opt(gt=0, le=MAX_SPEC)  # cached prefixes are whole multiples
    batch_discount: float | None = _opt(ge=0, lt=1)
    # the token classes the batch discount reaches (None: every class); the others keep the standard price
    batch_applies_to: list[TokenClass] | None = None
    service_tiers: ServiceTiers | None = None
    context_window_tokens: int | None = _opt(gt=0, le=MAX_SPEC)
    long_context: LongContextTier | None = None
    open_model: str | None = None
    open_model_checkpoint: str | None = None  # the checkpoint the host serves (variant, precision); documentary
    # the model whose reasoning figures (reasoning.yaml) this offer bills, when it is not a loaded
    # open_model (an open model the catalog does not size yet)
    reasoning_as: str | None = None
    quality: ApiQuality | None = None
    deprecation_date: str | None = None  # YYYY-MM-DD the provider announced the deprecation
    retirement_date: str | None = None  # YYYY-MM-DD the model stops serving
    lifecycle_source: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("deprecation_date", "retirement_date"):
            value = getattr(self, name)
            if value is not None and not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
                raise ValueError(f"{name} must be 'YYYY-MM-DD', got {value!r}")
            if value is not None:
                as_of_days(value)
        if (self.deprecation_date or self.retirement_date) and not self.lifecycle_source:
            raise ValueError("deprecation_date / retirement_date need lifecycle_source")

    def lifecycle(self, on: date) -> Literal["active", "deprecated", "retired"]:
        """Where the model stands on a date: retired once its retirement date has come, deprecated
        once its deprecation notice has (and it still serves), else active."""
        if self.retirement_date is not None and date.fromisoformat(self.retirement_date) <= on:
            return "retired"
        if self.deprecation_date is not None and date.fromisoformat(self.deprecation_date) <= on:
            return "deprecated"
        return "active"


@dataclass(frozen=True, kw_only=True)
class GpuOffer(Identified):
    UNCERTAIN = ("usd_per_instance_hour",)
    provider: str
    instance: str
    gpu: str
    gpus_per_instance: int = _req(gt=0, le=MAX_SPEC)
    pricing: OfferPricing
    usd_per_instance_hour: float = _req(gt=0, le=MAX_PRICE_USD)
    region: str | None = None

    @property
    def usd_per_gpu_hour(self) -> float:
        return self.usd_per_instance_hour / self.gpus_per_instance


FormFactor = Literal["sxm", "pcie", "consumer", "superchip"]
MultiGpu = Literal["nvlink", "xgmi", "pcie"]
PCIE_MAX_GB_PER_S = 256.0  # PCIe 6.0 x16, both directions: no PCIe link is faster


@dataclass(frozen=True, kw_only=True)
class Gpu(Identified):
    name: str
    vendor: Literal["nvidia", "amd", "intel"]
    memory_gb: float = _req(gt=0, le=MAX_SPEC)
    memory_bandwidth_tb_per_s: float = _req(gt=0, le=MAX_SPEC)
    dense_tflops: dict[Precision, float]
    tdp_w: float | None = _opt(gt=0, le=MAX_SPEC)  # None: no board figure (a superchip's cap includes its CPU)
    interconnect: str
    interconnect_gb_per_s: float | None = _opt(gt=0, le=MAX_SPEC)  # None: unknown, no TP > 1
    # the total the driver reports, in GiB: the device memory the engine's accounting starts from
    usable_memory_gib: float | None = _opt(gt=0, le=MAX_SPEC)
    usable_memory_basis: Literal["torch", "nvidia-smi"] | None = None
    form_factor: FormFactor | None = None
    nvlink: bool | None = None  # NVLink to other GPUs in the systems it is rented in
    multi_gpu: MultiGpu | None = None  # the fabric tensor parallelism runs over within an instance
    scale_up_gpus: int | None = _opt(gt=0, le=MAX_SPEC)  # GPUs in one NVLink/XGMI domain
    fp8_kv_cache: bool | None = None  # native FP8 hardware for an FP8 KV cache (None: undocumented)

    def __post_init__(self) -> None:
        super().__post_init__()
        if "bf16" not in self.dense_tflops:
            raise ValueError("dense_tflops needs at least bf16 (the 16-bit float tensor rate)")
        if any(not 0 < x <= MAX_SPEC for x in self.dense_tflops.values()):
            raise ValueError(f"dense_tflops values must be positive and at most {MAX_SPEC:g}")
        if (self.usable_memory_gib is None) != (self.usable_memory_basis is None):
            raise ValueError("usable_memory_gib and usable_memory_basis go together")
        if self.multi_gpu == "nvlink" and self.nvlink is False:
            raise ValueError("multi_gpu nvlink needs nvlink: true")
        if self.form_factor == "consumer" and self.nvlink:
            raise ValueError("a consumer (GeForce) card has no NVLink in the systems it is rented in")
        if self.multi_gpu == "pcie" and (self.interconnect_gb_per_s or 0.0) > PCIE_MAX_GB_PER_S:
            raise ValueError(
                f"multi_gpu pcie: interconnect_gb_per_s must be the PCIe figure (at most {PCIE_MAX_GB_PER_S:g})"
            )


@dataclass(frozen=True, kw_only=True)
class Mla(_Strict):
    """Multi-head latent attention: the cache holds kv_lora_rank + qk_rope_head_dim per token per layer."""

    kv_lora_rank: int = _req(gt=0, le=MAX_SPEC)
    qk_rope_head_dim: int = _req(gt=0, le=MAX_SPEC)
    q_lora_rank: int | None = _opt(gt=0, le=MAX_SPEC)  # None: a full-rank query projection
    qk_nope_head_dim: int | None = _opt(gt=0, le=MAX_SPEC)  # None: the model's head_dim
    v_head_dim: int | None = _opt(gt=0, le=MAX_SPEC)  # None: the model's head_dim


@dataclass(frozen=True, kw_only=True)
class SlidingWindow(_Strict):
    """Local attention in all but `full_attention_layers`: a sliding window of the last window_tokens
    (kind sliding) or attention within fixed window_tokens-long chunks (kind chunked, Llama 4)."""

    window_tokens: int = _req(gt=0, le=MAX_SPEC)
    full_attention_layers: int = _req(ge=0)
    kind: Literal["sliding", "chunked"] = "sliding"
    pattern: str | None = None  # which layers are global, in words


@dataclass(frozen=True, kw_only=True)
class GlobalAttention(_Strict):
    """Gemma 4: the shape of the global (full-attention) layers where it differs from the local ones."""

    kv_heads: int = _req(gt=0, le=MAX_SPEC)
    head_dim: int = _req(gt=0, le=MAX_SPEC)
    k_equals_v: bool = False  # one tensor serves as K and V: one cached vector per KV head, not two


@dataclass(frozen=True, kw_only=True)
class LinearAttention(_Strict):
    """Hybrid linear attention (Gated DeltaNet): `layers` linear layers keep a fixed-size state per
    sequence; only the full_attention_layers (every full_attention_interval-th) cache per token."""

    type: Literal["gated_deltanet"]
    layers: int = _req(gt=0, le=MAX_SPEC)
    full_attention_layers: int = _req(ge=0, le=MAX_SPEC)
    full_attention_interval: int = _req(gt=0, le=MAX_SPEC)
    key_heads: int = _req(gt=0, le=MAX_SPEC)
    value_heads: int = _req(gt=0, le=MAX_SPEC)
    key_head_dim: int = _req(gt=0, le=MAX_SPEC)
    value_head_dim: int = _req(gt=0, le=MAX_SPEC)
    conv_kernel: int = _req(gt=0, le=MAX_SPEC)
    # dtype the config keeps the recurrent state in (Qwen3.5's mamba_ssm_dtype); None: not stated,
    # the state is sized at the KV cache's element width
    state_dtype: Literal["fp32", "bf16"] | None = None


@dataclass(frozen=True, kw_only=True)
class SparseAttention(_Strict):
    """Token-selection attention: a lightning indexer (index_heads x index_head_dim) scores every
    cached token and each query attends to the index_topk best (DeepSeek V3.2 DSA, GLM-5); V4's
    compressed-cache variant records its config for reference only (its KV is not modelled)."""

    type: Literal["dsa", "deepseek_v4"]
    index_heads: int = _req(gt=0, le=MAX_SPEC)
    index_head_dim: int = _req(gt=0, le=MAX_SPEC)
    index_topk: int = _req(gt=0, le=MAX_SPEC)
    sliding_window_tokens: int | None = _opt(gt=0, le=MAX_SPEC)
    q_lora_rank: int | None = _opt(gt=0, le=MAX_SPEC)
    qk_rope_head_dim: int | None = _opt(gt=0, le=MAX_SPEC)
    compress_ratio_pattern: str | None = None
    o_lora_rank: int | None = _opt(gt=0, le=MAX_SPEC)
    o_groups: int | None = _opt(gt=0, le=MAX_SPEC)


@dataclass(frozen=True, kw_only=True)
class Moe(_Strict):
    """Mixture of experts. A layer is MoE unless it is one of the first_dense_layers or falls between
    MoE layers (every moe_layer_interval-th layer after them is MoE); MoE layers hold `experts`
    routed experts (experts_per_token used per token) plus shared_experts always used."""

    experts: int = _req(gt=0, le=MAX_SPEC)
    experts_per_token: int = _req(gt=0, le=MAX_SPEC)
    expert_intermediate_size: int | None = _opt(gt=0, le=MAX_SPEC)  # None: the model's intermediate_size
    shared_experts: int = _default(0, ge=0, le=MAX_SPEC)
    shared_expert_intermediate_size: int | None = _opt(gt=0, le=MAX_SPEC)  # None: the routed width
    first_dense_layers: int = _default(0, ge=0, le=MAX_SPEC)
    dense_intermediate_size: int | None = _opt(gt=0, le=MAX_SPEC)  # FFN width of the non-MoE layers
    moe_layer_interval: int = _default(1, gt=0, le=MAX_SPEC)
    hash_routed_layers: int = _default(0, ge=0, le=MAX_SPEC)  # DeepSeek V4: routed by token hash
    # Gemma 4: every MoE layer also runs a dense MLP of dense_intermediate_size beside its experts
    dense_mlp_in_moe_layers: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.experts_per_token > self.experts:
            raise ValueError("moe.experts_per_token exceeds moe.experts")
        if self.dense_mlp_in_moe_layers and self.dense_intermediate_size is None:
            raise ValueError("moe.dense_mlp_in_moe_layers needs moe.dense_intermediate_size")


@dataclass(frozen=True, kw_only=True)
class ReasoningMode(_Strict):
    """Whether the model thinks: always, never, or switchable (hybrid) with its chat-template default."""

    mode: Literal["always", "hybrid", "none"]
    default: Literal["on", "off"] | None = None  # None: not sourced


@dataclass(frozen=True, kw_only=True)
class Licence(_Strict):
    name: str
    commercial_use: bool
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class OpenModel(Identified):
    name: str
    hf_id: str
    params_total_b: float = _req(gt=0, le=MAX_SPEC)
    params_active_b: float = _req(gt=0, le=MAX_SPEC)
    layers: int = _req(gt=0, le=MAX_SPEC)
    hidden_size: int = _req(gt=0, le=MAX_SPEC)
    attention_heads: int = _req(gt=0, le=MAX_SPEC)
    kv_heads: int = _req(gt=0, le=MAX_SPEC)
    head_dim: int = _req(gt=0, le=MAX_SPEC)
    intermediate_size: int = _req(gt=0, le=MAX_SPEC)
    vocab_size: int = _req(gt=0, le=MAX_SPEC)
    max_context_tokens: int = _req(gt=0, le=MAX_SPEC)
    native_precision: Precision = "bf16"
    tied_embeddings: bool = False  # input embedding and output head share one matrix
    mla: Mla | None = None
    sliding_window: SlidingWindow | None = None
    global_attention: GlobalAttention | None = None
    linear_attention: LinearAttention | None = None
    sparse_attention: SparseAttention | None = None
    moe: Moe | None = None
    mtp_layers: int = _default(0, ge=0, le=MAX_SPEC)  # multi-token-prediction modules shipped (not in params)
    multimodal: bool = False  # the checkpoint includes a vision (or audio) encoder (not in params)
    release_date: str | None = None  # YYYY-MM-DD of the public weight release
    reasoning: ReasoningMode | None = None  # None: not stated
    licence: Licence
    # official / vendor quantized checkpoints: mappings of hf_id, format, not_quantized, source
    quantized_checkpoints: list[dict[str, str]] = field(default_factory=list)
    quality: Quality | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.params_active_b > self.params_total_b:
            raise ValueError("params_active_b exceeds params_total_b")
        if self.sliding_window and self.sliding_window.full_attention_layers > self.layers:
            raise ValueError("sliding_window.full_attention_layers exceeds layers")
        if self.global_attention and not self.sliding_window:
            raise ValueError("global_attention describes the global layers of a sliding_window model")
        la = self.linear_attention
        if la and la.layers + la.full_attention_layers != self.layers:
            raise ValueError("linear_attention.layers + full_attention_layers must equal layers")
        if self.moe and self.moe.first_dense_layers > self.layers:
            raise ValueError("moe.first_dense_layers exceeds layers")
        if self.release_date is not None:
            if not re.match(r"^\d{4}-\d{2}-\d{2}$", self.release_date):
                raise ValueError(f"release_date must be 'YYYY-MM-DD', got {self.release_date!r}")
            as_of_days(self.release_date)
        for i, q in enumerate(self.quantized_checkpoints):
            missing = [k for k in ("hf_id", "format", "source") if not q.get(k)]
            allowed = {"hf_id", "format", "not_quantized", "source", "notes", "precision", "kept_16bit"}
            allowed.add("bits_per_weight")
            if missing or set(q) - allowed:
                raise ValueError(
                    f"quantized_checkpoints[{i}]: needs hf_id, format and source "
                    "(and may give not_quantized, notes, precision, kept_16bit, bits_per_weight), nothing else"
                )
            if q.get("bits_per_weight") is not None:
                if q.get("precision") is None:
                    raise ValueError(f"quantized_checkpoints[{i}]: bits_per_weight needs precision and kept_16bit")
                try:
                    bits = float(q["bits_per_weight"])
                except (TypeError, ValueError):
                    bits = float("nan")
                if not 1.0 <= bits <= 16.0:
                    raise ValueError(f"quantized_checkpoints[{i}]: bits_per_weight must be a number in [1, 16]")
            if (q.get("kept_16bit") is None) != (q.get("precision") is None):
                raise ValueError(f"quantized_checkpoints[{i}]: precision and kept_16bit go together")
            if q.get("precision") is not None and q["precision"] not in ("fp8", "int8", "int4", "fp4"):
                raise ValueError(f"quantized_checkpoints[{i}]: precision must be fp8, int8, int4 or fp4")
            parts = {p.strip() for p in str(q.get("kept_16bit") or "embeddings").split(",")}
            if not parts <= {"embeddings", "attention", "shared_experts", "dense_mlp"}:
                raise ValueError(
                    f"quantized_checkpoints[{i}]: kept_16bit lists embeddings, attention, shared_experts, dense_mlp"
                )


@dataclass(frozen=True, kw_only=True)
class HiddenCost(Identified):
    UNCERTAIN = ("usd_per_month",)
    name: str
    usd_per_month: float = _req(ge=0, le=MAX_MONTHLY_USD)


FleetDriver = Literal[
    "host_month", "gpu_month", "gpu_hour", "gb_month", "balancer_hour", "lcu_hour", "gb_processed", "egress_gb"
]


@dataclass(frozen=True, kw_only=True)
class FleetCost(Identified):
    """A unit price of a hidden cost that scales with the fleet (per host, GPU, GB, balancer, ...)."""

    UNCERTAIN = ("usd_per_unit",)
    line: Literal["monitoring", "load_balancing", "storage", "backup", "egress", "licence"]
    driver: FleetDriver
    usd_per_unit: float = _req(ge=0, le=MAX_PRICE_USD)
    vendor: str
    default: bool = False


@dataclass(frozen=True, kw_only=True)
class BytesPerToken(Sourced):
    bytes_per_token: float = _req(gt=0, le=100)


@dataclass(frozen=True, kw_only=True)
class Engine(Identified):
    """A serving engine's documented batching limits and its throughput relative to vLLM."""

    name: str
    max_batch_size: int = _req(gt=0, le=MAX_SPEC)
    max_batch_size_large_gpu: int | None = _opt(gt=0)
    large_gpu_min_gib: float | None = _opt(gt=0)
    large_gpu_excluded: list[str] = field(default_factory=list)
    gpu_memory_utilization: float | None = _opt(gt=0, le=1)
    relative_throughput: float = _req(gt=0, le=1e3)
    relative_throughput_low: float | None = _opt(gt=0)
    relative_throughput_high: float | None = _opt(gt=0)
    evidence: str
    # weight formats whose checkpoints make the engine's kv_cache_dtype=auto an 8-bit cache (empty: auto
    # keeps the model's 16-bit dtype for every format)
    kv_cache_auto_8bit: list[Precision] = field(default_factory=list)
    # the engine documents an NVFP4 (4-bit) KV cache; it runs on GPUs with FP4 tensor cores only
    kv_cache_nvfp4: bool = False

    def kv_bytes_auto(self, quant: str) -> float:
        """KV cache bytes per element under the engine's `auto` for a weight format."""
        return 1.0 if quant in self.kv_cache_auto_8bit else 2.0

    def max_batch_for(self, gpu: Gpu) -> int:
        """The engine's default cap on running sequences on this GPU."""
        large = (
            self.max_batch_size_large_gpu is not None
            and self.large_gpu_min_gib is not None
            and gpu.memory_gb * 1e9 / 2**30 >= self.large_gpu_min_gib
            and not any(s in gpu.id for s in self.large_gpu_excluded)
        )
        if large and self.max_batch_size_large_gpu:
            return self.max_batch_size_large_gpu
        return self.max_batch_size


@dataclass(frozen=True, kw_only=True)
class EngineMemory(Identified):
    """How one engine version range sizes its KV cache pool on each GPU (data/engines.yaml
    engine_memory): the budget fraction, which consumers it subtracts, and its batching defaults."""

    engine: str
    versions: str
    default: bool = False
    gpu_memory_utilization: float = _req(gt=0, le=1)
    cudagraphs_in_budget: bool
    comm_buffers_in_budget: bool
    custom_all_reduce_mib: float = _req(ge=0, le=1e5)
    cuda_context_mib: float = _req(ge=0, le=1e5)
    max_num_batched_tokens: int = _req(gt=0, le=10_000_000)
    max_num_batched_tokens_small_gpu: int = _req(gt=0, le=10_000_000)
    max_num_batched_tokens_160gib: int | None = _opt(gt=0, le=10_000_000)
    large_gpu_min_gib: float = _req(gt=0, le=MAX_SPEC)
    large_gpu_excluded: list[str] = field(default_factory=list)
    cudagraph_capture_sizes: int = _req(ge=0, le=100_000)
    cudagraph_modes: int = _req(ge=0, le=4)
    cudagraph_min_bytes_per_graph: float = _req(ge=0, le=1e12)
    kv_cache_dtype_auto: Literal["model"]

    def batched_tokens_for(self, gpu: Gpu) -> int:
        """The engine's default max_num_batched_tokens on this GPU (API server), by its total GiB."""
        gib = gpu.usable_memory_gib if gpu.usable_memory_gib is not None else gpu.memory_gb * 1e9 / 2**30
        if self.max_num_batched_tokens_160gib is not None and gib >= 160:
            return self.max_num_batched_tokens_160gib
        if gib >= self.large_gpu_min_gib and not any(s in gpu.id for s in self.large_gpu_excluded):
            return self.max_num_batched_tokens
        return self.max_num_batched_tokens_small_gpu


@dataclass(frozen=True, kw_only=True)
class EngineOverhead(Identified):
    """The fixed time one engine release spends per transformer layer in every decode step (kernel
    launches and small kernels, norms, sampling, scheduling: what limits batch-1 speed), derived from
    published low-load measurements of that release (data/engines.yaml engine_overhead)."""

    engine: str
    versions: str
    default: bool = False
    layer_overhead_us: float = _req(ge=0, le=10_000)
    moe_layer_overhead_us: float | None = _opt(ge=0, le=10_000)  # an MoE layer's (None: the same)
    # the online server's non-GPU time to a request's first streamed token [ms] (Efficiency field of that name)
    first_token_overhead_ms: float = _default(0.0, ge=0, le=10_000)
    evidence: str  # the measurements it is derived from, each with the overhead it implies


@dataclass(frozen=True, kw_only=True)
class MoeKernel(Identified):
    """How fast one engine's routed-expert (fused MoE) kernel runs on one GPU at one weight format: the
    time of one MoE layer on one GPU of a tensor-parallel group (throughput.moe_kernel_s), fitted to
    measured kernel timings (data/engines.yaml moe_kernel, benchmarks/moe_kernels.py)."""

    engine: str
    gpu: str
    weight_dtype: Precision  # the quantization id the kernel serves (bf16, fp8, fp4)
    fixed_us: float = _req(ge=0, le=10_000)  # per MoE layer per step, whatever the tokens
    per_expert_us: float = _req(ge=0, le=10_000)  # per expert the step's tokens touch
    bandwidth: float = _req(gt=0, le=1)  # achieved share of the datasheet bandwidth reading touched experts
    compute: float = _req(gt=0, le=1)  # achieved share of the datasheet dense peak at the format's precision
    activation_passes: float = _req(ge=0, le=1000)  # hidden-sized 16-bit reads/writes per token copy
    kernel: str  # the measured kernel
    fit: str  # rows fitted and the fit's error


@dataclass(frozen=True, kw_only=True)
class ReasoningFigure(Identified):
    """Hidden reasoning tokens per request of one model at one reasoning effort (a distribution across
    workloads where the source gives a spread). They bill as output tokens and run as decode steps."""

    UNCERTAIN = ("reasoning_tokens_per_request", "answer_tokens_per_request")
    model: str  # an API id (provider/model) or an open model id
    effort: str
    provider_default_effort: bool | Literal["unknown"]
    default_source: str | None = None
    reasoning_billing: str | None = None
    workload: str | None = None
    reasoning_tokens_per_request: float = _req(ge=0, le=MAX_SPEC)
    answer_tokens_per_request: float | None = _opt(ge=0, le=MAX_SPEC)
    per_benchmark: dict[str, dict[str, float]] | None = None
    agentic_reasoning_tokens_per_task: dict[str, dict[str, float]] | None = None
    reasoning_to_answer_ratio: dict[str, float] | None = None
    reasoning_share_of_output: float | None = _opt(ge=0, le=1)
    trivial_prompt_reasoning_median: float | None = _opt(ge=0, le=MAX_SPEC)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.id != f"{self.model}/{self.effort}":
            raise ValueError(f"id must be model/effort ('{self.model}/{self.effort}'), got '{self.id}'")


@dataclass(frozen=True, kw_only=True)
class PriceReversal(Sourced):
    """The published price-reversal finding the outputs cite (arXiv 2603.23971)."""

    paper: str
    arxiv: str
    authors: str
    models_evaluated: int = _req(gt=0)
    tasks: dict[str, int]
    share_of_model_pairs_reversing: dict[str, float]
    max_reversal_factor: float = _req(gt=0)
    example: str
    thinking_token_spread_across_models: str
    thinking_token_spread_across_runs: str
    without_thinking_cost: str


@dataclass(frozen=True, kw_only=True)
class SourcedRange(Sourced):
    """A sourced figure given as a range; `mid` is the default point value."""

    low: float = _req(ge=0, le=MAX_MONTHLY_USD)
    high: float = _req(ge=0, le=MAX_MONTHLY_USD)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.low > self.high:
            raise ValueError("low is above high")

    @property
    def mid(self) -> float:
        return (self.low + self.high) / 2


@dataclass(frozen=True, kw_only=True)
class Engineering(_Strict):
    loaded_usd_per_engineer_day: SourcedRange
    setup_weeks: SourcedRange
    days_per_model_update: SourcedRange


@dataclass(frozen=True, kw_only=True)
class QuantQuality(Identified):
    """Measured benchmark-score recovery of a weight format relative to bf16, in percent."""

    id: Precision
    quality_recovery_pct: float = _req(gt=0)
    quality_recovery_pct_low: float = _req(gt=0)
    quality_recovery_pct_high: float = _req(gt=0)
    rows: int | None = _opt(ge=0)


@dataclass(frozen=True, kw_only=True)
class OwnedGpu(Identified):
    UNCERTAIN = ("purchase_usd_per_gpu",)
    purchase_usd_per_gpu: float = _req(gt=0, le=MAX_MONTHLY_USD)


@dataclass(frozen=True, kw_only=True)
class Facility(_Strict):
    electricity_usd_per_kwh: SourcedRange
    colocation_usd_per_kw_month: SourcedRange
    depreciation_years: SourcedRange
    support_fraction_per_year: SourcedRange
    server_overhead_w_per_gpu: SourcedRange


# ---------------------------------------------------------------- serving platforms (platforms.yaml)

Phase = Literal[
    "scheduling_queue", "image_pull", "container_start", "model_load", "execution", "idle_window", "shutdown"
]
Granularity = Literal["per_millisecond", "per_second", "per_minute"]
GRANULARITY_S: dict[str, float] = {"per_millisecond": 0.001, "per_second": 1.0, "per_minute": 60.0}
MAX_SECONDS = 1e7  # a window, cold start or notice in seconds: far above any real one (about 116 days)


@dataclass(frozen=True, kw_only=True)
class PlatformPlan(_Strict):
    """One subscription plan of a platform (Modal's starter/team/enterprise)."""

    plan: str
    plan_fee_usd_per_month: float | None = _opt(ge=0, le=MAX_MONTHLY_USD)
    included_credit_usd_per_month: float | None = _opt(ge=0, le=MAX_MONTHLY_USD)
    max_concurrent_gpus: int | None = _opt(gt=0, le=MAX_SPEC)
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class PlatformBilling(_Strict):
    """How a platform meters GPU time: the unit, which lifecycle phases bill, the idle windows,
    scale-to-zero and minimum replicas, and fees. A phase the source does not address is absent
    (and costed as not billed)."""

    granularity: Granularity
    rounding: str | None = None
    billed_phases: dict[Phase, bool]
    idle_window_default_s: float | None = _opt(ge=0, le=MAX_SECONDS)
    idle_window_min_s: float | None = _opt(ge=0, le=MAX_SECONDS)
    idle_window_max_s: float | None = _opt(ge=0, le=MAX_SECONDS)
    scale_to_zero_window_default_s: float | None = _opt(ge=0, le=MAX_SECONDS)
    scale_to_zero_window_min_s: float | None = _opt(ge=0, le=MAX_SECONDS)
    scale_to_zero: bool
    min_replicas_default: int | None = _opt(ge=0, le=MAX_SPEC)
    plan_fee_usd_per_month: float | None = _opt(ge=0, le=MAX_MONTHLY_USD)
    included_credit_usd_per_month: float | None = _opt(ge=0, le=MAX_MONTHLY_USD)
    per_request_fee_usd: float | None = _opt(ge=0, le=MAX_PRICE_USD)
    plans: tuple[PlatformPlan, ...] = ()
    storage: str | None = None
    limits: str | None = None
    notes: str | None = None
    credits: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        low, high = self.idle_window_min_s, self.idle_window_max_s
        if low is not None and high is not None and low > high:
            raise ValueError("idle_window_min_s is above idle_window_max_s")
        d = self.idle_window_default_s
        if d is not None and ((low is not None and d < low) or (high is not None and d > high)):
            raise ValueError("idle_window_default_s is outside idle_window_min_s..idle_window_max_s")
        if not self.scale_to_zero and self.min_replicas_default == 0:
            raise ValueError("min_replicas_default 0 needs scale_to_zero: true")

    def billed(self, phase: str) -> bool:
        """Whether `phase` bills GPU time (a phase the source does not address: not billed)."""
        return bool(self.billed_phases.get(phase, False))  # type: ignore[call-overload]

    @property
    def granularity_s(self) -> float:
        return GRANULARITY_S[self.granularity]


@dataclass(frozen=True, kw_only=True)
class PlatformPrice(_Strict):
    """One GPU offer of a platform, priced PER GPU: exactly one of usd_per_gpu_second and
    usd_per_gpu_hour (the unit the source quotes), or only the 'as low as' rate."""

    gpu: str
    gpu_name: str
    gpus_per_replica: int = _default(1, gt=0, le=MAX_SPEC)
    usd_per_gpu_second: float | None = _opt(gt=0, le=MAX_PRICE_USD)
    usd_per_gpu_hour: float | None = _opt(gt=0, le=MAX_PRICE_USD)
    usd_per_gpu_second_active: float | None = _opt(gt=0, le=MAX_PRICE_USD)
    usd_per_gpu_hour_as_low_as: float | None = _opt(gt=0, le=MAX_PRICE_USD)
    as_of: str | None = None
    notes: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.usd_per_gpu_second is not None and self.usd_per_gpu_hour is not None:
            raise ValueError("give one of usd_per_gpu_second and usd_per_gpu_hour (the unit the source quotes)")
        if (
            self.usd_per_gpu_second is None
            and self.usd_per_gpu_hour is None
            and self.usd_per_gpu_hour_as_low_as is None
        ):
            raise ValueError("a price row needs usd_per_gpu_second, usd_per_gpu_hour or usd_per_gpu_hour_as_low_as")
        if self.as_of is not None:
            as_of_days(self.as_of)

    @property
    def list_usd_per_gpu_second(self) -> float | None:
        """The list price per GPU-second (None: only a discounted 'as low as' rate is known)."""
        if self.usd_per_gpu_second is not None:
            return self.usd_per_gpu_second
        return self.usd_per_gpu_hour / 3600 if self.usd_per_gpu_hour is not None else None


ColdStartWhat = Literal[
    "scale_from_zero", "image_pull", "weights_load", "engine_start", "snapshot_restore", "end_to_end"
]


@dataclass(frozen=True, kw_only=True)
class ColdStartFigure(Sourced):
    """A documented or measured cold-start figure, or a range; absent figures are left out."""

    what: ColdStartWhat
    seconds: float | None = _opt(ge=0, le=MAX_SECONDS)
    seconds_low: float | None = _opt(ge=0, le=MAX_SECONDS)
    seconds_high: float | None = _opt(ge=0, le=MAX_SECONDS)
    model: str | None = None
    model_size_gb: float | None = _opt(gt=0, le=MAX_SPEC)
    gpu: str | None = None
    measured_by: Literal["platform_docs", "platform_blog", "third_party"]

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.seconds_low is not None and self.seconds_high is not None and self.seconds_low > self.seconds_high:
            raise ValueError("seconds_low is above seconds_high")


@dataclass(frozen=True, kw_only=True)
class Platform(Identified):
    """A serverless GPU platform or dedicated inference endpoint: billing rules, per-GPU prices, cold starts."""

    name: str
    product: str
    kind: Literal["serverless", "dedicated"]
    billing: PlatformBilling
    prices: tuple[PlatformPrice, ...] = ()
    prices_source: str | None = None
    prices_as_of: str | None = None
    prices_notes: str | None = None
    price_addons: str | None = None
    worker_types: dict[str, str] | None = None
    autoscaler_defaults: dict[str, float | str] | None = None
    cold_start: tuple[ColdStartFigure, ...] = ()
    snapshotting: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.prices and (self.prices_source is None or self.prices_as_of is None):
            raise ValueError("prices need prices_source and prices_as_of")
        if self.prices_as_of is not None:
            as_of_days(self.prices_as_of)

    def price_for(self, gpu: str) -> PlatformPrice | None:
        """The cheapest list-priced row for a GPU (None: the platform lists no list price for it)."""
        rows = [p for p in self.prices if p.gpu == gpu and p.list_usd_per_gpu_second is not None]
        return min(rows, key=lambda p: p.list_usd_per_gpu_second or 0.0, default=None)


@dataclass(frozen=True, kw_only=True)
class ColdStartComponents(Identified):
    """A platform-independent engine start-up figure, decomposed by phase where the source does."""

    what: ColdStartWhat
    seconds: float | None = _opt(ge=0, le=MAX_SECONDS)
    model: str | None = None
    model_size_gb: float | None = _opt(gt=0, le=MAX_SPEC)
    gpu: str | None = None
    measured_by: Literal["platform_docs", "platform_blog", "third_party"]
    components_s: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        if any(not 0 <= v <= MAX_SECONDS for v in self.components_s.values()):
            raise ValueError(f"components_s values must be between 0 and {MAX_SECONDS:g} seconds")
        if self.components_s and self.seconds is not None and abs(sum(self.components_s.values()) - self.seconds) > 0.5:
            raise ValueError("seconds must be the sum of components_s")


@dataclass(frozen=True, kw_only=True)
class SpotFact(Identified):
    """A fact about spot/preemptible capacity: a notice period, interruption rate, saving or availability."""

    provider: str
    fact: Literal["notice_period", "interruption_rate", "replacement_time", "cost_saving", "availability"]
    notice_s: float | None = _opt(ge=0, le=MAX_SECONDS)
    value: float | None = _opt(ge=0, le=MAX_SPEC)
    value_low: float | None = _opt(ge=0, le=MAX_SPEC)
    value_high: float | None = _opt(ge=0, le=MAX_SPEC)
    unit: str | None = None
    gpu: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.value_low is not None and self.value_high is not None and self.value_low > self.value_high:
            raise ValueError("value_low is above value_high")


class InvalidRecord(ValueError):
    """A record failed validation: every problem, each one line ('field: what is wrong')."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__(messages[0] + (f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""))
        self.messages = messages


_ADAPTERS: dict[type[Any], Any] = {}  # record type -> its pydantic TypeAdapter, built on first use


def validate_record(cls: type[T], raw: Any) -> T:
    """A record of type `cls` from a mapping, or InvalidRecord listing everything that is wrong."""
    from pydantic import TypeAdapter, ValidationError  # only when a data file is (re)validated

    problems: dict[str, str] = {}  # field -> what is wrong with its range/distribution syntax
    if isinstance(raw, dict) and issubclass(cls, Identified):
        raw, problems = _split_spread(cls, raw)
    adapter = _ADAPTERS.get(cls) or _ADAPTERS.setdefault(cls, TypeAdapter(cls))
    try:
        record: T = adapter.validate_python(raw)
    except ValidationError as exc:
        errors = [e for e in exc.errors() if not e["loc"] or e["loc"][0] not in problems]
        raise InvalidRecord([*problems.values(), *_messages(errors)]) from None
    if problems:
        raise InvalidRecord(list(problems.values()))
    return record


def _split_spread(cls: type[Identified], raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Range/distribution syntax in an UNCERTAIN field -> its central value, and the distribution
    into `spread` (its lowest draw must meet the field's own bound); and what is wrong, by field."""
    out: dict[str, Any] = dict(raw)
    spread: dict[str, Dist] = {}
    problems: dict[str, str] = {}
    if "spread" in raw:
        problems["spread"] = "spread: derived, not written: give the field itself as a range, e.g. '2.1..2.6'"
    bounds = {f.name: f.metadata for f in fields(cls)}
    for name in cls.UNCERTAIN:
        value = raw.get(name)
        if not isinstance(value, dict | str):
            continue
        try:
            parsed = parse_uncertain(value)
        except UsageError as exc:
            problems[name] = f"{name}: {exc}"
            continue
        if isinstance(parsed, int | float):
            out[name] = parsed
            continue
        lowest, bound = parsed.lowest(), bounds[name]
        if ("gt" in bound and lowest <= bound["gt"]) or ("ge" in bound and lowest < bound["ge"]):
            need = f"> {bound['gt']:g}" if "gt" in bound else f">= {bound['ge']:g}"
            problems[name] = f"{name}: its {parsed.dist} distribution can draw {lowest:g}; values must be {need}"
            continue
        if "le" in bound and any(getattr(parsed, f) > bound["le"] for f in parsed._SCALE):
            problems[name] = f"{name}: its {parsed.dist} distribution's parameters must be <= {bound['le']:g}"
            continue
        if getattr(parsed, "sigma", 0.0) > 10:
            problems[name] = f"{name}: a log-normal sigma above 10 draws overflowing values"
            continue
        out[name], spread[name] = parsed.central(), parsed
    out["spread"] = spread
    return out, problems


def _messages(errors: Iterable[Mapping[str, Any]]) -> list[str]:
    out = []
    for err in errors:
        loc = ".".join(str(p) for p in err["loc"])
        kind = err["type"]
        if kind == "missing":
            out.append(f"missing required field '{loc}'")
            continue
        if kind == "unexpected_keyword_argument":  # an unknown field (the record forbids extras)
            out.append(f"{loc}: unknown field (not allowed here)")
            continue
        msg = err["msg"].removeprefix("Value error, ")
        if kind == "value_error":  # a __post_init__ check: its message names the field
            out.append(f"{loc}: {msg}" if loc else msg)
            continue
        got = repr(err.get("input"))
        got = got if len(got) <= 60 else got[:57] + "..."
        out.append(f"{loc or '(entry)'}: {msg} (got {got})")
    return out


# file -> section -> entry model (the shape of each data file)
_SECTIONS: dict[str, dict[str, type[Identified]]] = {
    "pricing.yaml": {"api": ApiModel, "gpu_rental": GpuOffer},
    "hardware.yaml": {"gpus": Gpu},
    "models.yaml": {"models": OpenModel},
    "costs.yaml": {"hidden_costs": HiddenCost, "fleet_costs": FleetCost},
    "engines.yaml": {
        "engines": Engine,
        "engine_memory": EngineMemory,
        "engine_overhead": EngineOverhead,
        "moe_kernel": MoeKernel,
    },
    "quantization.yaml": {"quantizations": QuantQuality},
    "ownership.yaml": {"owned_gpus": OwnedGpu},
    "reasoning.yaml": {"reasoning": ReasoningFigure},
    "platforms.yaml": {"platforms": Platform, "spot": SpotFact, "cold_start_components": ColdStartComponents},
}
_SINGLETONS: dict[str, dict[str, type[_Strict]]] = {
    "costs.yaml": {"engineering": Engineering, "bytes_per_token": BytesPerToken},
    "ownership.yaml": {"facility": Facility},
    "reasoning.yaml": {"price_reversal": PriceReversal},
}


# ---------------------------------------------------------------- plain values (the catalog cache)


def to_plain(record: Any) -> Any:
    """A validated record as JSON-ready values (the inverse of `from_plain`)."""
    if is_dataclass(record) and not isinstance(record, type):
        return {f.name: to_plain(getattr(record, f.name)) for f in fields(record)}
    if isinstance(record, Mapping):
        return {k: to_plain(v) for k, v in record.items()}
    if isinstance(record, list | tuple):
        return [to_plain(v) for v in record]
    return record


@cache
def _nested(cls: type[Any]) -> dict[str, Any]:
    """field -> the record class it holds (or 'spread' for a map of distributions), for `from_plain`."""
    out: dict[str, Any] = {}
    for f in fields(cls):
        if f.name == "spread":
            out[f.name] = "spread"
            continue
        # annotations are strings (PEP 563): read the record class names from them, cheaper than
        # evaluating every annotation with get_type_hints on each start
        names = [n for n in re.findall(r"[A-Za-z_]\w*", str(f.type)) if n in _RECORDS]
        if names and str(f.type).startswith("tuple[") and str(f.type).endswith(", ...]"):
            out[f.name] = ("many", _RECORDS[names[0]])  # a tuple of records, e.g. a platform's prices
            continue
        if names and ("list[" in str(f.type) or "dict[" in str(f.type) or "tuple[" in str(f.type)):
            raise TypeError(
                f"{cls.__name__}.{f.name}: containers of records other than tuple[X, ...] are not supported"
            )
        if names:
            out[f.name] = _RECORDS[names[0]]
    return out


def _records() -> dict[str, type[Any]]:
    return {name: obj for name, obj in globals().items() if isinstance(obj, type) and is_dataclass(obj)}


def from_plain(cls: type[T], plain: Mapping[str, Any]) -> T:
    """A record from values `to_plain` produced from a validated record: no validation again, and
    nothing in the values can run code (they are JSON: strings, numbers, lists, mappings)."""
    kwargs = dict(plain)
    for name, kind in _nested(cls).items():  # type: ignore[arg-type]
        value = kwargs.get(name)
        if value is None:
            continue
        if kind == "spread":
            kwargs[name] = {k: DISTS[v["dist"]](**v) for k, v in value.items()}
        elif isinstance(kind, tuple):
            kwargs[name] = tuple(from_plain(kind[1], v) for v in value)
        else:
            kwargs[name] = from_plain(kind, value)
    return cls(**kwargs)


_RECORDS = _records()  # record class name -> class, for `_nested`
