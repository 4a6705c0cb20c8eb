"""`breakeven`: the volumes at which an API and a self-hosted configuration cost the same."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from llmcost.catalog import Catalog
from llmcost.commands.common import alpha, assumptions, factors, inputs_for, model_curves
from llmcost.crossings import BreakEven, breakeven_volumes, rank, solve, step_costs_usd
from llmcost.inputs import Inputs, Scenario
from llmcost.montecarlo import api_usd_per_qpd, draw_inputs
from llmcost.montecarlo import factors as draw_factors
from llmcost.pairing import Pairing, costed_elo, pair_apis, quantized_elo
from llmcost.progress import steps
from llmcost.results.breakeven import BreakEvenResult, NoPair, Pair
from llmcost.selfhost import CostCurve, closest_miss, fleet_cost_usd

BAND_POINTS = 60  # volumes at which Monte Carlo P10-P90 bands are reported (for charts)


def _pair(api_id: str, pairing: str, inp: Inputs, curve: CostCurve, elo: float | None, sol: BreakEven) -> Pair:
    cfg, f, a = curve.config, factors(inp), alpha(inp, inp.all_apis[api_id])
    return Pair(
        api=api_id,
        self_hosted=cfg.id,
        model=cfg.model.id,
        quantization=cfg.quant.id,
        gpu=cfg.gpu.id,
        gpus_per_replica=cfg.gpus_per_replica,
        pairing=pairing,
        self_hosted_quality_elo=elo,
        api_usd_per_1k_queries=sol.api_usd_per_1k_queries,
        self_hosted_gpu_usd_per_1k_queries_at_full_use=sol.gpu_usd_per_1k_queries_at_full_use,
        self_hosted_fixed_usd_per_month=sol.fixed_usd_per_month,
        queries_per_day_per_replica=float(curve.queries_per_day_per_replica(f)),
        api_usd_per_qpd_month=a,
        self_hosted_step_usd_per_month=tuple(step_costs_usd(curve, f, inp.max_qpd)),
        crossings_qpd=tuple(c.qpd for c in sol.crossings),
        crossings=tuple(c.__dict__ for c in sol.crossings),
        self_hosted_cheaper_above_qpd=sol.self_hosted_cheaper_above_qpd,
        outcome=sol.outcome,
        recovered_from_qpd=sol.recovered_from_qpd,
        max_qpd=inp.max_qpd,
        commercial_use=cfg.model.licence.commercial_use,
        monte_carlo=_monte_carlo(inp, api_id, curve) if inp.monte_carlo else None,
    )


def _monte_carlo(inp: Inputs, api_id: str, curve: CostCurve) -> dict[str, Any]:
    """Distribution of the break-even volume (and, at the scenario's volume, P(self-hosting cheaper))."""
    d = draw_inputs(inp, inp.monte_carlo or 0, inp.seed, [curve.config.gpu.id], [api_id])
    a = api_usd_per_qpd(inp, api_id, d)
    f = draw_factors(curve, d, inp)
    volumes = breakeven_volumes(a, curve, f, inp.max_qpd, inp.autoscaling)
    found = volumes[np.isfinite(volumes)]
    out: dict[str, Any] = {"p_breakeven_within_max": float(found.size / volumes.size)}
    for p, v in zip((10, 50, 90), np.percentile(found, (10, 50, 90)) if found.size else (None,) * 3, strict=True):
        out[f"breakeven_qpd_p{p}"] = None if v is None else float(v)
    if inp.settings.get("qpd") is not None:
        own = np.asarray(fleet_cost_usd(curve, d.qpd, f, inp.autoscaling))
        out["p_self_hosted_cheaper"] = float(np.mean(own < a * d.qpd))
    grid = np.geomspace(inp.max_qpd / 1e4, inp.max_qpd, BAND_POINTS)
    costs = [np.asarray(fleet_cost_usd(curve, np.full(d.n, q), f, inp.autoscaling)) for q in grid]
    lo, hi = np.percentile(costs, (10, 90), axis=1)
    a10, a90 = np.percentile(a, (10, 90))  # a drawn token mix or price range moves the API line
    out["bands"] = {
        "qpd": grid.tolist(),
        "api_p10": (a10 * grid).tolist(),
        "api_p90": (a90 * grid).tolist(),
        "self_hosted_p10": lo.tolist(),
        "self_hosted_p90": hi.tolist(),
    }
    return out


def breakeven(
    *, scenario: Scenario | Mapping[str, Any] | None = None, catalog: Catalog | None = None, **options: Any
) -> BreakEvenResult:
    """Break-even volumes for (API, self-hosted model) pairs.

    With `apis` given, every listed API is paired with every selected model; otherwise each model
    is paired with quality-matched APIs (see pairing.py). For each pair, the configuration
    (quantization x GPU x tensor-parallel size) that pays off at the lowest volume is reported.
    Options are scenario settings (see `llmcost schema`); `max_qpd` bounds the search.
    """
    inp = inputs_for("breakeven", scenario, catalog, options, qpd_required=False)
    f = factors(inp)
    api_alpha = {a: alpha(inp, api) for a, api in inp.apis.items()}
    pairs: list[Pair | NoPair] = []
    for model in steps(inp.models, "breakeven"):
        found, fails = model_curves(inp, model)
        if not found:
            miss = closest_miss(fails)
            pairs.append(NoPair(model.id, f"cannot run: {miss.reason if miss else 'no configuration selected'}"))
            continue
        best: dict[str, tuple[tuple[float, float], str, CostCurve, BreakEven, float | None]] = {}
        for quant in {c.config.quant.id: c.config.quant for c in found}.values():
            elo = quantized_elo(model, quant, inp.quant_recovery_pct, inp.reasoning[model.id])
            per_query = {a: x / inp.workload.days_per_month for a, x in api_alpha.items()}
            named = bool(inp.settings.get("apis"))
            api_elo = {a: costed_elo(api.quality, inp.reasoning[a])[0] for a, api in inp.apis.items()}
            matched = (
                [Pairing(a, "chosen") for a in api_alpha] if named
                else pair_apis(inp.apis, model, elo, per_query, api_elo)
            )  # fmt: skip
            for p in matched:
                for curve in (c for c in found if c.config.quant is quant):
                    sol = solve(api_alpha[p.api], curve, f, inp.max_qpd, inp.autoscaling)
                    key = rank(sol)
                    if p.api not in best or key < best[p.api][0]:
                        best[p.api] = (key, p.reason, curve, sol, elo)
        if not best:
            why = (
                f"its quality score is not for the costed {inp.reasoning[model.id].effort} reasoning effort"
                if model.quality is not None else "the model has no quality score"
            )  # fmt: skip
            pairs.append(NoPair(model.id, f"no API to pair with: {why} and no hosted version"))
        for api_id, (_, reason, curve, sol, elo) in best.items():
            pairs.append(_pair(api_id, reason, inp, curve, elo, sol))
    return BreakEvenResult(
        workload=_token_mix(inp), assumptions=assumptions(inp), pairs=tuple(pairs),
        billing_models=_billing_models(inp, catalog, pairs),
    )  # fmt: skip


def _billing_models(inp: Inputs, catalog: Catalog | None, pairs: list[Pair | NoPair]) -> tuple[dict[str, Any], ...]:
    """With --platforms: for each pair, every crossing among API, rented, serverless and dedicated
    (and, with Monte Carlo, the platforms' break-even volumes over the pair's draws)."""
    ids = inp.settings.get("platforms")
    if not ids or ids == ["none"]:
        return ()
    from llmcost.catalog import load_catalog, require_catalog
    from llmcost.commands.platforms import billing_model_crossings

    cat = require_catalog(catalog) or load_catalog(inp.settings.get("data_dirs") or ())
    models = {m.id: m for m in inp.models}
    out = []
    for p in pairs:
        if isinstance(p, Pair):
            # with Monte Carlo, the same draws as the pair's (its GPU and API fix the order of draws)
            d = draw_inputs(inp, inp.monte_carlo, inp.seed, [p.gpu], [p.api]) if inp.monte_carlo else None
            out.append(billing_model_crossings(inp, cat, models[p.model], p.api, d))
    return tuple(out)


def _token_mix(inp: Inputs) -> dict[str, float]:
    w = inp.workload
    return {
        "input_tokens": w.input_tokens,
        "output_tokens": w.output_tokens,
        "cached_input_share": w.cached_input_share,
        "shared_prefix_tokens": w.shared_prefix_tokens,
        "days_per_month": w.days_per_month,
    }
