"""`platforms`: every way to run one model, priced over the daily profile: the API, rented GPUs
(24/7, autoscaled by the hour, spot with spares, reserved plus burst), serverless GPU platforms
and dedicated endpoints (platforms.yaml), with cold starts, the crossings between billing models
and the range of volume where each wins."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from llmcost import defaults
from llmcost.catalog import Catalog, load_catalog, require_catalog
from llmcost.commands.common import alpha, assumptions, factors, inputs_for, model_curves
from llmcost.errors import UnknownIdError, UsageError
from llmcost.inputs import Autoscaling, Inputs, Scenario, profile_weights
from llmcost.montecarlo import Draws, PlatformCase, api_usd_per_qpd
from llmcost.platforms import (
    ColdStart,
    PlatformBill,
    Replica,
    ReservedPlan,
    Rules,
    SpotBill,
    best_spot,
    check_preemption,
    cold_start_from,
    crossings,
    gated_cost,
    meets_ttft,
    platform_bill,
    reserved_plus_burst,
    rules_for,
    spot_bill,
)
from llmcost.records import OpenModel, Platform
from llmcost.results.platforms import Crossing, PlatformsResult, RunOption, Win
from llmcost.selfhost import (
    Config,
    CostCurve,
    Factors,
    autoscaled_hidden_usd,
    closest_miss,
    fleet_cost_usd,
    hourly_replicas,
    sized_configs,
)
from llmcost.uncertainty import central, describe

CURVE_POINTS = 120  # volumes in the cost-vs-volume curves (charts)


@dataclass(frozen=True, eq=False)
class _Serving:
    """A platform priced on one configuration."""

    platform: Platform
    config: Config
    rules: Rules
    replica: Replica

    def bill(self, qpd: Any, weights: tuple[float, ...], days: float) -> PlatformBill:
        return platform_bill(self.rules, self.replica, qpd, weights, days)


def _replica(cfg: Config, inp: Inputs, cold: ColdStart, reasoning: float) -> Replica:
    cap, a = cfg.capacity, inp.selfhost
    mu = cap.requests_per_s * float(a.throughput_factor)
    out_tokens = inp.workload.output_tokens + reasoning
    phases = cold.phases_s(cfg.memory.weights_gb)
    return Replica(
        requests_per_s=mu * float(a.utilization_target),
        saturated_requests_per_s=mu,
        request_s=(cap.ttft_ms + out_tokens * cap.tpot_ms) / 1000.0,
        warm_ttft_ms=cap.ttft_ms,
        cold_start_s=sum(phases.values()),
        phases_s=phases,
    )


def _select(cat: Catalog, ids: list[str] | None) -> list[Platform]:
    if not ids or ids == ["all"]:
        return list(cat.platforms.values())
    if ids == ["none"]:
        return []
    return [cat.platform(i) for i in ids]


def _servings(
    platforms: list[Platform], configs: list[Config], inp: Inputs, cold: ColdStart, reasoning: float, named: bool
) -> tuple[list[_Serving], dict[str, str]]:
    """Every platform on each configuration it prices; why the others have no row (a platform the
    user named that prices none of the configurations' GPUs is a UsageError)."""
    out: list[_Serving] = []
    skipped: dict[str, str] = {}
    for p in platforms:
        priced = [c for c in configs if p.price_for(c.gpu.id) is not None]
        if not priced:
            has = sorted({x.gpu for x in p.prices if x.list_usd_per_gpu_second is not None})
            runs = sorted({c.gpu.id for c in configs})
            if named:
                raise UsageError(
                    f"platform '{p.id}' lists no price for "
                    + (f"the GPU(s) {cfg_model(configs)} runs on here ({', '.join(runs)})" if runs else "any GPU")
                    + (f"; it prices {', '.join(has)}" if has else "; it lists no per-GPU prices"),
                    param="platforms",
                )
            skipped[p.id] = "lists no per-GPU prices" if not has else f"prices none of {', '.join(runs)}"
            continue
        for c in priced:
            out.append(_Serving(p, c, rules_for(p, c.gpu.id, c.gpus_per_replica), _replica(c, inp, cold, reasoning)))
    return out, skipped


def cfg_model(configs: list[Config]) -> str:
    return configs[0].model.id if configs else "the model"


def _option_of(s: _Serving, b: PlatformBill, qpm: float, max_ttft_ms: float | None) -> RunOption:
    cfg, r = s.config, s.rules
    ok = meets_ttft(b, max_ttft_ms)
    return RunOption(
        id=f"{s.platform.id}:{cfg.gpus_per_replica}x{cfg.gpu.id}",
        billing_model=s.platform.kind,
        label=f"{s.platform.name} {cfg.gpus_per_replica}x {cfg.gpu.id}",
        monthly_cost_usd=float(b.monthly_cost_usd),
        cost_per_1k_queries_usd=float(b.monthly_cost_usd) / qpm * 1000,
        config=cfg.id,
        billed_gpu_hours_per_month=float(b.billed_gpu_hours_per_month),
        busy_gpu_hours_per_month=float(b.busy_gpu_hours_per_month),
        cold_starts_per_day=float(b.cold_starts_per_day),
        cold_wait_share=float(b.cold_wait_share),
        cold_ttft_ms=b.cold_ttft_ms,
        meets_latency=ok,
        detail={
            "usd_per_gpu_second": r.usd_per_gpu_second,
            "granularity_s": r.granularity_s,
            "idle_window_s": r.idle_window_s if math.isfinite(r.idle_window_s) else None,
            "last_replica_window_s": r.last_window_s if math.isfinite(r.last_window_s) else None,
            "min_replicas": r.min_replicas,
            "billed_start_s": r.billed_start_s(s.replica.phases_s),
            "cold_start_s": s.replica.cold_start_s,
            "plan_fee_usd_per_month": r.plan_fee_usd_per_month,
            "price_source": s.platform.prices_source,
            "price_as_of": s.platform.prices_as_of,
            "billing_source": s.platform.source,
        },
        notes=r.notes + (() if ok else (f"cold-start TTFT {b.cold_ttft_ms:,.0f} ms misses the target for "
                                          f"{float(b.cold_wait_share):.1%} of requests",)),
    )  # fmt: skip


def _cheapest_by(rows: list[tuple[RunOption, Any]]) -> dict[str, tuple[RunOption, Any]]:
    """The cheapest row of each platform (its best configuration)."""
    best: dict[str, tuple[RunOption, Any]] = {}
    for o, s in rows:
        key = o.id.split(":")[0]
        if key not in best or (o.meets_latency, -o.monthly_cost_usd) > (
            best[key][0].meets_latency,
            -best[key][0].monthly_cost_usd,
        ):
            best[key] = (o, s)
    return best


def _curve_for(curves_: list[CostCurve], cfg_id: str) -> CostCurve | None:
    return next((c for c in curves_ if c.config.id == cfg_id), None)


def platforms(
    qpd: Any = None,
    *,
    scenario: Scenario | Mapping[str, Any] | None = None,
    catalog: Catalog | None = None,
    **options: Any,
) -> PlatformsResult:
    """Every way to run one --model at `qpd` queries/day spread over the daily --profile: the API
    (--api, else the cheapest API serving the same open model), rented GPUs 24/7 and autoscaled by
    the hour, spot with spares, reserved (1y/3y) plus burst, and the selected serverless platforms
    and dedicated endpoints; with cold starts, every crossing between billing models up to
    max_qpd, and where each wins. Options are scenario settings (platforms, spot_preemption,
    cold_start_basis, image_pull_s, profile, max_ttft_ms, monte_carlo, ...)."""
    cat = require_catalog(catalog) or load_catalog(
        (scenario.get("data_dirs") if isinstance(scenario, Mapping) else None) or options.get("data_dirs") or ()
    )
    inp = inputs_for("platforms", scenario, cat, {"qpd": qpd, **options})
    if len(inp.models) != 1:
        raise UsageError("platforms needs one --model (with optional --quant/--gpu)")
    model = inp.models[0]
    s = inp.settings
    name, weights = profile_weights(s.get("profile", defaults.PROFILE))
    auto = Autoscaling(name, weights, 1)
    w, f = inp.workload, factors(inp)
    q, days = w.queries_per_day, w.days_per_month
    qpm = w.queries_per_month
    max_ttft = inp.selfhost.max_ttft_ms
    reasoning = inp.reasoning[model.id].tokens
    cold = _cold_start(cat, s)
    raw_p = s.get("spot_preemption")
    p_spot = check_preemption(central(raw_p) if raw_p is not None else defaults.SPOT_PREEMPTIONS_PER_MONTH)

    # --- API
    rows: list[RunOption] = []
    api = _api_for(inp, model)
    a_slope = alpha(inp, api) if api is not None else None
    if api is not None and a_slope is not None:
        rows.append(RunOption(api.id, "api", api.id, a_slope * q, a_slope * q / qpm * 1000))

    # --- rented on demand: 24/7 for the peak, and autoscaled by the hour
    od_curves, _ = model_curves(inp, model)
    by_id: dict[str, CostCurve] = {c.config.id: c for c in od_curves}
    # 24/7 capacity for the profile's peak hour (the profile replaces the peak factor, as when autoscaling)
    f_peak = replace(f, peak_factor=max(weights) * 24)
    fixed = min(od_curves, key=lambda c: float(fleet_cost_usd(c, q, f_peak)), default=None)
    scaled = min(od_curves, key=lambda c: float(fleet_cost_usd(c, q, f, auto)), default=None)
    if fixed is not None and scaled is not None:
        cost = float(fleet_cost_usd(fixed, q, f_peak))
        rows.append(RunOption("rented:24x7", "rented", f"{inp.selfhost.pricing} 24/7 for the peak", cost,
                              cost / qpm * 1000, config=fixed.config.id,
                              detail={"replicas": int(fixed.replicas(q, f_peak))}))  # fmt: skip
        cost = float(fleet_cost_usd(scaled, q, f, auto))
        hourly = hourly_replicas(scaled, q, auto, f)
        rows.append(RunOption("rented:hourly", "rented", f"{inp.selfhost.pricing} by the hour",
                              cost, cost / qpm * 1000, config=scaled.config.id,
                              detail={"replicas_by_hour": [int(x) for x in hourly]}))  # fmt: skip

    # --- serverless and dedicated platforms
    configs, _ = sized_configs(model, inp.quants, inp.gpus, w, inp.selfhost, reasoning_tokens=reasoning)
    selected = _select(cat, s.get("platforms"))
    named = bool(s.get("platforms")) and s.get("platforms") not in (["all"], ["none"])
    servings, skipped = _servings(selected, configs, inp, cold, reasoning, named)
    priced = [(_option_of(sv, sv.bill(q, weights, days), qpm, max_ttft), sv) for sv in servings]
    best_platform = _cheapest_by(priced)
    rows.extend(o for o, _ in best_platform.values())

    # --- spot with spares, and reserved plus burst (rented families need curves under those pricings)
    spot_rows, spot_pick = _spot(inp, scenario, cat, options, model, by_id, q, f, auto, cold, p_spot)
    rows.extend(spot_rows)
    rows.extend(
        _reserved(inp, scenario, cat, options, model, by_id, q, f, auto, weights, days, best_platform, spot_pick)
    )

    served = [o for o in rows if o.billing_model != "api"]
    if not served:
        _, fails = sized_configs(model, inp.quants, inp.gpus, w, inp.selfhost, reasoning_tokens=reasoning)
        miss = closest_miss(fails)
        raise UsageError(f"{model.id} cannot run on the selected GPUs: {miss.reason if miss else 'none selected'}")
    if not any(o.meets_latency for o in served):
        near = min(served, key=lambda o: o.cold_ttft_ms or math.inf)
        raise UsageError(
            f"no way to self-serve {model.id} meets max_ttft_ms {max_ttft:g}: the closest, {near.id}, sees "
            f"{near.cold_ttft_ms or 0:,.0f} ms on a cold start "
            f"({(near.cold_ttft_ms or 0) - (max_ttft or 0):,.0f} ms over)",
            param="max_ttft_ms",
        )

    # --- cost against volume, crossings and wins among the four billing models
    curves_fn = _families(api_slope=a_slope, od=od_curves, f=f, auto=auto, servings=servings, weights=weights,
                          days=days, max_ttft=max_ttft)  # fmt: skip
    top = float(inp.max_qpd)
    crossing = (
        tuple(Crossing(float(x), lo, hi) for x, lo, hi in crossings(curves_fn, 1.0, top)) if len(curves_fn) > 1 else ()
    )
    grid = np.geomspace(1.0, top, CURVE_POINTS)
    values = {k: np.asarray(fn(grid), dtype=np.float64) for k, fn in curves_fn.items()}
    wins = _wins(grid, values)

    if inp.monte_carlo:
        rows = _monte_carlo(inp, rows, api, od_curves, auto, priced, spot_pick, raw_p, cold)
    rows.sort(key=lambda o: (not o.meets_latency, o.monthly_cost_usd))
    out_assumptions = {
        **assumptions(inp),
        "profile": name,
        "profile_weights": list(weights),
        "cold_start": {
            "basis": s.get("cold_start_basis", defaults.COLD_START_BASIS),
            "image_pull_s": cold.image_pull_s,
            "weights_load_gb_per_s": cold.load_gb_per_s,
            "weights_download_gb_per_s": cold.download_gb_per_s,
            "engine_start_s": cold.engine_start_s,
        },
        "spot_preemptions_per_month": describe(raw_p) if raw_p is not None else p_spot,
        "spot_provision_s": defaults.SPOT_PROVISION_S,
        "latency_miss_share": defaults.TTFT_MISS_SHARE,
        "platform_notes": [
            "arrivals are Poisson within each hour of the profile; replicas above the load's whole replicas start "
            "on demand and stop after the platform's idle window (llmcost.platforms)",
            "platform rows carry no hidden costs (the platform runs the fleet); rented rows carry the hidden costs",
            "cold starts bill as each platform bills them: start-up phases per platforms.yaml billed_phases",
        ],
    }
    return PlatformsResult(
        workload=w.to_dict(),
        assumptions=out_assumptions,
        model=model.id,
        options=tuple(rows),
        crossings=crossing,
        wins=wins,
        skipped=skipped,
        # a billing model that misses the latency target at a volume has no cost there (None)
        curves={
            "qpd": [float(x) for x in grid],
            **{k: [float(x) if math.isfinite(x) else None for x in v] for k, v in values.items()},
        },
    )


def platform_rows(inp: Inputs, cat: Catalog, model: OpenModel) -> list[RunOption]:
    """The cheapest configuration on each selected serverless platform and dedicated endpoint for
    one model, over the scenario's daily profile (what compare shows with --platforms)."""
    s = inp.settings
    _, weights = profile_weights(s.get("profile", defaults.PROFILE))
    w = inp.workload
    reasoning = inp.reasoning[model.id].tokens
    cold = _cold_start(cat, s)
    configs, _ = sized_configs(model, inp.quants, inp.gpus, w, inp.selfhost, reasoning_tokens=reasoning)
    ids = s.get("platforms")
    named = bool(ids) and ids not in (["all"], ["none"])
    servings, _ = _servings(_select(cat, ids), configs, inp, cold, reasoning, named and len(inp.models) == 1)
    priced = [
        (_option_of(sv, sv.bill(w.queries_per_day, weights, w.days_per_month), w.queries_per_month,
                    inp.selfhost.max_ttft_ms), sv)
        for sv in servings
    ]  # fmt: skip
    rows = [o for o, _ in _cheapest_by(priced).values()]
    return sorted(rows, key=lambda o: (not o.meets_latency, o.monthly_cost_usd))


def billing_model_crossings(
    inp: Inputs, cat: Catalog, model: OpenModel, api_id: str, draws: Draws | None = None
) -> dict[str, Any]:
    """Every volume up to max_qpd where two of the four billing models (the API, rented GPUs as the
    scenario rents them, serverless platforms, dedicated endpoints; each its cheapest option there)
    swap, and which is cheapest over each range: what breakeven shows with --platforms. With
    `draws` (the pair's Monte Carlo draws), the platform break-even volumes over them."""
    w, f = inp.workload, factors(inp)
    weights, cold, servings = _context(inp, cat, model)
    od, _ = model_curves(inp, model)
    fns = _families(
        api_slope=alpha(inp, inp.all_apis[api_id]), od=od, f=f, auto=inp.autoscaling, servings=servings,
        weights=weights, days=w.days_per_month, max_ttft=inp.selfhost.max_ttft_ms,
    )  # fmt: skip
    top = float(inp.max_qpd)
    grid = np.geomspace(1.0, top, CURVE_POINTS)
    values = {k: np.asarray(fn(grid), dtype=np.float64) for k, fn in fns.items()}
    out = {
        "api": api_id,
        "model": model.id,
        "profile": list(weights),
        "crossings": [Crossing(float(x), lo, hi) for x, lo, hi in crossings(fns, 1.0, top)],
        "wins": list(_wins(grid, values)),
    }
    if draws is not None:
        out["monte_carlo"] = _breakeven_draws(inp, api_id, [_case(sv, inp, cold, weights) for sv in servings], draws)
    return out


def _breakeven_draws(inp: Inputs, api_id: str, cases: list[PlatformCase], d: Draws) -> list[dict[str, Any]]:
    """For the serverless platform and the dedicated endpoint that pay off soonest at the point
    answer: P10/P50/P90 of the break-even volume against the API over the draws (and of the
    monthly cost and P(cheaper than the API) at the scenario's volume, when one is given)."""
    from llmcost.montecarlo import finite_quantiles, platform_monthly_usd, platform_vs_api, soonest_platform
    from llmcost.tornado import point_draw

    out = []
    for kind in ("serverless", "dedicated"):
        group = [c for c in cases if c.platform.kind == kind]
        if not group:
            continue

        case = soonest_platform(inp, api_id, group, point_draw(inp, group[0].rules.gpu))
        volumes = platform_vs_api(inp, "breakeven", api_id, case, d)
        row: dict[str, Any] = {"billing_model": kind, "id": case.id, "draws": d.n,
                               **finite_quantiles(volumes, "breakeven_qpd")}  # fmt: skip
        row["p_breakeven_within_max"] = row.pop("breakeven_qpd_finite_share")
        if inp.settings.get("qpd") is not None:
            cost = platform_monthly_usd(case, d)
            row.update(finite_quantiles(cost))
            row["p_cheaper_than_api"] = float(np.mean(cost < api_usd_per_qpd(inp, api_id, d) * d.qpd))
        out.append(row)
    return out


def platform_months(
    inp: Inputs, cat: Catalog, model: OpenModel, qpd_by_month: Any, drawn: tuple[Draws, Any, Any] | None = None
) -> list[dict[str, Any]]:
    """The cheapest serverless platform and dedicated endpoint over months of volume (`qpd_by_month`),
    meeting the latency target every month: each month's bill and the total (what tco shows). With
    `drawn` (the pair's draws, their volume by month and the API's cost by month, months x draws),
    P10/P50/P90 of the platform's total and first month over the same draws."""
    w = inp.workload
    weights, cold, servings = _context(inp, cat, model)
    q = np.asarray(qpd_by_month, dtype=np.float64)
    out = []
    for kind in ("serverless", "dedicated"):
        best: tuple[float, _Serving, Any] | None = None
        for sv in (x for x in servings if x.platform.kind == kind):
            monthly = np.asarray(_latency_cost(sv, q, weights, w.days_per_month, inp.selfhost.max_ttft_ms))
            total = float(monthly.sum())
            if math.isfinite(total) and (best is None or total < best[0]):
                best = (total, sv, monthly)
        if best is not None:
            total, sv, monthly = best
            row_id = f"{sv.platform.id}:{sv.config.gpus_per_replica}x{sv.config.gpu.id}"
            row: dict[str, Any] = {"billing_model": kind, "id": row_id, "config": sv.config.id, "total_usd": total,
                                   "monthly_usd": [float(x) for x in monthly]}  # fmt: skip
            if drawn is not None:
                row["monte_carlo"] = _months_draws(_case(sv, inp, cold, weights), *drawn)
            out.append(row)
    return out


def _months_draws(case: PlatformCase, d: Draws, qpd_by_month: Any, api_by_month: Any) -> dict[str, Any]:
    from llmcost.montecarlo import finite_quantiles, platform_monthly_usd

    monthly = platform_monthly_usd(case, d, np.asarray(qpd_by_month, dtype=np.float64))  # months x draws
    total = monthly.sum(axis=0)
    api_total = np.asarray(api_by_month, dtype=np.float64).sum(axis=0)
    return {
        "draws": d.n,
        **finite_quantiles(total, "total_usd"),
        **finite_quantiles(monthly[0], "first_month_usd"),
        "p_cheaper_than_api_over_horizon": float(np.mean(total < api_total)),
    }


def platform_hybrid(
    inp: Inputs, cat: Catalog, model: OpenModel, api_usd_per_qpd: float, qpd: float, share: float, points: int = 101,
    drawn: tuple[Draws, Any] | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Route `share` of the queries to the cheapest serverless platform (and dedicated endpoint) and
    the rest to the API: the blended month at that share, and the cheapest share on a grid of
    `points` shares 0..1 (platform bills are not linear in volume, so the grid is the search).
    With `drawn` (the pair's draws and the API's cost per query-per-day in each), P10/P50/P90 of
    the blended month at the share over the same draws, with the platform that is cheapest there."""
    w = inp.workload
    weights, cold, servings = _context(inp, cat, model)
    grid = np.linspace(0.0, 1.0, points)
    shares = np.unique(np.append(grid, share))
    out = []
    for kind in ("serverless", "dedicated"):
        group = [x for x in servings if x.platform.kind == kind]
        if not group:
            continue
        own = np.min(
            [np.asarray(_latency_cost(sv, np.maximum(shares * qpd, 1e-9), weights, w.days_per_month,
                                      inp.selfhost.max_ttft_ms)) for sv in group],
            axis=0,
        )  # fmt: skip
        blended = np.where(shares > 0, own, 0.0) + api_usd_per_qpd * (1 - shares) * qpd
        at = int(np.argmin(np.abs(shares - share)))
        best = int(np.argmin(blended))
        if not math.isfinite(float(blended[at])) and not math.isfinite(float(blended[best])):
            continue
        row: dict[str, Any] = {
            "billing_model": kind,
            "monthly_cost_usd": float(blended[at]) if math.isfinite(float(blended[at])) else None,
            "optimal_share": float(shares[best]),
            "optimal_monthly_cost_usd": float(blended[best]),
        }
        if drawn is not None and share > 0 and math.isfinite(float(blended[at])):
            at_share = [float(_latency_cost(sv, share * qpd, weights, w.days_per_month, inp.selfhost.max_ttft_ms))
                        for sv in group]  # fmt: skip
            sv = group[int(np.argmin(at_share))]
            row["monte_carlo"] = _hybrid_draws(_case(sv, inp, cold, weights), share, *drawn)
        out.append(row)
    return out


def _hybrid_draws(case: PlatformCase, share: float, d: Draws, api_usd_per_qpd: Any) -> dict[str, Any]:
    from llmcost.montecarlo import finite_quantiles, platform_monthly_usd

    all_api = np.asarray(api_usd_per_qpd) * d.qpd
    blended = platform_monthly_usd(case, d, share * d.qpd) + all_api * (1 - share)
    return {
        "id": case.id,
        "draws": d.n,
        **finite_quantiles(blended),
        **finite_quantiles(all_api - blended, "saving_vs_all_api_usd"),
        "p_cheaper_than_all_api": float(np.mean(blended < all_api)),
    }


def _cold_start(cat: Catalog, s: Mapping[str, Any]) -> ColdStart:
    """The cold start the settings ask for: a sourced basis (cold_start_basis) plus the image pull."""
    basis = s.get("cold_start_basis", defaults.COLD_START_BASIS)
    if basis not in cat.cold_start_components:
        raise UnknownIdError("cold-start basis", basis, cat.cold_start_components, param="cold_start_basis")
    return cold_start_from(cat.cold_start_components[basis], float(s.get("image_pull_s", defaults.IMAGE_PULL_S)))


def _context(
    inp: Inputs, cat: Catalog, model: OpenModel, named: bool = False
) -> tuple[tuple[float, ...], ColdStart, list[_Serving]]:
    """The daily profile's weights, the cold start and every selected platform's servings."""
    s = inp.settings
    _, weights = profile_weights(s.get("profile", defaults.PROFILE))
    reasoning = inp.reasoning[model.id].tokens
    cold = _cold_start(cat, s)
    configs, _ = sized_configs(model, inp.quants, inp.gpus, inp.workload, inp.selfhost, reasoning_tokens=reasoning)
    servings, _ = _servings(_select(cat, s.get("platforms")), configs, inp, cold, reasoning, named)
    return weights, cold, servings


def _case(sv: _Serving, inp: Inputs, cold: ColdStart, weights: tuple[float, ...]) -> PlatformCase:
    return PlatformCase(
        id=f"{sv.platform.id}:{sv.config.gpus_per_replica}x{sv.config.gpu.id}",
        platform=sv.platform,
        rules=sv.rules,
        replica=sv.replica,
        cold=cold,
        weights_gb=sv.config.memory.weights_gb,
        throughput_factor=float(inp.selfhost.throughput_factor),
        profile=tuple(weights),
        days_per_month=inp.workload.days_per_month,
        max_ttft_ms=inp.selfhost.max_ttft_ms,
    )


def cold_start_ranges(cat: Catalog) -> list[tuple[float, float]]:
    """(weights load GB/s, engine start s) of every decomposed start-up measurement in the data:
    the sourced range the tornado swings the cold start over."""
    out = []
    for rec in cat.cold_start_components.values():
        try:
            c = cold_start_from(rec)
        except UsageError:
            continue  # not decomposed: no rates to derive
        out.append((c.load_gb_per_s, c.engine_start_s))
    return out


def sensitivity_case(inp: Inputs, cat: Catalog, model: OpenModel, api_id: str, metric: str) -> PlatformCase:
    """The one platform option a tornado swings: --platforms names one serverless platform or
    dedicated endpoint of platforms.yaml (its configuration cheapest at the volume, or paying off
    soonest for the breakeven metric) or one of its option ids (platform:NxGPU)."""
    ids = inp.settings.get("platforms") or []
    kinds = ", ".join(sorted(cat.platforms))
    if len(ids) != 1 or ids[0] in ("all", "none"):
        raise UsageError(
            f"sensitivity swings one serving platform: give --platforms one id ({kinds}) or option id "
            f"such as modal:1xh100-sxm, got '{','.join(ids)}'",
            param="platforms",
        )
    wanted = ids[0]
    platform_id = wanted.split(":")[0]
    if platform_id not in cat.platforms:
        raise UsageError(
            f"sensitivity cannot swing '{wanted}': it swings serverless platforms and dedicated endpoints of "
            f"platforms.yaml ({kinds}), and the spot row (rented:spot), not the API, rented or reserved rows",
            param="platforms",
        )
    scoped = replace(inp, settings={**inp.settings, "platforms": [platform_id]})
    weights, cold, servings = _context(scoped, cat, model, named=True)
    cases = [_case(sv, inp, cold, weights) for sv in servings]
    if ":" in wanted:
        cases = [c for c in cases if c.id == wanted]
        if not cases:
            valid = ", ".join(_case(sv, inp, cold, weights).id for sv in servings)
            raise UsageError(f"no platform option '{wanted}' for {model.id}; valid: {valid}", param="platforms")
    from llmcost.montecarlo import platform_vs_api, soonest_platform
    from llmcost.tornado import point_draw

    base = point_draw(inp, cases[0].rules.gpu)
    if metric == "breakeven":
        return soonest_platform(inp, api_id, cases, base)

    def key(c: PlatformCase) -> float:
        x = float(platform_vs_api(inp, "cost_difference", api_id, c, base)[0])
        return x if math.isfinite(x) else math.inf

    return min(cases, key=key)


def spot_monthly_usd(
    inp: Inputs, scenario: Any, cat: Catalog, options: Mapping[str, Any], model: OpenModel, qpd: float, rate: float
) -> float | None:
    """The monthly cost of the spot-with-spares row of `platforms` (spares searched at this
    interruption rate, hidden costs included) at `qpd` over the scenario's daily profile; None
    when no GPU has a spot offer. What the tornado swings for --platforms rented:spot."""
    name, weights = profile_weights(inp.settings.get("profile", defaults.PROFILE))
    _, cold, _ = _context(replace(inp, settings={**inp.settings, "platforms": ["none"]}), cat, model)
    od, _ = model_curves(inp, model)
    rows, _ = _spot(inp, scenario, cat, options, model, {c.config.id: c for c in od}, qpd, factors(inp),
                    Autoscaling(name, weights, 1), cold, check_preemption(rate))  # fmt: skip
    return rows[0].monthly_cost_usd if rows else None


def _api_for(inp: Inputs, model: OpenModel) -> Any:
    """The API compared: the one named, else the cheapest API serving the same open model (None: none)."""
    if inp.settings.get("apis"):
        if len(inp.apis) != 1:
            raise UsageError("platforms compares one --api")
        return next(iter(inp.apis.values()))
    same = [a for a in inp.all_apis.values() if a.open_model == model.id and a.lifecycle(inp.on_date) != "retired"]
    return min(same, key=lambda a: alpha(inp, a), default=None)


def _other_pricing(
    pricing: str, scenario: Any, cat: Catalog, options: Mapping[str, Any], model: OpenModel, qpd: Any
) -> list[CostCurve]:
    """The model's curves under another rental pricing model (spot, reserved_1y, reserved_3y)."""
    try:
        other = inputs_for("platforms", scenario, cat, {**options, "qpd": qpd, "pricing": pricing})
    except UsageError:
        return []
    found, _ = model_curves(other, model)
    return found


def _spot(
    inp: Inputs, scenario: Any, cat: Catalog, options: Mapping[str, Any], model: OpenModel,
    od: Mapping[str, CostCurve], q: float, f: Factors, auto: Autoscaling, cold: ColdStart, p: float,
) -> tuple[list[RunOption], tuple[CostCurve, SpotBill] | None]:  # fmt: skip
    """The cheapest spot fleet (spares searched) meeting the time-short target, over every spot curve."""
    best: tuple[CostCurve, SpotBill, float] | None = None
    found = _other_pricing("spot", scenario, cat, options, model, q)
    # spares are searched on the few curves cheapest without them (a spare costs the same on each)
    found = sorted(found, key=lambda c: float(fleet_cost_usd(c, q, f, auto)))[: defaults.SPOT_CURVES_SEARCHED]
    for curve in found:
        need = hourly_replicas(curve, q, auto, f)
        fallback = od.get(curve.config.id)
        od_price = _priced(fallback, f)
        down = defaults.SPOT_PROVISION_S + cold.seconds(curve.config.memory.weights_gb)
        bill = best_spot(need, _priced(curve, f), od_price, p, down, curve.hours_per_month)
        total = float(bill.monthly_cost_usd) + float(autoscaled_hidden_usd(curve, q, auto, f))
        if not math.isfinite(total):
            continue
        key = (float(bill.short_time_share) > defaults.TTFT_MISS_SHARE, total)
        if best is None or key < (float(best[1].short_time_share) > defaults.TTFT_MISS_SHARE, best[2]):
            best = (curve, bill, total)
    if best is None:
        return [], None
    curve, bill, total = best
    pol = bill.policy
    qpm = inp.workload.queries_per_month
    row = RunOption(
        id="rented:spot",
        billing_model="spot",
        label=f"spot, spares {pol.spare_spot} spot + {pol.spare_on_demand} on-demand",
        monthly_cost_usd=total,
        cost_per_1k_queries_usd=total / qpm * 1000,
        config=curve.config.id,
        short_time_share=float(bill.short_time_share),
        meets_latency=float(bill.short_time_share) <= defaults.TTFT_MISS_SHARE,
        detail={
            "spare_spot": pol.spare_spot,
            "spare_on_demand": pol.spare_on_demand,
            "preemptions_per_month": pol.preemptions_per_month,
            "down_s": pol.down_s,
        },
    )
    return [row], (curve, bill)


def _reserved(
    inp: Inputs, scenario: Any, cat: Catalog, options: Mapping[str, Any], model: OpenModel,
    od: Mapping[str, CostCurve], q: float, f: Factors, auto: Autoscaling, weights: tuple[float, ...], days: float,
    best_platform: Mapping[str, tuple[RunOption, _Serving]], spot_pick: tuple[CostCurve, SpotBill] | None,
) -> list[RunOption]:  # fmt: skip
    """Reserved 1y/3y replicas plus on-demand, spot or serverless burst: the best count for each."""
    rows: list[RunOption] = []
    qpm = inp.workload.queries_per_month
    serverless = [v for v in best_platform.values() if v[0].meets_latency and v[1].platform.kind == "serverless"]
    burst_sv = min(serverless, key=lambda v: v[0].monthly_cost_usd, default=None)
    for pricing in ("reserved_1y", "reserved_3y"):
        best: tuple[str, ReservedPlan, CostCurve] | None = None
        for res in _other_pricing(pricing, scenario, cat, options, model, q):
            need = hourly_replicas(res, q, auto, f)[:, ...].astype(float)
            n = [float(x) for x in np.ravel(need)]
            hidden = float(autoscaled_hidden_usd(res, q, auto, f))  # at the day's peak rented fleet

            def reserved_usd(r: float, c: CostCurve = res) -> float:
                return float(c.gpu_cost_usd(r, f))

            def reserved_hidden_usd(r: float, c: CostCurve = res) -> float:  # a serverless burst rents no hosts
                return float(c.gpu_cost_usd(r, f)) + (float(c.hidden_usd(r, q, f)) if r > 0 else 0.0)

            bursts: dict[str, tuple[Callable[[float], float], Callable[[float], float], list[int] | None, float]] = {}
            odc = od.get(res.config.id)
            if odc is not None:
                bursts["on-demand"] = (reserved_usd, _hourly_burst(n, odc, f), None, hidden)
            if spot_pick is not None and spot_pick[0].config.id == res.config.id:
                bursts["spot"] = (reserved_usd, _hourly_burst(n, spot_pick[0], f), None, hidden)
            if burst_sv is not None:
                bursts[burst_sv[1].platform.id] = (reserved_hidden_usd,
                                                   _serverless_burst(burst_sv[1], res, q, weights, days, f),
                                                   list(range(int(max(n)) + 1)), 0.0)  # fmt: skip
            for how, (res_fn, fn, cands, extra) in bursts.items():
                plan = reserved_plus_burst(n, res_fn, fn, cands)
                plan = replace(plan, monthly_cost_usd=plan.monthly_cost_usd + extra)
                if best is None or plan.monthly_cost_usd < best[1].monthly_cost_usd:
                    best = (how, plan, res)
        if best is None:
            continue
        how, plan, res = best
        rows.append(
            RunOption(
                id=f"rented:{pricing}+burst",
                billing_model="reserved_plus_burst",
                label=f"{pricing.replace('_', ' ')} x{plan.reserved} + {how} burst",
                monthly_cost_usd=plan.monthly_cost_usd,
                cost_per_1k_queries_usd=plan.monthly_cost_usd / qpm * 1000,
                config=res.config.id,
                detail={
                    "reserved_replicas": plan.reserved,
                    "burst": how,
                    "reserved_usd": plan.reserved_usd,
                    "burst_usd": plan.burst_usd,
                    "all_burst_usd": plan.all_burst_usd,
                },
            )
        )
    return rows


def _hourly_burst(n: list[float], curve: CostCurve, f: Factors) -> Callable[[float], float]:
    """Monthly cost of the hours' replicas above R, rented by the hour from `curve` (each hour of
    the day is 1/24 of a month of that many replicas)."""

    def fn(r: float) -> float:
        extra = np.maximum(np.asarray(n) - r, 0.0)
        return float(np.sum(np.asarray(curve.gpu_cost_usd(extra, f)) * (extra > 0)) / 24)

    return fn


def _serverless_burst(
    sv: _Serving, res: CostCurve, q: float, weights: tuple[float, ...], days: float, f: Factors
) -> Callable[[float], float]:
    """Monthly serverless bill for the load above what R reserved replicas carry at the target."""
    per = float(res.queries_per_day_per_replica(replace(f, peak_factor=1.0)))  # queries/day one replica carries
    w = np.asarray(weights)

    def fn(r: float) -> float:
        rest = np.maximum(q * 24 * w - r * per, 0.0)  # each hour's load above R replicas, as queries/day
        total = float(rest.sum()) / 24
        if total <= 0:
            return 0.0
        return float(sv.bill(total, tuple(rest / rest.sum()), days).monthly_cost_usd)

    return fn


def _families(
    *, api_slope: float | None, od: list[CostCurve], f: Factors, auto: Autoscaling | None, servings: list[_Serving],
    weights: tuple[float, ...], days: float, max_ttft: float | None,
) -> dict[str, Callable[[Any], Any]]:  # fmt: skip
    """Cost against volume of each billing model: its cheapest option at every volume (platform
    options that miss the latency target at that volume cost infinity)."""
    out: dict[str, Callable[[Any], Any]] = {}
    if api_slope is not None:
        out["api"] = lambda x: api_slope * np.asarray(x, dtype=np.float64)
    if od:
        out["rented"] = lambda x: np.min(
            [np.asarray(fleet_cost_usd(c, np.asarray(x, dtype=np.float64), f, auto)) for c in od], axis=0
        )
    for kind in ("serverless", "dedicated"):
        group = [sv for sv in servings if sv.platform.kind == kind]
        if group:
            out[kind] = _cheapest_of(group, weights, days, max_ttft)
    return out


def _priced(curve: CostCurve | None, f: Factors, missing: float = math.inf) -> Callable[[Any], Any]:
    """Monthly GPU cost of n replicas held all month on `curve` (`missing` per replica without one)."""

    def cost(n: Any) -> Any:
        return curve.gpu_cost_usd(n, f) if curve is not None else np.asarray(n) * missing

    return cost


def _cheapest_of(
    group: list[_Serving], weights: tuple[float, ...], days: float, max_ttft: float | None
) -> Callable[[Any], Any]:
    def cost(x: Any) -> Any:
        return np.min([_latency_cost(sv, x, weights, days, max_ttft) for sv in group], axis=0)

    return cost


def _latency_cost(sv: _Serving, x: Any, weights: tuple[float, ...], days: float, max_ttft: float | None) -> Any:
    return gated_cost(sv.bill(np.asarray(x, dtype=np.float64), weights, days), max_ttft)


def _wins(grid: Any, values: Mapping[str, Any]) -> tuple[Win, ...]:
    if not values:
        return ()
    names = list(values)
    stack = np.vstack([values[k] for k in names])
    best = np.argmin(stack, axis=0)
    out: list[Win] = []
    start = 0
    for i in range(1, len(grid) + 1):
        if i == len(grid) or best[i] != best[start]:
            out.append(Win(float(grid[start]), float(grid[i - 1]), names[int(best[start])]))
            start = i
    return tuple(out)


def _monte_carlo(
    inp: Inputs, rows: list[RunOption], api: Any, od: list[CostCurve], auto: Autoscaling,
    priced: list[tuple[RunOption, _Serving]], spot_pick: tuple[CostCurve, SpotBill] | None, raw_p: Any,
    cold: ColdStart,
) -> list[RunOption]:  # fmt: skip
    """P10/P50/P90 of each row's monthly cost over the draws (reserved plus burst is not drawn)."""
    from llmcost.montecarlo import api_usd_per_qpd, draw_inputs, drawn_replica, quantiles
    from llmcost.montecarlo import factors as draw_factors
    from llmcost.uncertainty import Uniform, draw

    n = inp.monte_carlo or 0
    gpus = sorted({c.config.gpu.id for c in od} | ({spot_pick[0].config.gpu.id} if spot_pick else set()))
    d = draw_inputs(inp, n, inp.seed, gpus, [api.id] if api is not None else [])
    rng = np.random.default_rng(None if inp.seed is None else inp.seed + 1)
    facts = inp.settings.get("spot_preemption")
    low, high = defaults.SPOT_PREEMPTIONS_RANGE
    spread = facts if facts is not None else Uniform(dist="uniform", low=low, high=high)
    d = replace(d, spot_preemptions_per_month=np.clip(draw(spread, n, rng), 0.0, 1.0))
    by_id = {c.config.id: c for c in od}
    sv_of = {(o.id, o.config): sv for o, sv in priced}
    out = []
    for o in rows:
        costs: Any = None
        if o.billing_model == "api" and api is not None:
            costs = api_usd_per_qpd(inp, api.id, d) * d.qpd
        elif o.id == "rented:24x7" and o.config in by_id:
            c = by_id[o.config]
            fd = replace(draw_factors(c, d, inp), peak_factor=max(auto.weights) * 24)
            costs = fleet_cost_usd(c, d.qpd, fd)
        elif o.id == "rented:hourly" and o.config in by_id:
            c = by_id[o.config]
            costs = fleet_cost_usd(c, d.qpd, draw_factors(c, d, inp), auto)
        elif (o.id, o.config) in sv_of:
            sv = sv_of[(o.id, o.config)]
            costs = np.asarray(platform_bill(sv.rules, drawn_replica(_case(sv, inp, cold, auto.weights), d), d.qpd,
                                             auto.weights, inp.workload.days_per_month).monthly_cost_usd)  # fmt: skip
        elif o.id == "rented:spot" and spot_pick is not None:
            c, bill = spot_pick
            fd = draw_factors(c, d, inp)
            need = hourly_replicas(c, d.qpd, auto, fd)
            fallback = by_id.get(c.config.id)
            drawn_bill = spot_bill(
                need, _priced(c, fd), _priced(fallback, fd, missing=0.0), bill.policy, c.hours_per_month,
                d.spot_preemptions_per_month,
            )  # fmt: skip
            costs = np.asarray(drawn_bill.monthly_cost_usd) + np.asarray(autoscaled_hidden_usd(c, d.qpd, auto, fd))
            band = {
                **quantiles(np.asarray(costs)),
                **quantiles(np.asarray(drawn_bill.short_time_share), "short_time_share"),
            }
            out.append(replace(o, band=band))
            continue
        out.append(replace(o, band=quantiles(np.asarray(costs, dtype=np.float64))) if costs is not None else o)
    return out


__all__ = ["platforms"]
