"""Monte Carlo over the uncertain inputs: draws -> the model's own functions, vectorized.

Uncertain per draw (common to all options, so comparisons between them are paired):
- queries per day, utilization target and peak factor, when the scenario gives them as
  ranges or distributions;
- the throughput the model predicts: a log-normal factor whose spread is the model's error on the
  published measurements (Scenario.throughput_factor);
- each hidden-cost part (llmcost.hidden): its rate uniform over its sourced range (or the user's
  override), so a line that scales with hosts or traffic is drawn per unit;
- each GPU's rental price: uniform between the cheapest offer (what the point answer uses) and the
  median offer for that GPU and pricing model (you may not get the cheapest provider), times the
  cheapest offer's own range where its source gives one (e.g. AWS spot prices across zones);
- an API's token prices, where the data gives them as ranges or distributions (a negotiated price,
  say): each drawn price over its central value scales that price, whatever the tier or batch;
- with bought GPUs (ownership "buy"), an owned GPU's hourly cost, rebuilt from its purchase price
  and each facility figure (electricity, colocation, depreciation years, support, server power)
  drawn over their sourced ranges;
- input and output tokens per query, when given as ranges or distributions: the API bill follows
  each draw exactly (every prompt-size bucket scaled with the drawn mean, so a draw can cross a
  long-context threshold or a cache minimum); a replica's capacity is re-sized per quantile bin of
  the token mix (5 x 5 bins, each sized at its median mix; a mix that no longer fits the
  configuration costs infinity);
- each option's reasoning tokens per query, over the spread of its sourced figure across workload
  types (or the user's distribution): billed as output by an API, decode steps for a deployment.
API prices given as plain numbers are published list prices and stay fixed. Costs, replicas and
break-even volumes come from the same functions the point answer calls (selfhost, crossings,
routing, timeline), given arrays: with every range collapsed to a point, the draws equal it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from llmcost.billing import bill
from llmcost.errors import InfeasibleError
from llmcost.hidden import DRIVERS
from llmcost.inputs import Inputs, Uncertainty
from llmcost.platforms import (
    ColdStart,
    Replica,
    Rules,
    cheaper_above,
    gated_cost,
    platform_bill,
    rules_for,
    shaped_profile,
)
from llmcost.records import Platform
from llmcost.selfhost import CostCurve, Factors, hidden_factors, prefix_cache, replica_capacity
from llmcost.throughput import prompt_spread
from llmcost.uncertainty import draw

if TYPE_CHECKING:
    from llmcost.numeric import FloatArray

PERCENTILES = (10, 50, 90)
TOKEN_BINS = 5


@dataclass(frozen=True, eq=False)
class Draws:
    """One row per draw of every uncertain input."""

    n: int
    qpd: FloatArray
    utilization: FloatArray
    peak_factor: FloatArray
    throughput: FloatArray
    hidden: dict[str, FloatArray]  # driver -> the hidden-cost rate (llmcost.hidden), summed over its parts
    gpu_price_factor: dict[str, FloatArray]
    input_tokens: FloatArray
    output_tokens: FloatArray
    # api id -> "input" / "cached_input" / "output" -> drawn price over its central value
    api_price_factor: dict[str, dict[str, FloatArray]] = field(default_factory=dict)
    reasoning_tokens: dict[str, FloatArray] = field(default_factory=dict)  # option id -> drawn (where uncertain)
    # spot interruptions per replica-month (the platforms command draws it: llmcost.platforms)
    spot_preemptions_per_month: FloatArray | None = None


def owned_price_factor(inputs: Inputs, gpu_id: str, figures: Mapping[str, Any]) -> FloatArray:
    """An owned GPU's hourly cost with `figures` (some drawn) over its cost at the central figures."""
    from llmcost.ownership import owned_usd_per_gpu_hour
    from llmcost.uncertainty import central

    gpu = next(g for g in inputs.gpus if g.id == gpu_id)
    point = {k: central(v) for k, v in inputs.uncertainty.owned_figures[gpu_id].items()}
    pue = inputs.selfhost.pue
    drawn = owned_usd_per_gpu_hour(gpu, {**point, **figures}, pue)
    return np.asarray(drawn / owned_usd_per_gpu_hour(gpu, point, pue), dtype=np.float64)


def draw_inputs(inputs: Inputs, n: int, seed: int | None, gpus: list[str], apis: list[str] | None = None) -> Draws:
    """`n` draws of every uncertain input (the order of draws is fixed, so a seed keeps its values).
    Reasoning tokens are drawn for `apis` and every selected model."""
    rng = np.random.default_rng(seed)
    u: Uncertainty = inputs.uncertainty
    qpd = draw(u.qpd, n, rng)
    hidden: dict[str, FloatArray] = {driver: np.zeros(n) for driver in DRIVERS}
    for part in u.hidden:
        hidden[part.driver] = hidden[part.driver] + draw(part.drawn, n, rng)
    utilization, peak, throughput = (draw(v, n, rng) for v in (u.utilization, u.peak_factor, u.throughput_factor))
    gpu_ids = sorted(set(gpus))
    gpu_price = {g: draw(u.gpu_price_factor.get(g, 1.0), n, rng) for g in gpu_ids}
    input_tokens, output_tokens = draw(u.input_tokens, n, rng), draw(u.output_tokens, n, rng)
    # The data files' price ranges are drawn last, and only where there are some, so the draws
    # above keep the values a seed gave before those ranges existed.
    for g in gpu_ids:
        if g in u.offer_price_factor:
            gpu_price[g] = gpu_price[g] * draw(u.offer_price_factor[g], n, rng)
        if g in u.owned_figures:
            figures = {k: draw(v, n, rng) for k, v in u.owned_figures[g].items()}
            gpu_price[g] = owned_price_factor(inputs, g, figures)
    api_price = {
        a: {k: draw(v, n, rng) for k, v in u.api_price_factor[a].items()}
        for a in sorted(set(apis or ()))
        if a in u.api_price_factor
    }
    options = sorted({*(apis or ()), *(m.id for m in inputs.models)})
    reasoning = {o: np.maximum(draw(u.reasoning_tokens[o], n, rng), 0.0) for o in options if o in u.reasoning_tokens}
    return Draws(
        n=n,
        qpd=np.maximum(qpd, 1e-9),
        utilization=np.clip(utilization, 1e-3, 1.0),
        peak_factor=np.maximum(peak, 1.0),
        throughput=np.maximum(throughput, 1e-6),
        hidden=hidden,
        gpu_price_factor=gpu_price,
        input_tokens=np.maximum(input_tokens, 1.0),
        output_tokens=np.maximum(output_tokens, 1.0),
        api_price_factor=api_price,
        reasoning_tokens=reasoning,
    )


def reasoning_of(inputs: Inputs, option: str, d: Draws) -> Any:
    """An option's reasoning tokens in every draw (its point value where it is not drawn)."""
    return d.reasoning_tokens.get(option, inputs.reasoning[option].tokens)


def replica_rps(curve: CostCurve, d: Draws, inputs: Inputs) -> FloatArray | None:
    """A replica's saturated requests/s in every draw when the token mix is drawn (see the module
    docstring on token bins); None when every draw has the mix the configuration was sized for."""
    w, cfg = inputs.workload, curve.config
    reasoning = inputs.reasoning[cfg.model.id].tokens
    decode = d.output_tokens + reasoning_of(inputs, cfg.model.id, d)
    if np.all(d.input_tokens == w.input_tokens) and np.all(decode == w.output_tokens + reasoning):
        return None

    def bins(x: FloatArray) -> Any:
        edges = np.unique(np.percentile(x, np.linspace(0, 100, TOKEN_BINS + 1)[1:-1]))
        return np.digitize(x, edges)

    cell = bins(d.input_tokens) * (TOKEN_BINS + 1) + bins(decode)
    out = np.empty(d.n)
    for c in np.unique(cell):
        members = cell == c
        prompt = float(np.median(d.input_tokens[members]))
        cached, shared = prefix_cache(w, inputs.selfhost, prompt)
        try:
            _, cap = replica_capacity(
                cfg.model, cfg.quant, cfg.gpu, cfg.gpus_per_replica, prompt, float(np.median(decode[members])),
                inputs.selfhost, cached_tokens=cached, shared_prefix_tokens=shared,
                prompt_spread=prompt_spread(w.prompt_mix), parallelism=cfg.parallelism,
            )  # fmt: skip
            out[members] = cap.requests_per_s
        except InfeasibleError:
            out[members] = 0.0  # this token mix does not fit the configuration: infinite cost
    return out


def factors(curve: CostCurve, d: Draws, inputs: Inputs) -> Factors:
    """The self-hosted factors of every draw, for the model's cost functions."""
    return Factors(
        throughput=d.throughput,
        utilization=d.utilization,
        peak_factor=d.peak_factor,
        gpu_price=d.gpu_price_factor[curve.config.gpu.id],
        requests_per_s=replica_rps(curve, d, inputs),
        **hidden_factors(d.hidden),
        hosts_per_devops_step=inputs.hosts_per_devops_step,
    )


def api_usd_per_qpd(inputs: Inputs, api_id: str, d: Draws) -> FloatArray:
    """An API's monthly cost per query-per-day in every draw: its drawn prices and reasoning, the
    drawn token mix, through the same bill as the point answer."""
    w = inputs.workload
    b = bill(
        inputs.all_apis[api_id], w, inputs.billing, reasoning_of(inputs, api_id, d),
        input_scale=d.input_tokens / w.input_tokens, output_tokens=d.output_tokens,
        price_factors=d.api_price_factor.get(api_id, {}),
    )  # fmt: skip
    return np.broadcast_to(np.asarray(b.usd_per_query, dtype=np.float64) * w.days_per_month, (d.n,))


def quantiles(x: FloatArray, key: str = "monthly_cost_usd") -> dict[str, float]:
    return {f"{key}_p{p}": float(v) for p, v in zip(PERCENTILES, np.percentile(x, PERCENTILES), strict=True)}


# ---------------------------------------------------------------- serving platforms over draws


@dataclass(frozen=True, eq=False)
class PlatformCase:
    """One platform option (a serverless platform or dedicated endpoint on one configuration) as
    the point answer prices it, for Monte Carlo and the tornado to re-price over draws."""

    id: str  # the option id, platform:NxGPU
    platform: Platform
    rules: Rules
    replica: Replica  # at the point throughput factor and utilization target
    cold: ColdStart
    weights_gb: float  # what a cold start loads
    throughput_factor: float  # the point factor inside replica's capacity
    profile: tuple[float, ...]  # the day's 24 hourly shares
    days_per_month: float
    max_ttft_ms: float | None


def drawn_replica(case: PlatformCase, d: Draws, over: Mapping[str, float] | None = None) -> Replica:
    """The option's replica in every draw: capacity follows the drawn throughput factor and
    utilization target; a cold start follows `over`'s load_gb_per_s and engine_start_s."""
    o = over or {}
    r = case.replica
    mu = r.saturated_requests_per_s / case.throughput_factor * d.throughput
    cold = case.cold
    if "load_gb_per_s" in o or "engine_start_s" in o:
        cold = replace(cold, load_gb_per_s=o.get("load_gb_per_s", cold.load_gb_per_s),
                       engine_start_s=o.get("engine_start_s", cold.engine_start_s))  # fmt: skip
    phases = cold.phases_s(case.weights_gb)
    return replace(r, requests_per_s=mu * d.utilization, saturated_requests_per_s=mu,
                   cold_start_s=sum(phases.values()), phases_s=phases)  # fmt: skip


def platform_monthly_usd(
    case: PlatformCase, d: Draws, qpd: Any = None, over: Mapping[str, float] | None = None
) -> FloatArray:
    """The option's monthly cost in every draw: a replica's capacity follows the drawn throughput
    factor and utilization target, the volume is `qpd` (default the drawn volume; any shape whose
    last axis is the draws); infinite where cold starts miss the TTFT target. `over` sets platform
    inputs the tornado swings: peak_factor (the profile reshaped, platforms.shaped_profile),
    load_gb_per_s and engine_start_s (cold start), idle_window_s, usd_per_gpu_second."""
    o = over or {}
    replica = drawn_replica(case, d, o)
    rules = case.rules
    if "idle_window_s" in o:
        rules = rules_for(case.platform, rules.gpu, rules.gpus_per_replica, idle_window_s=o["idle_window_s"])
    if "usd_per_gpu_second" in o:
        rules = replace(rules, usd_per_gpu_second=o["usd_per_gpu_second"])
    weights: Any = case.profile if "peak_factor" not in o else shaped_profile(case.profile, o["peak_factor"])
    bill_ = platform_bill(rules, replica, d.qpd if qpd is None else qpd, weights, case.days_per_month)
    return gated_cost(bill_, case.max_ttft_ms)


def platform_vs_api(
    inp: Inputs, metric: str, api_id: str, case: PlatformCase, d: Draws, over: Mapping[str, float] | None = None,
    iterations: int = 24,
) -> FloatArray:  # fmt: skip
    """Per draw: the platform's monthly cost minus the API's at the drawn volume (cost_difference;
    infinite where cold starts miss the TTFT target), or the volume above which the platform stays
    cheaper than the API up to max_qpd (breakeven; NaN where it does not). Monte Carlo and the
    tornado (one draw) both call it; `iterations`: bisection steps after the grid scan (0: the
    grid volume just above the switch)."""
    a = api_usd_per_qpd(inp, api_id, d)
    if metric == "breakeven":

        def excess(q: FloatArray) -> FloatArray:
            out: FloatArray = platform_monthly_usd(case, d, q, over) - a * q
            return out

        return cheaper_above(excess, d.n, 1.0, float(inp.max_qpd), iterations=iterations)
    out: FloatArray = platform_monthly_usd(case, d, None, over) - a * d.qpd
    return out


def finite_quantiles(x: Any, key: str = "monthly_cost_usd") -> dict[str, Any]:
    """P10/P50/P90 of `x` with an infinite or NaN percentile (an option ruled out by its latency
    target, no break-even) reported as None, and the share of draws that are finite."""
    a = np.asarray(x, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        qs = np.percentile(np.where(np.isnan(a), np.inf, a), PERCENTILES)
    out: dict[str, Any] = {
        f"{key}_p{p}": float(v) if np.isfinite(v) else None for p, v in zip(PERCENTILES, qs, strict=True)
    }
    out[f"{key}_finite_share"] = float(np.mean(np.isfinite(a)))
    return out


def soonest_platform(inp: Inputs, api_id: str, cases: Sequence[PlatformCase], d: Draws) -> PlatformCase:
    """The option whose point break-even volume against the API is lowest (as breakeven picks a
    configuration): every option screened on the grid, the ones tied there bisected."""

    def volume(c: PlatformCase, iterations: int) -> float:
        x = float(platform_vs_api(inp, "breakeven", api_id, c, d, iterations=iterations)[0])
        return x if math.isfinite(x) else math.inf

    screened = [(volume(c, 0), c) for c in cases]
    best = min(v for v, _ in screened)
    return min((c for v, c in screened if v == best), key=lambda c: volume(c, 24))
