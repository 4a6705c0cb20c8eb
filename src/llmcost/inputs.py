"""Inputs: a scenario validated once and resolved into the plain values the model takes.

A scenario comes from keyword arguments (Python), a YAML file (`--scenario`), CLI flags, or all
three: flags override the file, which overrides the defaults (llmcost.defaults). Each command
declares the settings it uses (`COMMAND_SETTINGS`); any other setting given to it is refused.
`resolve()` turns a scenario into `Inputs`: workload, self-hosting assumptions, the selected
records and price tables, hidden costs and what Monte Carlo draws. Model code sees only those.
`llmcost schema` prints the scenario's JSON Schema so editors can complete scenario files.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import operator
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from llmcost import defaults
from llmcost.catalog import Catalog, load_catalog, require_catalog
from llmcost.defaults import Efficiency
from llmcost.demand import CACHE_TTLS, SERVICE_TIERS, Billing, Workload
from llmcost.errors import UnknownIdError, UsageError
from llmcost.hidden import MODES as HIDDEN_MODES
from llmcost.hidden import HiddenPart, hidden_parts
from llmcost.quantization import QUANTIZATIONS, Quantization, get_quantization
from llmcost.reasoning import EFFORT_RANK, Reasoning, choose
from llmcost.records import (
    ApiModel,
    Engine,
    EngineMemory,
    EngineOverhead,
    Facility,
    Gpu,
    GpuOffer,
    MoeKernel,
    OpenModel,
    OwnedGpu,
    PricingModel,
)
from llmcost.text import shown
from llmcost.uncertainty import (
    DISTS,
    Dist,
    LogNormal,
    Uncertain,
    Uniform,
    central,
    parse_uncertain,
)


def _about(description: str, kind: str, **bounds: float) -> dict[str, Any]:
    """A setting's field metadata: its description, its checker (a key of _KINDS; a trailing '?'
    allows None) and its gt/ge/le bounds. The one place each setting is described."""
    return {"description": description, "kind": kind, **bounds}


@dataclass(frozen=True)
class Scenario:
    """Inputs of compare, breakeven, hybrid, tco and sensitivity. Units are in the names."""

    # workload
    qpd: Uncertain | None = field(
        default=None, metadata=_about("Queries per day (a number, low..high or a distribution).", "uncertain?")
    )
    input_tokens: Uncertain = field(
        default=defaults.INPUT_TOKENS, metadata=_about("Mean input tokens per query, > 0.", "uncertain")
    )
    output_tokens: Uncertain = field(
        default=defaults.OUTPUT_TOKENS, metadata=_about("Mean output tokens per query, > 0.", "uncertain")
    )
    cached_input_share: float = field(
        default=defaults.CACHED_INPUT_SHARE,
        metadata=_about("Share of input tokens from the prompt cache.", "number", ge=0, le=1),
    )
    days_per_month: float = field(
        default=defaults.DAYS_PER_MONTH, metadata=_about("Days in a billing month.", "number", gt=0, le=31)
    )
    shared_prefix_tokens: float = field(
        default=0.0,
        metadata=_about(
            "Prompt prefix every request shares (system prompt, tools), cached while traffic keeps it warm; "
            "instead of cached_input_share.",
            "number",
            ge=0,
            le=defaults.MAX_TOKENS_PER_QUERY,
        ),
    )
    prompt_mix: list[list[float]] | None = field(
        default=None,
        metadata=_about(
            "Prompt sizes as [share of requests, tokens] pairs; tiers and cache minimums apply per request.", "mix?"
        ),
    )
    reasoning_effort: str | dict[str, str] | None = field(
        default=None,
        metadata=_about(
            "Reasoning effort costed: one name for every option that has it, or option id -> effort "
            "(default: each provider's documented default).",
            "effort?",
        ),
    )
    reasoning_tokens: dict[str, Uncertain] = field(
        default_factory=dict,
        metadata=_about("Hidden reasoning tokens per query, option id -> number or distribution.", "tokens map"),
    )
    usage_log: str | None = field(
        default=None,
        metadata=_about("CSV/JSONL usage log: sets qpd, token means, peak factor and profile unless given.", "str?"),
    )
    # what to compare
    apis: list[str] | None = field(default=None, metadata=_about("API model ids (default: all).", "ids?"))
    models: list[str] | None = field(default=None, metadata=_about("Open-weight model ids (default: all).", "ids?"))
    gpus: list[str] | None = field(default=None, metadata=_about("GPU ids (default: all).", "ids?"))
    quants: list[str] | None = field(default=None, metadata=_about("Quantizations (default: all).", "ids?"))
    commercial_only: bool = field(
        default=False, metadata=_about("Only models whose licence allows commercial use.", "bool")
    )
    show_all: bool = field(default=False, metadata=_about("Show every configuration, not only the best ones.", "bool"))
    # self-hosting assumptions
    pricing: PricingModel = field(default=defaults.PRICING, metadata=_about("GPU rental pricing model.", "pricing"))
    ownership: Literal["rent", "buy"] = field(
        default=defaults.OWNERSHIP, metadata=_about("Rent GPUs, or buy them (ownership.yaml).", "ownership")
    )
    pue: float = field(
        default=defaults.PUE,
        metadata=_about("Facility PUE for owned GPUs (not sourced; 1 = IT load).", "number", ge=1, le=3),
    )
    utilization: Uncertain = field(
        default=defaults.UTILIZATION_TARGET, metadata=_about("Target utilization at peak, (0-1].", "uncertain")
    )
    peak_factor: Uncertain = field(
        default=defaults.PEAK_FACTOR, metadata=_about("Peak-to-average request rate, >= 1.", "uncertain")
    )
    engine: str = field(default=defaults.ENGINE, metadata=_about("Serving engine id (engines.yaml).", "str"))
    max_ttft_ms: float | None = field(
        default=None, metadata=_about("Latency limit: time to first token, ms.", "number?", gt=0, le=1e9)
    )
    max_tpot_ms: float | None = field(
        default=None, metadata=_about("Latency limit: time per output token, ms.", "number?", gt=0, le=1e9)
    )
    p99_ttft_ms: float | None = field(
        default=None,
        metadata=_about(
            "Size replicas so P99 time to first token at each replica's load stays under this, ms "
            "(queueing model; replaces the utilization target).",
            "number?",
            gt=0,
            le=1e9,
        ),
    )
    p99_tpot_ms: float | None = field(
        default=None,
        metadata=_about(
            "Size replicas so P99 time per output token at each replica's load stays under this, ms "
            "(queueing model; replaces the utilization target).",
            "number?",
            gt=0,
            le=1e9,
        ),
    )
    autoscale: bool = field(default=False, metadata=_about("Replicas follow an hourly load profile.", "bool"))
    profile: str | list[float] = field(
        default=defaults.PROFILE, metadata=_about("flat, business-day or 24 weights.", "profile")
    )
    min_replicas: int = field(
        default=defaults.MIN_REPLICAS, metadata=_about("Replicas kept running when autoscaling.", "int", ge=1, le=1e6)
    )
    hidden_costs: str = field(
        default=defaults.HIDDEN_COSTS,
        metadata=_about(
            "Hidden costs of self-hosting: scaled (each line grows with what drives it: hosts, GPUs, GB, "
            "traffic), flat (the seed's lines per deployment) or off (true = scaled, false = off); a mapping "
            "of line -> USD/month overrides those lines.",
            "hidden",
        ),
    )
    hidden_cost_overrides: dict[str, Uncertain] = field(
        default_factory=dict, metadata=_about("USD/month per line id.", "uncertain map")
    )
    nvidia_ai_enterprise: bool = field(
        default=False,
        metadata=_about("Add NVIDIA AI Enterprise licences per GPU (NIM deployments need them).", "bool"),
    )
    hosts_per_devops_step: int | None = field(
        default=None,
        metadata=_about(
            "DevOps time steps up by one seed range every this many hosts (default: one flat line; no "
            "published staffing ratio was found).",
            "int?",
            gt=0,
            le=1e6,
        ),
    )
    batch_api: bool = field(default=False, metadata=_about("Price API calls at the batch-API rate.", "bool"))
    service_tier: str = field(
        default=defaults.SERVICE_TIER, metadata=_about("API service tier: standard, flex or priority.", "service_tier")
    )
    cache_ttl: str = field(
        default=defaults.CACHE_TTL, metadata=_about("Prompt-cache lifetime of API cache writes: 5m or 1h.", "cache_ttl")
    )
    parallelism: str = field(
        default=defaults.PARALLELISM,
        metadata=_about(
            "How a MoE replica splits over its GPUs: tp (every matrix sliced), ep (experts whole, E/N per GPU, "
            "attention tensor-parallel), dp-attention (attention and its KV per GPU, experts E/N) or auto (the "
            "most throughput at each GPU count); ep and dp-attention are refused for dense models.",
            "parallelism",
        ),
    )
    prefix_caching: bool = field(
        default=defaults.PREFIX_CACHING,
        metadata=_about(
            "Self-hosted engines reuse cached prefixes (vLLM's default): cached input skips prefill.", "bool"
        ),
    )
    # hybrid routing
    share: float | None = field(
        default=None, metadata=_about("Share of queries self-hosted (hybrid).", "number?", ge=0, le=1)
    )
    # total cost over time
    months: int = field(
        default=defaults.MONTHS, metadata=_about("Months of total cost of ownership.", "int", gt=0, le=120)
    )
    growth: float = field(
        default=defaults.GROWTH_PER_MONTH,
        metadata=_about("Volume growth per month (0.05 = +5%).", "number", gt=-1, le=10),
    )
    setup_weeks: float | None = field(
        default=None, metadata=_about("One-time engineering weeks [data].", "number?", ge=0, le=1e4)
    )
    engineer_usd_per_day: float | None = field(
        default=None, metadata=_about("Loaded engineer day rate [data].", "number?", ge=0, le=defaults.MAX_USD)
    )
    updates_per_year: float = field(
        default=defaults.UPDATES_PER_YEAR,
        metadata=_about("Model updates a year (the seed: open-weight releases come monthly).", "number", ge=0, le=365),
    )
    days_per_update: float | None = field(
        default=None, metadata=_about("Engineer-days per update [data].", "number?", ge=0, le=365)
    )
    # break-even
    max_qpd: float = field(
        default=defaults.MAX_QPD,
        metadata=_about(
            "Highest volume the break-even search covers.", "number", gt=0, le=defaults.MAX_QUERIES_PER_DAY
        ),
    )
    # serving platforms (the platforms command)
    platforms: list[str] | None = field(
        default=None,
        metadata=_about(
            "Serving platforms priced (platforms.yaml): all (default: every one with a list price for the GPU), "
            "none, or ids.",
            "ids?",
        ),
    )
    spot_preemption: Uncertain | None = field(
        default=None,
        metadata=_about(
            "Spot interruptions per replica per month, in [0, 1] (default: 0.10, the midpoint of the AWS Spot "
            "Advisor's 0-20% buckets; Monte Carlo draws over them).",
            "uncertain?",
        ),
    )
    cold_start_basis: str = field(
        default=defaults.COLD_START_BASIS,
        metadata=_about("cold_start_components id the cold-start rates are derived from.", "str"),
    )
    image_pull_s: float = field(
        default=defaults.IMAGE_PULL_S,
        metadata=_about("Container image pull per cold start, seconds (not sourced: 0).", "number", ge=0, le=1e5),
    )
    # uncertainty
    monte_carlo: int | None = field(
        default=None,
        metadata=_about("Monte Carlo draws (P10/P50/P90 and probabilities).", "int?", gt=0, le=defaults.MAX_DRAWS),
    )
    seed: int | None = field(
        default=None, metadata=_about("Random seed for reproducible Monte Carlo draws.", "int?", ge=0, le=2**63 - 1)
    )
    throughput_factor: Uncertain = field(
        default_factory=lambda: LogNormal(median=defaults.THROUGHPUT_FACTOR, sigma=defaults.THROUGHPUT_LOG_SD),
        metadata=_about(
            "Achieved / modelled throughput (spread of the model's error on published measurements).", "uncertain"
        ),
    )
    gpu_price_factor: Uncertain | None = field(
        default=None,
        metadata=_about(
            "GPU price over the cheapest offer (default: 1 .. median/cheapest offer, times that offer's own range; "
            "bought GPUs: their purchase and facility figures' ranges).",
            "uncertain?",
        ),
    )
    date: str | None = field(
        default=None,
        metadata=_about(
            "Date the comparison is for, YYYY-MM-DD: APIs retired by then are flagged and left out of the "
            "defaults (default: today).",
            "date?",
        ),
    )
    # data
    data_dirs: list[str] = field(
        default_factory=list, metadata=_about("Directories of YAML merged over the shipped data.", "strs")
    )
    # the settings given explicitly (not defaulted): a usage log fills only the others
    _fields_set: frozenset[str] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        values = {f.name: getattr(self, f.name) for f in SETTINGS}
        for name, value in _validate(values).items():
            object.__setattr__(self, name, value)
        if self._fields_set is None:  # built directly: what differs from the defaults counts as given
            given = frozenset(f.name for f in SETTINGS if getattr(self, f.name) != _default(f))
            object.__setattr__(self, "_fields_set", given)

    @property
    def fields_set(self) -> frozenset[str]:
        """The settings given explicitly rather than left at their defaults."""
        return self._fields_set or frozenset()

    def replace(self, **update: Any) -> Scenario:
        """A copy with `update` applied (validated), the updated settings counting as given."""
        return dataclasses.replace(self, _fields_set=self.fields_set | set(update), **update)


SETTINGS = tuple(f for f in dataclasses.fields(Scenario) if not f.name.startswith("_"))
_NAMES = frozenset(f.name for f in SETTINGS)
_CHOICES: dict[str, tuple[str, ...]] = {
    "pricing": get_args(PricingModel),
    "ownership": ("rent", "buy"),
    "service_tier": SERVICE_TIERS,
    "cache_ttl": CACHE_TTLS,
    "parallelism": ("auto", *defaults.PARALLELISMS),
}


PROFILES: dict[str, list[float]] = {
    "flat": [1.0] * 24,
    "business-day": [0.0] * 9 + [1.0] * 9 + [0.0] * 6,
}


def _default(f: dataclasses.Field[Any]) -> Any:
    return f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default


class _Invalid(Exception):
    """One bad value: where (a setting, or setting.key / setting.index), what is wrong, and the value."""

    def __init__(self, where: str, msg: str, value: Any) -> None:
        super().__init__(msg)
        self.where, self.msg, self.value = where, msg, value


def _number(where: str, v: Any) -> float:
    """A finite float; numeric strings (YAML and CLI text) and numpy numbers are accepted, bools are not."""
    if isinstance(v, str):
        try:
            x = float(v)
        except ValueError:
            raise _Invalid(where, "Input should be a valid number, unable to parse string as a number", v) from None
    elif isinstance(v, numbers.Real) and not isinstance(v, (bool, *np_bool_types())):
        try:
            x = float(v)
        except OverflowError:
            raise _Invalid(where, "Input should be a finite number (this one is too large)", v) from None
    else:
        raise _Invalid(where, "Input should be a valid number", v)
    if not math.isfinite(x):
        raise _Invalid(where, "Input should be a finite number", v)
    return x


def _integer(where: str, v: Any) -> int:
    if isinstance(v, str):
        try:
            v = int(v)
        except ValueError:
            raise _Invalid(where, "Input should be a valid integer, unable to parse string as an integer", v) from None
    if isinstance(v, (bool, *np_bool_types())) or not isinstance(v, numbers.Real):
        raise _Invalid(where, "Input should be a valid integer", v)
    if isinstance(v, numbers.Integral):
        return operator.index(v)  # exact, however many digits: the bounds check follows
    x = float(v)
    if not math.isfinite(x):
        raise _Invalid(where, "Input should be a finite number", v)
    if x != int(x):
        raise _Invalid(where, "Input should be a valid integer, got a number with a fractional part", v)
    return int(x)


def _string(where: str, v: Any) -> str:
    if not isinstance(v, str):
        raise _Invalid(where, "Input should be a valid string", v)
    return v


def _strings(where: str, v: Any) -> list[str]:
    if not isinstance(v, list | tuple):
        raise _Invalid(where, "Input should be a valid list", v)
    return [_string(f"{where}.{i}", x) for i, x in enumerate(v)]


def _uncertain(where: str, v: Any) -> Uncertain:
    try:
        parsed = parse_uncertain(v)  # shorthands and mappings become distributions
    except UsageError as exc:
        raise _Invalid(where, str(exc), "") from None
    return parsed if isinstance(parsed, Dist) else _number(where, parsed)


def _uncertain_map(where: str, v: Any) -> dict[str, Uncertain]:
    if not isinstance(v, Mapping):
        raise _Invalid(where, "Input should be a valid dictionary", v)
    return {_string(where, k): _uncertain(f"{where}.{k}", x) for k, x in v.items()}


def _hidden(where: str, v: Any) -> str | dict[str, Uncertain]:
    """scaled, flat or off (true = scaled, false = off), or a mapping of line -> USD/month (those
    lines overridden, the others scaled)."""
    if isinstance(v, Mapping):
        return _uncertain_map(where, v)
    if isinstance(v, bool):
        return defaults.HIDDEN_COSTS if v else "off"
    if v not in HIDDEN_MODES:
        raise _Invalid(where, f"Input should be {', '.join(HIDDEN_MODES)}, true or false, or a mapping of lines", v)
    return str(v)


def _effort_name(where: str, v: Any) -> str:
    name = _string(where, v)
    if name not in EFFORT_RANK:
        raise _Invalid(where, f"unknown reasoning effort; valid: {', '.join(EFFORT_RANK)}", v)
    return name


def _effort(where: str, v: Any) -> str | dict[str, str]:
    """One effort name for every option, or a mapping option id -> effort."""
    if isinstance(v, Mapping):
        return {_string(where, k).strip().lower(): _effort_name(f"{where}.{k}", x) for k, x in v.items()}
    return _effort_name(where, v)


def _tokens_map(where: str, v: Any) -> dict[str, Uncertain]:
    return {k.strip().lower(): x for k, x in _uncertain_map(where, v).items()}


def _mix(where: str, v: Any) -> list[list[float]]:
    """[[share, tokens], ...] with positive shares and token counts (shares are normalised)."""
    if not isinstance(v, list | tuple) or not v:
        raise _Invalid(where, "Input should be a list of [share of requests, prompt tokens] pairs", v)
    out = []
    for i, pair in enumerate(v):
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise _Invalid(f"{where}.{i}", "each entry should be a [share of requests, prompt tokens] pair", pair)
        share, tokens = _number(f"{where}.{i}", pair[0]), _number(f"{where}.{i}", pair[1])
        if share <= 0 or not 0 < tokens <= defaults.MAX_TOKENS_PER_QUERY:
            raise _Invalid(f"{where}.{i}", "shares must be > 0 and tokens > 0 (at most 1e8)", pair)
        out.append([share, tokens])
    return out


def _date(where: str, v: Any) -> str:
    import datetime as dt

    text = _string(where, v)
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise _Invalid(where, "Input should be a date, YYYY-MM-DD", v) from None
    if len(text) != 10:
        raise _Invalid(where, "Input should be a date, YYYY-MM-DD", v)
    return text


def _bool(where: str, v: Any) -> bool:
    if not isinstance(v, bool):
        raise _Invalid(where, "Input should be a valid boolean", v)
    return v


def _profile(where: str, v: Any) -> str | list[float]:
    """A shipped profile's name, or 24 non-negative hourly weights with a positive sum."""
    if not isinstance(v, str | list | tuple):
        raise _Invalid(where, "Input should be a profile name or a list of 24 hourly weights", v)
    weights = v if isinstance(v, str) else [_number(f"{where}.{i}", x) for i, x in enumerate(v)]
    try:
        profile_weights(weights)
    except UsageError as exc:
        raise _Invalid(where, str(exc), "") from None
    return weights


def _choice(where: str, v: Any) -> str:
    options = _CHOICES[where]
    if v not in options:
        quoted = [f"'{o}'" for o in options]
        raise _Invalid(where, f"Input should be {', '.join(quoted[:-1])} or {quoted[-1]}", v)
    return str(v)


_KINDS: dict[str, Callable[[str, Any], Any]] = {
    "uncertain": _uncertain,
    "uncertain map": _uncertain_map,
    "number": _number,
    "int": _integer,
    "bool": _bool,
    "hidden": _hidden,
    "str": _string,
    "strs": _strings,
    "ids": lambda where, v: _strings(where, [v] if isinstance(v, str) else v),  # one id may be a bare string
    "profile": _profile,
    "pricing": _choice,
    "ownership": _choice,
    "service_tier": _choice,
    "cache_ttl": _choice,
    "parallelism": _choice,
    "effort": _effort,
    "tokens map": _tokens_map,
    "mix": _mix,
    "date": _date,
}
_BOUNDS = {  # bound -> (test that passes, message)
    "gt": (operator.gt, "greater than"),
    "ge": (operator.ge, "greater than or equal to"),
    "le": (operator.le, "less than or equal to"),
}
# a possibly uncertain setting's bounds (setting, low, high, low inclusive): its central value must
# lie within them, and so must every parameter in the quantity's unit (so draws stay finite)
_CENTRAL_BOUNDS = [
    ("qpd", 0, defaults.MAX_QUERIES_PER_DAY, False),
    ("input_tokens", 0, defaults.MAX_TOKENS_PER_QUERY, False),
    ("output_tokens", 0, defaults.MAX_TOKENS_PER_QUERY, False),
    ("utilization", 0, 1, False),
    ("peak_factor", 1, 1e6, True),
    ("throughput_factor", 0, 1e6, False),
    ("gpu_price_factor", 0, 1e6, False),
    ("spot_preemption", 0, 1, True),
]
MAX_LOG_SIGMA = 10.0  # a log-normal wider than this draws overflowing values


def np_bool_types() -> tuple[type, ...]:
    """numpy's bool type when numpy is already imported (a bool is not a number here)."""
    np = sys.modules.get("numpy")
    return (np.bool_,) if np is not None else ()


def _check_uncertain(name: str, value: Uncertain, low: float, high: float, inclusive: bool) -> None:
    x = central(value)
    param = name.split(".")[0]
    if x < low if inclusive else x <= low:
        raise UsageError(f"{name} must be {'>=' if inclusive else '>'} {low:g}, got {x:g}", param=param)
    if x > high:
        raise UsageError(f"{name} must be <= {high:,.10g}, got {x:g}", param=param)
    if isinstance(value, int | float):
        return
    scale = {f: getattr(value, f) for f in value._SCALE}
    if any(v > high for v in scale.values()):
        raise UsageError(f"{name}: the {value.dist} distribution's parameters must be <= {high:g}", param=name)
    if getattr(value, "sigma", 0.0) > MAX_LOG_SIGMA:
        raise UsageError(f"{name}: a log-normal sigma above {MAX_LOG_SIGMA:g} draws overflowing values", param=name)


def _validate(values: dict[str, Any]) -> dict[str, Any]:
    """Every setting checked and normalized in field order; the first problem is a one-line UsageError."""
    out: dict[str, Any] = {}
    try:
        for f in SETTINGS:
            v, kind = values[f.name], f.metadata["kind"]
            if v is f.default or (v is None and kind.endswith("?")):  # defaults are kept as written
                out[f.name] = v
                continue
            v = _KINDS[kind.removesuffix("?")](f.name, v)
            for bound, (ok, words) in _BOUNDS.items():
                if bound in f.metadata and not ok(v, f.metadata[bound]):
                    raise _Invalid(f.name, f"Input should be {words} {f.metadata[bound]:,.10g}", values[f.name])
            out[f.name] = v
    except _Invalid as exc:
        got = "" if isinstance(exc.value, Mapping) or exc.value == "" else f", got {shown(repr(exc.value), 80)}"
        raise UsageError(f"{exc.where}: {exc.msg}{got}", param=exc.where.split(".")[0]) from None
    if isinstance(out["hidden_costs"], dict):  # a mapping turns hidden costs on and overrides those lines
        out["hidden_cost_overrides"] = {**out["hidden_cost_overrides"], **out["hidden_costs"]}
        out["hidden_costs"] = defaults.HIDDEN_COSTS
    for name, low, high, inclusive in _CENTRAL_BOUNDS:
        if out[name] is not None:
            _check_uncertain(name, out[name], low, high, inclusive)
    for key, value in out["hidden_cost_overrides"].items():
        _check_uncertain(f"hidden_cost_overrides.{key}", value, 0, defaults.MAX_USD, True)
    for key, value in out["reasoning_tokens"].items():
        _check_uncertain(f"reasoning_tokens.{key}", value, 0, defaults.MAX_TOKENS_PER_QUERY, True)
    return out


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema of a scenario file (`llmcost schema`), from the field table: editors complete and check it."""
    number: dict[str, Any] = {"type": "number"}
    shorthand = {"type": "string", "description": "low..high, or a distribution like normal:mean,sd"}
    dists = [{"$ref": f"#/$defs/{cls.__name__}"} for cls in DISTS.values()]
    uncertain = {"anyOf": [number, shorthand, *dists]}
    central = {name: (low, high, inclusive) for name, low, high, inclusive in _CENTRAL_BOUNDS}

    def bounded(name: str) -> dict[str, Any]:
        """An uncertain setting: its plain-number form carries the bounds its central value must meet."""
        if name not in central:
            return uncertain
        low, high, inclusive = central[name]
        num = {"type": "number", ("minimum" if inclusive else "exclusiveMinimum"): low, "maximum": high}
        return {"anyOf": [num, shorthand, *dists]}

    strings = {"type": "array", "items": {"type": "string"}}
    types: dict[str, dict[str, Any]] = {
        "uncertain": uncertain,
        "uncertain map": {
            "type": "object",
            "additionalProperties": {"anyOf": [{"type": "number", "minimum": 0, "maximum": defaults.MAX_USD}, *dists]},
        },
        "number": number,
        "int": {"type": "integer"},
        "bool": {"type": "boolean"},
        "hidden": {
            "anyOf": [
                {"type": "boolean"},
                {"type": "string", "enum": list(HIDDEN_MODES)},
                {
                    "type": "object",
                    "additionalProperties": {
                        "anyOf": [{"type": "number", "minimum": 0, "maximum": defaults.MAX_USD}, *dists]
                    },
                },
            ]
        },
        "str": {"type": "string"},
        "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "strs": strings,
        "ids": {"anyOf": [{"type": "string"}, strings]},
        "profile": {
            "anyOf": [
                {"type": "string", "enum": list(PROFILES)},
                {  # 24 non-negative weights, one of them positive (so the sum is)
                    "type": "array",
                    "items": {"type": "number", "minimum": 0},
                    "minItems": 24,
                    "maxItems": 24,
                    "contains": {"type": "number", "exclusiveMinimum": 0},
                },
            ]
        },
        **{name: {"type": "string", "enum": list(options)} for name, options in _CHOICES.items()},
        "effort": {
            "anyOf": [
                {"type": "string", "enum": list(EFFORT_RANK)},
                {"type": "object", "additionalProperties": {"type": "string", "enum": list(EFFORT_RANK)}},
            ]
        },
        "tokens map": {
            "type": "object",
            "additionalProperties": {
                "anyOf": [{"type": "number", "minimum": 0, "maximum": defaults.MAX_TOKENS_PER_QUERY}, *dists]
            },
        },
        "mix": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "array",
                "prefixItems": [
                    {"type": "number", "exclusiveMinimum": 0},
                    {"type": "number", "exclusiveMinimum": 0, "maximum": defaults.MAX_TOKENS_PER_QUERY},
                ],
                "minItems": 2,
                "maxItems": 2,
            },
        },
    }
    keywords = {"gt": "exclusiveMinimum", "ge": "minimum", "le": "maximum"}
    properties: dict[str, Any] = {}
    for f in SETTINGS:
        kind = f.metadata["kind"]
        base = (
            bounded(f.name)
            if kind.startswith("uncertain") and kind != "uncertain map"
            else types[kind.removesuffix("?")]
        )
        prop = {**base, **{keywords[k]: f.metadata[k] for k in keywords if k in f.metadata}}
        if kind.endswith("?"):
            prop = {"anyOf": [*prop.get("anyOf", [prop]), {"type": "null"}]}
        default = _default(f)
        prop["default"] = default.to_dict() if hasattr(default, "to_dict") else default
        properties[f.name] = {
            "title": f.name.replace("_", " ").title(),
            "description": f.metadata["description"],
            **prop,
        }
    defs = {}
    for name, cls in DISTS.items():
        args = [f.name for f in dataclasses.fields(cls) if f.name != "dist"]
        defs[cls.__name__] = {
            "type": "object",
            "title": cls.__name__,
            "properties": {
                "dist": {"const": name, "type": "string"},
                **{
                    arg: {"type": "number", ("exclusiveMinimum" if arg in cls._POSITIVE else "minimum"): 0}
                    for arg in args
                },
            },
            "required": args if name == "uniform" else ["dist", *args],
            "additionalProperties": False,
        }
    return {
        "title": "Scenario",
        "description": (Scenario.__doc__ or "").strip(),
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "$defs": defs,
    }


# ---------------------------------------------------------------- which command uses which setting

_WORKLOAD = (
    "qpd", "input_tokens", "output_tokens", "cached_input_share", "days_per_month", "usage_log",
    "shared_prefix_tokens", "prompt_mix", "reasoning_effort", "reasoning_tokens",
)  # fmt: skip
_SELECTION = ("apis", "models", "gpus", "quants", "commercial_only", "date")
_SELF_HOSTING = (
    "pricing", "ownership", "pue", "utilization", "peak_factor", "engine", "max_ttft_ms", "max_tpot_ms",
    "p99_ttft_ms", "p99_tpot_ms",
    "autoscale", "profile", "min_replicas", "hidden_costs", "hidden_cost_overrides", "batch_api",
    "nvidia_ai_enterprise", "hosts_per_devops_step",
    "service_tier", "cache_ttl", "prefix_caching", "parallelism",
    "throughput_factor", "gpu_price_factor", "data_dirs",
)  # fmt: skip
_MONTE_CARLO = ("monte_carlo", "seed")
_TCO = ("months", "growth", "setup_weeks", "engineer_usd_per_day", "updates_per_year", "days_per_update")
COMMAND_SETTINGS: dict[str, frozenset[str]] = {
    "compare": frozenset(
        (
            *_WORKLOAD,
            *_SELECTION,
            *_SELF_HOSTING,
            *_MONTE_CARLO,
            "show_all",
            "platforms",
            "cold_start_basis",
            "image_pull_s",
        )
    ),
    "breakeven": frozenset(
        (
            *_WORKLOAD,
            *_SELECTION,
            *_SELF_HOSTING,
            *_MONTE_CARLO,
            "max_qpd",
            "platforms",
            "cold_start_basis",
            "image_pull_s",
        )
    ),
    "hybrid": frozenset(
        (
            *_WORKLOAD,
            *_SELECTION,
            *_SELF_HOSTING,
            *_MONTE_CARLO,
            "share",
            "platforms",
            "cold_start_basis",
            "image_pull_s",
        )
    ),
    "tco": frozenset(
        (*_WORKLOAD, *_SELECTION, *_SELF_HOSTING, *_MONTE_CARLO, *_TCO, "platforms", "cold_start_basis", "image_pull_s")
    ),
    # a tornado swings each input over its range itself: no draws, and autoscaling is not swung
    # (profile, cold_start_basis and image_pull_s only with platforms: a serving platform's bill)
    "sensitivity": frozenset(
        (
            *_WORKLOAD,
            *_SELECTION,
            *_SELF_HOSTING,
            "max_qpd",
            "platforms",
            "cold_start_basis",
            "image_pull_s",
            "spot_preemption",
        )
    )
    - {"autoscale", "min_replicas"},
}
# plan prices GPU rental for one model: no APIs, hidden costs, ownership, autoscaling or draws ("profile"
# comes with a usage log; plan sizes for its peak factor and says the profile is not followed)
COMMAND_SETTINGS["plan"] = frozenset((*_WORKLOAD, "models", "gpus", "quants", "date", "pricing", "utilization",
                                      "peak_factor", "engine", "max_ttft_ms", "max_tpot_ms", "prefix_caching",
                                      "throughput_factor", "gpu_price_factor", "data_dirs", "profile"))  # fmt: skip
COMMAND_SETTINGS["platforms"] = frozenset(
    (*_WORKLOAD, *_SELECTION, *_SELF_HOSTING, *_MONTE_CARLO, "max_qpd", "platforms", "spot_preemption",
     "cold_start_basis", "image_pull_s")
)  # fmt: skip
COMMAND_SETTINGS["plot"] = frozenset().union(*COMMAND_SETTINGS.values())  # each chart's command checks its own


def commands_taking(setting: str) -> list[str]:
    return [c for c, names in COMMAND_SETTINGS.items() if setting in names and c != "plot"]


def make_scenario(
    base: Scenario | Mapping[str, Any] | None = None, *, command: str | None = None, **options: Any
) -> Scenario:
    """A Scenario from a base (model or mapping) with options layered on top; errors are one line.

    With `command`, a setting that command does not use is refused, naming the commands that do."""
    values: dict[str, Any] = {}
    if isinstance(base, Scenario):
        values.update({name: getattr(base, name) for name in base.fields_set})
    elif isinstance(base, Mapping):
        values.update(base)
    elif base is not None:
        raise UsageError(f"scenario must be a Scenario or a mapping of settings, got {type(base).__name__}")
    values.update({k: v for k, v in options.items() if v is not None})
    for key in values:
        if not isinstance(key, str) or key not in _NAMES:
            valid = ", ".join(f.name for f in SETTINGS)
            raise UsageError(f"unknown setting '{shown(key, 60)}'; valid settings: {valid}", param=str(key))
    if command is not None:
        used = COMMAND_SETTINGS[command]
        for key in values:
            if key not in used:
                takers = commands_taking(key)
                raise UsageError(
                    f"setting '{key}' is not used by {command}; it is taken by {', '.join(takers)}", param=key
                )
    scenario = Scenario(**values, _fields_set=frozenset(values))
    return _with_usage_log(scenario) if scenario.usage_log else scenario


def read_scenario_file(path: str | Path) -> dict[str, Any]:
    """A scenario YAML file as a mapping; problems with it are usage errors (exit 2)."""
    from llmcost.catalog import read_yaml

    doc = read_yaml(Path(path), UsageError, what="--scenario")
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise UsageError(f"--scenario {shown(path)}: expected a mapping of settings, e.g. 'qpd: 50000'")
    return doc


class UsageLogWarning(UserWarning):
    """What a usage log cannot tell (a peak factor from a short log, ...); the CLI shows it as a notice."""


def _with_usage_log(scenario: Scenario) -> Scenario:
    """Fill what the user did not set from the usage log: volume, token means, cached share, and the
    peak factor and profile where the log supports them (else those keep their defaults, and the
    log's warnings say why)."""
    import warnings

    from llmcost.usage import summarize_file

    u = summarize_file(scenario.usage_log or "")
    for why in u.warnings:
        warnings.warn(f"--workload {shown(scenario.usage_log)}: {why}", UsageLogWarning, stacklevel=2)
    derived: dict[str, Any] = {
        "qpd": u.queries_per_day,
        "input_tokens": max(u.input_tokens["mean"], 1.0),
        "output_tokens": max(u.output_tokens["mean"], 1.0),
    }
    if not {"input_tokens", "prompt_mix"} & scenario.fields_set:
        derived["prompt_mix"] = u.prompt_mix  # the logged prompt sizes (their mean is the mean prompt)
    if u.peak_supported:
        derived |= {"peak_factor": max(u.peak_to_average, 1.0), "profile": u.hourly_profile}
    if u.cached_input_share is not None:
        derived["cached_input_share"] = u.cached_input_share
    given = scenario.fields_set
    return scenario.replace(**{k: v for k, v in derived.items() if k not in given})


# ---------------------------------------------------------------- resolved values


@dataclass(frozen=True, eq=False)
class SelfHostAssumptions:
    """How a deployment is sized and costed; every field is printed in the assumptions."""

    utilization_target: float = defaults.UTILIZATION_TARGET
    peak_factor: float = defaults.PEAK_FACTOR
    pricing: PricingModel = defaults.PRICING
    ownership: str = defaults.OWNERSHIP  # or "buy": owned 8-GPU servers costed from ownership.yaml
    pue: float = defaults.PUE
    engine: Engine | None = None  # None: vLLM's documented defaults, for model tests without a catalog
    engine_memory: EngineMemory | None = None  # the engine's KV-pool accounting (None: weights-only budget)
    efficiency: Efficiency = field(default_factory=Efficiency)
    # engine id -> its release's fixed cost per layer per decode step (data/engines.yaml
    # engine_overhead defaults), replacing efficiency.layer_overhead_us for that engine; empty: the
    # efficiency's own figures for every engine (see selfhost.engine_efficiency)
    engine_overheads: Mapping[str, EngineOverhead] = field(default_factory=dict)
    # (engine, gpu, weight format) -> the engine's measured routed-expert kernel there (data/engines.yaml
    # moe_kernel); empty: MoE experts in the roofline (selfhost.moe_kernel_for)
    moe_kernels: Mapping[tuple[str, str, str], MoeKernel] = field(default_factory=dict)
    max_ttft_ms: float | None = None
    max_tpot_ms: float | None = None
    # size replicas so P99 latency at each replica's load meets these (throughput.at_rate), instead
    # of the utilization target
    p99_ttft_ms: float | None = None
    p99_tpot_ms: float | None = None
    throughput_factor: float = defaults.THROUGHPUT_FACTOR  # achieved / modelled throughput
    gpu_price_factor: float = defaults.GPU_PRICE_FACTOR  # price over the cheapest offer
    prefix_caching: bool = defaults.PREFIX_CACHING  # cached input skips prefill (the engine's prefix cache)
    # tokens per engine step: the profiling activation peak and the prefill chunk (None: the engine's
    # default for the GPU, EngineMemory.batched_tokens_for, else PREFILL_CHUNK_TOKENS)
    max_num_batched_tokens: int | None = None
    # how a MoE replica splits over its GPUs: tp, ep, dp-attention (memory.PARALLELISMS) or auto (the best
    # that applies at each GPU count)
    parallelism: str = defaults.PARALLELISM


@dataclass(frozen=True, eq=False)
class Autoscaling:
    """Replicas follow an hourly load profile above a minimum count."""

    profile: str  # a shipped profile's name, or "custom"
    weights: tuple[float, ...]  # 24 hourly shares of the day's queries, summing to 1
    min_replicas: int


def profile_weights(profile: str | Sequence[float]) -> tuple[str, tuple[float, ...]]:
    """(name, 24 hourly shares of the day's queries summing to 1)."""
    if isinstance(profile, str):
        if profile not in PROFILES:
            valid = ", ".join(PROFILES)
            raise UsageError(
                f"unknown load profile '{shown(profile, 40)}'; valid: {valid} or 24 weights", param="profile"
            )
        name, raw = profile, PROFILES[profile]
    else:
        name, raw = "custom", [float(x) for x in profile]
    total = sum(raw)
    if len(raw) != 24 or any(not math.isfinite(x) or x < 0 for x in raw) or not 0 < total < math.inf:
        raise UsageError(
            f"a load profile needs 24 non-negative hourly weights with a positive sum, got {len(raw)}",
            param="profile",
        )
    return name, tuple(x / total for x in raw)


@dataclass(frozen=True, eq=False)
class Uncertainty:
    """What Monte Carlo draws, each a number (fixed) or a distribution. GPU and API entries are
    factors over the price the point answer uses."""

    qpd: Uncertain
    input_tokens: Uncertain
    output_tokens: Uncertain
    utilization: Uncertain
    peak_factor: Uncertain
    throughput_factor: Uncertain
    hidden: tuple[HiddenPart, ...]  # each part's rate as drawn (HiddenPart.drawn)
    gpu_price_factor: Mapping[str, Uncertain]  # gpu id -> over the cheapest offer
    offer_price_factor: Mapping[str, Dist]  # gpu id -> the cheapest offer's own range
    owned_figures: Mapping[str, Mapping[str, Uncertain]]  # gpu id -> figures of an owned GPU's hourly cost
    api_price_factor: Mapping[str, Mapping[str, Dist]]  # api id -> input / cached_input / output
    reasoning_tokens: Mapping[str, Dist] = field(default_factory=dict)  # option id -> drawn reasoning tokens


@dataclass(frozen=True, eq=False)
class Tco:
    months: int
    growth_per_month: float
    engineer_usd_per_day: float
    setup_weeks: float
    updates_per_year: float
    days_per_update: float

    @property
    def setup_usd(self) -> float:
        return self.setup_weeks * defaults.WORKING_DAYS_PER_WEEK * self.engineer_usd_per_day

    @property
    def updates_usd_per_month(self) -> float:
        return self.updates_per_year * self.days_per_update * self.engineer_usd_per_day / 12


@dataclass(frozen=True, eq=False)
class Inputs:
    """A scenario resolved against the catalog: the plain values a command's model calls take."""

    command: str
    workload: Workload
    selfhost: SelfHostAssumptions
    apis: Mapping[str, ApiModel]  # selected, in the user's order
    models: tuple[OpenModel, ...]
    gpus: tuple[Gpu, ...]
    quants: tuple[Quantization, ...]
    offers: Mapping[str, tuple[GpuOffer, ...]]  # gpu id -> rental offers under the pricing model
    owned_gpus: Mapping[str, OwnedGpu]  # ownership "buy": the GPUs with a purchase price
    facility: Facility
    no_offer: Mapping[str, str]  # gpu id -> why it has no offer (owned GPUs without a purchase price)
    quant_recovery_pct: Mapping[str, float]
    hidden: tuple[HiddenPart, ...]  # hidden-cost parts, each a rate per unit of its driver (llmcost.hidden)
    hosts_per_devops_step: float  # inf: DevOps is one line per deployment
    batch_api: bool
    billing: Billing
    on_date: Any  # datetime.date the comparison is for (lifecycle of the APIs)
    reasoning: Mapping[str, Reasoning]  # API and open model ids -> the reasoning each is costed with
    named_models: bool  # the user named the models (so one that cannot run still gets a row)
    named_gpus: bool
    autoscaling: Autoscaling | None
    monte_carlo: int | None
    seed: int | None
    uncertainty: Uncertainty
    max_qpd: float
    share: float | None
    show_all: bool
    tco: Tco | None
    settings: Mapping[str, Any]  # every setting the command uses, as resolved: the assumptions section
    all_apis: Mapping[str, ApiModel]  # every API in the data (pairing may pick one not selected)


def _pick(ids: Iterable[str] | None, table: Mapping[str, Any], kind: str, param: str) -> list[str]:
    if not ids:
        return list(table)
    picked: list[str] = []
    for raw in ids:
        key = raw.strip().lower()
        if key not in table:
            raise UnknownIdError(kind, raw, table, param=param)
        if key not in picked:
            picked.append(key)
    return picked


def resolve_hidden_costs(catalog: Catalog, scenario: Scenario, workload: Workload) -> tuple[HiddenPart, ...]:
    """The hidden-cost parts of every deployment (llmcost.hidden): rates per unit of what drives
    them, the point value being the midpoint of each sourced range unless overridden."""
    return hidden_parts(
        catalog,
        scenario.hidden_costs,
        scenario.hidden_cost_overrides,
        input_tokens=workload.input_tokens,
        output_tokens=workload.output_tokens,
        days_per_month=workload.days_per_month,
        nvidia_ai_enterprise=scenario.nvidia_ai_enterprise,
        hosts_per_devops_step=scenario.hosts_per_devops_step,
    )


def _genai(scenario: Scenario, cat: Catalog) -> tuple[Scenario, Catalog]:
    """API ids `genai:provider/model` priced by the optional genai-prices package, added to the catalog."""
    genai = [a.strip() for a in scenario.apis or [] if a.strip().lower().startswith("genai:")]
    if not genai:
        return scenario, cat
    from datetime import date

    from llmcost.datatools import genai_api_model

    # split on the first ':' only: Bedrock model ids hold ':' too (genai:aws/amazon.nova-pro-v1:0)
    models = {a: genai_api_model(a.split(":", 1)[1], date.today()) for a in dict.fromkeys(genai)}
    cat = dataclasses.replace(cat, apis={**cat.apis, **{m.id: m for m in models.values()}})
    apis = [models[a.strip()].id if a.strip() in models else a for a in scenario.apis or []]
    return scenario.replace(apis=apis), cat


def resolve(scenario: Scenario, command: str, catalog: Catalog | None = None, *, qpd_required: bool = True) -> Inputs:
    """Resolve a scenario for `command`: load the catalog, check ids, build every plain value."""
    s = scenario
    if qpd_required and s.qpd is None:
        raise UsageError("qpd is required (queries per day), e.g. --qpd 50000", param="qpd")
    cat = require_catalog(catalog) or load_catalog(s.data_dirs)
    s, cat = _genai(s, cat)
    on = on_date(s)
    serving = cat.apis if s.apis else {k: a for k, a in cat.apis.items() if a.lifecycle(on) != "retired"}
    apis = {a: cat.apis[a] for a in _pick(s.apis, serving, "API model", "apis")}
    model_ids = _pick(s.models, cat.models, "model", "models")
    if s.commercial_only:
        model_ids = [m for m in model_ids if cat.models[m].licence.commercial_use]
    gpus = tuple(cat.gpus[g] for g in _pick(s.gpus, cat.gpus, "GPU", "gpus"))
    quants: list[Quantization] = []
    for name in s.quants or list(QUANTIZATIONS):
        q = get_quantization(name)
        if q not in quants:
            quants.append(q)
    engine = cat.engine(s.engine)
    offers: dict[str, tuple[GpuOffer, ...]] = {}
    no_offer: dict[str, str] = {}
    owned: dict[str, OwnedGpu] = {}
    for g in gpus:
        if s.ownership == "rent":
            offers[g.id] = tuple(cat.offers_for(g.id, s.pricing))
        elif g.id in cat.owned_gpus:
            owned[g.id] = cat.owned_gpus[g.id]  # costed as an owned server by the model (ownership.py)
        else:
            no_offer[g.id] = f"no purchase price for {g.id} in ownership.yaml (known: {', '.join(cat.owned_gpus)})"
    qpd = central(s.qpd) if s.qpd is not None else 1.0
    workload = Workload(
        qpd, central(s.input_tokens), central(s.output_tokens), s.cached_input_share, s.days_per_month,
        s.shared_prefix_tokens, tuple((a, b) for a, b in s.prompt_mix or ()),
    )  # fmt: skip
    reasoning = _reasoning(s, cat, list(apis), model_ids)
    input_tokens: Uncertain = s.input_tokens
    if s.prompt_mix:  # the mix sets the mean prompt: a different input_tokens contradicts it
        mean = workload.input_tokens
        if "input_tokens" in s.fields_set and not math.isclose(central(s.input_tokens), mean, rel_tol=1e-6):
            raise UsageError(
                f"give input_tokens or prompt_mix, not both: the mix's mean prompt is {mean:,.0f} tokens",
                param="prompt_mix",
            )
        input_tokens = workload.input_tokens
    latency_sized = s.p99_ttft_ms is not None or s.p99_tpot_ms is not None
    if latency_sized and "utilization" in s.fields_set:
        raise UsageError(
            "give a utilization target or P99 latency targets, not both: with --p99-ttft-ms / --p99-tpot-ms "
            "the queueing model sizes the replicas",
            param="utilization",
        )
    selfhost = SelfHostAssumptions(
        utilization_target=1.0 if latency_sized else central(s.utilization),
        peak_factor=central(s.peak_factor),
        pricing=s.pricing,
        ownership=s.ownership,
        pue=s.pue,
        engine=engine,
        engine_memory=cat.memory_profile(engine.id) if engine is not None else None,
        engine_overheads=cat.default_overheads(),
        moe_kernels=cat.moe_kernels,
        max_ttft_ms=s.max_ttft_ms,
        max_tpot_ms=s.max_tpot_ms,
        p99_ttft_ms=s.p99_ttft_ms,
        p99_tpot_ms=s.p99_tpot_ms,
        throughput_factor=central(s.throughput_factor),
        gpu_price_factor=central(s.gpu_price_factor) if s.gpu_price_factor is not None else 1.0,
        prefix_caching=s.prefix_caching,
        parallelism=s.parallelism,
    )
    used = COMMAND_SETTINGS[command]
    hidden = resolve_hidden_costs(cat, s, workload)
    autoscaling = None
    if s.autoscale and "autoscale" in used:
        name, weights = profile_weights(s.profile)
        autoscaling = Autoscaling(name, weights, s.min_replicas)
    if s.share is not None and "share" in used and s.share > 0 and qpd * s.share < 1e-9:
        raise UsageError("share x qpd is below one query a day", param="share")
    return Inputs(
        command=command,
        workload=workload,
        selfhost=selfhost,
        apis=apis,
        models=tuple(cat.models[m] for m in model_ids),
        gpus=gpus,
        quants=tuple(quants),
        offers=offers,
        owned_gpus=owned,
        facility=cat.facility,
        no_offer=no_offer,
        quant_recovery_pct={k: q.quality_recovery_pct for k, q in cat.quant_quality.items()},
        hidden=hidden,
        hosts_per_devops_step=float(s.hosts_per_devops_step or math.inf),
        batch_api=s.batch_api,
        billing=Billing(s.batch_api, s.service_tier, s.cache_ttl),  # type: ignore[arg-type]
        on_date=on,
        reasoning=reasoning,
        named_models=bool(s.models),
        named_gpus=bool(s.gpus),
        autoscaling=autoscaling,
        monte_carlo=s.monte_carlo if "monte_carlo" in used else None,
        seed=s.seed,
        uncertainty=_uncertainty(s, cat, offers, owned, apis, reasoning, input_tokens, hidden),
        max_qpd=s.max_qpd,
        share=s.share,
        show_all=s.show_all,
        tco=_tco(s, cat) if command == "tco" else None,
        settings={name: getattr(s, name) for name in sorted(used)},
        all_apis=cat.apis,
    )


def on_date(s: Scenario) -> Any:
    """The date the comparison is for (a datetime.date): the scenario's, else today."""
    import datetime as dt

    return dt.date.fromisoformat(s.date) if s.date else defaults.today()


def reasoning_figures(cat: Catalog, option: str) -> dict[str, Any]:
    """An option's reasoning figures by effort: its own, else those of the open model it hosts."""
    found = cat.efforts(option)
    api = cat.apis.get(option)
    if not found and api is not None and (api.open_model or api.reasoning_as):
        found = cat.efforts(api.open_model or api.reasoning_as or "")
    return found


def _reasoning(s: Scenario, cat: Catalog, apis: list[str], models: list[str]) -> dict[str, Reasoning]:
    """The reasoning every API (pairing may pick any) and every selected model is costed with."""
    options = [*apis, *models]
    per_option = s.reasoning_effort if isinstance(s.reasoning_effort, dict) else {}
    everywhere = s.reasoning_effort if isinstance(s.reasoning_effort, str) else None
    for setting, keys in (("reasoning_effort", per_option), ("reasoning_tokens", s.reasoning_tokens)):
        for key in keys:
            if key not in options:
                raise UsageError(
                    f"{setting}: '{shown(key, 60)}' is not an option in this comparison; options: "
                    f"{shown(', '.join(options), 200)}",
                    param=setting,
                )
    out: dict[str, Reasoning] = {}
    for option in [*cat.apis, *models]:
        out[option] = choose(
            option,
            reasoning_figures(cat, option),
            per_option.get(option, everywhere),
            s.reasoning_tokens.get(option),
            named=option in per_option,
        )
    if everywhere is not None and not any(out[o].effort == everywhere and out[o].why == "--reasoning-effort"
                                          for o in options):  # fmt: skip
        offered = sorted({e for o in options for e in reasoning_figures(cat, o)}, key=lambda e: EFFORT_RANK[e])
        raise UsageError(
            f"reasoning_effort: no option in this comparison has effort '{everywhere}'; "
            f"theirs: {', '.join(offered) or 'none (no option reasons)'}",
            param="reasoning_effort",
        )
    return out


def _tco(s: Scenario, cat: Catalog) -> Tco:
    eng = cat.engineering
    return Tco(
        months=s.months,
        growth_per_month=s.growth,
        engineer_usd_per_day=s.engineer_usd_per_day if s.engineer_usd_per_day is not None
        else eng.loaded_usd_per_engineer_day.mid,
        setup_weeks=s.setup_weeks if s.setup_weeks is not None else eng.setup_weeks.mid,
        updates_per_year=s.updates_per_year,
        days_per_update=s.days_per_update if s.days_per_update is not None else eng.days_per_model_update.mid,
    )  # fmt: skip


API_PRICE_FIELDS = {
    "input": "input_usd_per_mtok",
    "cached_input": "cached_input_usd_per_mtok",
    "output": "output_usd_per_mtok",
}


def owned_figure_ranges(owned: OwnedGpu, facility: Facility) -> dict[str, Uncertain]:
    """The figures an owned GPU's hourly cost is built from, as Monte Carlo draws them: the purchase
    price over its range, each facility figure uniform over its sourced range."""
    ranges: dict[str, Uncertain] = {
        f.name: Uniform(low=getattr(facility, f.name).low, high=getattr(facility, f.name).high)
        for f in dataclasses.fields(facility)
    }
    return {"purchase_usd_per_gpu": owned.spread.get("purchase_usd_per_gpu", owned.purchase_usd_per_gpu), **ranges}


def _uncertainty(
    s: Scenario,
    cat: Catalog,
    offers: Mapping[str, tuple[GpuOffer, ...]],
    owned_gpus: Mapping[str, OwnedGpu],
    apis: Mapping[str, ApiModel],
    reasoning: Mapping[str, Reasoning],
    input_tokens: Uncertain,
    hidden: tuple[HiddenPart, ...],
) -> Uncertainty:
    """Each uncertain input as Monte Carlo draws it (see montecarlo.py)."""
    gpu_price: dict[str, Uncertain] = {}
    offer_range: dict[str, Dist] = {}
    owned: dict[str, Mapping[str, Uncertain]] = {}
    for gpu_id in owned_gpus:
        gpu_price[gpu_id] = s.gpu_price_factor if s.gpu_price_factor is not None else 1.0
        if s.gpu_price_factor is None:
            owned[gpu_id] = owned_figure_ranges(owned_gpus[gpu_id], cat.facility)
    for gpu_id, found in offers.items():
        if s.gpu_price_factor is not None:
            gpu_price[gpu_id] = s.gpu_price_factor
            continue
        prices = sorted(o.usd_per_gpu_hour for o in found)
        # you may not get the cheapest provider: uniform from it to the median offer
        half = len(prices) // 2
        median = (prices[half] if len(prices) % 2 else (prices[half - 1] + prices[half]) / 2) if prices else 1.0
        gpu_price[gpu_id] = Uniform(low=1.0, high=median / prices[0]) if prices else 1.0
        if prices:
            cheapest = min(found, key=lambda o: o.usd_per_gpu_hour)
            spread = cheapest.spread.get("usd_per_instance_hour")
            if spread:
                offer_range[gpu_id] = spread.scaled(1 / cheapest.usd_per_instance_hour)
    api_price: dict[str, Mapping[str, Dist]] = {}
    for api_id, api in apis.items():
        ranges = {
            key: api.spread[name].scaled(1 / getattr(api, name))
            for key, name in API_PRICE_FIELDS.items()
            if name in api.spread and getattr(api, name)
        }
        if "input" in ranges and api.cached_input_usd_per_mtok is None:
            ranges["cached_input"] = ranges["input"]  # cached tokens are billed at the input price
        if ranges:
            api_price[api_id] = ranges
    return Uncertainty(
        qpd=s.qpd if s.qpd is not None else 1.0,
        input_tokens=input_tokens,
        output_tokens=s.output_tokens,
        utilization=s.utilization,
        peak_factor=s.peak_factor,
        throughput_factor=s.throughput_factor,
        hidden=hidden,
        gpu_price_factor=gpu_price,
        offer_price_factor=offer_range,
        owned_figures=owned,
        api_price_factor=api_price,
        reasoning_tokens={k: r.drawn for k, r in reasoning.items() if isinstance(r.drawn, Dist)},
    )
