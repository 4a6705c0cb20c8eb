"""Monte Carlo over the uncertain inputs, vectorized: every draw is a row of numpy arrays.

Uncertain per draw (common to all options, so comparisons between them are paired):
- queries per day, utilization target and peak factor, when the scenario gives them as
  ranges or distributions;
- the throughput the model predicts: a log-normal factor whose spread is the model's error on the
  published measurements (Scenario.throughput_factor);
- each hidden-cost line: uniform over its sourced range (or the user's override);
- each GPU's rental price: uniform between the cheapest offer (what the point answer uses) and the
  median offer for that GPU and pricing model (you may not get the cheapest provider), times the
  cheapest offer's own range where its source gives one (e.g. AWS spot prices across zones);
- an API's token prices, where the data gives them as ranges or distributions (a negotiated price,
  say): each drawn price over its central value scales that price, whatever the tier or batch;
- with bought GPUs (ownership "buy"), an owned GPU's hourly cost, rebuilt from its purchase price
  and each facility figure (electricity, colocation, depreciation years, support, server power)
  drawn over their sourced ranges;
- input and output tokens per query, when given as ranges or distributions: the API bill follows
  each draw exactly; a replica's capacity is re-sized per quantile bin of the token mix (5 x 5 bins,
  each sized at its median mix; a mix that no longer fits the configuration costs infinity).
API prices given as plain numbers are published list prices and stay fixed. Replicas are re-sized
in every draw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from llmcost.errors import InfeasibleError
from llmcost.scenario import Setup
from llmcost.selfhost import CostCurve, replica_capacity
from llmcost.uncertainty import Dist, Uncertain, Uniform, draw

if TYPE_CHECKING:
    from llmcost.workload import FloatArray

PERCENTILES = (10, 50, 90)


@dataclass(frozen=True)
class Draws:
    n: int
    qpd: FloatArray
    utilization: FloatArray
    peak_factor: FloatArray
    throughput: FloatArray
    hidden_usd_per_month: FloatArray
    gpu_price_factor: dict[str, FloatArray]
    input_tokens: FloatArray
    output_tokens: FloatArray
    # api id -> "input" / "cached_input" / "output" -> drawn price over its central value
    api_price_factor: dict[str, dict[str, FloatArray]] = field(default_factory=dict)


def gpu_price_range(st: Setup, gpu_id: str) -> Uncertain:
    """Price factor over the cheapest offer: the scenario's, else 1 .. median / cheapest offer."""
    if st.scenario.gpu_price_factor is not None:
        return st.scenario.gpu_price_factor
    if st.assumptions.ownership == "buy":
        return Uniform(low=1.0, high=1.0)
    prices = sorted(o.usd_per_gpu_hour for o in st.catalog.offers_for(gpu_id, st.assumptions.pricing))
    if not prices:
        return Uniform(low=1.0, high=1.0)
    return Uniform(low=1.0, high=float(np.median(prices)) / prices[0])


def offer_price_range(st: Setup, gpu_id: str) -> Dist | None:
    """The cheapest offer's own price range, as a factor over its central price (None: no range)."""
    offers = st.catalog.offers_for(gpu_id, st.assumptions.pricing)
    if st.scenario.gpu_price_factor is not None or st.assumptions.ownership == "buy" or not offers:
        return None
    cheapest = min(offers, key=lambda o: o.usd_per_gpu_hour)
    spread = cheapest.spread.get("usd_per_instance_hour")
    return spread.scaled(1 / cheapest.usd_per_instance_hour) if spread else None


def owned_price_ranges(st: Setup, gpu_id: str) -> dict[str, Uncertain]:
    """With bought GPUs: the figures an owned GPU's hourly cost is built from, as drawn (else {})."""
    owned = st.catalog.owned_gpus.get(gpu_id)
    if st.assumptions.ownership != "buy" or st.scenario.gpu_price_factor is not None or owned is None:
        return {}
    from llmcost.ownership import figure_ranges

    return figure_ranges(owned, st.catalog.facility)


def owned_price_factor(st: Setup, gpu_id: str, figures: dict[str, Any]) -> FloatArray:
    """An owned GPU's hourly cost with `figures` (some drawn) over its cost at the central figures."""
    from llmcost.ownership import central_figures, owned_usd_per_gpu_hour

    gpu, owned, pue = st.catalog.gpu(gpu_id), st.catalog.owned_gpus[gpu_id], st.assumptions.pue
    central = central_figures(owned, st.catalog.facility)
    drawn = owned_usd_per_gpu_hour(gpu, {**central, **figures}, pue)
    return np.asarray(drawn / owned_usd_per_gpu_hour(gpu, central, pue), dtype=np.float64)


API_PRICES = {
    "input": "input_usd_per_mtok",
    "cached_input": "cached_input_usd_per_mtok",
    "output": "output_usd_per_mtok",
}


def api_price_ranges(st: Setup, api_id: str) -> dict[str, Dist]:
    """An API's uncertain prices as factors over their central values: {'input': ..., ...}; an
    absent cached-input price is billed at the input price, so it follows the input draw."""
    api = st.catalog.api(api_id)
    return {
        key: api.spread[name].scaled(1 / getattr(api, name))
        for key, name in API_PRICES.items()
        if name in api.spread and getattr(api, name)
    }


def hidden_ranges(st: Setup) -> dict[str, Uncertain]:
    """Each hidden-cost line as drawn: the user's override, else its sourced range (0 when off)."""
    sc, lines = st.scenario, st.catalog.hidden_costs
    if not sc.hidden_costs:
        return {k: 0.0 for k in lines}
    out: dict[str, Uncertain] = {}
    for key, line in lines.items():
        override = sc.hidden_cost_overrides.get(key)
        out[key] = override if override is not None else line.spread.get("usd_per_month", line.usd_per_month)
    return out


def draw_inputs(st: Setup, n: int, seed: int | None, gpus: list[str], apis: list[str] | None = None) -> Draws:
    rng = np.random.default_rng(seed)
    sc = st.scenario
    qpd = draw(sc.qpd, n, rng) if sc.qpd is not None else np.full(n, st.workload.queries_per_day)
    hidden = sum((draw(v, n, rng) for v in hidden_ranges(st).values()), start=np.zeros(n))
    utilization, peak, throughput = (draw(v, n, rng) for v in (sc.utilization, sc.peak_factor, sc.throughput_factor))
    gpu_ids = sorted(set(gpus))
    gpu_price = {g: draw(gpu_price_range(st, g), n, rng) for g in gpu_ids}
    input_tokens, output_tokens = draw(sc.input_tokens, n, rng), draw(sc.output_tokens, n, rng)
    # The data files' price ranges are drawn last, and only where there are some, so the draws
    # above keep the values a seed gave before those ranges existed.
    for g in gpu_ids:
        if offer := offer_price_range(st, g):
            gpu_price[g] = gpu_price[g] * draw(offer, n, rng)
        if owned := owned_price_ranges(st, g):
            figures = {k: draw(v, n, rng) for k, v in owned.items()}
            gpu_price[g] = owned_price_factor(st, g, figures)
    api_price: dict[str, dict[str, FloatArray]] = {}
    for a in sorted(set(apis or ())):
        if ranges := api_price_ranges(st, a):
            factors = {k: draw(v, n, rng) for k, v in ranges.items()}
            if "input" in factors and st.catalog.api(a).cached_input_usd_per_mtok is None:
                factors["cached_input"] = factors["input"]  # billed at the input price
            api_price[a] = factors
    return Draws(
        n=n,
        qpd=np.maximum(qpd, 1e-9),
        utilization=np.clip(utilization, 1e-3, 1.0),
        peak_factor=np.maximum(peak, 1.0),
        throughput=np.maximum(throughput, 1e-6),
        hidden_usd_per_month=hidden,
        gpu_price_factor=gpu_price,
        input_tokens=np.maximum(input_tokens, 1.0),
        output_tokens=np.maximum(output_tokens, 1.0),
        api_price_factor=api_price,
    )


TOKEN_BINS = 5


def replica_rps(curve: CostCurve, d: Draws, st: Setup) -> FloatArray | float:
    """A replica's saturated requests/s in every draw (see the module docstring on token bins)."""
    base = curve.config.capacity.requests_per_s
    w = st.workload
    if np.all(d.input_tokens == w.input_tokens) and np.all(d.output_tokens == w.output_tokens):
        return base  # the mix the configuration was sized for
    cfg, a = curve.config, st.assumptions
    engine = st.catalog.engine(a.engine)

    def bins(x: FloatArray) -> Any:
        edges = np.unique(np.percentile(x, np.linspace(0, 100, TOKEN_BINS + 1)[1:-1]))
        return np.digitize(x, edges)

    cell = bins(d.input_tokens) * (TOKEN_BINS + 1) + bins(d.output_tokens)
    out = np.empty(d.n)
    for c in np.unique(cell):
        members = cell == c
        try:
            _, cap = replica_capacity(
                cfg.model, cfg.quant, cfg.gpu, cfg.gpus_per_replica, float(np.median(d.input_tokens[members])),
                float(np.median(d.output_tokens[members])), engine, a.efficiency, a.max_ttft_ms, a.max_tpot_ms,
            )  # fmt: skip
            out[members] = cap.requests_per_s
        except InfeasibleError:
            out[members] = 0.0  # this token mix does not fit the configuration
    return out


def api_usd_per_query_draws(
    prices: dict[str, float], d: Draws, cached_input_share: float, api_id: str | None = None
) -> FloatArray:
    """USD per query in every draw from an option's per-Mtok prices, the drawn token mix and (for
    `api_id`) the drawn price factors."""
    c = cached_input_share
    f = d.api_price_factor.get(api_id or "", {})
    p_in, p_cached, p_out = (prices[k] * f.get(k, 1.0) for k in ("input", "cached_input", "output"))
    return np.asarray(d.input_tokens * ((1 - c) * p_in + c * p_cached) + d.output_tokens * p_out) / 1e6


def self_hosted_costs(
    curve: CostCurve, d: Draws, qpd: FloatArray | None = None, rps: FloatArray | float | None = None
) -> FloatArray:
    """Monthly self-hosted cost in every draw, replicas re-sized to the draw's load and capacity
    (`rps`: the replica's requests/s per draw, from replica_rps; default its point capacity)."""
    q = d.qpd if qpd is None else qpd
    capacity = curve.config.capacity.requests_per_s if rps is None else rps
    with np.errstate(divide="ignore"):
        per_replica = capacity * d.throughput * d.utilization * 86_400 / d.peak_factor
        replicas = np.maximum(1.0, np.ceil(q / per_replica - 1e-9))
    gpu = np.asarray(curve.gpu_cost_usd(replicas)) * d.gpu_price_factor[curve.config.gpu.id]
    return np.asarray(gpu + d.hidden_usd_per_month, dtype=np.float64)


def quantiles(x: FloatArray, key: str = "monthly_cost_usd") -> dict[str, float]:
    return {f"{key}_p{p}": float(v) for p, v in zip(PERCENTILES, np.percentile(x, PERCENTILES), strict=True)}


def breakeven_draws(
    api_usd_per_qpd: float | FloatArray,
    curve: CostCurve,
    d: Draws,
    max_qpd: float,
    rps: FloatArray | float | None = None,
) -> FloatArray:
    """Per draw, the volume above which self-hosting stays cheaper (NaN where it is not, up to
    max_qpd): the same exact step-function crossing as breakeven.solve, one column per draw."""
    capacity = curve.config.capacity.requests_per_s if rps is None else rps
    alpha = np.broadcast_to(np.asarray(api_usd_per_qpd, dtype=np.float64), (d.n,))
    per = np.maximum(capacity * 86_400 * d.throughput * d.utilization / d.peak_factor, 1e-9)
    steps = int(min(np.ceil(max_qpd / per.min() - 1e-9), 1e6))
    n = np.arange(1, steps + 1, dtype=np.float64)
    gpu = np.asarray(curve.gpu_cost_usd(n))
    price = d.gpu_price_factor[curve.config.gpu.id]
    out = np.full(d.n, np.nan)
    chunk = max(1, 4_000_000 // steps)  # keep each steps x draws block to a few tens of MB
    for start in range(0, d.n, chunk):
        sl = slice(start, start + chunk)
        p, s = per[sl], gpu[:, None] * price[None, sl] + d.hidden_usd_per_month[None, sl]
        q_eq = s / alpha[None, sl]
        valid = (q_eq > (n[:, None] - 1) * p) & (q_eq <= np.minimum(n[:, None] * p, max_qpd))
        last = np.where(valid, q_eq, -np.inf).max(axis=0)
        final_step = np.minimum(np.ceil(max_qpd / p - 1e-9), steps).astype(int) - 1
        self_cheaper_at_max = alpha[sl] * max_qpd > s[final_step, np.arange(s.shape[1])]
        out[sl] = np.where(self_cheaper_at_max & np.isfinite(last), last, np.nan)
    return out
