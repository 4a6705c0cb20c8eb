"""`sensitivity`: a tornado of the inputs for one self-hosted model against one API."""

from __future__ import annotations

from collections.abc import Mapping
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
    if ids and ids != ["none"]:
        return _platform(inp, catalog, metric, api.id, model)
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
