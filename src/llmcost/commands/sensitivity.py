"""`sensitivity`: a tornado of the inputs for one self-hosted model against one API."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import Any

from llmcost.catalog import Catalog
from llmcost.commands.common import alpha, cheapest_at, factors, inputs_for, one_pair, runnable
from llmcost.crossings import rank, solve
from llmcost.errors import UsageError
from llmcost.inputs import Inputs, Scenario
from llmcost.results.decisions import Swing, TornadoResult
from llmcost.tornado import Metric, platform_swings, swings

METRICS: tuple[Metric, ...] = ("cost_difference", "breakeven")


def sensitivity(
    qpd: Any = None,
    *,
    metric: Metric = "cost_difference",
    scenario: Scenario | Mapping[str, Any] | None = None,
    catalog: Catalog | None = None,
    **options: Any,
) -> TornadoResult:
    """Tornado for one self-hosted model against one API: `metric` is cost_difference (self-hosted
    minus API at `qpd`, configuration cheapest at that volume) or breakeven (the volume,
    configuration that pays off soonest, as `breakeven` picks it)."""
    if metric not in METRICS:
        raise UsageError(f"metric must be cost_difference or breakeven, got '{metric}'", param="metric")
    inp = inputs_for(
        "sensitivity", scenario, catalog, {"qpd": qpd, **options}, qpd_required=metric == "cost_difference"
    )
    api, model = one_pair(inp)
    ids = inp.settings.get("platforms")
    if ids in (["rented:spot"], ["spot"]):
        return _spot(inp, scenario, catalog, {"qpd": qpd, **options}, metric, api.id, model)
    if ids and ids != ["none"]:
        return _platform(inp, catalog, metric, api.id, model)
    if inp.settings.get("spot_preemption") is not None:
        raise UsageError("sensitivity uses spot_preemption only with --platforms rented:spot", param="spot_preemption")
    defaults_of = {f.name: f.default for f in fields(Scenario)}
    for name in ("profile", "cold_start_basis", "image_pull_s"):
        if inp.settings.get(name, defaults_of[name]) != defaults_of[name]:
            raise UsageError(
                f"sensitivity uses {name} only with --platforms ID (a serving platform's bill)", param=name
            )
    found = runnable(inp, model)
    if metric == "breakeven":
        a, f = alpha(inp, api), factors(inp)
        curve = min(found, key=lambda c: rank(solve(a, c, f, inp.max_qpd)))
        rule = "pays off soonest (lowest break-even volume)"
    else:
        curve = cheapest_at(found, inp.workload.queries_per_day, inp)
        rule = "cheapest at this volume"
    base, rows = swings(inp, metric, api.id, curve)
    unit = "USD/month (self-hosted minus API)" if metric == "cost_difference" else "queries/day (break-even)"
    return TornadoResult(
        api=api.id,
        self_hosted=curve.config.id,
        metric=metric,
        unit=unit,
        base=base,
        workload=inp.workload.to_dict(),
        inputs=tuple(Swing(*row) for row in rows),
        selection_rule=rule,
    )


def _platform(inp: Inputs, catalog: Catalog | None, metric: Metric, api_id: str, model: Any) -> TornadoResult:
    """The tornado of one serving platform option against the API (tornado.platform_swings)."""
    from llmcost.catalog import load_catalog, require_catalog
    from llmcost.commands.platforms import cold_start_ranges, sensitivity_case

    cat = require_catalog(catalog) or load_catalog(inp.settings.get("data_dirs") or ())
    case = sensitivity_case(inp, cat, model, api_id, metric)
    base, rows = platform_swings(inp, metric, api_id, case, cold_start_ranges(cat))
    unit = "USD/month (platform minus API)" if metric == "cost_difference" else "queries/day (platform break-even)"
    rule = (
        "the platform's configuration cheapest at this volume"
        if metric == "cost_difference"
        else "the platform's configuration that pays off soonest"
    )
    return TornadoResult(
        api=api_id,
        self_hosted=case.id,
        metric=metric,
        unit=unit,
        base=base,
        workload=inp.workload.to_dict(),
        inputs=tuple(Swing(*row) for row in rows),
        selection_rule=rule,
    )


def _spot(
    inp: Inputs, scenario: Any, catalog: Catalog | None, options: Mapping[str, Any], metric: Metric, api_id: str,
    model: Any,
) -> TornadoResult:  # fmt: skip
    """The tornado of the spot-with-spares row of `platforms` against the API: its interruption
    rate over --spot-preemption's range (default the AWS Spot Advisor's 0-20% a month) and the
    volume; the spares are searched again at each end, as the point answer searches them."""
    from llmcost import defaults
    from llmcost.catalog import load_catalog, require_catalog
    from llmcost.commands.platforms import spot_monthly_usd
    from llmcost.tornado import low_high
    from llmcost.uncertainty import Uniform, central

    if metric != "cost_difference":
        raise UsageError(
            "sensitivity --metric breakeven does not apply to rented:spot (its spares are searched at one volume); "
            "use --metric cost-difference",
            param="metric",
        )
    cat = require_catalog(catalog) or load_catalog(inp.settings.get("data_dirs") or ())
    opts = {k: v for k, v in options.items() if k != "platforms" and v is not None}
    a = alpha(inp, inp.all_apis[api_id])
    q0 = inp.workload.queries_per_day
    raw = inp.settings.get("spot_preemption")
    p0 = central(raw) if raw is not None else defaults.SPOT_PREEMPTIONS_PER_MONTH
    lo_p, hi_p = defaults.SPOT_PREEMPTIONS_RANGE
    spread = raw if raw is not None else Uniform(dist="uniform", low=lo_p, high=hi_p)

    def diff(q: float, p: float) -> float | None:
        cost = spot_monthly_usd(inp, scenario, cat, opts, model, q, p)
        return None if cost is None else cost - a * q

    base = diff(q0, p0)
    if base is None:
        raise UsageError(f"no GPU that runs {model.id} has a spot offer: no spot row to swing", param="platforms")

    def at_rate(x: float) -> float | None:
        return diff(q0, min(max(x, 0.0), 1.0))

    def at_volume(x: float) -> float | None:
        return diff(x, p0)

    rows = []
    ends: tuple[tuple[str, Any, Callable[[float], float | None]], ...] = (
        ("spot interruptions per replica-month", spread, at_rate),
        ("queries per day", inp.uncertainty.qpd, at_volume),
    )
    for name, value, at in ends:
        bounds = low_high(value)
        if bounds and bounds[0] != bounds[1]:
            lo, hi = bounds
            r_lo, r_hi = at(lo), at(hi)
            width = abs(r_hi - r_lo) if r_lo is not None and r_hi is not None else 0.0
            rows.append(Swing(name, lo, hi, r_lo, r_hi, width))
    rows.sort(key=lambda r: -r.swing)
    return TornadoResult(
        api=api_id,
        self_hosted="rented:spot",
        metric=metric,
        unit="USD/month (spot with spares minus API)",
        base=base,
        workload=inp.workload.to_dict(),
        inputs=tuple(rows),
        selection_rule="the cheapest spot fleet whose spares keep the time short of capacity under 1%",
    )
