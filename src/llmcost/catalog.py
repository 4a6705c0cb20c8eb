"""The only module that reads files: YAML -> validated, cross-referenced records.

Shipped data lives in `llmcost/data` (a symlink to the repo's `data/`). A user directory given
with `--data DIR` is merged over it: an entry with the same id replaces the shipped one, a new id
is added. YAML is read with a safe loader that also refuses aliases (no alias bombs) and files
above a size cap.

Records are frozen stdlib dataclasses. pydantic validates them (types, the constraints in each
field's metadata, `__post_init__` checks) when a data file is read; the validated catalog is then
pickled to a cache keyed by the files' contents, so a start-up with unchanged data imports neither
pydantic nor yaml (see `_load_cached`).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

from llmcost.errors import CatalogError, LLMCostError, UnknownIdError, UsageError
from llmcost.uncertainty import Dist, parse_uncertain

if TYPE_CHECKING:
    from datetime import date

    import yaml

SHIPPED_DATA_DIR = Path(__file__).parent / "data"
MAX_FILE_BYTES = 2_000_000
DATA_FILES = (
    "pricing.yaml",
    "hardware.yaml",
    "models.yaml",
    "costs.yaml",
    "engines.yaml",
    "quantization.yaml",
    "ownership.yaml",
)

Precision = Literal["bf16", "fp8", "int8", "int4", "fp4"]
PricingModel = Literal["on_demand", "reserved_1y", "reserved_3y", "spot"]
PRICING_MODELS: tuple[PricingModel, ...] = ("on_demand", "reserved_1y", "reserved_3y", "spot")
OfferPricing = Literal["on_demand", "reserved_1y", "reserved_3y", "spot", "owned"]
T = TypeVar("T")
_AS_OF = re.compile(r"^(undated|\d{4}(-\d{2}(-\d{2})?)?)$")
_ID = re.compile(r"^[a-z0-9][a-z0-9._/-]*$")


def _req(**constraints: float) -> Any:
    """A required field with pydantic constraints (gt, ge, lt, le, min_length) checked on validation."""
    return field(metadata=constraints)


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
        if not _AS_OF.match(self.as_of):
            raise ValueError(f"as_of must be 'YYYY-MM-DD', 'YYYY-MM', 'YYYY' or 'undated', got '{self.as_of}'")

    @property
    def as_of_date(self) -> date | None:
        """The latest day the as_of string can mean (None when undated)."""
        import calendar
        from datetime import date

        if self.as_of == "undated":
            return None
        parts = [int(p) for p in self.as_of.split("-")]
        if len(parts) == 3:
            return date(parts[0], parts[1], parts[2])
        if len(parts) == 2:
            return date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
        return date(parts[0], 12, 31)


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
class Quality(Sourced):
    lmarena_elo: float = _req(gt=0)


@dataclass(frozen=True, kw_only=True)
class LongContextTier(_Strict):
    above_prompt_tokens: int = _req(gt=0)
    input_usd_per_mtok: float = _req(ge=0)
    output_usd_per_mtok: float = _req(ge=0)
    cached_input_usd_per_mtok: float | None = _opt(ge=0)


@dataclass(frozen=True, kw_only=True)
class ApiModel(Identified):
    UNCERTAIN = ("input_usd_per_mtok", "output_usd_per_mtok", "cached_input_usd_per_mtok")
    provider: str
    name: str
    input_usd_per_mtok: float = _req(ge=0)
    output_usd_per_mtok: float = _req(ge=0)
    cached_input_usd_per_mtok: float | None = _opt(ge=0)
    cache_write_usd_per_mtok: float | None = _opt(ge=0)
    batch_discount: float | None = _opt(ge=0, lt=1)
    context_window_tokens: int | None = _opt(gt=0)
    long_context: LongContextTier | None = None
    open_model: str | None = None
    quality: Quality | None = None


@dataclass(frozen=True, kw_only=True)
class GpuOffer(Identified):
    UNCERTAIN = ("usd_per_instance_hour",)
    provider: str
    instance: str
    gpu: str
    gpus_per_instance: int = _req(gt=0)
    pricing: OfferPricing
    usd_per_instance_hour: float = _req(gt=0)
    region: str | None = None

    @property
    def usd_per_gpu_hour(self) -> float:
        return self.usd_per_instance_hour / self.gpus_per_instance


@dataclass(frozen=True, kw_only=True)
class Gpu(Identified):
    name: str
    vendor: Literal["nvidia", "amd"]
    memory_gb: float = _req(gt=0)
    memory_bandwidth_tb_per_s: float = _req(gt=0)
    dense_tflops: dict[Precision, float]
    tdp_w: float = _req(gt=0)
    interconnect: str
    interconnect_gb_per_s: float | None = _opt(gt=0)  # None: unknown, no TP > 1

    def __post_init__(self) -> None:
        super().__post_init__()
        if "bf16" not in self.dense_tflops:
            raise ValueError("dense_tflops needs at least bf16 (the 16-bit float tensor rate)")
        if any(x <= 0 for x in self.dense_tflops.values()):
            raise ValueError("dense_tflops values must be positive")


@dataclass(frozen=True, kw_only=True)
class Mla(_Strict):
    kv_lora_rank: int = _req(gt=0)
    qk_rope_head_dim: int = _req(gt=0)


@dataclass(frozen=True, kw_only=True)
class SlidingWindow(_Strict):
    window_tokens: int = _req(gt=0)
    full_attention_layers: int = _req(ge=0)


@dataclass(frozen=True, kw_only=True)
class Moe(_Strict):
    experts: int = _req(gt=0)
    experts_per_token: int = _req(gt=0)


@dataclass(frozen=True, kw_only=True)
class Licence(_Strict):
    name: str
    commercial_use: bool
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class OpenModel(Identified):
    name: str
    hf_id: str
    params_total_b: float = _req(gt=0)
    params_active_b: float = _req(gt=0)
    layers: int = _req(gt=0)
    hidden_size: int = _req(gt=0)
    attention_heads: int = _req(gt=0)
    kv_heads: int = _req(gt=0)
    head_dim: int = _req(gt=0)
    intermediate_size: int = _req(gt=0)
    vocab_size: int = _req(gt=0)
    max_context_tokens: int = _req(gt=0)
    native_precision: Precision = "bf16"
    tied_embeddings: bool = False  # input embedding and output head share one matrix
    mla: Mla | None = None
    sliding_window: SlidingWindow | None = None
    moe: Moe | None = None
    licence: Licence
    quality: Quality | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.params_active_b > self.params_total_b:
            raise ValueError("params_active_b exceeds params_total_b")
        if self.sliding_window and self.sliding_window.full_attention_layers > self.layers:
            raise ValueError("sliding_window.full_attention_layers exceeds layers")


@dataclass(frozen=True, kw_only=True)
class HiddenCost(Identified):
    UNCERTAIN = ("usd_per_month",)
    name: str
    usd_per_month: float = _req(ge=0)


@dataclass(frozen=True, kw_only=True)
class Engine(Identified):
    """A serving engine's documented batching limits and its throughput relative to vLLM."""

    name: str
    max_batch_size: int = _req(gt=0)
    max_batch_size_large_gpu: int | None = _opt(gt=0)
    large_gpu_min_gib: float | None = _opt(gt=0)
    large_gpu_excluded: list[str] = field(default_factory=list)
    gpu_memory_utilization: float | None = _opt(gt=0, le=1)
    relative_throughput: float = _req(gt=0)
    relative_throughput_low: float | None = _opt(gt=0)
    relative_throughput_high: float | None = _opt(gt=0)
    evidence: str

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
class SourcedRange(Sourced):
    """A sourced figure given as a range; `mid` is the default point value."""

    low: float = _req(ge=0)
    high: float = _req(ge=0)

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
    purchase_usd_per_gpu: float = _req(gt=0)


@dataclass(frozen=True, kw_only=True)
class Facility(_Strict):
    electricity_usd_per_kwh: SourcedRange
    colocation_usd_per_kw_month: SourcedRange
    depreciation_years: SourcedRange
    support_fraction_per_year: SourcedRange
    server_overhead_w_per_gpu: SourcedRange


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
    "costs.yaml": {"hidden_costs": HiddenCost},
    "engines.yaml": {"engines": Engine},
    "quantization.yaml": {"quantizations": QuantQuality},
    "ownership.yaml": {"owned_gpus": OwnedGpu},
}
_SINGLETONS: dict[str, dict[str, type[_Strict]]] = {
    "costs.yaml": {"engineering": Engineering},
    "ownership.yaml": {"facility": Facility},
}


@dataclass(frozen=True)
class Catalog:
    """Validated data: every id unique, every cross-reference resolved."""

    apis: Mapping[str, ApiModel]
    offers: Mapping[str, GpuOffer]
    gpus: Mapping[str, Gpu]
    models: Mapping[str, OpenModel]
    hidden_costs: Mapping[str, HiddenCost]
    engineering: Engineering
    engines: Mapping[str, Engine]
    quant_quality: Mapping[str, QuantQuality]
    owned_gpus: Mapping[str, OwnedGpu]
    facility: Facility

    def api(self, api_id: str) -> ApiModel:
        return _lookup(self.apis, api_id, "API model")

    def model(self, model_id: str) -> OpenModel:
        return _lookup(self.models, model_id, "model")

    def gpu(self, gpu_id: str) -> Gpu:
        return _lookup(self.gpus, gpu_id, "GPU")

    def engine(self, engine_id: str) -> Engine:
        return _lookup(self.engines, engine_id, "engine")

    def offers_for(self, gpu_id: str, pricing: PricingModel) -> list[GpuOffer]:
        return list(self._offers_by_gpu.get((gpu_id, pricing), ()))

    @cached_property
    def _offers_by_gpu(self) -> dict[tuple[str, str], list[GpuOffer]]:
        """(gpu, pricing) -> offers, built once: compare asks for them for every configuration it sizes."""
        index: dict[tuple[str, str], list[GpuOffer]] = {}
        for o in self.offers.values():
            index.setdefault((o.gpu, o.pricing), []).append(o)
        return index


def _lookup(table: Mapping[str, T], key: str, kind: str) -> T:
    try:
        return table[key.strip().lower()]
    except KeyError:
        raise UnknownIdError(kind, key, table) from None


@cache
def _loader() -> type[yaml.SafeLoader]:
    """libyaml's C safe loader when PyYAML has it (10x faster), else the pure-Python one; dates
    stay strings (as_of is validated as text, and `as_of: 2025-01-01` must not become a date)."""
    import yaml

    base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    resolvers = {
        first: [r for r in rules if r[0] != "tag:yaml.org,2002:timestamp"]
        for first, rules in base.yaml_implicit_resolvers.items()
    }
    return type("DataLoader", (base,), {"yaml_implicit_resolvers": resolvers})


def _refuse_aliases(text: str) -> None:
    """Data files never need anchors/aliases; alias bombs do. One event pass finds them."""
    import yaml

    for event in yaml.parse(text, Loader=_loader()):
        if isinstance(event, yaml.AliasEvent):
            line = event.start_mark.line + 1 if event.start_mark else "?"
            raise yaml.YAMLError(f"line {line}: YAML aliases are not allowed in data files")


def read_text(path: Path, max_bytes: int, error: type[LLMCostError], encoding: str = "utf-8") -> str:
    """A text file's contents, or one-line `error`: missing, larger than `max_bytes`, not UTF-8."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise error(f"{path}: {size:,} bytes is over the {max_bytes:,}-byte limit")
        return path.read_text(encoding=encoding)
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise error(f"{path}: not UTF-8 text") from None


def read_yaml(path: Path) -> Any:
    """Read one YAML file safely; every failure becomes a one-line CatalogError."""
    import yaml

    text = read_text(path, MAX_FILE_BYTES, CatalogError)
    try:
        _refuse_aliases(text)
        return yaml.load(text, Loader=_loader())  # a safe loader: no python tags
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f"line {where.line + 1}: " if where else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CatalogError(f"{path}: malformed YAML: {line}{problem}") from None


def read_scenario_file(path: Path) -> dict[str, Any]:
    """A scenario YAML file as a mapping; problems with it are usage errors (exit 2)."""
    try:
        doc = read_yaml(Path(path))
    except CatalogError as exc:
        raise UsageError(f"--scenario {exc}") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise UsageError(f"--scenario {path}: expected a mapping of settings, e.g. 'qpd: 50000'")
    return doc


MAX_LOG_BYTES = 200_000_000


def read_usage_log(path: Path) -> tuple[list[tuple[int, dict[str, Any]]], str]:
    """Rows of a CSV or JSONL usage log as (line number, record), and the format read.

    Problems with the file itself (missing, too big, not text, not CSV/JSONL) are usage errors;
    bad rows are returned for the caller to count (a JSON line that does not parse becomes {}).
    """
    import csv
    import json

    text = read_text(Path(path), MAX_LOG_BYTES, UsageError, encoding="utf-8-sig")
    first = next((line for line in text.splitlines() if line.strip()), "")
    if first.lstrip().startswith("{"):
        rows: list[tuple[int, dict[str, Any]]] = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                record = {}
            rows.append((n, record if isinstance(record, dict) else {}))
        return rows, "jsonl"
    if "," not in first:
        raise UsageError(f"{path}: not a CSV (with a header row) or JSONL usage log")
    reader = csv.DictReader(text.splitlines())
    return [(n, dict(r)) for n, r in enumerate(reader, start=2)], "csv"


def _parse_entries(path: Path, section: str, raw: Any, model: type[Identified]) -> list[Identified]:
    if not isinstance(raw, list):
        raise CatalogError(f"{path}: '{section}' must be a list of entries")
    entries = []
    for i, item in enumerate(raw):
        label = item.get("id", "?") if isinstance(item, dict) else "?"
        if not isinstance(item, dict):
            raise CatalogError(f"{path}: {section}[{i}]: each entry must be a mapping")
        try:
            entries.append(validate_record(model, item))
        except InvalidRecord as exc:
            raise CatalogError(f"{path}: {section}[{i}] ({label}): {exc}") from None
    return entries


def _load_dir(directory: Path, required: bool) -> dict[str, dict[str, Any]]:
    """Read every data file in a directory into {section: {id: entry}} (+ singletons)."""
    out: dict[str, dict[str, Any]] = {}
    for filename in DATA_FILES:
        path = directory / filename
        if not path.exists():
            if required:
                raise CatalogError(f"{path}: missing data file")
            continue
        doc = read_yaml(path)
        if not isinstance(doc, dict):
            raise CatalogError(f"{path}: expected a mapping of sections at the top level")
        known = set(_SECTIONS[filename]) | set(_SINGLETONS.get(filename, {}))
        unknown = set(doc) - known
        if unknown:
            raise CatalogError(f"{path}: unknown section '{sorted(unknown)[0]}'; valid: {', '.join(sorted(known))}")
        for section, model in _SECTIONS[filename].items():
            if section not in doc:
                if required:
                    raise CatalogError(f"{path}: missing section '{section}'")
                continue
            table: dict[str, Any] = {}
            for entry in _parse_entries(path, section, doc[section], model):
                if entry.id in table:
                    raise CatalogError(f"{path}: {section}: duplicate id '{entry.id}'")
                table[entry.id] = entry
            out[section] = table
        for name, single in _SINGLETONS.get(filename, {}).items():
            if name not in doc and required:
                raise CatalogError(f"{path}: missing section '{name}'")
            if name in doc:
                try:
                    out[name] = {"": validate_record(single, doc[name])}
                except InvalidRecord as exc:
                    raise CatalogError(f"{path}: {name}: {exc}") from None
    return out


def _check_references(cat: Catalog) -> None:
    for offer in cat.offers.values():
        if offer.gpu not in cat.gpus:
            raise CatalogError(f"pricing.yaml: gpu_rental {offer.id}: unknown gpu '{offer.gpu}'")
    for api in cat.apis.values():
        if api.open_model is not None and api.open_model not in cat.models:
            raise CatalogError(f"pricing.yaml: api {api.id}: unknown open_model '{api.open_model}'")
    for owned in cat.owned_gpus.values():
        if owned.id not in cat.gpus:
            raise CatalogError(f"ownership.yaml: owned_gpus {owned.id}: not a GPU in hardware.yaml")


def load_catalog(data_dirs: Iterable[Path | str] = (), *, include_shipped: bool = True) -> Catalog:
    """Load the shipped data, then each user directory over it (same id replaces, new id adds).

    With include_shipped=False the first directory is the complete base (tests use frozen fixtures).
    """
    dirs = tuple(str(Path(d).resolve()) for d in data_dirs)
    if not include_shipped and not dirs:
        raise CatalogError("include_shipped=False needs a data directory")
    return _load_cached(dirs, include_shipped)


@cache
def _load_cached(data_dirs: tuple[str, ...], include_shipped: bool) -> Catalog:
    """The catalog from the compiled cache when the files are unchanged, else read and validated.

    The cache is a pickle in LLMCOST_CACHE_DIR (default ~/.cache/llmcost; LLMCOST_NO_CACHE=1 turns
    it off), named by a hash of every data file's bytes and of the record modules' source, so an
    edited file or record definition is a miss. Only a catalog that validated is written, and only
    a file the user alone can write is read (see _read_cache).
    """
    base = SHIPPED_DATA_DIR if include_shipped else Path(data_dirs[0])
    overlays = [Path(d) for d in (data_dirs if include_shipped else data_dirs[1:])]
    if not base.is_dir():
        raise CatalogError(f"{base}: data directory not found")
    for directory in overlays:
        if not directory.is_dir():
            raise CatalogError(f"{directory}: --data must be a directory holding {', '.join(DATA_FILES)}")
    cache_file = _cache_file([base, *overlays])
    if cache_file is not None:
        cached = _read_cache(cache_file)
        if cached is not None:
            return cached
    cat = _build(base, overlays)
    if cache_file is not None:
        _write_cache(cache_file, cat)
    return cat


def _build(base: Path, overlays: list[Path]) -> Catalog:
    merged = _load_dir(base, required=True)
    for directory in overlays:
        overlay = _load_dir(directory, required=False)
        if not overlay:
            raise CatalogError(f"{directory}: holds none of {', '.join(DATA_FILES)}")
        for section, table in overlay.items():
            merged.setdefault(section, {}).update(table)
    cat = Catalog(
        apis=merged["api"],
        offers=merged["gpu_rental"],
        gpus=merged["gpus"],
        models=merged["models"],
        hidden_costs=merged.get("hidden_costs", {}),
        engineering=merged["engineering"][""],
        engines=merged["engines"],
        quant_quality=merged["quantizations"],
        owned_gpus=merged["owned_gpus"],
        facility=merged["facility"][""],
    )
    _check_references(cat)
    return cat


def _cache_file(directories: list[Path]) -> Path | None:
    """Where the compiled catalog of these directories is cached (None: caching is off)."""
    if os.environ.get("LLMCOST_NO_CACHE"):
        return None
    import hashlib

    digest = hashlib.sha256()
    for module in ("catalog.py", "uncertainty.py"):  # the pickled record and distribution classes
        digest.update(Path(__file__).with_name(module).read_bytes())
    digest.update(sys.version.encode())
    for directory in directories:
        for name in DATA_FILES:
            path = directory / name
            try:  # a file too big, missing or unreadable: the build reports it (or skips it)
                data = path.read_bytes() if path.stat().st_size <= MAX_FILE_BYTES else b"(too large)"
            except OSError:
                data = b"(missing)"
            digest.update(f"\0{path}\0".encode() + data)
    root = os.environ.get("LLMCOST_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "llmcost"
    )
    return Path(root) / f"catalog-{digest.hexdigest()[:32]}.pickle"


def _read_cache(path: Path) -> Catalog | None:
    """The cached catalog, or None: missing, unreadable, or not safe to unpickle (a file someone
    else owns or may write, e.g. with LLMCOST_CACHE_DIR in a shared directory)."""
    import pickle

    try:
        st = path.stat()
        if st.st_mode & 0o022 or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
            return None
        cat = pickle.loads(path.read_bytes())
    except Exception:  # missing, truncated or from another version: rebuild from the YAML
        return None
    return cat if isinstance(cat, Catalog) else None


CACHE_FILES_KEPT = 16


def _write_cache(path: Path, cat: Catalog) -> None:
    """Write atomically (a reader never sees half a file); a cache that cannot be written is skipped."""
    import pickle

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp.write_bytes(pickle.dumps(cat, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.chmod(0o600)  # only its owner may write it, whatever the umask: _read_cache checks that
        os.replace(tmp, path)
        kept = sorted(path.parent.glob("catalog-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in kept[CACHE_FILES_KEPT:]:
            stale.unlink(missing_ok=True)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


# ---------------------------------------------------------------- validation helpers (datatools)
# load_catalog stops at the first problem (one clear error for the CLI); a price-data check wants
# every problem at once. These read one file with the same reader and models and collect them all.


@dataclass(frozen=True)
class EntryProblem:
    """One problem in a data file: `entry` is the entry's id, `section[i]` without one, or a section name."""

    section: str
    entry: str
    message: str


@dataclass(frozen=True)
class CheckedFile:
    """One data file validated entry by entry: the valid entries, and every problem found."""

    path: Path
    kind: str | None  # the DATA_FILES name whose schema applied (None: unreadable or unrecognised)
    entries: dict[str, list[Identified]]  # section -> valid entries, first of each id only
    singletons: dict[str, _Strict]
    problems: list[EntryProblem]


FILE_LEVEL = "(file)"


def data_file_kind(path: Path, doc: object) -> str | None:
    """Which data file's schema applies: its name if it is one of DATA_FILES, else by its sections."""
    if path.name in DATA_FILES:
        return path.name
    if not isinstance(doc, dict):
        return None
    best, overlap = None, 0
    for filename in DATA_FILES:
        sections = set(_SECTIONS[filename]) | set(_SINGLETONS.get(filename, {}))
        n = len(sections & set(doc))
        if n > overlap:
            best, overlap = filename, n
    return best


def check_data_file(path: Path, *, required: bool = False) -> CheckedFile:
    """Read one data file and validate every entry on its own; collect all problems, raise none.

    With required=True a missing section is a problem (a complete data directory needs them all;
    an overlay given with --data may leave sections out). Duplicate ids keep the first entry.
    """
    path = Path(path)
    problems: list[EntryProblem] = []
    entries: dict[str, list[Identified]] = {}
    singletons: dict[str, _Strict] = {}
    try:
        doc = read_yaml(path)
    except CatalogError as exc:
        message = str(exc).removeprefix(f"{path}: ")
        return CheckedFile(path, None, entries, singletons, [EntryProblem("", FILE_LEVEL, message)])
    kind = data_file_kind(path, doc)
    if kind is None or not isinstance(doc, dict):
        if not isinstance(doc, dict):
            message = "expected a mapping of sections at the top level"
        else:
            message = f"cannot tell which data file this is: name it one of {', '.join(DATA_FILES)}"
        return CheckedFile(path, kind, entries, singletons, [EntryProblem("", FILE_LEVEL, message)])
    known = set(_SECTIONS[kind]) | set(_SINGLETONS.get(kind, {}))
    for name in sorted(set(doc) - known, key=str):
        problems.append(
            EntryProblem(str(name), str(name), f"unknown section '{name}'; valid: {', '.join(sorted(known))}")
        )
    for section, model in _SECTIONS[kind].items():
        if section not in doc:
            if required:
                problems.append(EntryProblem(section, section, f"missing section '{section}'"))
            continue
        raw = doc[section]
        if not isinstance(raw, list):
            problems.append(EntryProblem(section, section, f"'{section}' must be a list of entries"))
            continue
        valid: list[Identified] = []
        first_at: dict[str, int] = {}
        for i, item in enumerate(raw):
            raw_id = item.get("id") if isinstance(item, dict) else None
            label = raw_id if isinstance(raw_id, str) and raw_id else f"{section}[{i}]"
            if not isinstance(item, dict):
                problems.append(EntryProblem(section, label, "each entry must be a mapping"))
                continue
            if isinstance(raw_id, str) and raw_id in first_at:
                msg = f"duplicate id '{raw_id}' in {section} (first at {section}[{first_at[raw_id]}])"
                problems.append(EntryProblem(section, label, msg))
                continue
            if isinstance(raw_id, str):
                first_at[raw_id] = i
            try:
                valid.append(validate_record(model, item))
            except InvalidRecord as exc:
                problems.extend(EntryProblem(section, label, m) for m in exc.messages)
        entries[section] = valid
    for name, single in _SINGLETONS.get(kind, {}).items():
        if name not in doc:
            if required:
                problems.append(EntryProblem(name, name, f"missing section '{name}'"))
            continue
        try:
            singletons[name] = validate_record(single, doc[name])
        except InvalidRecord as exc:
            problems.extend(EntryProblem(name, name, m) for m in exc.messages)
    return CheckedFile(path, kind, entries, singletons, problems)


def section_names(kind: str) -> tuple[str, ...]:
    """The entry sections (lists of entries with ids) of a data file kind, e.g. ('api', 'gpu_rental')."""
    return tuple(_SECTIONS[kind])


def uncertain_fields(kind: str, section: str) -> tuple[str, ...]:
    """Fields of a section's entries that may be ranges or distributions, e.g. ('usd_per_instance_hour',)."""
    return _SECTIONS[kind][section].UNCERTAIN
