"""Break-even volumes between an API and a self-hosted configuration, exact on the step function.

The API's monthly cost is linear in volume, A(q) = a * q. The self-hosted cost is a step function:
S(q) = S_n for q in ((n-1) * c, n * c], where c is the volume one replica carries and S_n the
hidden costs plus the cheapest rental of n replicas. So the ordering can flip two ways:
- inside a step, where a * q = S_n: the API becomes dearer (an "equal" crossing, costs equal);
- at a step edge q = n * c, when S_n < a * q < S_(n+1): the next replica makes self-hosting
  dearer again (a "step" crossing; the costs jump past each other without being equal).
Every step up to the stated maximum volume is examined at once with numpy: no grid search.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from llmcost.api_cost import api_usd_per_query, effective_prices, per_mtok
from llmcost.catalog import Catalog
from llmcost.montecarlo import api_usd_per_query_draws, breakeven_draws, draw_inputs, replica_rps, self_hosted_costs
from llmcost.pairing import Pairing, pair_apis, quantized_elo
from llmcost.result import Result
from llmcost.scenario import Scenario, Setup, make_scenario, setup
from llmcost.selfhost import CostCurve, curves

MAX_STEPS_REPORTED = 2000
BAND_POINTS = 60  # volumes at which Monte Carlo P10-P90 bands are reported (for charts)


def _steps(curve: CostCurve, max_qpd: float) -> int:
    return max(1, math.ceil(max_qpd / curve.queries_per_day_per_replica - 1e-9))


@dataclass(frozen=True)
class Crossing:
    qpd: float
    kind: Literal["equal", "step"]
    cheaper_above: Literal["self_hosted", "api"]


@dataclass(frozen=True)
class BreakEven:
    crossings: tuple[Crossing, ...]
    self_hosted_cheaper_above_qpd: float | None  # None: not within max_qpd (see reason)
    reason: str


def solve(api_usd_per_qpd: float, curve: CostCurve, max_qpd: float) -> BreakEven:
    """Crossings of A(q) = api_usd_per_qpd * q and the curve's S(q) for 0 < q <= max_qpd.

    `api_usd_per_qpd` is the API's monthly cost per query-per-day (cost per query x days/month).
    """
    a, per = api_usd_per_qpd, curve.queries_per_day_per_replica
    n = np.arange(1, _steps(curve, max_qpd) + 1, dtype=np.float64)
    s = np.asarray(curve.gpu_cost_usd(n)) + curve.fixed_usd_per_month
    lo, hi = (n - 1) * per, np.minimum(n * per, max_qpd)
    found: list[Crossing] = []
    if a > 0:
        q_eq = s / a
        for q in q_eq[(q_eq > lo) & (q_eq <= hi)]:
            found.append(Crossing(float(q), "equal", "self_hosted"))
        edge = n[:-1] * per
        a_edge = a * edge
        for q in edge[(a_edge > s[:-1]) & (a_edge < s[1:])]:
            found.append(Crossing(float(q), "step", "api"))
    found.sort(key=lambda c: c.qpd)
    self_cheaper_at_max = a * max_qpd > s[-1]
    above = found[-1].qpd if self_cheaper_at_max and found else None
    return BreakEven(tuple(found), above, _reason(a, curve, max_qpd, found, above))


def _reason(a: float, curve: CostCurve, max_qpd: float, found: list[Crossing], above: float | None) -> str:
    per_1k_api = a / curve.hours_per_month * 24 * 1000  # USD per 1,000 queries
    per_1k_gpu = curve.marginal_usd_per_query / curve.hours_per_month * 24 * 1000
    if above is not None:
        many = f"; costs cross {len(found)} times because replicas come in whole steps" if len(found) > 1 else ""
        return f"self-hosting is cheaper from {above:,.0f} queries/day up to at least {max_qpd:,.0f}{many}"
    if curve.marginal_usd_per_query >= a:
        return f"never: even fully used, the GPUs cost ${per_1k_gpu:,.2f} per 1,000 queries, the API ${per_1k_api:,.2f}"
    estimate = curve.fixed_usd_per_month / (a - curve.marginal_usd_per_query)
    return (
        f"not below {max_qpd:,.0f} queries/day: the GPUs cost ${per_1k_gpu:,.2f} per 1,000 queries vs the "
        f"API's ${per_1k_api:,.2f}, so the fixed costs are recovered only from about {estimate:,.0f}"
    )


def _step_costs(curve: CostCurve, max_qpd: float) -> list[float]:
    n = np.arange(1, min(MAX_STEPS_REPORTED, _steps(curve, max_qpd)) + 1, dtype=np.float64)
    return [float(x) for x in np.asarray(curve.gpu_cost_usd(n)) + curve.fixed_usd_per_month]


def pair_result(
    api_id: str,
    pairing: str,
    api_usd_per_query: float,
    curve: CostCurve,
    elo: float | None,
    solution: BreakEven,
    max_qpd: float,
) -> dict[str, Any]:
    cfg = curve.config
    days = curve.hours_per_month / 24
    return {
        "api": api_id,
        "self_hosted": cfg.id,
        "model": cfg.model.id,
        "quantization": cfg.quant.id,
        "gpu": cfg.gpu.id,
        "gpus_per_replica": cfg.gpus_per_replica,
        "pairing": pairing,
        "self_hosted_quality_elo": elo,
        "api_usd_per_1k_queries": api_usd_per_query * 1000,
        "self_hosted_gpu_usd_per_1k_queries_at_full_use": curve.marginal_usd_per_query / days * 1000,
        "self_hosted_fixed_usd_per_month": curve.fixed_usd_per_month,
        "queries_per_day_per_replica": curve.queries_per_day_per_replica,
        "api_usd_per_qpd_month": api_usd_per_query * days,
        # monthly self-hosted cost with 1, 2, ... replicas (for charts), up to max_qpd (at most 2,000 steps)
        "self_hosted_step_usd_per_month": _step_costs(curve, max_qpd),
        "crossings_qpd": [c.qpd for c in solution.crossings],
        "crossings": [c.__dict__ for c in solution.crossings],
        "self_hosted_cheaper_above_qpd": solution.self_hosted_cheaper_above_qpd,
        "max_qpd": max_qpd,
        "commercial_use": cfg.model.licence.commercial_use,
        "reason": solution.reason,
    }


def _pair_monte_carlo(st: Setup, api_id: str, prices: dict[str, float], curve: CostCurve) -> dict[str, Any]:
    """Distribution of the break-even volume (and, at the scenario's volume, P(self-hosting cheaper))."""
    sc, w = st.scenario, st.workload
    d = draw_inputs(st, sc.monte_carlo or 0, sc.seed, [curve.config.gpu.id], [api_id])
    alpha = api_usd_per_query_draws(prices, d, w.cached_input_share, api_id) * w.days_per_month
    rps = replica_rps(curve, d, st)
    volumes = breakeven_draws(alpha, curve, d, sc.max_qpd, rps)
    found = volumes[np.isfinite(volumes)]
    out: dict[str, Any] = {"p_breakeven_within_max": float(found.size / volumes.size)}
    for p, v in zip((10, 50, 90), np.percentile(found, (10, 50, 90)) if found.size else (None,) * 3, strict=True):
        out[f"breakeven_qpd_p{p}"] = None if v is None else float(v)
    if sc.qpd is not None:
        out["p_self_hosted_cheaper"] = float(np.mean(self_hosted_costs(curve, d, rps=rps) < alpha * d.qpd))
    grid = np.geomspace(sc.max_qpd / 1e4, sc.max_qpd, BAND_POINTS)
    lo, hi = np.percentile([self_hosted_costs(curve, d, np.full(d.n, q), rps) for q in grid], (10, 90), axis=1)
    a10, a90 = np.percentile(alpha, (10, 90))  # a drawn token mix or price range moves the API line
    out["bands"] = {
        "qpd": grid.tolist(),
        "api_p10": (a10 * grid).tolist(),
        "api_p90": (a90 * grid).tolist(),
        "self_hosted_p10": lo.tolist(),
        "self_hosted_p90": hi.tolist(),
    }
    return out


def rank(curve: CostCurve, sol: BreakEven) -> tuple[float, float]:
    """Prefer the configuration that wins soonest; among those that never do, the cheapest slope."""
    above = sol.self_hosted_cheaper_above_qpd
    return (above if above is not None else math.inf, curve.marginal_usd_per_query)


def breakeven(
    *, scenario: Scenario | Mapping[str, Any] | None = None, catalog: Catalog | None = None, **options: Any
) -> Result:
    """Break-even volumes for (API, self-hosted model) pairs.

    With `apis` given, every listed API is paired with every selected model; otherwise each model
    is paired with quality-matched APIs (see pairing.py). For each pair, the configuration
    (quantization x GPU x tensor-parallel size) that pays off at the lowest volume is reported.
    """
    st = setup(make_scenario(scenario, **options), catalog, qpd_required=False)
    sc, cat, w = st.scenario, st.catalog, st.workload
    api_cost = {a: api_usd_per_query(cat.api(a), w, sc.batch_api) for a in st.api_ids()}
    pairs: list[dict[str, Any]] = []
    for model_id in st.model_ids():
        model = cat.model(model_id)
        found, fails = curves(cat, model, st.quant_list(), st.gpu_list(), w, st.assumptions, st.hidden_usd_per_month)
        if not found:
            why = fails[-1][2] if fails else "no configuration selected"
            pairs.append({"api": None, "self_hosted": None, "model": model_id, "reason": f"cannot run: {why}"})
            continue
        best: dict[str, tuple[tuple[float, float], str, CostCurve, BreakEven, float | None]] = {}
        for quant in {c.config.quant.id: c.config.quant for c in found}.values():
            elo = quantized_elo(model, quant, cat)
            matched = [Pairing(a, "chosen") for a in api_cost] if sc.apis else pair_apis(cat, model, elo, api_cost)
            for p in matched:
                alpha = api_cost[p.api] * w.days_per_month
                for curve in (c for c in found if c.config.quant is quant):
                    sol = solve(alpha, curve, sc.max_qpd)
                    rank_key = rank(curve, sol)
                    if p.api not in best or rank_key < best[p.api][0]:
                        best[p.api] = (rank_key, p.reason, curve, sol, elo)
        if not best:
            why = "no API to pair with: the model has no quality score and no hosted version"
            pairs.append({"api": None, "self_hosted": None, "model": model_id, "reason": why})
        for api_id, (_, reason, curve, sol, elo) in best.items():
            pair = pair_result(api_id, reason, api_cost[api_id], curve, elo, sol, sc.max_qpd)
            if sc.monte_carlo:
                prices = effective_prices(cat.api(api_id), w.input_tokens, sc.batch_api, w.cached_input_share)
                pair.update(_pair_monte_carlo(st, api_id, per_mtok(prices), curve))
            pairs.append(pair)
    return Result({"workload": st.token_mix(), "assumptions": st.assumptions_dict(), "pairs": pairs})
