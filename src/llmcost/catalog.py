"""Catalog loading: data files -> validated, merged, cross-referenced records.

Shipped data lives in `llmcost/data` (a symlink to the repo's `data/`). A user directory given
with `--data DIR` is merged over it: an entry with the same id replaces the shipped one, a new id
is added. One validator (`check_data_file`) reads a file and collects every problem; loading stops
at the first one (one clear error for the CLI), `validate` reports them all.

Loading is memoised in-process by the files' contents, and cached across processes as JSON of the
validated plain values (no pickle: nothing read back can run code), so a start-up with unchanged
data imports neither pydantic nor yaml.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any, TypeVar

from llmcost.errors import CatalogError, LLMCostError, UnknownIdError, UsageError
from llmcost.io import read_bytes
from llmcost.records import (
    _SECTIONS,
    _SINGLETONS,
    DATA_FILES,
    ApiModel,
    BytesPerToken,
    ColdStartComponents,
    Engine,
    Engineering,
    EngineMemory,
    EngineOverhead,
    Facility,
    FleetCost,
    Gpu,
    GpuOffer,
    HiddenCost,
    Identified,
    InvalidRecord,
    MoeKernel,
    OpenModel,
    OwnedGpu,
    Platform,
    PriceReversal,
    PricingModel,
    QuantQuality,
    ReasoningFigure,
    SpotFact,
    _Strict,
    from_plain,
    to_plain,
    validate_record,
)
from llmcost.text import shown

SHIPPED_DATA_DIR = Path(__file__).parent / "data"
MAX_FILE_BYTES = 2_000_000
T = TypeVar("T")


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
    engine_memory: Mapping[str, EngineMemory]  # KV-pool accounting per engine version range
    engine_overhead: Mapping[str, EngineOverhead]  # per-layer decode-step overhead per engine release
    moe_kernel: Mapping[str, MoeKernel]  # routed-expert kernel speed per engine, GPU and weight format
    quant_quality: Mapping[str, QuantQuality]
    owned_gpus: Mapping[str, OwnedGpu]
    facility: Facility
    reasoning: Mapping[str, ReasoningFigure]  # id "model/effort" -> its reasoning-token figures
    price_reversal: PriceReversal
    fleet_costs: Mapping[str, FleetCost]
    bytes_per_token: BytesPerToken
    platforms: Mapping[str, Platform]  # serverless GPU platforms and dedicated endpoints (platforms.yaml)
    spot_facts: Mapping[str, SpotFact]
    cold_start_components: Mapping[str, ColdStartComponents]

    def platform(self, platform_id: str) -> Platform:
        return _lookup(self.platforms, platform_id, "serving platform")

    def fleet_price(self, line: str, driver: str) -> FleetCost | None:
        """The default unit price of a fleet-scaled hidden-cost line for one driver (None: not in the data)."""
        return next((f for f in self.fleet_costs.values() if f.default and f.line == line and f.driver == driver), None)

    def efforts(self, model_id: str) -> dict[str, ReasoningFigure]:
        """A model's reasoning figures by effort ({} for a model that does not reason)."""
        return dict(self._efforts_by_model.get(model_id, {}))

    @cached_property
    def _efforts_by_model(self) -> dict[str, dict[str, ReasoningFigure]]:
        index: dict[str, dict[str, ReasoningFigure]] = {}
        for r in self.reasoning.values():
            index.setdefault(r.model, {})[r.effort] = r
        return index

    def api(self, api_id: str) -> ApiModel:
        return _lookup(self.apis, api_id, "API model")

    def model(self, model_id: str) -> OpenModel:
        return _lookup(self.models, model_id, "model")

    def gpu(self, gpu_id: str) -> Gpu:
        return _lookup(self.gpus, gpu_id, "GPU")

    def engine(self, engine_id: str) -> Engine:
        return _lookup(self.engines, engine_id, "engine")

    def memory_profile(self, engine_id: str, profile_id: str | None = None) -> EngineMemory | None:
        """The engine's memory accounting: `profile_id` (an engine_memory id) or the engine's
        default record; None when the data has none for that engine."""
        if profile_id is not None:
            prof = _lookup(self.engine_memory, profile_id, "engine memory profile")
            if prof.engine != engine_id:
                raise UsageError(
                    f"engine memory profile '{prof.id}' is for {prof.engine}, not {engine_id}", param="engine_version"
                )
            return prof
        return next((p for p in self.engine_memory.values() if p.engine == engine_id and p.default), None)

    def overhead_profile(self, engine_id: str, profile_id: str | None = None) -> EngineOverhead | None:
        """The engine's per-layer decode overhead: `profile_id` (an engine_overhead id) or the engine's
        default record (its newest measured release); None when the data has none for that engine."""
        if profile_id is not None:
            prof = _lookup(self.engine_overhead, profile_id, "engine overhead profile")
            if prof.engine != engine_id:
                raise UsageError(f"engine overhead profile '{prof.id}' is for {prof.engine}, not {engine_id}")
            return prof
        return next((p for p in self.engine_overhead.values() if p.engine == engine_id and p.default), None)

    def default_overheads(self) -> dict[str, EngineOverhead]:
        """Engine id -> its default engine_overhead record, for every engine that has one."""
        return {e: p for e in self.engines if (p := self.overhead_profile(e)) is not None}

    @cached_property
    def moe_kernels(self) -> dict[tuple[str, str, str], MoeKernel]:
        """(engine, gpu, weight format) -> the engine's measured MoE kernel there."""
        return {(k.engine, k.gpu, k.weight_dtype): k for k in self.moe_kernel.values()}

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
    if not isinstance(key, str):
        raise UnknownIdError(kind, repr(key), table)
    try:
        return table[key.strip().lower()]
    except KeyError:
        raise UnknownIdError(kind, key, table) from None


# ---------------------------------------------------------------- YAML


@cache
def _loader() -> type[Any]:
    """libyaml's C safe loader when PyYAML has it (10x faster), else the pure-Python one; dates
    stay strings (as_of is validated as text, and `as_of: 2025-01-01` must not become a date);
    a mapping with a key twice is refused (the last would silently win)."""
    import yaml

    base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    resolvers = {
        first: [r for r in rules if r[0] != "tag:yaml.org,2002:timestamp"]
        for first, rules in base.yaml_implicit_resolvers.items()
    }

    def mapping(loader: Any, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {shown(key, 60)}", key_node.start_mark
                )
            seen.add(key)
        return dict(loader.construct_mapping(node, deep=deep))

    loader: type[Any] = type("DataLoader", (base,), {"yaml_implicit_resolvers": resolvers})
    loader.add_constructor("tag:yaml.org,2002:map", mapping)
    return loader


def parse_yaml(data: bytes, path: Path | str, error: type[LLMCostError]) -> Any:
    """YAML bytes as plain values, with a safe loader that refuses aliases (no alias bombs) and
    duplicate keys; every failure is one-line `error` naming the file."""
    import yaml

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise error(f"{shown(path)}: not UTF-8 text") from None
    try:
        for event in yaml.parse(text, Loader=_loader()):
            if isinstance(event, yaml.AliasEvent):
                line = event.start_mark.line + 1 if event.start_mark else "?"
                raise yaml.YAMLError(f"line {line}: YAML aliases are not allowed")
        return yaml.load(text, Loader=_loader())  # a safe loader: no python tags
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f"line {where.line + 1}: " if where else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error(f"{shown(path)}: malformed YAML: {line}{problem}") from None
    except (RecursionError, ValueError, OverflowError) as exc:  # deeply nested, or an int too big to build
        raise error(f"{shown(path)}: malformed YAML: {type(exc).__name__}") from None


def read_yaml(path: Path, error: type[LLMCostError] = CatalogError, what: str = "") -> Any:
    """Read and parse one YAML file safely (bounded, regular files only)."""
    return parse_yaml(read_bytes(path, MAX_FILE_BYTES, error, what=what), f"{what} {path}".strip(), error)


# ---------------------------------------------------------------- loading


def _fields_of(cat: Catalog) -> dict[str, Any]:
    return {name: getattr(cat, name) for name in Catalog.__dataclass_fields__}


def _read_dir(directory: Path, required: bool) -> dict[str, bytes]:
    """The bytes of each data file a directory holds, read once (bounded) for hashing and parsing."""
    out: dict[str, bytes] = {}
    for name in DATA_FILES:
        path = directory / name
        if not path.exists() and not path.is_symlink():
            if required:
                raise CatalogError(f"{path}: missing data file")
            continue
        out[name] = read_bytes(path, MAX_FILE_BYTES, CatalogError)
    return out


_MEMO: dict[str, Catalog] = {}  # content digest -> catalog: an edited file is a new key
_MEMO_KEPT = 8


def require_catalog(catalog: object) -> Catalog | None:
    """`catalog` if it is one (or None), else a UsageError naming the parameter."""
    if catalog is not None and not isinstance(catalog, Catalog):
        raise UsageError(f"catalog must be a llmcost.Catalog (from load_catalog), got {type(catalog).__name__}",
                         param="catalog")  # fmt: skip
    return catalog


def load_catalog(data_dirs: Iterable[Path | str] = (), *, include_shipped: bool = True) -> Catalog:
    """Load the shipped data, then each user directory over it (same id replaces, new id adds).

    With include_shipped=False the first directory is the complete base (tests use frozen fixtures).
    """
    if data_dirs is None:
        data_dirs = ()
    if isinstance(data_dirs, str | os.PathLike):
        data_dirs = [data_dirs]  # one directory, not its characters
    if not isinstance(data_dirs, list | tuple) or not all(isinstance(d, str | os.PathLike) for d in data_dirs):
        raise UsageError("data_dirs must be a list of directory paths", param="data_dirs")
    dirs = [Path(d) for d in data_dirs]
    if not include_shipped and not dirs:
        raise CatalogError("include_shipped=False needs a data directory")
    base, overlays = (SHIPPED_DATA_DIR, dirs) if include_shipped else (dirs[0], dirs[1:])
    if not base.is_dir():
        raise CatalogError(f"{base}: data directory not found")
    for directory in overlays:
        if not directory.is_dir():
            raise CatalogError(f"{directory}: --data must be a directory holding {', '.join(DATA_FILES)}")
    files = [(base, _read_dir(base, required=True))]
    for directory in overlays:
        found = _read_dir(directory, required=False)
        if not found:
            raise CatalogError(f"{directory}: holds none of {', '.join(DATA_FILES)}")
        files.append((directory, found))
    digest = _digest(files)
    if digest in _MEMO:
        return _MEMO[digest]
    cache = _cache_path(digest)
    cat = _read_cache(cache) if cache is not None else None
    if cat is None:
        cat = _build(files)
        if cache is not None:
            _write_cache(cache, cat)
    if len(_MEMO) >= _MEMO_KEPT:
        _MEMO.pop(next(iter(_MEMO)))
    _MEMO[digest] = cat
    return cat


def _digest(files: list[tuple[Path, dict[str, bytes]]]) -> str:
    """A hash of every data file's bytes and of the record schema's source (a changed class is a miss)."""
    h = hashlib.sha256()
    for module in ("records.py", "uncertainty.py"):  # the package's own sources: the record schema
        h.update(read_bytes(Path(__file__).with_name(module), MAX_FILE_BYTES, CatalogError))
    h.update(sys.version.encode())
    for directory, found in files:
        for name, data in found.items():
            h.update(f"\0{directory.resolve() / name}\0{len(data)}\0".encode() + data)
    return h.hexdigest()[:32]


def _build(files: list[tuple[Path, dict[str, bytes]]]) -> Catalog:
    """Validate every file (the first problem is the error) and merge the overlays over the base."""
    merged: dict[str, dict[str, Any]] = {}
    for i, (directory, found) in enumerate(files):
        for name, data in found.items():
            checked = check_data_file(directory / name, required=i == 0, data=data)
            if checked.problems:
                p, more = checked.problems[0], len(checked.problems) - 1
                where = "" if p.entry in (FILE_LEVEL, p.section) else f"{p.section} {p.entry}: "
                tail = f" (and {more} more problem(s): run llmcost validate {directory / name})" if more else ""
                raise CatalogError(f"{directory / name}: {where}{p.message}{tail}")
            for section, entries in checked.entries.items():
                merged.setdefault(section, {}).update({e.id: e for e in entries})
            for single, record in checked.singletons.items():
                merged[single] = {"": record}
    cat = Catalog(
        apis=merged["api"],
        offers=merged["gpu_rental"],
        gpus=merged["gpus"],
        models=merged["models"],
        hidden_costs=merged.get("hidden_costs", {}),
        engineering=merged["engineering"][""],
        engines=merged["engines"],
        engine_memory=merged.get("engine_memory", {}),
        engine_overhead=merged.get("engine_overhead", {}),
        moe_kernel=merged.get("moe_kernel", {}),
        quant_quality=merged["quantizations"],
        owned_gpus=merged["owned_gpus"],
        facility=merged["facility"][""],
        reasoning=merged["reasoning"],
        price_reversal=merged["price_reversal"][""],
        fleet_costs=merged["fleet_costs"],
        bytes_per_token=merged["bytes_per_token"][""],
        platforms=merged["platforms"],
        spot_facts=merged["spot"],
        cold_start_components=merged["cold_start_components"],
    )
    _check_references(cat)
    return cat


def _check_references(cat: Catalog) -> None:
    for section, records in (("engine_memory", cat.engine_memory), ("engine_overhead", cat.engine_overhead)):
        defaults_seen: dict[str, str] = {}
        for prof in records.values():
            if prof.engine not in cat.engines:
                raise CatalogError(f"engines.yaml: {section} {prof.id}: unknown engine '{prof.engine}'")
            if prof.default:
                if prof.engine in defaults_seen:
                    raise CatalogError(
                        f"engines.yaml: {section} {prof.id}: {prof.engine} already has a default "
                        f"({defaults_seen[prof.engine]}); mark one record default: true"
                    )
                defaults_seen[prof.engine] = prof.id
    for kernel in cat.moe_kernel.values():
        if kernel.engine not in cat.engines:
            raise CatalogError(f"engines.yaml: moe_kernel {kernel.id}: unknown engine '{kernel.engine}'")
        if kernel.gpu not in cat.gpus:
            raise CatalogError(f"engines.yaml: moe_kernel {kernel.id}: unknown gpu '{kernel.gpu}'")
    for offer in cat.offers.values():
        if offer.gpu not in cat.gpus:
            raise CatalogError(f"pricing.yaml: gpu_rental {offer.id}: unknown gpu '{offer.gpu}'")
    for api in cat.apis.values():
        if api.open_model is not None and api.open_model not in cat.models:
            raise CatalogError(f"pricing.yaml: api {api.id}: unknown open_model '{api.open_model}'")
    for platform in cat.platforms.values():
        for price in platform.prices:
            if price.gpu not in cat.gpus:
                raise CatalogError(f"platforms.yaml: platforms {platform.id}: unknown gpu '{price.gpu}' in prices")
        for figure in platform.cold_start:
            if figure.gpu is not None and figure.gpu not in cat.gpus:
                raise CatalogError(f"platforms.yaml: platforms {platform.id}: unknown gpu '{figure.gpu}' in cold_start")
    for fact in cat.spot_facts.values():
        if fact.gpu is not None and fact.gpu not in cat.gpus:
            raise CatalogError(f"platforms.yaml: spot {fact.id}: unknown gpu '{fact.gpu}'")
    for owned in cat.owned_gpus.values():
        if owned.id not in cat.gpus:
            raise CatalogError(f"ownership.yaml: owned_gpus {owned.id}: not a GPU in hardware.yaml")
        if cat.gpus[owned.id].tdp_w is None:
            raise CatalogError(
                f"ownership.yaml: owned_gpus {owned.id}: hardware.yaml gives it no tdp_w, so its power cannot be costed"
            )


# ---------------------------------------------------------------- the cross-process cache

_TYPES: dict[str, type[Any]] = {
    "apis": ApiModel,
    "offers": GpuOffer,
    "gpus": Gpu,
    "models": OpenModel,
    "hidden_costs": HiddenCost,
    "engineering": Engineering,
    "engines": Engine,
    "engine_memory": EngineMemory,
    "engine_overhead": EngineOverhead,
    "moe_kernel": MoeKernel,
    "quant_quality": QuantQuality,
    "owned_gpus": OwnedGpu,
    "facility": Facility,
    "reasoning": ReasoningFigure,
    "price_reversal": PriceReversal,
    "fleet_costs": FleetCost,
    "bytes_per_token": BytesPerToken,
    "platforms": Platform,
    "spot_facts": SpotFact,
    "cold_start_components": ColdStartComponents,
}
_SINGLE = ("engineering", "facility", "price_reversal", "bytes_per_token")
CACHE_FILES_KEPT = 16
MAX_CACHE_BYTES = 20_000_000


def cache_dir() -> Path | None:
    """LLMCOST_CACHE_DIR, else $XDG_CACHE_HOME/llmcost or ~/.cache/llmcost; None when
    LLMCOST_NO_CACHE is set. The directory is used only if it is private (see io.private_dir)."""
    if os.environ.get("LLMCOST_NO_CACHE"):
        return None
    root = os.environ.get("LLMCOST_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "llmcost"
    )
    return Path(root)


class CacheWarning(UserWarning):
    """The catalog cache cannot be used; llmcost runs without it (the CLI shows one notice)."""


def _cache_path(digest: str) -> Path | None:
    import warnings

    from llmcost.io import private_dir_or_why

    root = cache_dir()
    if root is None:
        return None
    safe, why = private_dir_or_why(root)
    if safe is None:
        warnings.warn(f"cache directory {shown(root)} {why}: running without a cache", CacheWarning, stacklevel=2)
        return None
    return safe / f"catalog-{digest}.json"


def _read_cache(path: Path) -> Catalog | None:
    """The cached catalog for these files, or None (missing, unsafe, corrupt: rebuild from the YAML)."""
    from llmcost.io import read_private

    raw = read_private(path, MAX_CACHE_BYTES)
    if raw is None:
        return None
    try:
        plain = json.loads(raw)
        values: dict[str, Any] = {}
        for name, cls in _TYPES.items():
            value = plain[name]
            values[name] = (
                from_plain(cls, value) if name in _SINGLE
                else {k: from_plain(cls, v) for k, v in value.items()}
            )  # fmt: skip
        return Catalog(**values)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _write_cache(path: Path, cat: Catalog) -> None:
    """Write the validated catalog as JSON; a cache that cannot be written is skipped."""
    from llmcost.io import write_private

    data = json.dumps({name: to_plain(value) for name, value in _fields_of(cat).items()}).encode()
    if write_private(path, data):
        try:
            kept = sorted(path.parent.glob("catalog-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
            for stale in kept[CACHE_FILES_KEPT:]:
                stale.unlink(missing_ok=True)
        except OSError:
            pass


# ---------------------------------------------------------------- the one validator


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


def check_data_file(path: Path, *, required: bool = False, data: bytes | None = None) -> CheckedFile:
    """Read one data file and validate every entry on its own; collect all problems, raise none.

    With required=True a missing section is a problem (a complete data directory needs them all;
    an overlay given with --data may leave sections out). Duplicate ids keep the first entry.
    """
    path = Path(path)
    problems: list[EntryProblem] = []
    entries: dict[str, list[Identified]] = {}
    singletons: dict[str, _Strict] = {}
    try:
        raw = read_bytes(path, MAX_FILE_BYTES, CatalogError) if data is None else data
        doc = parse_yaml(raw, path, CatalogError)
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
