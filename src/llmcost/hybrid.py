"""Hybrid routing: a share of queries (the simple ones) to a self-hosted model, the rest to an API.

blended(s) = S(s * q) + a * (1 - s) * q for a share s in (0, 1], and a * q at s = 0 (no
self-hosting, so no fixed costs). S steps up with each replica, so within one replica count the
API part falls as s grows: the cheapest share is always at a replica's full capacity (or at the
largest share the user's complexity split allows), and checking those points is exact.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from llmcost.api_cost import api_usd_per_query, effective_prices, per_mtok
from llmcost.catalog import Catalog
from llmcost.errors import UsageError
from llmcost.montecarlo import api_usd_per_query_draws, draw_inputs, quantiles, replica_rps, self_hosted_costs
from llmcost.result import Result
from llmcost.scenario import Scenario, make_scenario, setup
from llmcost.selfhost import CostCurve, curves

if TYPE_CHECKING:
    from llmcost.workload import FloatArray, Number


def blended_monthly_usd(api_usd_per_qpd: float, curve: CostCurve, qpd: float, share: Number) -> Number:
    """Monthly cost when `share` of `qpd` queries go to the self-hosted curve, the rest to the API."""
    s = np.asarray(share, dtype=np.float64)
    own = np.where(s > 0, np.asarray(curve.monthly_cost_usd(np.maximum(s, 1e-12) * qpd)), 0.0)
    out = own + api_usd_per_qpd * (1 - s) * qpd
    return out if np.ndim(out) else float(out)


def candidate_shares(curve: CostCurve, qpd: float, max_share: float) -> FloatArray:
    """0, each replica count's full-capacity share below max_share, and max_share itself."""
    full = np.arange(1, math.ceil(max_share * qpd / curve.queries_per_day_per_replica) + 1)
    shares = np.minimum(full * curve.queries_per_day_per_replica / qpd, max_share)
    return np.unique(np.concatenate([[0.0], shares, [max_share]]))


def best_share(api_usd_per_qpd: float, curve: CostCurve, qpd: float, max_share: float) -> tuple[float, float]:
    """(share, monthly cost) minimising the blended cost for shares in [0, max_share]."""
    shares = candidate_shares(curve, qpd, max_share)
    costs = np.asarray(blended_monthly_usd(api_usd_per_qpd, curve, qpd, shares))
    i = int(np.argmin(costs))
    return float(shares[i]), float(costs[i])


def hybrid(
    qpd: float | None = None,
    *,
    share: float | None = None,
    scenario: Scenario | Mapping[str, Any] | None = None,
    catalog: Catalog | None = None,
    **options: Any,
) -> Result:
    """Route `share` of the queries to one self-hosted model and the rest to one API."""
    st = setup(make_scenario(scenario, qpd=qpd, share=share, **options), catalog)
    sc, cat, w = st.scenario, st.catalog, st.workload
    apis, models = st.api_ids(), st.model_ids()
    if sc.share is None or len(models) != 1 or not sc.apis or len(apis) != 1:
        raise UsageError("hybrid needs --share, one --model (with optional --quant/--gpu) and one --api")
    q, s = w.queries_per_day, sc.share
    api_id = apis[0]
    per_query = api_usd_per_query(cat.api(api_id), w, sc.batch_api)
    alpha = per_query * w.days_per_month
    found, fails = curves(
        cat, cat.model(models[0]), st.quant_list(), st.gpu_list(), w, st.assumptions, st.hidden_usd_per_month
    )
    if not found:
        raise UsageError(f"{models[0]} cannot run on the selected GPUs: {fails[-1][2] if fails else 'none selected'}")
    curve = min(found, key=lambda c: float(c.monthly_cost_usd(max(s, 1e-12) * q)))
    monthly = float(blended_monthly_usd(alpha, curve, q, s))
    all_api = alpha * q
    opt_share, opt_cost = best_share(alpha, curve, q, s)
    own_q = s * q
    replicas = int(curve.replicas(own_q)) if s > 0 else 0
    extra: dict[str, Any] = {}
    if sc.monte_carlo:
        d = draw_inputs(st, sc.monte_carlo, sc.seed, [curve.config.gpu.id], [api_id])
        prices = per_mtok(effective_prices(cat.api(api_id), w.input_tokens, sc.batch_api, w.cached_input_share))
        alpha_d = api_usd_per_query_draws(prices, d, w.cached_input_share, api_id) * w.days_per_month
        all_api_d = alpha_d * d.qpd
        own = self_hosted_costs(curve, d, s * d.qpd, replica_rps(curve, d, st)) if s > 0 else 0.0
        blended_d = own + alpha_d * (1 - s) * d.qpd
        extra = {
            **quantiles(blended_d),
            **quantiles(all_api_d - blended_d, "saving_vs_all_api_usd"),
            "p_hybrid_cheaper_than_all_api": float(np.mean(blended_d < all_api_d)),
        }
    return Result(
        {
            "workload": w.to_dict(),
            "assumptions": st.assumptions_dict(),
            "share": s,
            "api": {"id": api_id, "usd_per_query": per_query, "monthly_cost_usd": alpha * (1 - s) * q},
            "self_hosted": {
                "id": curve.config.id,
                "replicas": replicas,
                "monthly_cost_usd": monthly - alpha * (1 - s) * q,
                "utilization": own_q / 86_400 / (replicas * curve.config.capacity.requests_per_s) if replicas else 0.0,
            },
            "monthly_cost_usd": monthly,
            "blended_cost_per_query_usd": monthly / w.queries_per_month,
            "all_api_monthly_cost_usd": all_api,
            "saving_vs_all_api_usd": all_api - monthly,
            "optimal_share": opt_share,
            "optimal_monthly_cost_usd": opt_cost,
            "optimal_saving_vs_all_api_usd": all_api - opt_cost,
            **extra,
        }
    )
