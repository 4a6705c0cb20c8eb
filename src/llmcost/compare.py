"""`compare`: every selected API option and self-hosted configuration, costed for one workload.

The result is a plain JSON-ready dict (the canonical output; every renderer reads it), wrapped in
`Comparison` for notebooks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from llmcost.api_cost import api_usd_per_query, effective_prices, per_mtok
from llmcost.autoscale import autoscale
from llmcost.errors import UsageError
from llmcost.pairing import QUALITY_TOLERANCE_ELO, quantized_elo
from llmcost.result import Result
from llmcost.scenario import Scenario, Setup, make_scenario, setup
from llmcost.selfhost import CostCurve, Deployment, cheapest_per_pair, curves, deployment_at

if TYPE_CHECKING:
    from llmcost.catalog import ApiModel, Catalog
    from llmcost.workload import Workload

PER_MODEL_DEFAULT = 2  # self-hosted rows per model in the default (readable) view


def quality_tier(elo: float | None) -> str | None:
    """Bands over LMArena style-controlled Elo (snapshot 2025-12-11) relative to frontier APIs."""
    if elo is None:
        return None
    for floor, name in ((1430, "frontier"), (1380, "high"), (1300, "mid")):
        if elo >= floor:
            return name
    return "small"


def _api_option(api: ApiModel, workload: Workload, batch: bool) -> dict[str, Any]:
    prices = effective_prices(api, workload.input_tokens, batch, workload.cached_input_share)
    per_query = api_usd_per_query(api, workload, batch)
    monthly = per_query * workload.queries_per_month
    notes = list(prices.notes)
    if api.context_window_tokens and workload.input_tokens + workload.output_tokens > api.context_window_tokens:
        notes.append(f"a query exceeds the {api.context_window_tokens:,}-token context window")
    if api.as_of == "undated":
        notes.append("price source is undated")
    elo = api.quality.lmarena_elo if api.quality else None
    return {
        "id": api.id,
        "kind": "api",
        "label": api.name,
        "feasible": True,
        "monthly_cost_usd": monthly,
        "cost_per_query_usd": per_query,
        "cost_per_1k_queries_usd": per_query * 1000,
        "monthly_token_cost_usd": monthly,
        "quality_elo": elo,
        "quality_tier": quality_tier(elo),
        "prices_usd_per_mtok": {**per_mtok(prices), "tier": prices.tier, "batch": prices.batch},
        "source": api.source,
        "as_of": api.as_of,
        "notes": notes,
    }


def _self_option(d: Deployment, workload: Workload, hidden: Mapping[str, float], cat: Catalog) -> dict[str, Any]:
    per_query = d.monthly_cost_usd / workload.queries_per_month
    cfg = d.config
    elo = quantized_elo(cfg.model, cfg.quant, cat)
    offer = d.offer.offer
    notes = list(d.notes)
    if d.autoscaled:
        a = d.autoscaled
        notes.append(
            f"autoscaled ({a.profile} profile, {min(a.replicas_by_hour)}-{a.peak_replicas} replicas): GPUs "
            f"${a.monthly_gpu_cost_usd:,.0f}/month vs ${a.fixed_peak_monthly_gpu_cost_usd:,.0f} fixed for the peak"
        )
    if offer.as_of == "undated":
        notes.append(f"rental price {offer.id} is from an undated source")
    return {
        "id": cfg.id,
        "kind": "self_hosted",
        "label": f"{cfg.model.name} {cfg.quant.id} on {cfg.gpus_per_replica}x {cfg.gpu.id}",
        "feasible": True,
        "monthly_cost_usd": d.monthly_cost_usd,
        "cost_per_query_usd": per_query,
        "cost_per_1k_queries_usd": per_query * 1000,
        "model": cfg.model.id,
        "quantization": cfg.quant.id,
        "gpu": cfg.gpu.id,
        "gpus_per_replica": cfg.gpus_per_replica,
        "replicas": d.replicas,
        "gpu_count": d.gpu_count,
        "monthly_gpu_cost_usd": d.monthly_gpu_cost_usd,
        "monthly_hidden_cost_usd": d.monthly_hidden_cost_usd,
        "hidden_costs_usd": dict(hidden),
        "utilization": d.utilization,
        "peak_requests_per_s": d.peak_requests_per_s,
        "commercial_use": cfg.model.licence.commercial_use,
        "licence": cfg.model.licence.name,
        "quality_elo": elo,
        "quality_tier": quality_tier(elo),
        "offer": {
            "id": offer.id,
            "provider": offer.provider,
            "instances": d.offer.instances,
            "gpus_per_instance": offer.gpus_per_instance,
            "usd_per_instance_hour": offer.usd_per_instance_hour,
            "usd_per_gpu_hour": offer.usd_per_gpu_hour,
            "pricing": offer.pricing,
            "as_of": offer.as_of,
            "source": offer.source,
        },
        "memory": {
            "weights_gb": cfg.memory.weights_gb,
            "kv_bytes_per_token": cfg.memory.kv_bytes_per_token,
            "kv_gb_per_sequence": cfg.memory.kv_gb_per_sequence,
            "usable_gb_per_gpu": cfg.memory.usable_gb_per_gpu,
            "max_concurrent_sequences": cfg.memory.max_concurrent_sequences,
            "reason": cfg.memory.reason,
        },
        "capacity": cfg.capacity.to_dict(),
        "autoscaling": d.autoscaled.to_dict() if d.autoscaled else None,
        "notes": notes,
    }


def _infeasible(model_id: str, quant: str, gpu: str, reason: str) -> dict[str, Any]:
    return {
        "id": f"{model_id}:{quant}@{gpu}",
        "kind": "self_hosted",
        "label": f"{model_id} {quant} on {gpu}",
        "feasible": False,
        "reason": reason,
        "monthly_cost_usd": None,
        "cost_per_query_usd": None,
        "model": model_id,
        "quantization": quant,
        "gpu": gpu,
        "notes": [],
    }


@dataclass(frozen=True)
class Comparison(Result):
    """The result of `compare`: `.to_dict()` is the JSON contract; `.to_frame()` a DataFrame."""

    def options(self) -> list[dict[str, Any]]:
        return list(self.data["options"])


def compare(
    qpd: float | None = None,
    *,
    scenario: Scenario | Mapping[str, Any] | None = None,
    catalog: Catalog | None = None,
    **options: Any,
) -> Comparison:
    """Monthly cost of every selected API and self-hosted configuration at `qpd` queries/day.

    Options are Scenario fields (input_tokens, apis, models, gpus, quants, pricing, utilization,
    peak_factor, engine, max_tpot_ms, hidden_costs, commercial_only, show_all, ...).
    """
    st = setup(make_scenario(scenario, qpd=qpd, **options), catalog)
    cat, workload, assumptions, hidden, sc = (
        st.catalog,
        st.workload,
        st.assumptions,
        st.hidden_usd_per_month,
        st.scenario,
    )
    api_options = [_api_option(cat.api(a), workload, sc.batch_api) for a in st.api_ids()]

    if sc.monte_carlo and sc.autoscale:
        raise UsageError("--monte-carlo draws fixed capacity; run it without --autoscale")
    self_options: list[dict[str, Any]] = []
    curve_of: dict[str, CostCurve] = {}
    quant_list, gpu_list = st.quant_list(), st.gpu_list()
    for model_id in st.model_ids():
        model = cat.model(model_id)
        found, fails = curves(cat, model, quant_list, gpu_list, workload, assumptions, hidden)
        ranked = cheapest_per_pair(_deployment(c, st) for c in found)
        keep = ranked if sc.show_all else _distinct_gpus(ranked)[:PER_MODEL_DEFAULT]
        self_options.extend(_self_option(d, workload, hidden, cat) for d in keep)
        curve_of.update({d.config.id: d.curve for d in keep})
        if sc.show_all:
            self_options.extend(_infeasible(model_id, q.id, g.id, reason) for q, g, reason in fails)

    _attach_comparable_api(api_options, self_options)
    if sc.monte_carlo:
        _monte_carlo(st, api_options, self_options, curve_of)
    api_options.sort(key=lambda o: o["monthly_cost_usd"])
    self_options.sort(key=lambda o: (o["monthly_cost_usd"] is None, o["monthly_cost_usd"] or 0.0))
    data = {
        "workload": workload.to_dict(),
        "assumptions": st.assumptions_dict(),
        "options": api_options + self_options,
    }
    return Comparison(data)


def _monte_carlo(
    st: Setup, api_options: list[dict[str, Any]], self_options: list[dict[str, Any]], curve_of: dict[str, CostCurve]
) -> None:
    """Add P10/P50/P90 to every option and, to self-hosted ones, P(cheaper than each API)."""
    import numpy as np

    from llmcost.montecarlo import api_usd_per_query_draws, draw_inputs, quantiles, replica_rps, self_hosted_costs

    n = st.scenario.monte_carlo or 0
    d = draw_inputs(st, n, st.scenario.seed, [c.config.gpu.id for c in curve_of.values()], st.api_ids())
    days, cached = st.workload.days_per_month, st.workload.cached_input_share
    api_costs = {
        o["id"]: api_usd_per_query_draws(o["prices_usd_per_mtok"], d, cached, o["id"]) * d.qpd * days
        for o in api_options
    }
    for o in api_options:
        o.update(quantiles(api_costs[o["id"]]))
    for o in self_options:
        if o["feasible"]:
            curve = curve_of[o["id"]]
            costs = self_hosted_costs(curve, d, rps=replica_rps(curve, d, st))
            o.update(quantiles(costs))
            o["p_self_hosted_cheaper"] = {a: float(np.mean(costs < c)) for a, c in api_costs.items()}


def _deployment(curve: CostCurve, st: Setup) -> Deployment:
    """A configuration costed at the scenario's volume: fixed capacity, or following the profile."""
    sc, w = st.scenario, st.workload
    if not sc.autoscale:
        return deployment_at(curve, w, st.assumptions.peak_factor)
    auto = autoscale(curve, w.queries_per_day, sc.profile, sc.min_replicas, st.assumptions.utilization_target)
    return deployment_at(curve, w, 1.0, auto)


def _distinct_gpus(ranked: list[Deployment]) -> list[Deployment]:
    """Cheapest deployment per GPU type, so the default view shows alternatives, not near-duplicates."""
    seen: set[str] = set()
    out = []
    for d in ranked:
        if d.config.gpu.id not in seen:
            seen.add(d.config.gpu.id)
            out.append(d)
    return out


def _attach_comparable_api(api_options: list[dict[str, Any]], self_options: list[dict[str, Any]]) -> None:
    """For each option: the cheapest API whose quality is within the tolerance or better."""
    rated = [o for o in api_options if o["quality_elo"] is not None]
    for opt in api_options + self_options:
        elo = opt.get("quality_elo")
        match = None
        if elo is not None and opt["monthly_cost_usd"] is not None:
            peers = [a for a in rated if a["quality_elo"] >= elo - QUALITY_TOLERANCE_ELO]
            match = min(peers, key=lambda a: a["monthly_cost_usd"], default=None)
        opt["comparable_api"] = match["id"] if match else None
        opt["vs_comparable_api_usd"] = opt["monthly_cost_usd"] - match["monthly_cost_usd"] if match else None


__all__ = ["Comparison", "compare", "quality_tier"]
