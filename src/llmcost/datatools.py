"""Price-data tooling: validate data files (the CI gate), diff two versions, sync from a price
source (genai-prices, LiteLLM), import LiteLLM prices, cross-check with genai-prices.

Functions returning JSON-ready dicts; nothing is printed, and the one function that writes a file
(`write_sync`) does it through io.atomic_write. Reading goes through catalog.py's safe YAML reader;
this module also reads LiteLLM's JSON price map and writes YAML text (`to_yaml`, sync's in-place
edit), which is why it may import yaml.

Validation groups the paths it is given by directory: files in one directory resolve their
cross-references (an offer's gpu, an API's open_model, an owned GPU's id) against each other, and
against the shipped data for the data files that directory does not provide. So a lone
`pricing.yaml` is checked against the shipped hardware.yaml and models.yaml.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import re
import statistics
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml  # a file-format module: to_yaml writes pricing.yaml entries

from llmcost.catalog import (
    FILE_LEVEL,
    MAX_FILE_BYTES,
    SHIPPED_DATA_DIR,
    Catalog,
    CheckedFile,
    check_data_file,
    data_file_kind,
    read_yaml,
    section_names,
    uncertain_fields,
)
from llmcost.errors import CatalogError, LLMCostError, UnknownIdError, UsageError
from llmcost.io import atomic_write, read_bytes, read_text
from llmcost.records import (
    DATA_FILES,
    ApiModel,
    Gpu,
    GpuOffer,
    InvalidRecord,
    OwnedGpu,
    Platform,
    Sourced,
    as_of_days,
    validate_record,
)
from llmcost.text import no_workflow_commands, shown
from llmcost.uncertainty import parse_uncertain

Finding = dict[str, str]

# A rental offer is an outlier when its USD per GPU-hour is more than this factor above or below the
# median of the other offers for the same GPU and pricing model (needs at least MIN_PEERS others).
OUTLIER_FACTOR = 3.0
OUTLIER_MIN_PEERS = 2
# diff and sync: a change by this factor or more either way (or across zero) is held for review.
LARGE_CHANGE_FACTOR = 10.0
# cross_check_genai: relative difference above which a price is reported.
GENAI_TOLERANCE = 0.01


def _finding(level: Literal["error", "warning", "notice"], file: Path | str, entry: str, message: str) -> Finding:
    return {"level": level, "file": str(file), "entry": entry, "message": message}


# ---------------------------------------------------------------- validate


@dataclass
class _Group:
    """Data files from one directory: they resolve references against each other."""

    files: list[Path] = field(default_factory=list)
    complete: bool = False  # a directory holding every data file: missing sections are errors


def _groups(paths: Sequence[Path], findings: list[Finding]) -> list[_Group]:
    groups: dict[Path, _Group] = {}
    seen: set[Path] = set()
    for p in map(Path, paths):
        if p.is_dir():
            files = [p / name for name in DATA_FILES if (p / name).is_file()]
            if not files:
                findings.append(_finding("error", p, FILE_LEVEL, f"holds none of {', '.join(DATA_FILES)}"))
                continue
            group = groups.setdefault(p.resolve(), _Group())
            group.complete = group.complete or len(files) == len(DATA_FILES)
        elif p.is_file():
            files = [p]
            group = groups.setdefault(p.parent.resolve(), _Group())
        else:
            findings.append(_finding("error", p, FILE_LEVEL, "not found"))
            continue
        for f in files:
            if f.resolve() not in seen:
                seen.add(f.resolve())
                group.files.append(f)
    return list(groups.values())


@cache
def _shipped_ids(kind: str, section: str) -> frozenset[str]:
    checked = check_data_file(SHIPPED_DATA_DIR / kind)
    return frozenset(e.id for e in checked.entries.get(section, []))


def _universe(checked: list[CheckedFile], kind: str, section: str) -> tuple[frozenset[str], str]:
    """Ids a reference may point to, and where they come from (for the message)."""
    mine = [c for c in checked if c.kind == kind]
    if mine:
        return frozenset(e.id for c in mine for e in c.entries.get(section, [])), " + ".join(c.path.name for c in mine)
    return _shipped_ids(kind, section), f"the shipped {kind}"


def _is_priced(record: object) -> bool:
    return any("usd" in f.name for f in dataclasses.fields(record))  # type: ignore[arg-type]


def _sourced_parts(model: object, prefix: str, priced: bool) -> Iterator[tuple[str, Sourced, bool]]:
    """Every Sourced object in an entry (itself and nested), with its field path and whether it is a price.

    A price is a Sourced object with a USD field, or one held under a field whose name says USD.
    """
    if isinstance(model, Sourced):
        yield prefix, model, priced or _is_priced(model)
    for f in dataclasses.fields(model):  # type: ignore[arg-type]
        name, value = f.name, getattr(model, f.name)
        if dataclasses.is_dataclass(value):
            path = f"{prefix}.{name}" if prefix else name
            yield from _sourced_parts(value, path, "usd" in name)


def _date_findings(file: Path, label: str, model: object, today: date, max_age_days: int) -> list[Finding]:
    out = []
    oldest_ok = today - timedelta(days=max_age_days)
    for path, part, priced in _sourced_parts(model, "", False):
        field_name = f"{path}.as_of" if path else "as_of"
        earliest, latest = as_of_days(part.as_of)
        if earliest is not None and earliest > today:
            out.append(
                _finding("error", file, label, f"{field_name} '{part.as_of}' is in the future (today is {today})")
            )
        elif priced and latest is None:
            what = f"price in {path}" if path else "price"
            out.append(
                _finding("warning", file, label, f"{what} is undated ({field_name}: undated): its age is unknown")
            )
        elif priced and latest is not None and latest < oldest_ok:
            what = f"price in {path}" if path else "price"
            age = (today - latest).days
            msg = f"{what} is {age} days old ({field_name} {part.as_of}), over the {max_age_days}-day limit"
            out.append(_finding("warning", file, label, msg + ": check it is still current"))
    return out


def _api_findings(file: Path, api: ApiModel, models: frozenset[str], models_from: str) -> list[Finding]:
    out = []
    prices = {
        "input_usd_per_mtok": api.input_usd_per_mtok,
        "output_usd_per_mtok": api.output_usd_per_mtok,
        "cached_input_usd_per_mtok": api.cached_input_usd_per_mtok,
        "cache_write_usd_per_mtok": api.cache_write_usd_per_mtok,
    }
    lc = api.long_context
    if lc is not None:
        prices["long_context.input_usd_per_mtok"] = lc.input_usd_per_mtok
        prices["long_context.output_usd_per_mtok"] = lc.output_usd_per_mtok
        prices["long_context.cached_input_usd_per_mtok"] = lc.cached_input_usd_per_mtok
    for name, value in prices.items():
        if value == 0:
            msg = f"{name} is 0: a zero price is a missing value, not a list price (leave optional prices out)"
            out.append(_finding("error", file, api.id, msg))
    cached = api.cached_input_usd_per_mtok
    if cached is not None and cached > api.input_usd_per_mtok:
        msg = f"cached_input_usd_per_mtok {cached:g} is above input_usd_per_mtok {api.input_usd_per_mtok:g}"
        out.append(_finding("error", file, api.id, msg + " (a cache read must not cost more than a fresh one)"))
    if lc is not None:
        pairs = [
            ("input_usd_per_mtok", lc.input_usd_per_mtok, api.input_usd_per_mtok),
            ("output_usd_per_mtok", lc.output_usd_per_mtok, api.output_usd_per_mtok),
            ("cached_input_usd_per_mtok", lc.cached_input_usd_per_mtok, api.cached_input_usd_per_mtok),
        ]
        for name, tier, standard in pairs:
            if tier is not None and standard is not None and tier < standard:
                msg = f"long_context.{name} {tier:g} is below the standard {name} {standard:g}"
                out.append(_finding("error", file, api.id, msg + " (the long-context tier is the dearer one)"))
        if lc.cached_input_usd_per_mtok is not None and lc.cached_input_usd_per_mtok > lc.input_usd_per_mtok:
            msg = f"long_context.cached_input_usd_per_mtok {lc.cached_input_usd_per_mtok:g} is above"
            out.append(
                _finding("error", file, api.id, f"{msg} long_context.input_usd_per_mtok {lc.input_usd_per_mtok:g}")
            )
    if api.open_model is not None and api.open_model not in models:
        msg = f"open_model '{api.open_model}' is not a model id in {models_from}"
        out.append(_finding("error", file, api.id, msg))
    return out


def _lifecycle_findings(file: Path, api: ApiModel, today: date) -> list[Finding]:
    """A warning for an entry past its deprecation or retirement date (outputs flag it; defaults leave
    a retired one out)."""
    state = api.lifecycle(today)
    if state == "retired":
        msg = f"retired on {api.retirement_date}: kept for history, flagged in outputs and left out of defaults"
        return [_finding("warning", file, api.id, msg)]
    if state == "deprecated":
        when = f", retires {api.retirement_date}" if api.retirement_date else ""
        return [_finding("warning", file, api.id, f"deprecated on {api.deprecation_date}{when}: flagged in outputs")]
    return []


def _outlier_findings(offers: list[tuple[Path, GpuOffer]]) -> list[Finding]:
    by_key: dict[tuple[str, str], list[tuple[Path, GpuOffer]]] = {}
    for file, offer in offers:
        by_key.setdefault((offer.gpu, offer.pricing), []).append((file, offer))
    out = []
    for (gpu, pricing), group in by_key.items():
        for file, offer in group:
            others = [o.usd_per_gpu_hour for _, o in group if o is not offer]
            if len(others) < OUTLIER_MIN_PEERS:
                continue
            median = statistics.median(others)
            ratio = offer.usd_per_gpu_hour / median
            if ratio > OUTLIER_FACTOR or ratio < 1 / OUTLIER_FACTOR:
                where = f"{ratio:.1f}x above" if ratio > 1 else f"{1 / ratio:.1f}x below"
                msg = (
                    f"${offer.usd_per_gpu_hour:.3f} per GPU-hour is {where} the median ${median:.3f} of the "
                    f"{len(others)} other {pricing} offers for {gpu} (rule: warn when more than "
                    f"{OUTLIER_FACTOR:g}x above or below that median)"
                )
                out.append(_finding("warning", file, offer.id, msg))
    return out


def _validate_group(group: _Group, today: date, max_age_days: int) -> list[Finding]:
    findings: list[Finding] = []
    checked = [check_data_file(f, required=group.complete) for f in group.files]
    for c in checked:
        findings.extend(_finding("error", c.path, p.entry, p.message) for p in c.problems)
    gpus, gpus_from = _universe(checked, "hardware.yaml", "gpus")
    models, models_from = _universe(checked, "models.yaml", "models")
    unpowered = {
        e.id
        for c in checked
        if c.kind == "hardware.yaml"
        for e in c.entries.get("gpus", [])
        if isinstance(e, Gpu) and e.tdp_w is None
    }
    offers: list[tuple[Path, GpuOffer]] = []
    for c in checked:
        for entries in c.entries.values():
            for entry in entries:
                if isinstance(entry, ApiModel):
                    findings.extend(_api_findings(c.path, entry, models, models_from))
                    findings.extend(_lifecycle_findings(c.path, entry, today))
                elif isinstance(entry, GpuOffer):
                    offers.append((c.path, entry))
                    if entry.gpu not in gpus:
                        msg = f"gpu '{entry.gpu}' is not a GPU id in {gpus_from}"
                        findings.append(_finding("error", c.path, entry.id, msg))
                elif isinstance(entry, Platform):
                    for price in entry.prices:
                        if price.gpu not in gpus:
                            msg = f"prices: gpu '{price.gpu}' is not a GPU id in {gpus_from}"
                            findings.append(_finding("error", c.path, entry.id, msg))
                elif isinstance(entry, OwnedGpu) and entry.id not in gpus:
                    msg = f"owned GPU '{entry.id}' is not a GPU id in {gpus_from}"
                    findings.append(_finding("error", c.path, entry.id, msg))
                elif isinstance(entry, OwnedGpu) and entry.id in unpowered:
                    msg = f"owned GPU '{entry.id}' has no tdp_w in {gpus_from}, so its power cannot be costed"
                    findings.append(_finding("error", c.path, entry.id, msg))
                findings.extend(_date_findings(c.path, entry.id, entry, today, max_age_days))
        for name, single in c.singletons.items():
            findings.extend(_date_findings(c.path, name, single, today, max_age_days))
    findings.extend(_outlier_findings(offers))
    order = {str(f): i for i, f in enumerate(group.files)}
    return sorted(findings, key=lambda f: order.get(f["file"], -1))  # stable: per file, in check order


def validate(paths: Sequence[Path] | None, today: date, max_age_days: int = 365) -> dict[str, Any]:
    """Check data files or directories (default: the shipped data) and report every problem.

    Errors: unreadable/malformed YAML, schema violations (each entry separately), duplicate ids,
    unresolved references, cached input above input, long-context tier below standard, zero prices,
    as_of in the future. Warnings: rental offers more than 3x off the median of their peers, prices
    older than max_age_days, undated prices. The files are only read, never written.
    """
    if max_age_days < 0:
        raise UsageError(f"max_age_days must be 0 or more, got {max_age_days}")
    findings: list[Finding] = []
    groups = _groups(list(paths) if paths else [SHIPPED_DATA_DIR], findings)
    for group in groups:
        findings.extend(_validate_group(group, today, max_age_days))
    return {
        "files": [str(f) for g in groups for f in g.files],
        "errors": sum(f["level"] == "error" for f in findings),
        "warnings": sum(f["level"] == "warning" for f in findings),
        "findings": findings,
    }


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


_ID_LINE = re.compile(r"^\s*-?\s*id:\s*['\"]?(?P<id>[^'\"#\s]+)['\"]?\s*(#.*)?$")
_FIELD = re.compile(r"^(?P<field>[a-z_][a-z0-9_]*)[.:]")


def finding_line(lines: Sequence[str], entry: str, message: str) -> int | None:
    """The 1-based line a finding points at: the field's line inside the entry when the message
    names a field ("input_usd_per_mtok: ..."), else the entry's `id:` line; None when not found."""
    start = next((i for i, line in enumerate(lines) if (m := _ID_LINE.match(line)) and m["id"] == entry), None)
    if start is None:
        return None
    field = _FIELD.match(message)
    if field:
        for i in range(start + 1, len(lines)):
            if _ID_LINE.match(lines[i]):
                break  # the next entry
            if re.match(rf"^\s+{re.escape(field['field'])}\s*:", lines[i]):
                return i + 1
    return start + 1


def relative_path(file: str) -> str:
    """A finding's file relative to the working directory when it is below it (as GitHub expects)."""
    import os

    try:
        rel = os.path.relpath(os.path.realpath(file))  # the shipped data's real place, not its symlink
    except ValueError:
        return file
    return file if rel.startswith("..") else rel


def _file_lines(file: str, cache: dict[str, list[str]]) -> list[str]:
    if file not in cache:
        try:
            cache[file] = read_text(Path(file), MAX_PRICE_MAP_BYTES, UsageError).splitlines()
        except UsageError:
            cache[file] = []
    return cache[file]


def format_findings(result: dict[str, Any], fmt: str = "text") -> list[str]:
    """Lines for a validate() result: 'text' (file:line: entry: level: message) or 'github'
    (annotations with file relative to the working directory and line= where the entry or field is found)."""
    if fmt not in ("text", "github"):
        raise UsageError(f"unknown findings format '{fmt}'; valid: text, github")
    findings: list[Finding] = result["findings"]
    files: dict[str, list[str]] = {}
    out = []
    for f in findings:
        line = finding_line(_file_lines(f["file"], files), f["entry"], f["message"])
        path = relative_path(f["file"])
        if fmt == "text":  # values from the files are escaped: no line can be read as a workflow command
            where = f"{path}:{line}" if line else path
            out.append(no_workflow_commands(f"{where}: {f['entry']}: {f['level']}: {f['message']}"))
        else:
            at = f",line={line}" if line else ""
            out.append(
                f"::{f['level']} file={_escape_property(shown(path, 500))}{at},"
                f"title={_escape_property(shown(f['entry'], 200))}::{_escape_data(f['message'])}"
            )
    return out


# ---------------------------------------------------------------- diff


def _numeric_fields(entry: dict[str, Any], uncertain: tuple[str, ...] = (), prefix: str = "") -> dict[str, float]:
    """Every number in an entry by its dotted path. A range or distribution in an `uncertain` field
    counts as its central value (what the 10x gate compares) plus its parameters (field.low, ...)."""
    out: dict[str, float] = {}
    for key, value in entry.items():
        if key in uncertain and isinstance(value, dict | str):
            try:
                dist = parse_uncertain(value)
            except UsageError:
                continue  # validate reports it
            if isinstance(dist, int | float):
                out[key] = float(dist)
                continue
            out[key] = dist.central()
            out.update({f"{key}.{k}": float(v) for k, v in dist.to_dict().items() if k != "dist"})
        elif isinstance(value, dict):
            out.update(_numeric_fields(value, prefix=f"{prefix}{key}."))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[f"{prefix}{key}"] = float(value)
    return out


def _listed_fields(entry: dict[str, Any], prefix: str = "") -> dict[str, list[str]]:
    """Every list of names in an entry by its dotted path (which token classes a batch discount
    reaches): a change there moves a bill as surely as a price does."""
    out: dict[str, list[str]] = {}
    for key, value in entry.items():
        if isinstance(value, dict):
            out.update(_listed_fields(value, f"{prefix}{key}."))
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            out[f"{prefix}{key}"] = sorted(value)
    return out


def _raw_entries(path: Path | None, kind: str) -> dict[str, dict[str, dict[str, Any]]]:
    """section -> id -> raw entry (entries without a string id are skipped; use validate for those)."""
    if path is None:
        return {}
    doc = read_yaml(path)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    if not isinstance(doc, dict):
        return out
    for section in section_names(kind):
        items = doc.get(section)
        if isinstance(items, list):
            table = out.setdefault(section, {})
            for item in items:
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    table.setdefault(item["id"], item)
    return out


def check_large_factor(factor: float) -> float:
    """The --large-factor value, checked: a finite number above 1."""
    if not isinstance(factor, int | float) or isinstance(factor, bool) or not 1 < factor < float("inf"):
        raise UsageError(f"large_factor must be a number above 1, got {factor!r}", param="large_factor")
    return float(factor)


def _change(
    section: str, entry_id: str, name: str, old: float | None, new: float | None, factor: float = LARGE_CHANGE_FACTOR
) -> dict[str, Any]:
    pct = None if old is None or new is None or old == 0 else round((new - old) / abs(old) * 100, 2)
    large = False
    if old is not None and new is not None:
        crosses_zero = (old > 0) != (new > 0) or (old < 0) != (new < 0)
        ratio = abs(new / old) if old != 0 and new != 0 else 1.0
        # >= : a move of exactly `factor` (a slipped digit, 10.0 -> 100.0) is large
        large = crosses_zero or ratio >= factor or ratio <= 1 / factor
    return {
        "section": section,
        "id": entry_id,
        "field": name,
        "old": old,
        "new": new,
        "pct_change": pct,
        "large": large,
    }


RawTables = dict[str, dict[str, dict[str, dict[str, Any]]]]  # kind -> section -> id -> raw entry


def diff_tables(
    before: RawTables,
    after: RawTables,
    large_factor: float = LARGE_CHANGE_FACTOR,
    files: Mapping[str, tuple[Path | None, Path | None]] | None = None,
) -> dict[str, Any]:
    """The diff of raw entries (kind -> section -> id -> entry): what `diff` and `sync` both report.

    A numeric field that moves by `large_factor` or more either way, or crosses zero, is "large".
    With `files` (kind -> old and new file), each item names the file it stands in: the new one, or
    the old one for a removed entry (so an annotation can point at its line).
    """
    factor = check_large_factor(large_factor)
    added: list[dict[str, str]] = []
    removed: list[dict[str, str]] = []
    changed: list[dict[str, Any]] = []
    for kind in [*before, *(k for k in after if k not in before)]:
        b_kind, a_kind = before.get(kind, {}), after.get(kind, {})
        for section in section_names(kind):
            b, a = b_kind.get(section, {}), a_kind.get(section, {})
            old_file, new_file = ({"file": str(p)} if p else {} for p in (files or {}).get(kind, (None, None)))
            removed.extend({"section": section, "id": i, **old_file} for i in b if i not in a)
            added.extend({"section": section, "id": i, **new_file} for i in a if i not in b)
            for entry_id in (i for i in a if i in b):
                ranged = uncertain_fields(kind, section)
                ob, na = _numeric_fields(b[entry_id], ranged), _numeric_fields(a[entry_id], ranged)
                for name in [*ob, *(k for k in na if k not in ob)]:
                    if ob.get(name) != na.get(name):
                        change = _change(section, entry_id, name, ob.get(name), na.get(name), factor)
                        changed.append({**change, **new_file})
                lb, la = _listed_fields(b[entry_id]), _listed_fields(a[entry_id])
                for name in [*lb, *(k for k in la if k not in lb)]:
                    if lb.get(name) != la.get(name):
                        change = {"section": section, "id": entry_id, "field": name, "old": lb.get(name)}
                        changed.append({**change, "new": la.get(name), "pct_change": None, "large": False, **new_file})
    return {
        "added": added,
        "removed": removed,
        "changed": changed,
        "large_changes": sum(c["large"] for c in changed),
        "large_factor": factor,
    }


def diff(old: Path, new: Path, large_factor: float = LARGE_CHANGE_FACTOR) -> dict[str, Any]:
    """Entries added, removed and changed (per numeric field) between two data files or directories.

    A change by `large_factor` (default 10x) or more either way, or one that crosses zero, is marked
    "large": true.
    """
    check_large_factor(large_factor)
    old, new = Path(old), Path(new)
    for p in (old, new):
        if not p.exists():
            raise UsageError(f"{p}: not found")
    pairs: list[tuple[str, Path | None, Path | None]] = []
    if old.is_dir() and new.is_dir():
        for name in DATA_FILES:
            o, n = old / name, new / name
            if o.is_file() or n.is_file():
                pairs.append((name, o if o.is_file() else None, n if n.is_file() else None))
    elif old.is_file() and new.is_file():
        kinds = {data_file_kind(p, read_yaml(p)) for p in (old, new)}
        kind = kinds.pop()
        if kinds or kind is None:
            raise UsageError(f"{old} and {new} are not the same kind of data file (e.g. two pricing.yaml files)")
        pairs.append((kind, old, new))
    else:
        raise UsageError(f"compare two files or two directories, not {old} and {new}")
    before = {kind: _raw_entries(o_path, kind) for kind, o_path, _ in pairs}
    after = {kind: _raw_entries(n_path, kind) for kind, _, n_path in pairs}
    return diff_tables(before, after, large_factor, {kind: (o, n) for kind, o, n in pairs})


# ---------------------------------------------------------------- LiteLLM import

MAX_PRICE_MAP_BYTES = 50_000_000
_NOT_MODELS = frozenset({"sample_spec", "fallback_generalizations"})
# LiteLLM provider names -> ours, where they differ
_PROVIDERS = {
    "fireworks_ai": "fireworks",
    "together_ai": "together",
    "gemini": "google",
    "vertex_ai-language-models": "google",
    "text-completion-openai": "openai",
    "mistralai": "mistral",
}
_TIER = re.compile(r"^input_cost_per_token_above_(\d+)k_tokens$")


def _read_price_map(path: Path, error: type[LLMCostError] = UsageError) -> dict[str, Any]:
    try:
        doc = json.loads(read_text(path, MAX_PRICE_MAP_BYTES, error, what="price map"))
    except json.JSONDecodeError as exc:
        raise error(f"{path}: not JSON: line {exc.lineno}: {exc.msg}") from None
    if not isinstance(doc, dict):
        raise error(f"{path}: expected LiteLLM's price map, a JSON object of model name -> prices")
    return doc


def _provenance(path: Path) -> tuple[str, str | None]:
    """(summary, retrieved date) from a SOURCE.txt beside the price map, else (the path, None)."""
    for candidate in (path.with_name(path.stem + ".SOURCE.txt"), path.with_name(path.name + ".SOURCE.txt")):
        if candidate.is_file():
            text = read_bytes(candidate, 100_000, UsageError).decode("utf-8", errors="replace")
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            summary = lines[0] if lines else str(path)
            m = re.search(r"Retrieved:\s*(\d{4}-\d{2}-\d{2})", text)
            retrieved = m.group(1) if m else None
            return (f"{summary}; retrieved {retrieved}" if retrieved else summary), retrieved
    return str(path), None


def _per_mtok(usd_per_token: float) -> float:
    return float(f"{usd_per_token * 1e6:.10g}")


def _slug(s: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", s.lower()).strip("-._") or "model"


def _number(raw: dict[str, Any], key: str) -> float | None:
    v = raw.get(key)
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def _convert(
    key: str, raw: dict[str, Any], provider: str | None, source: str, as_of: str, retrieved: bool
) -> dict[str, Any]:
    inp, out = _number(raw, "input_cost_per_token"), _number(raw, "output_cost_per_token")
    if inp is None or out is None:
        mode = raw.get("mode", "unknown")
        raise UsageError(f"LiteLLM entry '{key}' (mode {mode}) has no per-token input and output price to import")
    litellm_provider = str(raw.get("litellm_provider") or "")
    prov = _slug(provider or _PROVIDERS.get(litellm_provider, litellm_provider) or key.split("/")[0])
    model = _slug(key.rsplit("/", 1)[-1])
    used: list[str] = []
    notes: list[str] = []

    def conv(name: str) -> float | None:
        v = _number(raw, name)
        if v is not None:
            used.append(name)
            notes.append(f"{name} {v:g} -> {_per_mtok(v):g}")
        return None if v is None else _per_mtok(v)

    entry: dict[str, Any] = {"id": f"{prov}/{model}", "provider": prov, "name": key}
    entry["input_usd_per_mtok"] = conv("input_cost_per_token")
    entry["output_usd_per_mtok"] = conv("output_cost_per_token")
    for ours, theirs in (
        ("cached_input_usd_per_mtok", "cache_read_input_token_cost"),
        ("cache_write_usd_per_mtok", "cache_creation_input_token_cost"),
    ):
        v = conv(theirs)
        if v is not None:
            entry[ours] = v
    derived: list[str] = []
    batch_in, batch_out = _number(raw, "input_cost_per_token_batches"), _number(raw, "output_cost_per_token_batches")
    if batch_in is not None and inp > 0:
        used.append("input_cost_per_token_batches")
        discount = round(1 - batch_in / inp, 4)
        text = "batch_discount derived: 1 - input_cost_per_token_batches / input_cost_per_token"
        text += f" = 1 - {batch_in:g}/{inp:g}"
        if 0 <= discount < 1:
            entry["batch_discount"] = discount
            derived.append(f"{text} = {discount:g}")
        else:
            derived.append(f"{text} = {discount:g}, not a discount in [0, 1), so left out")
        if batch_out is not None and out > 0:
            used.append("output_cost_per_token_batches")
            out_discount = round(1 - batch_out / out, 4)
            if abs(out_discount - discount) > 0.005:
                derived.append(f"CONFLICT: the output batch price gives {out_discount:g}")
    max_input = raw.get("max_input_tokens")
    if isinstance(max_input, int) and not isinstance(max_input, bool) and max_input > 0:
        entry["context_window_tokens"] = max_input
        used.append("max_input_tokens")
        derived.append("context_window_tokens = max_input_tokens")
    tiers = sorted(int(m.group(1)) for k in raw if (m := _TIER.match(k)) and _number(raw, k) is not None)
    for k_tokens in tiers:
        suffix = f"_above_{k_tokens}k_tokens"
        t_in, t_out = _number(raw, "input_cost_per_token" + suffix), _number(raw, "output_cost_per_token" + suffix)
        if t_in is None or t_out is None:
            continue
        tier: dict[str, Any] = {
            "above_prompt_tokens": k_tokens * 1000,
            "input_usd_per_mtok": _per_mtok(t_in),
            "output_usd_per_mtok": _per_mtok(t_out),
        }
        used += ["input_cost_per_token" + suffix, "output_cost_per_token" + suffix]
        t_cached = _number(raw, "cache_read_input_token_cost" + suffix)
        if t_cached is not None:
            tier["cached_input_usd_per_mtok"] = _per_mtok(t_cached)
            used.append("cache_read_input_token_cost" + suffix)
        entry["long_context"] = tier
        derived.append(
            f"long_context from the *{suffix} fields (the lowest tier; {k_tokens}k = {k_tokens * 1000:,} tokens)"
        )
        break
    entry["source"] = source
    entry["as_of"] = as_of
    skipped = sorted(k for k in raw if ("cost" in k or k.endswith("_batches")) and k not in used)
    parts = [
        f"Imported from LiteLLM key '{key}' (litellm_provider {litellm_provider or 'not given'}"
        f"{', mode ' + str(raw['mode']) if raw.get('mode') else ''}).",
        "Converted USD per token x 1,000,000 = USD per Mtok: " + "; ".join(notes) + ".",
    ]
    if derived:
        parts.append("; ".join(derived) + ".")
    if skipped:
        parts.append("Not imported: " + ", ".join(skipped) + ".")
    if isinstance(raw.get("source"), str):
        parts.append(f"LiteLLM cites {raw['source']}.")
    parts.append(
        "as_of is the date the map was retrieved, not a date the provider published."
        if retrieved
        else "as_of is the import date, not a date the provider published."
    )
    parts.append("LiteLLM's map is a sample, not truth: check against the provider's price page.")
    entry["notes"] = " ".join(parts)
    try:
        validate_record(ApiModel, entry)
    except InvalidRecord as exc:
        raise UsageError(f"LiteLLM entry '{key}' does not make a valid api entry: {exc.messages[0]}") from None
    return entry


def import_litellm(path: Path, models: list[str], provider: str | None, today: date) -> dict[str, Any]:
    """pricing.yaml `api:` entries for the named models of a LiteLLM model price map.

    Prices become USD per million tokens; batch_discount is derived from the batch prices; as_of is
    the retrieval date in a SOURCE.txt beside the map if it gives one, else `today`.
    """
    path = Path(path)
    if not models:
        raise UsageError("name at least one LiteLLM model to import, e.g. gpt-4o")
    price_map = _read_price_map(path)
    names = [k for k, v in price_map.items() if isinstance(v, dict) and k not in _NOT_MODELS]
    lower = {k.lower(): k for k in names}
    summary, retrieved = _provenance(path)
    source = f"LiteLLM model_prices_and_context_window.json ({summary})"
    as_of = retrieved or today.isoformat()
    entries = []
    for name in models:
        key = name if name in price_map and name not in _NOT_MODELS else lower.get(name.lower())
        if key is None:
            raise UnknownIdError("LiteLLM model", name, names)
        entries.append(_convert(key, price_map[key], provider, source, as_of, retrieved is not None))
    return {"api": entries}


def to_yaml(entries: list[dict[str, Any]] | dict[str, Any]) -> str:
    """YAML text for api entries (a list, or import_litellm's {"api": [...]}), ready for pricing.yaml."""
    doc = entries if isinstance(entries, dict) else {"api": entries}
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120)


# ---------------------------------------------------------------- genai-prices: reading the package

# Prices that depend on the time of day (DeepSeek's off-peak hours) or start on a date are read at
# this fixed instant, so a check gives the same answer whatever hour it runs; findings name it.
GENAI_CHECK_AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
_GENAI_BATCH = {"processing": "batch"}  # genai-prices' price variant for batch APIs

_GENAI_HINT = re.compile(
    r"(?:genai-prices entry|Together model|Groq model|Fireworks model) ([\w./:-]+?)[.,;)]?(?:\s|$)"
)


def _at_text(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _genai_module(purpose: str) -> Any:
    try:
        return importlib.import_module("genai_prices")
    except ImportError:
        msg = f"{purpose} needs genai-prices, which is not installed: pip install 'llmcost[genai]'"
        raise UsageError(msg) from None


def _genai_version(gp: Any) -> str:
    return str(getattr(gp, "__version__", "?"))


def _genai_snapshot(gp: Any) -> Any:
    """The package's price snapshot, checked for the shape this module reads (else a data error)."""
    try:
        snapshot = gp.data_snapshot.get_snapshot()
        providers = snapshot.providers
        if not isinstance(providers, list) or not all(
            isinstance(p.id, str) and isinstance(p.models, list) for p in providers
        ):
            raise TypeError("providers is not a list of providers with models")
    except (AttributeError, TypeError, ValueError, ImportError) as exc:
        raise CatalogError(
            f"genai-prices {_genai_version(gp)}: its price data has an unexpected shape ({exc}); "
            "reinstall it or use a version llmcost knows"
        ) from None
    return snapshot


def _genai_stated_date(gp: Any) -> str | None:
    """The date the package says its data is from, if it says one (0.2.x does not)."""
    for name in ("__data_date__", "DATA_DATE", "data_date"):
        value = getattr(gp, name, None)
        if isinstance(value, date):
            return value.isoformat()[:10]
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return value
    return None


def _num(value: Any) -> float:
    return float(f"{float(value):.10g}")


def _base(price: Any) -> float | None:
    """A genai-prices price (Decimal, or tiered with a `base`) as USD per Mtok; None when absent."""
    if price is None:
        return None
    return _num(getattr(price, "base", price))


def _first_tier(price: Any) -> tuple[int, float] | None:
    tiers = getattr(price, "tiers", None)
    if not tiers:
        return None
    tier = min(tiers, key=lambda t: t.start)
    return int(tier.start), _num(tier.price)


def _has_time_of_day(model: Any) -> bool:
    conds = model.prices if isinstance(model.prices, list) else []
    variants = model.price_variants or []
    return any(type(c.constraint).__name__ == "TimeOfDateConstraint" for c in [*conds, *variants])


# our token class -> genai-prices' per-Mtok price attribute
_GENAI_CLASSES = {
    "input": "input_mtok",
    "output": "output_mtok",
    "cached_input": "cache_read_mtok",
    "cache_write": "cache_write_mtok",
    "cache_write_1h": "cache_write_1h_mtok",
}
_GENAI_TIERS = ("flex", "priority")  # genai-prices `service_tier` variants we model (not 'fast', 'default')


def _class_prices(price: Any) -> dict[str, float]:
    """Standard (base) USD per Mtok of each token class a genai-prices price set carries."""
    out = {}
    for ours, theirs in _GENAI_CLASSES.items():
        value = _base(getattr(price, theirs, None))
        if value is not None:
            out[ours] = value
    return out


def _batch_fields(model: Any, at: datetime, standard: dict[str, float]) -> tuple[dict[str, Any], list[str]]:
    """batch_discount (from the input price) and, where the batch variant leaves some token classes at
    the standard price (Gemini 2.5's and older OpenAI models' cache reads), batch_applies_to."""
    if not any(v.when == _GENAI_BATCH for v in model.price_variants or ()) or not standard.get("input"):
        return {}, []
    batch = _class_prices(model.get_prices(at, _GENAI_BATCH))
    if "input" not in batch:
        return {}, []
    discount = round(1 - batch["input"] / standard["input"], 4)
    if not 0 <= discount < 1:
        return {}, []
    out: dict[str, Any] = {"batch_discount": discount}
    notes = [f"batch_discount = 1 - batch input {batch['input']:g} / input {standard['input']:g} = {discount:g}"]
    covered: list[str] = []
    kept: list[str] = []
    other: list[str] = []
    for name, price in standard.items():
        if name not in batch or price == 0:
            continue
        ratio = batch[name] / price
        (covered if abs(ratio - (1 - discount)) < 1e-3 else kept if abs(ratio - 1) < 1e-3 else other).append(name)
    if other:
        notes.append(f"batch prices of {', '.join(other)} follow neither the discount nor the standard price")
    elif kept:
        out["batch_applies_to"] = covered
        notes.append(f"batch leaves {', '.join(kept)} at the standard price")
    return out, notes


def _tier_fields(model: Any, at: datetime) -> dict[str, dict[str, float]]:
    """Flex and priority service-tier prices from genai-prices' `service_tier` variants."""
    tiers: dict[str, dict[str, float]] = {}
    for variant in model.price_variants or ():
        tier = variant.when.get("service_tier") if isinstance(variant.when, dict) else None
        if tier in _GENAI_TIERS and len(variant.when) == 1:
            prices = _class_prices(model.get_prices(at, variant.when))
            if "input" in prices and "output" in prices:
                tiers[tier] = {f"{k}_usd_per_mtok": v for k, v in prices.items() if k != "cache_write_1h"}
    return tiers


def genai_fields(model: Any, at: datetime) -> tuple[dict[str, Any], list[str]]:
    """Our api fields from a genai-prices model at instant `at`, and notes on how each was derived.

    Standard prices are the base of any tiered price; the lowest tier becomes `long_context`; the
    batch discount is 1 - batch input / standard input from the `processing: batch` variant, with the
    token classes it reaches; `service_tier` flex and priority variants become `service_tiers` (their
    prices without source: the caller that writes an entry adds it, see `sourced_tiers`).
    """
    price = model.get_prices(at)
    standard = _class_prices(price)
    out: dict[str, Any] = {f"{name}_usd_per_mtok": value for name, value in standard.items()}
    notes: list[str] = []
    tier_in = _first_tier(getattr(price, "input_mtok", None))
    if tier_in is not None and "output_usd_per_mtok" in out:
        start, t_in = tier_in
        tier_out = _first_tier(getattr(price, "output_mtok", None))
        tier: dict[str, Any] = {
            "above_prompt_tokens": start,
            "input_usd_per_mtok": t_in,
            "output_usd_per_mtok": tier_out[1] if tier_out else out["output_usd_per_mtok"],
        }
        tier_cached = _first_tier(getattr(price, "cache_read_mtok", None))
        if tier_cached is not None:
            tier["cached_input_usd_per_mtok"] = tier_cached[1]
        elif "cached_input_usd_per_mtok" in out:
            tier["cached_input_usd_per_mtok"] = out["cached_input_usd_per_mtok"]
        out["long_context"] = tier
        notes.append(f"long_context from genai-prices' lowest input tier (above {start:,} prompt tokens)")
    batch, batch_notes = _batch_fields(model, at, standard)
    out.update(batch)
    notes += batch_notes
    tiers = _tier_fields(model, at)
    if tiers:
        out["service_tiers"] = tiers
        notes.append(f"service tiers {', '.join(tiers)} from genai-prices' service_tier variants")
    if isinstance(model.context_window, int) and model.context_window > 0:
        out["context_window_tokens"] = model.context_window
    if _has_time_of_day(model):
        notes.append(f"genai-prices has time-of-day prices for this model: read at {_at_text(at)}")
    return out, notes


def sourced_tiers(fields: dict[str, Any], source: str, as_of: str) -> dict[str, Any]:
    """`fields` with each imported service tier carrying the source and date a data row needs."""
    if "service_tiers" not in fields:
        return fields
    tiers = {name: {**prices, "source": source, "as_of": as_of} for name, prices in fields["service_tiers"].items()}
    return {**fields, "service_tiers": tiers}


def _genai_refs(api: ApiModel) -> list[str]:
    """Model references to try: names the notes give for the upstream model, then the id's model part.

    A `-latest` alias moves to the provider's next model (mistral-small-latest became Small 4 on
    2026-03-16), so a pinned name is tried before any alias.
    """
    refs = _GENAI_HINT.findall(api.notes or "")
    if api.provider_model_id:  # the provider's own id (Bedrock's amazon.nova-pro-v1:0, a host's full path)
        refs.insert(0, api.provider_model_id)
    if api.provider == "fireworks":  # genai-prices matches Fireworks' full model path
        refs += [f"accounts/fireworks/models/{r}" for r in refs]
    slug = api.id.split("/", 1)[-1]
    refs += [slug, slug.replace(".", "-")]
    refs = list(dict.fromkeys(refs))
    return sorted(refs, key=lambda r: r.endswith("latest"))  # stable: pinned names first


def _genai_find(snapshot: Any, ref: str, provider: str) -> tuple[Any, Any] | None:
    try:
        found = snapshot.find_provider_model(ref, None, provider, None)
    except LookupError:
        return None
    return found if isinstance(found, tuple) and len(found) == 2 else None


# our provider id -> genai-prices' where they differ
_GENAI_PROVIDERS = {"aws-bedrock": "aws"}


def _genai_match(snapshot: Any, api: ApiModel) -> tuple[Any, Any, str] | None:
    """(genai provider, model, the reference that matched) for one of our API entries, or None."""
    for ref in _genai_refs(api):
        found = _genai_find(snapshot, ref, _GENAI_PROVIDERS.get(api.provider, api.provider))
        if found is not None:
            return found[0], found[1], ref
    return None


def _genai_entry(
    provider: Any, model: Any, entry_id: str, at: datetime, source: str, as_of: str, how: str
) -> dict[str, Any]:
    """A full pricing.yaml api entry for a genai-prices model (no quality: the package has none)."""
    fields, notes = genai_fields(model, at)
    fields = sourced_tiers(fields, source, as_of)
    entry: dict[str, Any] = {"id": entry_id, "provider": entry_id.split("/", 1)[0], "name": model.name or model.id}
    if "input_usd_per_mtok" not in fields or "output_usd_per_mtok" not in fields:
        raise UsageError(f"genai-prices model {provider.id}/{model.id} has no per-token input and output price")
    entry.update(fields)
    entry["source"] = source
    entry["as_of"] = as_of
    parts = [f"{how} genai-prices entry {model.id} (provider {provider.id})."]
    if notes:
        parts.append("; ".join(notes) + ".")
    parts.append("genai-prices carries no quality score, so quality is left out and the entry is not quality-paired.")
    entry["notes"] = " ".join(parts)
    return entry


# ---------------------------------------------------------------- genai-prices cross-check

_CROSS_FIELDS = (
    "input_usd_per_mtok",
    "output_usd_per_mtok",
    "cached_input_usd_per_mtok",
    "cache_write_usd_per_mtok",
    "batch_discount",
    "context_window_tokens",
)
_TIER_FIELDS = ("above_prompt_tokens", "input_usd_per_mtok", "output_usd_per_mtok", "cached_input_usd_per_mtok")
_SERVICE_FIELDS = tuple(
    f"service_tiers.{tier}.{name}" for tier in _GENAI_TIERS for name in ("input_usd_per_mtok", "output_usd_per_mtok")
)


def _g(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


def _ours(api: ApiModel) -> dict[str, Any]:
    out: dict[str, Any] = {name: getattr(api, name) for name in _CROSS_FIELDS}
    lc = api.long_context
    for name in _TIER_FIELDS:
        out[f"long_context.{name}"] = None if lc is None else getattr(lc, name)
    for key in _SERVICE_FIELDS:
        _, tier, name = key.split(".")
        found = getattr(api.service_tiers, tier, None) if api.service_tiers else None
        out[key] = None if found is None else getattr(found, name)  # None for a multiplier-only tier
    return out


def _flat(fields: dict[str, Any]) -> dict[str, Any]:
    out = {name: fields.get(name) for name in _CROSS_FIELDS}
    tier = fields.get("long_context") or {}
    for name in _TIER_FIELDS:
        out[f"long_context.{name}"] = tier.get(name)
    for key in _SERVICE_FIELDS:
        _, tier_name, name = key.split(".")
        out[key] = (fields.get("service_tiers") or {}).get(tier_name, {}).get(name)
    return out


def _left_at_standard(applies_to: Sequence[str] | None, priced: Iterable[str]) -> list[str]:
    """The priced token classes a batch discount does not reach (none when it reaches every class)."""
    return [] if applies_to is None else sorted(c for c in priced if c not in applies_to)


def cross_check_genai(
    catalog: Catalog, at: datetime | None = None, tolerance: float = GENAI_TOLERANCE
) -> list[Finding]:
    """Where our API entries differ from pydantic's genai-prices: every entry is compared or skipped.

    Compared: input, output, cached-input and cache-write prices, batch discount, the long-context
    tier and the context window (relative difference above `tolerance`, or one side missing a price
    the other has), and whether genai-prices marks the model deprecated. An entry genai-prices does
    not know is a notice naming the reason. Prices are read at `at` (default GENAI_CHECK_AT, a fixed
    instant named in the summary), so time-of-day prices do not move the result.
    """
    gp = _genai_module("cross-checking with genai-prices")
    snapshot = _genai_snapshot(gp)
    at = at or GENAI_CHECK_AT
    version = _genai_version(gp)
    known = {p.id for p in snapshot.providers}
    findings: list[Finding] = []
    compared = skipped = 0

    def add(level: Literal["error", "warning", "notice"], entry: str, message: str) -> None:
        findings.append({"level": level, "file": "pricing.yaml", "entry": entry, "message": message})

    for api in catalog.apis.values():
        match = _genai_match(snapshot, api)
        if match is None:
            skipped += 1
            why = (
                f"genai-prices {version} has no provider '{api.provider}'"
                if _GENAI_PROVIDERS.get(api.provider, api.provider) not in known
                else f"genai-prices {version} {api.provider} has no model matching " + ", ".join(_genai_refs(api))
            )
            add("notice", api.id, f"not compared: {why}")
            continue
        compared += 1
        provider, model, ref = match
        fields = genai_fields(model, at)[0]
        theirs = _flat(fields)
        where = f"genai-prices {version} {provider.id}/{model.id}"
        if ref.endswith("latest"):
            where += f" (through the alias {ref}, which can move to a newer model)"
        if _has_time_of_day(model):
            where += f" at {_at_text(at)} (it has time-of-day prices)"
        only_ours: list[str] = []
        for name, mine in _ours(api).items():
            other = theirs[name]
            if mine is None and other is None:
                continue
            if other is None:
                only_ours.append(name)
                continue
            if mine is None:
                if name != "context_window_tokens":
                    add("warning", api.id, f"{name}: ours none, {where} has {_g(other)}")
                continue
            if other == 0:
                if mine != 0:
                    add("warning", api.id, f"{name} {_g(mine)}; {where} has 0")
                continue
            if abs(mine - other) / abs(other) > tolerance:
                pct = (mine - other) / other * 100
                msg = f"{name} {_g(mine)} differs from {where} {_g(other)} by {pct:+.1f}%"
                add("warning", api.id, msg + f" (rule: report above {tolerance:.0%})")
        if "batch_discount" in fields and api.batch_discount is not None:
            priced = [c for c in _GENAI_CLASSES if f"{c}_usd_per_mtok" in fields]
            mine_kept = _left_at_standard(api.batch_applies_to, priced)
            their_kept = _left_at_standard(fields.get("batch_applies_to"), priced)
            if mine_kept != their_kept:
                shown = [", ".join(k) or "none" for k in (mine_kept, their_kept)]
                add("warning", api.id, f"batch leaves {shown[0]} at the standard price; {where}: {shown[1]}")
        if model.deprecated:
            add("warning", api.id, f"{where} marks the model deprecated: check it is still offered")
        if only_ours:
            add("notice", api.id, f"{where} has no {', '.join(only_ours)}: ours not compared")
    add(
        "notice",
        "(genai-prices)",
        f"genai-prices {version}: compared {compared} API entries, skipped {skipped} (each listed), "
        f"prices read at {_at_text(at)}",
    )
    return findings


def genai_api_model(ref: str, today: date, at: datetime | None = None) -> ApiModel:
    """An API entry priced by pydantic's genai-prices, for `--api genai:PROVIDER/MODEL`.

    `ref` is everything after `genai:`; the model part may hold any character the provider uses
    (Bedrock's `amazon.nova-pro-v1:0`): the id is `genai/PROVIDER/MODEL` with the model part slugged.
    Imports the standard prices, cache prices, the batch discount and the lowest long-context tier;
    genai-prices has no quality score, so quality stays None and the notes say so. `at` is the
    instant prices are read for (default now).
    """
    gp = _genai_module("genai: ids")
    provider_id, _, model_ref = ref.strip().partition("/")
    if not provider_id or not model_ref:
        raise UsageError(f"genai: ids are genai:PROVIDER/MODEL, e.g. genai:openai/gpt-4o, got 'genai:{ref}'")
    snapshot = _genai_snapshot(gp)
    found = _genai_find(snapshot, model_ref, provider_id)
    if found is None:
        raise UsageError(f"genai-prices does not know '{ref}'")
    provider, model = found
    at = at or datetime.now(UTC)
    entry_id = genai_api_id(ref)
    source = f"genai-prices {_genai_version(gp)} (pydantic), provider {provider.id}, model {model.id}"
    entry = _genai_entry(provider, model, entry_id, at, source, today.isoformat(), "Priced live from the")
    entry["provider"] = _slug(provider_id)
    entry["name"] = f"{model_ref} (genai-prices)"
    entry["notes"] += f" as_of is when it was queried; prices read at {_at_text(at)}."
    try:
        return validate_record(ApiModel, entry)
    except InvalidRecord as exc:
        raise UsageError(f"genai-prices entry '{ref}' is not a valid api entry: {exc.messages[0]}") from None


def genai_api_id(ref: str) -> str:
    """The api id for `genai:REF`: genai/PROVIDER/MODEL, lowercase, the model part slugged (':' -> '-')."""
    provider_id, _, model_ref = ref.strip().partition("/")
    return f"genai/{_slug(provider_id)}/{_slug(model_ref)}"


# ---------------------------------------------------------------- sync: propose updates from a price source

SYNC_SOURCES = ("genai-prices", "litellm")
_SYNC_NOTE = re.compile(r"\s*\[synced [^\]]*\]")
_UPDATABLE = (*_CROSS_FIELDS, "cache_write_1h_usd_per_mtok", "long_context", "batch_applies_to", "service_tiers")
_STRUCTURED = ("long_context", "batch_applies_to", "service_tiers")  # replaced whole when their prices differ
# Field names of LiteLLM's price map that sync knows (what they mean for a per-token price, or that
# they do not touch it). A field outside these in an entry sync uses stops it: it might change the price.
_LITELLM_KNOWN = re.compile(
    r"^(supports_|supported_|max_|token_count_|reasoning_|gemini_|vertex_ai_|bedrock_)|cost|uplift_multiplier$"
    r"|^(litellm_provider|mode|source|metadata|deprecation_date|deprecation_source|successor_model|tpm|rpm"
    r"|prompt_cache_min_tokens|search_free_requests|output_vector_size|tool_use_system_prompt_tokens|comment"
    r"|alias_of|audio_transcription_config|default_reasoning_effort|off_peak_pricing|provider_specific_entry|rules"
    r"|thinking_always_on|thinking_on_by_default|tiered_pricing|use_openai_responses_path|uses_embed_content"
    r"|web_search_billing_unit)$"
)
# Known fields that make the per-token price more than one list price: such an entry is skipped.
_LITELLM_UNSYNCABLE = ("tiered_pricing", "off_peak_pricing", "rules", "alias_of")


@dataclass
class _Proposal:
    """What a price source says about one of our ids (fields), or a whole new entry."""

    key: str  # the source's own name for the model
    fields: dict[str, Any]
    entry: dict[str, Any] | None = None  # a full entry, for ids we do not have


@dataclass
class _Source:
    name: str
    version: str | None
    stated_date: str | None
    source: str  # what a synced row's `source` says
    as_of: str
    proposals: dict[str, _Proposal]  # our id -> proposal
    skipped: list[dict[str, str]]
    at: str | None = None


def _model_part(entry_id: str) -> str:
    return entry_id.split("/", 1)[-1]


def _norm(entry_id: str) -> str:
    return entry_id.replace(".", "-")


def _pairable(ours: dict[str, dict[str, Any]], models: frozenset[str]) -> frozenset[str]:
    """Model parts a new entry may have: our open models' ids and the models our API entries list."""
    return frozenset({*models, *(_model_part(i) for i in ours)})


def _genai_source(ours: dict[str, dict[str, Any]], models: frozenset[str], today: date, at: datetime) -> _Source:
    gp = _genai_module("data sync genai-prices")
    snapshot = _genai_snapshot(gp)
    version = _genai_version(gp)
    stated = _genai_stated_date(gp)
    source = f"genai-prices {version} (pydantic; package data " + (f"dated {stated})" if stated else "states no date)")
    as_of = stated or today.isoformat()
    proposals: dict[str, _Proposal] = {}
    skipped: list[dict[str, str]] = []
    matched: set[tuple[str, str]] = set()
    for entry_id, raw in ours.items():
        try:
            api = validate_record(ApiModel, raw)
        except InvalidRecord:
            continue  # the data file was checked first; unreachable for a valid file
        match = _genai_match(snapshot, api)
        if match is None:
            skipped.append({"id": entry_id, "reason": f"genai-prices {version} has no model for it"})
            continue
        provider, model, ref = match
        if ref.endswith("latest"):
            skipped.append({"id": entry_id, "reason": f"matched only the alias {ref}, which can move to a newer model"})
            continue
        matched.add((provider.id, model.id))
        fields = sourced_tiers(genai_fields(model, at)[0], source, as_of)
        proposals[entry_id] = _Proposal(f"{provider.id}/{model.id}", fields)
    providers = {str(raw.get("provider")) for raw in ours.values()}
    pairable = _pairable(ours, models)
    new: dict[str, str] = {}
    for provider in snapshot.providers:
        if provider.id not in providers:
            continue
        for model in provider.models:
            entry_id = f"{_slug(provider.id)}/{_slug(model.id)}"
            if entry_id in ours or (provider.id, model.id) in matched or _model_part(entry_id) not in pairable:
                continue
            if entry_id in new:
                raise CatalogError(
                    f"genai-prices {version}: models '{new[entry_id]}' and '{provider.id}/{model.id}' both map to "
                    f"the id {entry_id}; sync cannot tell which to use"
                )
            try:
                entry = _genai_entry(provider, model, entry_id, at, source, as_of, "New from the")
            except UsageError as exc:
                skipped.append({"id": entry_id, "reason": str(exc)})
                continue
            if _model_part(entry_id) in models:
                entry["open_model"] = _model_part(entry_id)
            new[entry_id] = f"{provider.id}/{model.id}"
            proposals[entry_id] = _Proposal(new[entry_id], {}, entry)
    return _Source("genai-prices", version, stated, source, as_of, proposals, skipped, _at_text(at))


def _litellm_id(key: str, raw: dict[str, Any]) -> str:
    """The id import-litellm gives a LiteLLM key: provider/model, each slugged."""
    litellm_provider = str(raw.get("litellm_provider") or "")
    prov = _slug(_PROVIDERS.get(litellm_provider, litellm_provider) or key.split("/")[0])
    return f"{prov}/{_slug(key.rsplit('/', 1)[-1])}"


def _litellm_fields(entry: dict[str, Any]) -> dict[str, Any]:
    """The fields sync updates; a zero price is LiteLLM's "not priced", so it is left out."""
    return {k: entry[k] for k in _UPDATABLE if k in entry and (entry[k] != 0 or k == "batch_discount")}


def _litellm_source(path: Path, ours: dict[str, dict[str, Any]], models: frozenset[str], today: date) -> _Source:
    price_map = _read_price_map(path, CatalogError)
    summary, retrieved = _provenance(path)
    source = f"LiteLLM model_prices_and_context_window.json ({summary})"
    as_of = retrieved or today.isoformat()
    by_norm = {_norm(i): i for i in ours}
    providers = {str(raw.get("provider")) for raw in ours.values()}
    pairable = _pairable(ours, models)
    proposals: dict[str, _Proposal] = {}
    skipped: list[dict[str, str]] = []
    for key, raw in price_map.items():
        if key in _NOT_MODELS:
            continue
        if not isinstance(raw, dict):
            raise CatalogError(f"{path}: LiteLLM entry '{key}' is not a JSON object of prices")
        lid = _litellm_id(key, raw)
        ours_id = lid if lid in ours else by_norm.get(_norm(lid))
        is_new = ours_id is None
        if is_new and not (lid.split("/")[0] in providers and _model_part(lid) in pairable):
            continue  # not one of ours, and not a model we pair or list
        target = ours_id or lid
        unknown = sorted(k for k in raw if not _LITELLM_KNOWN.search(k))
        if unknown:
            raise CatalogError(
                f"{path}: LiteLLM entry '{key}' has field(s) sync does not know: {', '.join(unknown)} "
                "(they might change its price); update llmcost or remove them"
            )
        odd = [k for k in _LITELLM_UNSYNCABLE if k in raw]
        if odd:
            skipped.append({"id": target, "reason": f"LiteLLM '{key}' has {', '.join(odd)}: not one list price"})
            continue
        if raw.get("mode") not in (None, "chat", "completion", "responses"):
            continue  # embeddings, images, audio: not a chat API entry
        try:
            entry = _convert(key, raw, None, source, as_of, retrieved is not None)
        except UsageError as exc:
            skipped.append({"id": target, "reason": str(exc)})
            continue
        proposal = _Proposal(key, _litellm_fields(entry))
        if is_new:
            entry["id"] = lid
            if _model_part(lid) in models:
                entry["open_model"] = _model_part(lid)
            proposal.entry = entry
        previous = proposals.get(target)
        if previous is not None:
            if previous.fields != proposal.fields:
                raise CatalogError(
                    f"{path}: LiteLLM entries '{previous.key}' and '{key}' both map to {target} with different "
                    "prices; sync cannot tell which is the provider's"
                )
            continue
        proposals[target] = proposal
    for entry_id in ours:
        if entry_id not in proposals and not any(s["id"] == entry_id for s in skipped):
            skipped.append({"id": entry_id, "reason": "no LiteLLM entry maps to it"})
    return _Source("litellm", None, retrieved, source, as_of, proposals, skipped)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _priced(value: Any) -> Any:
    """A structured field without its provenance (source, as_of, notes), to compare prices only."""
    if isinstance(value, dict):
        return {k: _priced(v) for k, v in value.items() if k not in ("source", "as_of", "notes")}
    return sorted(value) if isinstance(value, list) else value


def _apply(raw: dict[str, Any], fields: dict[str, Any], src: _Source) -> tuple[dict[str, Any], list[str]]:
    """Our entry with the source's values for the fields it carries; everything else kept as it is.

    A field we write as a range or distribution is kept (the source gives one number).
    """
    new = dict(raw)
    moved: list[str] = []
    for name in _UPDATABLE:
        theirs = fields.get(name)
        if theirs is None:
            continue  # the source does not carry it: ours (curated) is kept
        mine = raw.get(name)
        if name in _STRUCTURED:
            if _priced(mine) != _priced(theirs):
                new[name] = theirs
                moved.append(name)
            continue
        if mine is not None and not _is_number(mine):
            continue  # a range or distribution of ours
        if mine is None or float(mine) != float(theirs):
            if theirs == 0 and name != "batch_discount":
                continue  # a zero price is a missing value, never written
            new[name] = theirs
            moved.append(f"{name} {mine if mine is not None else 'none'} -> {theirs}")
    if not moved:
        return raw, []
    new["source"] = src.source
    new["as_of"] = src.as_of
    note = f"[synced {src.as_of} from {src.name}: {'; '.join(moved)}]"
    kept = _SYNC_NOTE.sub("", str(raw.get("notes") or "")).strip()
    new["notes"] = f"{kept} {note}".strip()
    return new, moved


def _sync_target(data_dir: Path | None) -> Path:
    directory = Path(data_dir) if data_dir is not None else SHIPPED_DATA_DIR
    if not directory.is_dir():
        raise UsageError(f"--data {directory}: not a directory", param="data_dir")
    path = directory / "pricing.yaml"
    if not path.is_file():
        raise UsageError(f"--data {directory}: holds no pricing.yaml to sync", param="data_dir")
    return path


def sync(
    source: str,
    data_dir: Path | None,
    file: Path | None,
    today: date,
    *,
    at: datetime = GENAI_CHECK_AT,
    large_factor: float = LARGE_CHANGE_FACTOR,
) -> dict[str, Any]:
    """Proposed updates to a data directory's API entries (default: the shipped data) from a price source.

    `source` is "genai-prices" (the installed package) or "litellm" (`file`, LiteLLM's price map).
    Changed rows get the source's input, output, cached-input and cache-write prices, batch discount,
    long-context tier and context window where it carries them, and its `source` and `as_of`; what we
    curate beyond it (quality, notes, open_model, fields it lacks) is kept. New entries are models it
    prices on a provider we have whose id, by import-litellm's slug rule, names one of our open models
    or a model we list. The proposal is `diff_tables` of the rows before and after (the `data diff`
    gate). Nothing is written: see `write_sync`.
    """
    check_large_factor(large_factor)
    if source not in SYNC_SOURCES:
        raise UsageError(f"sync source must be one of {', '.join(SYNC_SOURCES)}, got '{source}'", param="source")
    if source == "litellm" and file is None:
        raise UsageError("data sync litellm needs --file, LiteLLM's model_prices_and_context_window.json", param="file")
    if source == "genai-prices" and file is not None:
        raise UsageError("--file is for litellm; genai-prices is read from the installed package", param="file")
    pricing = _sync_target(data_dir)
    checked = check_data_file(pricing)
    if checked.problems:
        first = checked.problems[0]
        more = f" (and {len(checked.problems) - 1} more; run llmcost validate)" if len(checked.problems) > 1 else ""
        raise CatalogError(f"{pricing}: {first.entry}: {first.message}{more}")
    ours = _raw_entries(pricing, "pricing.yaml").get("api", {})
    models_yaml = pricing.parent / "models.yaml"
    models = (
        frozenset(e.id for e in check_data_file(models_yaml).entries.get("models", []))
        if models_yaml.is_file()
        else _shipped_ids("models.yaml", "models")
    )
    if source == "genai-prices":
        src = _genai_source(ours, models, today, at)
    else:
        src = _litellm_source(Path(file), ours, models, today)  # type: ignore[arg-type]
    after = dict(ours)
    changed: list[dict[str, Any]] = []
    new: list[dict[str, Any]] = []
    for entry_id, proposal in src.proposals.items():
        if proposal.entry is not None:
            validate_record(ApiModel, proposal.entry)
            new.append(proposal.entry)
            after[entry_id] = proposal.entry
            continue
        updated, moved = _apply(ours[entry_id], proposal.fields, src)
        if moved:
            try:
                validate_record(ApiModel, updated)
            except InvalidRecord as exc:
                src.skipped.append({"id": entry_id, "reason": f"the update is not a valid entry: {exc.messages[0]}"})
                continue
            changed.append(updated)
            after[entry_id] = updated
    result = diff_tables({"pricing.yaml": {"api": ours}}, {"pricing.yaml": {"api": after}}, large_factor)
    return {
        "source": src.name,
        "version": src.version,
        "stated_date": src.stated_date,
        "source_text": src.source,
        "as_of": src.as_of,
        "prices_at": src.at,
        "file": str(pricing),
        "diff": result,
        "changed_entries": changed,
        "new_entries": new,
        "skipped": src.skipped,
        "unchanged": len(ours) - len(changed),
    }


def _overlay_text(result: dict[str, Any]) -> str:
    head = (
        f"# llmcost data sync {result['source']}: changed and new api entries, proposed from\n"
        f"# {result['source_text']} (as_of {result['as_of']}). Use this directory with --data:\n"
        "# an entry with the same id replaces the shipped one.\n"
    )
    return head + to_yaml({"api": [*result["changed_entries"], *result["new_entries"]]})


def _item_last_line(node: yaml.Node) -> int:
    """The last line holding a part of `node` (its last scalar), 0-based."""
    if isinstance(node, yaml.MappingNode) and node.value:
        return _item_last_line(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and node.value:
        return _item_last_line(node.value[-1])
    end = node.end_mark
    return end.line if end.column > 0 else end.line - 1


def _dump_item(entry: dict[str, Any], indent: int) -> list[str]:
    text = yaml.safe_dump([entry], sort_keys=False, allow_unicode=True, width=100_000)  # one line per scalar
    return [(" " * indent + line) if line else line for line in text.splitlines()]


def _edited_in_place(path: Path, text: str, changed: list[dict[str, Any]], new: list[dict[str, Any]]) -> str:
    """`text` with the changed api items rewritten and the new ones appended; every other line kept."""
    cant = f"{path}: cannot edit in place"
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    api = next(
        (v for k, v in (root.value if isinstance(root, yaml.MappingNode) else []) if k.value == "api"),
        None,
    )
    if not isinstance(api, yaml.SequenceNode) or not api.value:
        raise CatalogError(f"{cant}: no api list; use --write overlay")
    lines = text.splitlines()
    spans: dict[str, tuple[int, int, int]] = {}
    for item in api.value:
        if not isinstance(item, yaml.MappingNode):
            continue
        ids = [v.value for k, v in item.value if k.value == "id" and isinstance(v, yaml.ScalarNode)]
        start, col = item.start_mark.line, item.start_mark.column
        if ids and col >= 2 and lines[start][col - 2 : col] == "- ":
            spans[ids[0]] = (start, _item_last_line(item), col - 2)
    by_id = {e["id"]: e for e in changed}
    missing = [i for i in by_id if i not in spans]
    if missing:
        raise CatalogError(f"{cant}: entry {missing[0]} is not written as '- id: ...'; use --write overlay")
    out = list(lines)
    if new:  # first, below every item: the spans above keep their line numbers
        _, last_end, indent = max(spans.values())
        block: list[str] = []
        for entry in new:
            block += ["", *_dump_item(entry, indent)]
        out[last_end + 1 : last_end + 1] = block
    for entry_id, (start, end, indent) in sorted(spans.items(), key=lambda kv: -kv[1][0]):
        if entry_id in by_id:
            out[start : end + 1] = _dump_item(by_id[entry_id], indent)
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def write_sync(result: dict[str, Any], mode: str, out: Path | None = None) -> Path | None:
    """Write a sync() proposal: "overlay" to `out` (a pricing.yaml of the changed and new entries; a
    directory gets out/pricing.yaml), or "in-place" into the synced pricing.yaml. Returns the path
    written, None when there was nothing to write. Written with io.atomic_write: a temporary file
    beside the target, then one rename, so an interrupted write leaves the old file as it was."""
    if mode not in ("overlay", "in-place"):
        raise UsageError(f"--write is overlay or in-place, got '{mode}'", param="write")
    entries = [*result["changed_entries"], *result["new_entries"]]
    if not entries:
        return None
    if mode == "overlay":
        if out is None:
            raise UsageError("--write overlay needs --out FILE (a pricing.yaml for a --data directory)", param="out")
        target = Path(out) / "pricing.yaml" if Path(out).is_dir() else Path(out)
        text = _overlay_text(result)
    else:
        if out is not None:
            raise UsageError("--out is for --write overlay; in-place writes the --data directory's pricing.yaml",
                             param="out")  # fmt: skip
        target = Path(result["file"])
        original = read_text(target, MAX_FILE_BYTES, CatalogError)
        text = _edited_in_place(target, original, result["changed_entries"], result["new_entries"])
        expected = _raw_entries(target, "pricing.yaml").get("api", {})
        expected.update({e["id"]: e for e in entries})
        got = yaml.safe_load(text)
        if [e.get("id") for e in got.get("api", [])] != list(expected) or any(
            got_e != expected[got_e["id"]] for got_e in got["api"]
        ):
            raise CatalogError(f"{target}: the in-place edit would not read back as intended; nothing written")
    checked = check_data_file(target, data=text.encode())
    if checked.problems:
        first = checked.problems[0]
        raise CatalogError(f"{target}: the synced file would not be valid ({first.entry}: {first.message}); "
                           "nothing written")  # fmt: skip
    atomic_write(target, text)
    return target
