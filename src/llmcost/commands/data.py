"""`workload`, `buy-vs-rent` and `validate`: a usage log, owned GPUs, and the data files themselves."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from llmcost import defaults
from llmcost.catalog import Catalog, load_catalog, require_catalog
from llmcost.errors import UsageError
from llmcost.ownership import owned_gpu_cost
from llmcost.records import PRICING_MODELS
from llmcost.results.records import BuyVsRentResult, Finding, OwnedRow, ValidationResult, WorkloadResult


def workload(path: str | Path) -> WorkloadResult:
    """Read a usage log (CSV or JSON lines) and summarise it: queries/day, token mix, load shape."""
    from llmcost.usage import read_usage_log, summarize

    if not isinstance(path, str | os.PathLike):
        raise UsageError(f"path must be a file path, got {type(path).__name__}", param="path")
    rows, fmt = read_usage_log(Path(path))
    return WorkloadResult(file=str(path), format=fmt, summary=summarize(rows))


def buy_vs_rent(
    gpus: Iterable[str] | None = None,
    *,
    pue: float = defaults.PUE,
    catalog: Catalog | None = None,
    data_dirs: Sequence[str | Path] = (),
) -> BuyVsRentResult:
    """Owned GPU-hour cost next to the cheapest rental per pricing model, for GPUs with a price."""
    from llmcost.demand import check_positive

    pue = check_positive("pue", pue)
    if not 1 <= pue <= 3:
        raise UsageError(f"pue must be between 1 and 3, got {pue:g}", param="pue")
    cat = require_catalog(catalog) or load_catalog(data_dirs)
    if isinstance(gpus, str):
        gpus = [gpus]  # one id, not its characters
    if gpus is not None and not isinstance(gpus, list | tuple):
        raise UsageError("gpus must be a list of GPU ids", param="gpus")
    rows = []
    for gpu_id in list(gpus) if gpus else list(cat.owned_gpus):
        gpu = cat.gpu(gpu_id)
        owned = cat.owned_gpus.get(gpu.id)
        rental: dict[str, float | None] = {
            p: min((o.usd_per_gpu_hour for o in cat.offers_for(gpu.id, p)), default=None) for p in PRICING_MODELS
        }
        cost = owned_gpu_cost(gpu, owned, cat.facility, pue) if owned else None
        rows.append(
            OwnedRow(
                gpu=gpu.id,
                owned_usd_per_gpu_hour=cost.usd_per_gpu_hour if cost else None,
                owned=dataclasses.asdict(cost) if cost else None,
                cheapest_rental_usd_per_gpu_hour=rental,
                reason=None if cost else "no purchase price in ownership.yaml",
            )
        )
    f = cat.facility
    return BuyVsRentResult(
        assumptions={
            "pue": pue,
            "depreciation_years": f.depreciation_years.mid,
            "electricity_usd_per_kwh": f.electricity_usd_per_kwh.mid,
            "colocation_usd_per_kw_month": f.colocation_usd_per_kw_month.mid,
            "support_fraction_per_year": f.support_fraction_per_year.mid,
            "server_overhead_w_per_gpu": f.server_overhead_w_per_gpu.mid,
        },
        gpus=tuple(rows),
    )


def validate(
    paths: Sequence[str | Path] | None = None,
    *,
    today: date | None = None,
    max_age_days: int = 365,
    cross_check: str | None = None,
    baseline: str | Path | None = None,
) -> ValidationResult:
    """Check data files or directories (default: the shipped data) as CI should: schema, unique ids,
    references, plausibility, sources, dates; `cross_check="genai-prices"` also compares our API
    prices with that package. With `baseline` (a saved `validate --format json`), findings it
    already lists are counted as known and not reported, so a pull request sees only what it adds.
    The files are only read."""
    from llmcost import datatools

    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    if paths is not None and (
        not isinstance(paths, list | tuple) or not all(isinstance(p, str | os.PathLike) for p in paths)
    ):
        raise UsageError("paths must be a list of data files or directories", param="paths")
    if not isinstance(max_age_days, int) or isinstance(max_age_days, bool) or not 0 <= max_age_days <= 36_500:
        raise UsageError(f"max_age_days must be a whole number of days up to 36,500, got {max_age_days!r}",
                         param="max_age_days")  # fmt: skip
    if cross_check not in (None, "genai-prices"):
        raise UsageError(f"cross_check knows genai-prices, got '{cross_check}'", param="cross_check")
    result: dict[str, Any] = datatools.validate([Path(p) for p in paths] if paths else None, today or defaults.today(),
                                                max_age_days)  # fmt: skip
    findings = list(result["findings"])
    if cross_check:
        findings += datatools.cross_check_genai(load_catalog())
    known = _baseline(baseline) if baseline is not None else set()
    new = [f for f in findings if _key(f) not in known]
    return ValidationResult(
        files=tuple(result["files"]),
        errors=sum(f["level"] == "error" for f in new),
        warnings=sum(f["level"] == "warning" for f in new),
        findings=tuple(Finding(f["level"], f["file"], f["entry"], f["message"]) for f in new),
        known=len(findings) - len(new),
    )


def _key(finding: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """A finding's identity across checkouts: the file's name (not its path), entry, level, message."""
    return (Path(str(finding["file"])).name, str(finding["entry"]), str(finding["level"]), str(finding["message"]))


MAX_BASELINE_BYTES = 20_000_000


def _baseline(path: str | Path) -> set[tuple[str, str, str, str]]:
    """The findings of a saved `llmcost validate --format json`."""
    import json

    from llmcost.io import read_text
    from llmcost.text import shown

    if not isinstance(path, str | os.PathLike):
        raise UsageError("baseline must be a file path", param="baseline")
    text = read_text(path, MAX_BASELINE_BYTES, UsageError, what="--baseline")
    try:
        doc = json.loads(text)
        return {_key(f) for f in doc["findings"]}
    except (ValueError, KeyError, TypeError):
        raise UsageError(
            f"--baseline {shown(path)}: not the JSON of `llmcost validate --format json` (no findings list)"
        ) from None
