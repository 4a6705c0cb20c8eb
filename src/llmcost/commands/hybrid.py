"""`hybrid`: a share of queries self-hosted, the rest to an API; and the share that costs least."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from llmcost.catalog import Catalog
from llmcost.commands.common import (
    alpha,
    api_bill,
    assumptions,
    cheapest_at,
    factors,
    inputs_for,
    one_pair,
    runnable,
)
from llmcost.errors import UsageError
from llmcost.inputs import Scenario
from llmcost.montecarlo import api_usd_per_qpd, draw_inputs, quantiles
from llmcost.montecarlo import factors as draw_factors
from llmcost.results.decisions import HybridResult
from llmcost.routing import best_share, blended_monthly_usd
from llmcost.selfhost import autoscaled, fleet_cost_usd

SHARE_POINTS = 101  # shares 0, 1%, ..., 100% on the share curve


def hybrid(
    qpd: Any = None,
    *,
    share: Any = None,
    scenario: Scenario | Mapping[str, Any] | None = None,
    catalog: Catalog | None = None,
    **options: Any,
) -> HybridResult:
    """Route `share` of the queries to one self-hosted model and the rest to one API.

    The configuration is the cheapest at the self-hosted volume (share x qpd); options are
    scenario settings (autoscale and monte_carlo included)."""
    inp = inputs_for("hybrid", scenario, catalog, {"qpd": qpd, "share": share, **options})
    if inp.share is None:
        raise UsageError("hybrid needs --share, one --model (with optional --quant/--gpu) and one --api", param="share")
    api, model = one_pair(inp)
    w, s, f = inp.workload, inp.share, factors(inp)
    q = w.queries_per_day
    per_query = float(api_bill(inp, api).usd_per_query)
    a = alpha(inp, api)
    curve = cheapest_at(runnable(inp, model), max(s, 1e-12) * q, inp)
    monthly = float(blended_monthly_usd(a, curve, q, s, f, inp.autoscaling))
    all_api = a * q
    opt_share, opt_cost = best_share(a, curve, q, s, f, inp.autoscaling)
    own_q = s * q
    if inp.autoscaling is not None and s > 0:
        replicas = autoscaled(curve, own_q, inp.autoscaling, f).peak_replicas
    else:
        replicas = int(curve.replicas(own_q, f)) if s > 0 else 0
    cap = curve.config.capacity  # utilization of the saturated rate, also when P99 targets sized it
    rps = (cap.saturated_requests_per_s or cap.requests_per_s) * float(f.throughput)
    mc, drawn = None, None
    if inp.monte_carlo:
        d = draw_inputs(inp, inp.monte_carlo, inp.seed, [curve.config.gpu.id], [api.id])
        a_d = api_usd_per_qpd(inp, api.id, d)
        drawn = (d, a_d)
        all_api_d = a_d * d.qpd
        blended_d = np.asarray(blended_monthly_usd(a_d, curve, d.qpd, s, draw_factors(curve, d, inp), inp.autoscaling))
        mc = {
            **quantiles(blended_d),
            **quantiles(all_api_d - blended_d, "saving_vs_all_api_usd"),
            "p_hybrid_cheaper_than_all_api": float(np.mean(blended_d < all_api_d)),
        }
    own_cost = float(fleet_cost_usd(curve, own_q, f, inp.autoscaling)) if s > 0 else 0.0
    grid = np.linspace(0.0, 1.0, SHARE_POINTS)  # the cost at every share, for the chart
    curve_usd = np.asarray(blended_monthly_usd(a, curve, q, grid, f, inp.autoscaling))
    return HybridResult(
        workload=w.to_dict(),
        assumptions=assumptions(inp),
        share=s,
        api={"id": api.id, "usd_per_query": per_query, "monthly_cost_usd": a * (1 - s) * q},
        self_hosted={
            "id": curve.config.id,
            "replicas": replicas,
            "monthly_cost_usd": own_cost,
            "utilization": own_q / 86_400 / (replicas * rps) if replicas else 0.0,
        },
        monthly_cost_usd=monthly,
        blended_cost_per_query_usd=monthly / w.queries_per_month,
        all_api_monthly_cost_usd=all_api,
        saving_vs_all_api_usd=all_api - monthly,
        optimal_share=opt_share,
        optimal_monthly_cost_usd=opt_cost,
        optimal_saving_vs_all_api_usd=all_api - opt_cost,
        monte_carlo=mc,
        share_curve={"share": grid.tolist(), "monthly_cost_usd": curve_usd.tolist()},
        platforms=_platforms(inp, catalog, model, a, q, s, drawn),
    )


def _platforms(
    inp: Any, catalog: Catalog | None, model: Any, a: float, q: float, s: float, drawn: Any = None
) -> tuple[Any, ...]:
    """With --platforms: the same split with a serverless platform or dedicated endpoint as the
    self-hosted side (with Monte Carlo, over the same draws as the pair)."""
    ids = inp.settings.get("platforms")
    if not ids or ids == ["none"]:
        return ()
    from llmcost.catalog import load_catalog, require_catalog
    from llmcost.commands.platforms import platform_hybrid

    cat = require_catalog(catalog) or load_catalog(inp.settings.get("data_dirs") or ())
    return tuple(platform_hybrid(inp, cat, model, a, q, s, drawn=drawn))
