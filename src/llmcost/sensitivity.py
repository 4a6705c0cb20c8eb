"""Sensitivity (a tornado): each uncertain input swung from low to high, the others held where the
point answer has them, ranked by how far the result moves.

Low/high are the range's ends for uniform inputs and the 10th/90th percentiles otherwise. The
result is the monthly cost difference (self-hosted minus API) at the scenario's volume, or the
break-even volume.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from llmcost.api_cost import api_usd_per_query, effective_prices, per_mtok
from llmcost.breakeven import rank, solve
from llmcost.catalog import Catalog
from llmcost.errors import UsageError
from llmcost.montecarlo import (
    Draws,
    api_price_ranges,
    api_usd_per_query_draws,
    breakeven_draws,
    gpu_price_range,
    hidden_ranges,
    offer_price_range,
    owned_price_factor,
    owned_price_ranges,
    replica_rps,
    self_hosted_costs,
)
from llmcost.result import Result
from llmcost.scenario import Scenario, make_scenario, setup
from llmcost.selfhost import CostCurve, curves
from llmcost.uncertainty import Uncertain, Uniform, central, draw

if TYPE_CHECKING:
    from llmcost.workload import FloatArray

Metric = Literal["cost_difference", "breakeven"]


def _low_high(value: Uncertain) -> tuple[float, float] | None:
    if isinstance(value, int | float):
        return None
    if isinstance(value, Uniform):
        return value.low, value.high
    samples = draw(value, 20_001, np.random.default_rng(0))
    lo, hi = np.percentile(samples, (10, 90))
    return float(lo), float(hi)


def sensitivity(
    qpd: float | None = None,
    *,
    metric: Metric = "cost_difference",
    scenario: Scenario | Mapping[str, Any] | None = None,
    catalog: Catalog | None = None,
    **options: Any,
) -> Result:
    """Tornado for one self-hosted model against one API (see the module docstring)."""
    st = setup(make_scenario(scenario, qpd=qpd, **options), catalog, qpd_required=metric == "cost_difference")
    sc, cat, w = st.scenario, st.catalog, st.workload
    models, apis = st.model_ids(), st.api_ids()
    if len(models) != 1 or not sc.apis or len(apis) != 1:
        raise UsageError("sensitivity needs one --model (with optional --quant/--gpu) and one --api")
    if metric not in ("cost_difference", "breakeven"):
        raise UsageError(f"metric must be cost_difference or breakeven, got '{metric}'")
    alpha = api_usd_per_query(cat.api(apis[0]), w, sc.batch_api) * w.days_per_month
    found, fails = curves(
        cat, cat.model(models[0]), st.quant_list(), st.gpu_list(), w, st.assumptions, st.hidden_usd_per_month
    )
    if not found:
        raise UsageError(f"{models[0]} cannot run on the selected GPUs: {fails[-1][2] if fails else 'none selected'}")
    if metric == "breakeven":  # the configuration that pays off soonest, as `breakeven` picks it
        curve: CostCurve = min(found, key=lambda c: rank(c, solve(alpha, c, sc.max_qpd)))
    else:  # the cheapest at the scenario's volume, as `compare` picks it
        curve = min(found, key=lambda c: float(c.monthly_cost_usd(w.queries_per_day)))
    gpu = curve.config.gpu.id
    hidden = hidden_ranges(st)
    base = Draws(
        n=1,
        qpd=np.array([w.queries_per_day]),
        utilization=np.array([st.assumptions.utilization_target]),
        peak_factor=np.array([st.assumptions.peak_factor]),
        throughput=np.array([central(sc.throughput_factor)]),
        hidden_usd_per_month=np.array([sum(central(v) for v in hidden.values())]),
        gpu_price_factor={gpu: np.array([1.0])},
        input_tokens=np.array([w.input_tokens]),
        output_tokens=np.array([w.output_tokens]),
    )
    api_id = apis[0]
    prices = per_mtok(effective_prices(cat.api(api_id), w.input_tokens, sc.batch_api, w.cached_input_share))

    def result(d: Draws) -> float | None:
        a = api_usd_per_query_draws(prices, d, w.cached_input_share, api_id) * w.days_per_month
        rps = replica_rps(curve, d, st)
        if metric == "breakeven":
            v = float(breakeven_draws(a, curve, d, sc.max_qpd, rps)[0])
            return None if np.isnan(v) else v
        return float(self_hosted_costs(curve, d, rps=rps)[0] - a[0] * d.qpd[0])

    swings: list[tuple[str, float, float, Draws, Draws]] = []

    def swing(name: str, value: Uncertain, at: Callable[[FloatArray], Draws]) -> None:
        bounds = _low_high(value)
        if bounds and bounds[0] != bounds[1]:  # a range that does not vary moves nothing
            lo, hi = bounds
            swings.append((name, lo, hi, at(np.array([lo])), at(np.array([hi]))))

    if metric == "cost_difference" and sc.qpd is not None:
        swing("queries per day", sc.qpd, lambda x: replace(base, qpd=x))
    swing("input tokens per query", sc.input_tokens, lambda x: replace(base, input_tokens=x))
    swing("output tokens per query", sc.output_tokens, lambda x: replace(base, output_tokens=x))
    swing("utilization target", sc.utilization, lambda x: replace(base, utilization=x))
    swing("peak factor", sc.peak_factor, lambda x: replace(base, peak_factor=x))
    swing("throughput (model error)", sc.throughput_factor, lambda x: replace(base, throughput=x))
    swing(
        f"{gpu} price over the cheapest offer",
        gpu_price_range(st, gpu),
        lambda x: replace(base, gpu_price_factor={gpu: x}),
    )
    offer = offer_price_range(st, gpu)
    if offer:
        swing(f"{gpu} cheapest offer's own price range", offer, lambda x: replace(base, gpu_price_factor={gpu: x}))
    for figure, value in owned_price_ranges(st, gpu).items():

        def at_figure(x: FloatArray, figure: str = figure) -> Draws:
            return replace(base, gpu_price_factor={gpu: owned_price_factor(st, gpu, {figure: x})})

        swing(f"owned {gpu}: {figure}", value, at_figure)
    follows_input = cat.api(api_id).cached_input_usd_per_mtok is None  # cached tokens billed at the input price
    for key, price in api_price_ranges(st, api_id).items():
        keys = (key, "cached_input") if key == "input" and follows_input else (key,)

        def at_price(x: FloatArray, keys: tuple[str, ...] = keys) -> Draws:
            return replace(base, api_price_factor={api_id: {k: x for k in keys}})

        swing(f"{api_id} {key} price (factor)", price, at_price)
    total = float(base.hidden_usd_per_month[0])
    for key, value in hidden.items():
        bounds = _low_high(value)
        if bounds:
            lo, hi = bounds
            c = central(value)
            swings.append(
                (
                    f"hidden cost: {key}",
                    lo,
                    hi,
                    replace(base, hidden_usd_per_month=np.array([total - c + lo])),
                    replace(base, hidden_usd_per_month=np.array([total - c + hi])),
                )
            )
    rows: list[dict[str, Any]] = []
    for name, lo, hi, d_lo, d_hi in swings:
        r_lo, r_hi = result(d_lo), result(d_hi)
        width = abs((r_hi if r_hi is not None else sc.max_qpd) - (r_lo if r_lo is not None else sc.max_qpd))
        rows.append(
            {"input": name, "low": lo, "high": hi, "result_at_low": r_lo, "result_at_high": r_hi, "swing": width}
        )
    rows.sort(key=lambda r: -float(r["swing"]))
    unit = "USD/month (self-hosted minus API)" if metric == "cost_difference" else "queries/day (break-even)"
    return Result(
        {
            "api": apis[0],
            "self_hosted": curve.config.id,
            "metric": metric,
            "unit": unit,
            "base": result(base),
            "workload": w.to_dict(),
            "inputs": rows,
        }
    )
