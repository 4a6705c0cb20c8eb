"""Every input a command takes, in one validated model: defaults live here and nowhere else.

A scenario comes from keyword arguments (Python), a YAML file (`--scenario`), CLI flags, or all
three: flags override the file, which overrides these defaults. `llmcost schema` prints its JSON
Schema so editors can complete scenario files.
"""

from __future__ import annotations

import dataclasses
import math
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from llmcost.catalog import Catalog, Gpu, PricingModel, load_catalog
from llmcost.errors import UnknownIdError, UsageError
from llmcost.memory import DEFAULT_GPU_MEMORY_UTILIZATION, TP_SIZES
from llmcost.pairing import QUALITY_TOLERANCE_ELO
from llmcost.quantization import QUANTIZATIONS, Quantization, get_quantization
from llmcost.selfhost import SelfHostAssumptions
from llmcost.uncertainty import (
    DISTS,
    Dist,
    LogNormal,
    Uncertain,
    central,
    check_draws,
    parse_uncertain,
)
from llmcost.workload import DEFAULT_DAYS_PER_MONTH, Workload

# Spread of the throughput model's error on the 72 published measurements: the standard deviation of
# log(predicted / published) (benchmarks/throughput_accuracy.py; a test keeps the two in step).
THROUGHPUT_LOG_SD = 0.167


def _about(description: str, kind: str, **bounds: float) -> dict[str, Any]:
    """A setting's field metadata: its description, its checker (a key of _KINDS; a trailing '?'
    allows None) and its gt/ge/le bounds. The one place each setting is described."""
    return {"description": description, "kind": kind, **bounds}


@dataclass(frozen=True)
class Scenario:
    """Inputs of compare, breakeven, hybrid and tco. Units are in the names."""

    # workload
    qpd: Uncertain | None = field(
        default=None, metadata=_about("Queries per day (a number, low..high or a distribution).", "uncertain?")
    )
    input_tokens: Uncertain = field(default=2000, metadata=_about("Mean input tokens per query, > 0.", "uncertain"))
    output_tokens: Uncertain = field(default=500, metadata=_about("Mean output tokens per query, > 0.", "uncertain"))
    cached_input_share: float = field(
        default=0.0, metadata=_about("Share of input tokens from the prompt cache.", "number", ge=0, le=1)
    )
    days_per_month: float = field(
        default=DEFAULT_DAYS_PER_MONTH, metadata=_about("Days in a billing month.", "number", gt=0, le=31)
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
    pricing: PricingModel = field(default="on_demand", metadata=_about("GPU rental pricing model.", "pricing"))
    ownership: Literal["rent", "buy"] = field(
        default="rent", metadata=_about("Rent GPUs, or buy them (ownership.yaml).", "ownership")
    )
    pue: float = field(
        default=1.0, metadata=_about("Facility PUE for owned GPUs (not sourced; 1 = IT load).", "number", ge=1, le=3)
    )
    utilization: Uncertain = field(default=0.70, metadata=_about("Target utilization at peak, (0-1].", "uncertain"))
    peak_factor: Uncertain = field(default=1.0, metadata=_about("Peak-to-average request rate, >= 1.", "uncertain"))
    engine: str = field(default="vllm", metadata=_about("Serving engine id (engines.yaml).", "str"))
    max_ttft_ms: float | None = field(
        default=None, metadata=_about("Latency limit: time to first token, ms.", "number?", gt=0)
    )
    max_tpot_ms: float | None = field(
        default=None, metadata=_about("Latency limit: time per output token, ms.", "number?", gt=0)
    )
    autoscale: bool = field(default=False, metadata=_about("Replicas follow an hourly load profile (compare).", "bool"))
    profile: str | list[float] = field(
        default="business-day", metadata=_about("flat, business-day or 24 weights.", "profile")
    )
    min_replicas: int = field(default=1, metadata=_about("Replicas kept running when autoscaling.", "int", ge=1))
    hidden_costs: bool = field(
        default=True, metadata=_about("Add the hidden costs of self-hosting (devops, monitoring, ...).", "bool")
    )
    hidden_cost_overrides: dict[str, Uncertain] = field(
        default_factory=dict, metadata=_about("USD/month per line id.", "uncertain map")
    )
    batch_api: bool = field(default=False, metadata=_about("Price API calls at the batch-API rate.", "bool"))
    # hybrid routing
    share: float | None = field(
        default=None, metadata=_about("Share of queries self-hosted (hybrid).", "number?", ge=0, le=1)
    )
    # total cost over time
    months: int = field(default=12, metadata=_about("Months of total cost of ownership.", "int", gt=0, le=120))
    growth: float = field(default=0.0, metadata=_about("Volume growth per month (0.05 = +5%).", "number", gt=-1, le=10))
    setup_weeks: float | None = field(
        default=None, metadata=_about("One-time engineering weeks [data].", "number?", ge=0)
    )
    engineer_usd_per_day: float | None = field(
        default=None, metadata=_about("Loaded engineer day rate [data].", "number?", ge=0)
    )
    updates_per_year: float = field(
        default=12,
        metadata=_about("Model updates a year (the seed: open-weight releases come monthly).", "number", ge=0),
    )
    days_per_update: float | None = field(
        default=None, metadata=_about("Engineer-days per update [data].", "number?", ge=0)
    )
    # break-even
    max_qpd: float = field(
        default=10_000_000, metadata=_about("Highest volume the break-even search covers.", "number", gt=0)
    )
    # uncertainty
    monte_carlo: int | None = field(
        default=None, metadata=_about("Monte Carlo draws (P10/P50/P90 and probabilities).", "int?")
    )
    seed: int | None = field(default=None, metadata=_about("Random seed for reproducible Monte Carlo draws.", "int?"))
    throughput_factor: Uncertain = field(
        default_factory=lambda: LogNormal(median=1.0, sigma=THROUGHPUT_LOG_SD),
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
_CHOICES: dict[str, tuple[str, ...]] = {"pricing": get_args(PricingModel), "ownership": ("rent", "buy")}


def _default(f: dataclasses.Field[Any]) -> Any:
    return f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default


class _Invalid(Exception):
    """One bad value: where (a setting, or setting.key / setting.index), what is wrong, and the value."""

    def __init__(self, where: str, msg: str, value: Any) -> None:
        super().__init__(msg)
        self.where, self.msg, self.value = where, msg, value


def _number(where: str, v: Any) -> float:
    """A finite float; numeric strings are accepted (YAML and CLI text), bools are not."""
    if isinstance(v, str):
        try:
            x = float(v)
        except ValueError:
            raise _Invalid(where, "Input should be a valid number, unable to parse string as a number", v) from None
    elif isinstance(v, int | float) and not isinstance(v, bool):
        x = float(v)
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
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise _Invalid(where, "Input should be a valid integer", v)
    if not math.isfinite(v):
        raise _Invalid(where, "Input should be a finite number", v)
    if v != int(v):
        raise _Invalid(where, "Input should be a valid integer, got a number with a fractional part", v)
    return int(v)


def _string(where: str, v: Any) -> str:
    if not isinstance(v, str):
        raise _Invalid(where, "Input should be a valid string", v)
    return v


def _strings(where: str, v: Any) -> list[str]:
    if not isinstance(v, list | tuple):
        raise _Invalid(where, "Input should be a valid list", v)
    return [_string(f"{where}.{i}", x) for i, x in enumerate(v)]


def _uncertain(where: str, v: Any) -> Uncertain:
    v = parse_uncertain(v)  # shorthands and mappings become distributions (or a one-line UsageError)
    return v if isinstance(v, Dist) else _number(where, v)


def _uncertain_map(where: str, v: Any) -> dict[str, Uncertain]:
    if not isinstance(v, Mapping):
        raise _Invalid(where, "Input should be a valid dictionary", v)
    return {_string(where, k): _uncertain(f"{where}.{k}", x) for k, x in v.items()}


def _bool(where: str, v: Any) -> bool:
    if not isinstance(v, bool):
        raise _Invalid(where, "Input should be a valid boolean", v)
    return v


def _profile(where: str, v: Any) -> str | list[float]:
    if isinstance(v, str):
        return v
    if not isinstance(v, list | tuple):
        raise _Invalid(where, "Input should be a profile name or a list of hourly weights", v)
    return [_number(f"{where}.{i}", x) for i, x in enumerate(v)]


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
    "str": _string,
    "strs": _strings,
    "ids": lambda where, v: _strings(where, [v] if isinstance(v, str) else v),  # one id may be a bare string
    "profile": _profile,
    "pricing": _choice,
    "ownership": _choice,
}
_BOUNDS = {  # bound -> (test that passes, message)
    "gt": (operator.gt, "greater than"),
    "ge": (operator.ge, "greater than or equal to"),
    "le": (operator.le, "less than or equal to"),
}
# checked on the central value of a possibly uncertain setting: (setting, low, high, low inclusive)
_CENTRAL_BOUNDS = [
    ("qpd", 0, None, False),
    ("input_tokens", 0, None, False),
    ("output_tokens", 0, None, False),
    ("utilization", 0, 1, False),
    ("peak_factor", 1, None, True),
    ("throughput_factor", 0, None, False),
]


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
                    raise _Invalid(f.name, f"Input should be {words} {f.metadata[bound]:g}", values[f.name])
            out[f.name] = v
    except _Invalid as exc:
        got = "" if isinstance(exc.value, Mapping) else f", got {exc.value!r}"
        raise UsageError(f"{exc.where}: {exc.msg}{got}") from None
    for name, low, high, inclusive in _CENTRAL_BOUNDS:
        if out[name] is None:
            continue
        x = central(out[name])
        if (x < low if inclusive else x <= low) or (high is not None and x > high):
            bound = (">= " if inclusive else "> ") + str(low) + (f" and <= {high}" if high is not None else "")
            raise UsageError(f"{name} must be {bound}, got {x:g}")
    for key, value in out["hidden_cost_overrides"].items():
        if central(value) < 0:
            raise UsageError(f"hidden cost '{key}' must be >= 0")
    if out["monte_carlo"] is not None:
        check_draws(out["monte_carlo"])
    return out


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema of a scenario file (`llmcost schema`), from the field table: editors complete and check it."""
    number: dict[str, Any] = {"type": "number"}
    shorthand = {"type": "string", "description": "low..high, or a distribution like normal:mean,sd"}
    dists = [{"$ref": f"#/$defs/{cls.__name__}"} for cls in DISTS.values()]
    uncertain = {"anyOf": [number, shorthand, *dists]}
    strings = {"type": "array", "items": {"type": "string"}}
    types: dict[str, dict[str, Any]] = {
        "uncertain": uncertain,
        "uncertain map": {"type": "object", "additionalProperties": uncertain},
        "number": number,
        "int": {"type": "integer"},
        "bool": {"type": "boolean"},
        "str": {"type": "string"},
        "strs": strings,
        "ids": {"anyOf": [{"type": "string"}, strings]},
        "profile": {"anyOf": [{"type": "string"}, {"type": "array", "items": number}]},
        **{name: {"type": "string", "enum": list(options)} for name, options in _CHOICES.items()},
    }
    keywords = {"gt": "exclusiveMinimum", "ge": "minimum", "le": "maximum"}
    properties: dict[str, Any] = {}
    for f in SETTINGS:
        kind = f.metadata["kind"]
        prop = {**types[kind.removesuffix("?")], **{keywords[k]: f.metadata[k] for k in keywords if k in f.metadata}}
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


def _describe(value: Uncertain) -> Any:
    return value if isinstance(value, int | float) else value.to_dict()


def make_scenario(base: Scenario | Mapping[str, Any] | None = None, **options: Any) -> Scenario:
    """A Scenario from a base (model or mapping) with options layered on top; errors are one line."""
    values: dict[str, Any] = {}
    if isinstance(base, Scenario):
        values.update({name: getattr(base, name) for name in base.fields_set})
    elif base is not None:
        values.update(base)
    values.update({k: v for k, v in options.items() if v is not None})
    unknown = [k for k in values if k not in _NAMES]
    if unknown:
        raise UsageError(f"unknown setting '{unknown[0]}'; valid settings: {', '.join(f.name for f in SETTINGS)}")
    scenario = Scenario(**values, _fields_set=frozenset(values))
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
    given = scenario.fields_set
    return scenario.replace(**{k: v for k, v in derived.items() if k not in given})


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
                "median offer, times the cheapest offer's own range where the data gives one; API prices the "
                "data gives as ranges",
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
                k: line.spread["usd_per_month"].to_dict() if "usd_per_month" in line.spread else line.usd_per_month
                for k, line in cat.hidden_costs.items()
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
    return {key: central(overrides[key]) if key in overrides else line.usd_per_month for key, line in lines.items()}


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
        scenario = scenario.replace(
            apis=[f"genai/{a.split(':', 1)[1]}".lower() if a in genai else a for a in scenario.apis or []]
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
