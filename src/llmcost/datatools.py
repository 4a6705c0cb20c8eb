"""Price-data tooling: validate data files (the CI gate), diff two versions, import LiteLLM prices.

Pure functions returning JSON-ready dicts; nothing is printed and no file is written. Reading goes
through catalog.py's safe YAML reader; this module also reads LiteLLM's JSON price map and writes
YAML text for import (`to_yaml`), which is why it may import yaml.

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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml  # a file-format module: to_yaml writes pricing.yaml entries

from llmcost.catalog import (
    FILE_LEVEL,
    SHIPPED_DATA_DIR,
    Catalog,
    CheckedFile,
    check_data_file,
    data_file_kind,
    read_yaml,
    section_names,
    uncertain_fields,
)
from llmcost.errors import UnknownIdError, UsageError
from llmcost.io import read_bytes, read_text
from llmcost.records import (
    DATA_FILES,
    ApiModel,
    GpuOffer,
    InvalidRecord,
    OwnedGpu,
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
# diff: a change by more than this factor either way (or across zero) is held for review.
LARGE_CHANGE_FACTOR = 10.0
# cross_check_genai: relative difference above which a price is reported.
GENAI_TOLERANCE = 0.01


def _finding(level: Literal["error", "warning"], file: Path | str, entry: str, message: str) -> Finding:
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
    offers: list[tuple[Path, GpuOffer]] = []
    for c in checked:
        for entries in c.entries.values():
            for entry in entries:
                if isinstance(entry, ApiModel):
                    findings.extend(_api_findings(c.path, entry, models, models_from))
                elif isinstance(entry, GpuOffer):
                    offers.append((c.path, entry))
                    if entry.gpu not in gpus:
                        msg = f"gpu '{entry.gpu}' is not a GPU id in {gpus_from}"
                        findings.append(_finding("error", c.path, entry.id, msg))
                elif isinstance(entry, OwnedGpu) and entry.id not in gpus:
                    msg = f"owned GPU '{entry.id}' is not a GPU id in {gpus_from}"
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


def format_findings(result: dict[str, Any], fmt: str = "text") -> list[str]:
    """Lines for a validate() result: 'text' (file: entry: level: message) or 'github' (annotations)."""
    findings: list[Finding] = result["findings"]
    if fmt == "text":  # values from the files are escaped: no line can be read as a workflow command
        return [no_workflow_commands(f"{f['file']}: {f['entry']}: {f['level']}: {f['message']}") for f in findings]
    if fmt == "github":
        return [
            f"::{f['level']} file={_escape_property(shown(f['file'], 500))},"
            f"title={_escape_property(shown(f['entry'], 200))}::{_escape_data(f['message'])}"
            for f in findings
        ]
    raise UsageError(f"unknown findings format '{fmt}'; valid: text, github")


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


def _change(section: str, entry_id: str, name: str, old: float | None, new: float | None) -> dict[str, Any]:
    pct = None if old is None or new is None or old == 0 else round((new - old) / abs(old) * 100, 2)
    large = False
    if old is not None and new is not None:
        crosses_zero = (old > 0) != (new > 0) or (old < 0) != (new < 0)
        ratio = new / old if old != 0 and new != 0 else 1.0
        large = crosses_zero or ratio > LARGE_CHANGE_FACTOR or ratio < 1 / LARGE_CHANGE_FACTOR
    return {
        "section": section,
        "id": entry_id,
        "field": name,
        "old": old,
        "new": new,
        "pct_change": pct,
        "large": large,
    }


def diff(old: Path, new: Path) -> dict[str, Any]:
    """Entries added, removed and changed (per numeric field) between two data files or directories.

    A change by more than 10x either way, or one that crosses zero, is marked "large": true.
    """
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
    added: list[dict[str, str]] = []
    removed: list[dict[str, str]] = []
    changed: list[dict[str, Any]] = []
    for kind, o_path, n_path in pairs:
        before, after = _raw_entries(o_path, kind), _raw_entries(n_path, kind)
        for section in section_names(kind):
            b, a = before.get(section, {}), after.get(section, {})
            removed.extend({"section": section, "id": i} for i in b if i not in a)
            added.extend({"section": section, "id": i} for i in a if i not in b)
            for entry_id in (i for i in a if i in b):
                ranged = uncertain_fields(kind, section)
                ob, na = _numeric_fields(b[entry_id], ranged), _numeric_fields(a[entry_id], ranged)
                for name in [*ob, *(k for k in na if k not in ob)]:
                    if ob.get(name) != na.get(name):
                        changed.append(_change(section, entry_id, name, ob.get(name), na.get(name)))
    return {
        "added": added,
        "removed": removed,
        "changed": changed,
        "large_changes": sum(c["large"] for c in changed),
    }


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


def _read_price_map(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(read_text(path, MAX_PRICE_MAP_BYTES, UsageError, what="price map"))
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: not JSON: line {exc.lineno}: {exc.msg}") from None
    if not isinstance(doc, dict):
        raise UsageError(f"{path}: expected LiteLLM's price map, a JSON object of model name -> prices")
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


# ---------------------------------------------------------------- genai-prices cross-check

_GENAI_HINT = re.compile(
    r"(?:genai-prices entry|Together model|Groq model|Fireworks model) ([\w./:-]+?)[.,;)]?(?:\s|$)"
)


def _genai_refs(api: ApiModel) -> list[str]:
    """Model references to try: names the notes give for the upstream model, then the id's model part."""
    refs = _GENAI_HINT.findall(api.notes or "")
    if api.provider == "fireworks":  # genai-prices matches Fireworks' full model path
        refs += [f"accounts/fireworks/models/{r}" for r in refs]
    slug = api.id.split("/", 1)[-1]
    refs += [slug, slug.replace(".", "-")]
    return list(dict.fromkeys(refs))


def cross_check_genai(
    catalog: Catalog, at: datetime | None = None, tolerance: float = GENAI_TOLERANCE
) -> list[Finding]:
    """Warnings where our API input/output/cached prices differ from pydantic's genai-prices by > 1%.

    Needs the optional `genai-prices` package; APIs it does not know are skipped. `at` is the request
    time genai-prices prices for (default now; some providers have dated or time-of-day prices).
    """
    try:
        gp = importlib.import_module("genai_prices")
    except ImportError:
        raise UsageError("cross-checking with genai-prices needs it installed: pip install llmcost[genai]") from None
    version = str(getattr(gp, "__version__", "?"))
    findings: list[Finding] = []
    tokens = 1000  # below every long-context tier, so the standard prices apply
    for api in catalog.apis.values():
        calc = None
        for ref in _genai_refs(api):
            try:
                usage = gp.Usage(input_tokens=tokens, output_tokens=tokens)
                calc = gp.calc_price(usage, ref, provider_id=api.provider, genai_request_timestamp=at)
                break
            except LookupError:
                continue
        if calc is None:
            continue
        per_mtok = Decimal(1_000_000) / tokens
        theirs: dict[str, float | None] = {
            "input_usd_per_mtok": float(calc.input_price * per_mtok),
            "output_usd_per_mtok": float(calc.output_price * per_mtok),
            "cached_input_usd_per_mtok": None,
        }
        if getattr(calc.model_price, "cache_read_mtok", None) is not None:
            usage = gp.Usage(input_tokens=tokens, cache_read_tokens=tokens)
            cached = gp.calc_price(usage, ref, provider_id=api.provider, genai_request_timestamp=at)
            theirs["cached_input_usd_per_mtok"] = float(cached.input_price * per_mtok)
        where = f"genai-prices {version} {calc.provider.id}/{calc.model.id}"
        for name, other in theirs.items():
            ours = getattr(api, name)
            if other is None or ours is None:
                if (other is None) != (ours is None) and name == "cached_input_usd_per_mtok":
                    have = f"has {other:g}" if other is not None else "has none"
                    mine = f"{ours:g}" if ours is not None else "none"
                    findings.append(_finding("warning", "pricing.yaml", api.id, f"{name}: ours {mine}, {where} {have}"))
                continue
            if other == 0:
                if ours != 0:
                    findings.append(_finding("warning", "pricing.yaml", api.id, f"{name} {ours:g}; {where} has 0"))
                continue
            if abs(ours - other) / other > tolerance:
                pct = (ours - other) / other * 100
                msg = f"{name} {ours:g} differs from {where} {other:g} by {pct:+.1f}%"
                msg += f" (rule: report above {tolerance:.0%})"
                findings.append(_finding("warning", "pricing.yaml", api.id, msg))
    return findings


def genai_api_model(ref: str, today: date) -> ApiModel:
    """An API entry priced by pydantic's genai-prices, for `--api genai:PROVIDER/MODEL`.

    Prices are per million tokens at the standard tier (long-context tiers are not imported).
    """
    try:
        import genai_prices
    except ImportError:
        raise UsageError("genai: ids need the optional genai-prices package: pip install 'llmcost[genai]'") from None
    provider, _, model = ref.partition("/")
    if not provider or not model:
        raise UsageError(f"genai: ids are genai:PROVIDER/MODEL, e.g. genai:openai/gpt-4o, got 'genai:{ref}'")
    try:
        # 1,000 tokens each way keeps the price on the standard tier (long-context tiers start higher)
        price = genai_prices.calc_price(
            genai_prices.Usage(input_tokens=1000, output_tokens=1000), model, provider_id=provider
        )
    except LookupError as exc:
        raise UsageError(f"genai-prices does not know '{ref}': {exc}") from None
    tiers = price.model_price.cache_read_mtok
    cached: Any = getattr(tiers, "base", tiers)  # tiered prices: the standard tier
    version = getattr(genai_prices, "__version__", "?")
    entry = dict(
        id=f"genai/{provider}/{model}".lower(),
        provider=provider.lower(),
        name=f"{model} (genai-prices)",
        input_usd_per_mtok=float(price.input_price) * 1000,
        output_usd_per_mtok=float(price.output_price) * 1000,
        cached_input_usd_per_mtok=None if cached is None else float(cached),
        source=f"genai-prices {version} (pydantic), provider {price.provider.id}, model {price.model.id}",
        as_of=today.isoformat(),
        notes="Priced live from the installed genai-prices package; as_of is when it was queried. "
        "Standard tier only; no quality score, so it is not quality-paired.",
    )
    try:
        return validate_record(ApiModel, entry)
    except InvalidRecord as exc:
        raise UsageError(f"genai-prices entry '{ref}' is not a valid api entry: {exc}") from None
