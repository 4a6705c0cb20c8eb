"""Every input a command takes, in one validated model: defaults live here and nowhere else.

A scenario comes from keyword arguments (Python), a YAML file (`--scenario`), CLI flags, or all
three: flags override the file, which overrides these defaults. `llmcost schema` prints its JSON
Schema so editors can complete scenario files.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from llmcost.catalog import Catalog, Gpu, PricingModel, load_catalog
from llmcost.errors import UnknownIdError, UsageError
from llmcost.memory import DEFAULT_GPU_MEMORY_UTILIZATION, TP_SIZES
from llmcost.pairing import QUALITY_TOLERANCE_ELO
from llmcost.quantization import QUANTIZATIONS, Quantization, get_quantization
from llmcost.selfhost import SelfHostAssumptions
from llmcost.uncertainty import LogNormal, Uncertain, central, check_draws, parse_uncertain
from llmcost.workload import DEFAULT_DAYS_PER_MONTH, Workload

# Spread of the throughput model's error on the 72 published measurements: the standard deviation of
# log(predicted / published) (benchmarks/throughput_accuracy.py; a test keeps the two in step).
THROUGHPUT_LOG_SD = 0.167


class Scenario(BaseModel):
    """Inputs of compare, breakeven, hybrid and tco. Units are in the names."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    # workload
    qpd: Uncertain | None = Field(default=None, description="Queries per day (a number, low..high or a distribution).")
    input_tokens: Uncertain = Field(default=2000, description="Mean input tokens per query, > 0.")
    output_tokens: Uncertain = Field(default=500, description="Mean output tokens per query, > 0.")
    cached_input_share: float = Field(
        default=0.0, ge=0, le=1, description="Share of input tokens from the prompt cache."
    )
    days_per_month: float = Field(default=DEFAULT_DAYS_PER_MONTH, gt=0, le=31)
    usage_log: str | None = Field(
        default=None, description="CSV/JSONL usage log: sets qpd, token means, peak factor and profile unless given."
    )
    # what to compare
    apis: list[str] | None = Field(default=None, description="API model ids (default: all).")
    models: list[str] | None = Field(default=None, description="Open-weight model ids (default: all).")
    gpus: list[str] | None = Field(default=None, description="GPU ids (default: all).")
    quants: list[str] | None = Field(default=None, description="Quantizations (default: all).")
    commercial_only: bool = False
    show_all: bool = False
    # self-hosting assumptions
    pricing: PricingModel = "on_demand"
    ownership: Literal["rent", "buy"] = Field(default="rent", description="Rent GPUs, or buy them (ownership.yaml).")
    pue: float = Field(default=1.0, ge=1, le=3, description="Facility PUE for owned GPUs (not sourced; 1 = IT load).")
    utilization: Uncertain = Field(default=0.70, description="Target utilization at peak, (0-1].")
    peak_factor: Uncertain = Field(default=1.0, description="Peak-to-average request rate, >= 1.")
    engine: str = "vllm"
    max_ttft_ms: float | None = Field(default=None, gt=0)
    max_tpot_ms: float | None = Field(default=None, gt=0)
    autoscale: bool = Field(default=False, description="Replicas follow an hourly load profile (compare).")
    profile: str | list[float] = Field(default="business-day", description="flat, business-day or 24 weights.")
    min_replicas: int = Field(default=1, ge=1, description="Replicas kept running when autoscaling.")
    hidden_costs: bool = True
    hidden_cost_overrides: dict[str, Uncertain] = Field(default_factory=dict, description="USD/month per line id.")
    batch_api: bool = False
    # hybrid routing
    share: float | None = Field(default=None, ge=0, le=1, description="Share of queries self-hosted (hybrid).")
    # total cost over time
    months: int = Field(default=12, gt=0, le=120, description="Months of total cost of ownership.")
    growth: float = Field(default=0.0, gt=-1, le=10, description="Volume growth per month (0.05 = +5%).")
    setup_weeks: float | None = Field(default=None, ge=0, description="One-time engineering weeks [data].")
    engineer_usd_per_day: float | None = Field(default=None, ge=0, description="Loaded engineer day rate [data].")
    updates_per_year: float = Field(
        default=12, ge=0, description="Model updates a year (the seed: open-weight releases come monthly)."
    )
    days_per_update: float | None = Field(default=None, ge=0, description="Engineer-days per update [data].")
    # break-even
    max_qpd: float = Field(default=10_000_000, gt=0, description="Highest volume the break-even search covers.")
    # uncertainty
    monte_carlo: int | None = Field(default=None, description="Monte Carlo draws (P10/P50/P90 and probabilities).")
    seed: int | None = Field(default=None, description="Random seed for reproducible Monte Carlo draws.")
    throughput_factor: Uncertain = Field(
        default_factory=lambda: LogNormal(dist="lognormal", median=1.0, sigma=THROUGHPUT_LOG_SD),
        description="Achieved / modelled throughput (spread of the model's error on published measurements).",
    )
    gpu_price_factor: Uncertain | None = Field(
        default=None, description="GPU price over the cheapest offer (default: 1 .. median/cheapest offer)."
    )
    # data
    data_dirs: list[str] = Field(default_factory=list, description="Directories of YAML merged over the shipped data.")

    @field_validator(
        "qpd",
        "input_tokens",
        "output_tokens",
        "utilization",
        "peak_factor",
        "throughput_factor",
        "gpu_price_factor",
        mode="before",
    )
    @classmethod
    def _shorthand(cls, v: object) -> object:
        return parse_uncertain(v)

    @field_validator("hidden_cost_overrides", mode="before")
    @classmethod
    def _shorthand_lines(cls, v: object) -> object:
        return {k: parse_uncertain(x) for k, x in v.items()} if isinstance(v, dict) else v

    @model_validator(mode="after")
    def _bounds(self) -> Scenario:
        checks = [
            ("qpd", self.qpd, 0, None, False),
            ("input_tokens", self.input_tokens, 0, None, False),
            ("output_tokens", self.output_tokens, 0, None, False),
            ("utilization", self.utilization, 0, 1, False),
            ("peak_factor", self.peak_factor, 1, None, True),
            ("throughput_factor", self.throughput_factor, 0, None, False),
        ]
        for name, value, low, high, inclusive in checks:
            if value is None:
                continue
            x = central(value)
            if (x < low if inclusive else x <= low) or (high is not None and x > high):
                bound = (">= " if inclusive else "> ") + str(low) + (f" and <= {high}" if high is not None else "")
                raise ValueError(f"{name} must be {bound}, got {x:g}")
        for key, value in self.hidden_cost_overrides.items():
            if central(value) < 0:
                raise ValueError(f"hidden cost '{key}' must be >= 0")
        if self.monte_carlo is not None:
            check_draws(self.monte_carlo)
        return self

    @field_validator("apis", "models", "gpus", "quants", mode="before")
    @classmethod
    def _listify(cls, v: object) -> object:
        return [v] if isinstance(v, str) else v


def _describe(value: Uncertain) -> Any:
    return value if isinstance(value, int | float) else value.model_dump()


_UNION_TAGS = {"float", "int", "uniform", "triangular", "normal", "lognormal"}


def make_scenario(base: Scenario | Mapping[str, Any] | None = None, **options: Any) -> Scenario:
    """A Scenario from a base (model or mapping) with options layered on top; errors are one line."""
    values: dict[str, Any] = {}
    if isinstance(base, Scenario):
        values.update(base.model_dump(exclude_unset=True))
    elif base is not None:
        values.update(base)
    values.update({k: v for k, v in options.items() if v is not None})
    try:
        scenario = Scenario.model_validate(values)
    except ValidationError as exc:
        err = exc.errors()[0]
        # drop union-member tags from the location ('qpd.float' -> 'qpd')
        parts = [str(p) for p in err["loc"] if str(p) not in _UNION_TAGS and "[" not in str(p)]
        field = ".".join(parts)
        if err["type"] == "extra_forbidden":
            valid = ", ".join(Scenario.model_fields)
            raise UsageError(f"unknown setting '{field}'; valid settings: {valid}") from None
        msg = err["msg"].removeprefix("Value error, ")
        if not field:  # a whole-scenario check: the message names the setting
            raise UsageError(msg) from None
        got = f", got {err['input']!r}" if "input" in err and not isinstance(err["input"], dict) else ""
        raise UsageError(f"{field}: {msg}{got}") from None
    return _with_usage_log(scenario) if scenario.usage_log else scenario


def _with_usage_log(scenario: Scenario) -> Scenario:
    """Fill what the user did not set from the usage log: volume, token means, peak and profile."""
    from llmcost.usage import summarize_file

    u = summarize_file(scenario.usage_log or "")
    derived = {
        "qpd": u.queries_per_day,
        "input_tokens": max(u.input_tokens["mean"], 1.0),
        "output_tokens": max(u.output_tokens["mean"], 1.0),
        "peak_factor": max(u.peak_to_average, 1.0),
        "profile": u.hourly_profile,
    }
    given = scenario.model_fields_set
    return scenario.model_copy(update={k: v for k, v in derived.items() if k not in given})


@dataclass(frozen=True)
class Setup:
    """A scenario resolved against the catalog: everything the model functions need."""

    scenario: Scenario
    catalog: Catalog
    workload: Workload
    assumptions: SelfHostAssumptions
    hidden_usd_per_month: dict[str, float]

    def api_ids(self) -> list[str]:
        return _pick(self.scenario.apis, self.catalog.apis, "API model")

    def model_ids(self) -> list[str]:
        ids = _pick(self.scenario.models, self.catalog.models, "model")
        if self.scenario.commercial_only:
            ids = [m for m in ids if self.catalog.model(m).licence.commercial_use]
        return ids

    def gpu_list(self) -> list[Gpu]:
        return [self.catalog.gpu(g) for g in _pick(self.scenario.gpus, self.catalog.gpus, "GPU")]

    def token_mix(self) -> dict[str, float]:
        w = self.workload
        return {
            "input_tokens": w.input_tokens,
            "output_tokens": w.output_tokens,
            "cached_input_share": w.cached_input_share,
            "days_per_month": w.days_per_month,
        }

    def assumptions_dict(self) -> dict[str, Any]:
        """Every default the numbers depend on, for the output's assumptions section."""
        a, cat = self.assumptions, self.catalog
        e = cat.engine(a.engine)
        large = (
            f", {e.max_batch_size_large_gpu} on GPUs >= {e.large_gpu_min_gib:g} GiB"
            if e.max_batch_size_large_gpu
            else ""
        )
        return {
            "utilization_target": a.utilization_target,
            "peak_factor": a.peak_factor,
            "pricing": a.pricing if a.ownership == "rent" else "owned (bought)",
            "pue": a.pue if a.ownership == "buy" else None,
            "batch_api": self.scenario.batch_api,
            "efficiency": a.efficiency.to_dict(),
            "engine": {
                "id": e.id,
                "max_batch": f"{e.max_batch_size}{large}",
                "gpu_memory_utilization": e.gpu_memory_utilization or DEFAULT_GPU_MEMORY_UTILIZATION,
                "relative_throughput": e.relative_throughput,
            },
            "autoscale": {"profile": self.scenario.profile, "min_replicas": self.scenario.min_replicas}
            if self.scenario.autoscale
            else None,
            "monte_carlo": {
                "draws": self.scenario.monte_carlo,
                "seed": self.scenario.seed,
                "throughput_factor": _describe(self.scenario.throughput_factor),
                "qpd": _describe(self.scenario.qpd) if self.scenario.qpd is not None else None,
                "input_tokens": _describe(self.scenario.input_tokens),
                "output_tokens": _describe(self.scenario.output_tokens),
                "utilization": _describe(self.scenario.utilization),
                "peak_factor": _describe(self.scenario.peak_factor),
                "also drawn": "each hidden-cost line over its range; each GPU's price from the cheapest to the "
                "median offer",
            }
            if self.scenario.monte_carlo
            else None,
            "max_ttft_ms": a.max_ttft_ms,
            "max_tpot_ms": a.max_tpot_ms,
            "kv_cache_precision": "8-bit for fp8/int8 weights, else 16-bit",
            "tensor_parallel_sizes": list(TP_SIZES),
            "quality_tolerance_elo": QUALITY_TOLERANCE_ELO,
            "hidden_costs_usd_per_month": dict(self.hidden_usd_per_month),
            "hidden_cost_ranges_usd_per_month": {
                k: [line.usd_per_month_low, line.usd_per_month_high] for k, line in cat.hidden_costs.items()
            },
            "notes": [
                "API prompt-cache writes are not charged (cached prefixes assumed warm)",
                "self-hosted capacity is fixed (sized for the peak) and rented 24 h a day",
                "hidden costs are flat per deployment: the midpoint of the seed article's ranges",
            ],
        }

    def quant_list(self) -> list[Quantization]:
        names = self.scenario.quants or list(QUANTIZATIONS)
        out: list[Quantization] = []
        for name in names:
            q = get_quantization(name)
            if q not in out:
                out.append(q)
        return out


def _pick(ids: Iterable[str] | None, table: Mapping[str, Any], kind: str) -> list[str]:
    if not ids:
        return list(table)
    picked: list[str] = []
    for raw in ids:
        key = raw.strip().lower()
        if key not in table:
            raise UnknownIdError(kind, raw, table)
        if key not in picked:
            picked.append(key)
    return picked


def resolve_hidden_costs(catalog: Catalog, scenario: Scenario) -> dict[str, float]:
    """Monthly USD per hidden-cost line: the midpoint of its sourced range unless overridden."""
    lines = catalog.hidden_costs
    for key in scenario.hidden_cost_overrides:
        if key not in lines:
            raise UnknownIdError("hidden-cost line", key, lines)
    if not scenario.hidden_costs:
        return {key: 0.0 for key in lines}
    overrides = scenario.hidden_cost_overrides
    return {key: central(overrides[key]) if key in overrides else line.usd_per_month_mid for key, line in lines.items()}


def setup(scenario: Scenario, catalog: Catalog | None = None, qpd_required: bool = True) -> Setup:
    """Resolve a scenario: load the catalog, check ids, build the workload and assumptions."""
    if qpd_required and scenario.qpd is None:
        raise UsageError("qpd is required (queries per day), e.g. --qpd 50000")
    cat = catalog or load_catalog(scenario.data_dirs)
    genai = [a.strip() for a in scenario.apis or [] if a.strip().lower().startswith("genai:")]
    if genai:  # API models priced by the optional genai-prices package
        from datetime import date

        from llmcost.datatools import genai_api_model

        extra = {m.id: m for m in (genai_api_model(a.split(":", 1)[1], date.today()) for a in genai)}
        cat = dataclasses.replace(cat, apis={**cat.apis, **extra})
        scenario = scenario.model_copy(
            update={"apis": [f"genai/{a.split(':', 1)[1]}".lower() if a in genai else a for a in scenario.apis or []]}
        )
    s = scenario
    qpd = central(s.qpd) if s.qpd is not None else 1.0
    workload = Workload(qpd, central(s.input_tokens), central(s.output_tokens), s.cached_input_share, s.days_per_month)
    assumptions = SelfHostAssumptions(
        utilization_target=central(s.utilization),
        peak_factor=central(s.peak_factor),
        pricing=s.pricing,
        ownership=s.ownership,
        pue=s.pue,
        engine=cat.engine(s.engine).id,
        max_ttft_ms=s.max_ttft_ms,
        max_tpot_ms=s.max_tpot_ms,
    )
    return Setup(s, cat, workload, assumptions, resolve_hidden_costs(cat, s))
