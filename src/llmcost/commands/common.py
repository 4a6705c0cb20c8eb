"""What the commands share: resolving their inputs, the assumptions section, picking a configuration."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from llmcost import defaults
from llmcost.billing import Bill, bill
from llmcost.catalog import Catalog
from llmcost.demand import CACHE_TTL_S
from llmcost.errors import UsageError
from llmcost.hidden import by_driver
from llmcost.inputs import Inputs, Scenario, make_scenario, resolve
from llmcost.records import ApiModel, OpenModel
from llmcost.selfhost import (
    CostCurve,
    Factors,
    Unfit,
    closest_miss,
    curves,
    engine_efficiency,
    fleet_cost_usd,
    point_factors,
)
from llmcost.uncertainty import describe


def inputs_for(
    command: str,
    scenario: Scenario | Mapping[str, Any] | None,
    catalog: Catalog | None,
    options: Mapping[str, Any],
    *,
    qpd_required: bool = True,
) -> Inputs:
    """Validate the settings given to `command` (refusing any it does not use) and resolve them; owned
    GPUs become the offers of owned 8-GPU servers."""
    inp = resolve(make_scenario(scenario, command=command, **options), command, catalog, qpd_required=qpd_required)
    if not inp.owned_gpus:
        return inp
    from llmcost.ownership import GPUS_PER_OWNED_SERVER, owned_gpu_cost, owned_offer  # buying only

    owned = {}
    for gpu in inp.gpus:
        if gpu.id in inp.owned_gpus:
            record = inp.owned_gpus[gpu.id]
            hourly = owned_gpu_cost(gpu, record, inp.facility, inp.selfhost.pue).usd_per_gpu_hour
            owned[gpu.id] = (owned_offer(gpu, record, hourly * GPUS_PER_OWNED_SERVER),)
    return replace(inp, offers=owned)


def model_curves(inp: Inputs, model: OpenModel) -> tuple[list[CostCurve], list[Unfit]]:
    reasoning = inp.reasoning[model.id].tokens
    return curves(model, inp.quants, inp.gpus, inp.offers, inp.workload, inp.selfhost, inp.no_offer, reasoning)


def factors(inp: Inputs) -> Factors:
    return point_factors(inp.selfhost, by_driver(inp.hidden), inp.hosts_per_devops_step)


def one_pair(inp: Inputs) -> tuple[ApiModel, OpenModel]:
    """The one API and one model that hybrid, tco and sensitivity compare."""
    if len(inp.models) != 1 or len(inp.apis) != 1 or not inp.settings.get("apis"):
        raise UsageError(f"{inp.command} needs one --model (with optional --quant/--gpu) and one --api")
    return next(iter(inp.apis.values())), inp.models[0]


def runnable(inp: Inputs, model: OpenModel) -> list[CostCurve]:
    """The model's configurations, or a UsageError with the nearest miss when none runs."""
    found, fails = model_curves(inp, model)
    if not found:
        miss = closest_miss(fails)
        raise UsageError(f"{model.id} cannot run on the selected GPUs: {miss.reason if miss else 'none selected'}")
    return found


def cheapest_at(curves_: list[CostCurve], qpd: float, inp: Inputs) -> CostCurve:
    """The rule 'cheapest at this volume', as compare, hybrid and sensitivity apply it."""
    f = factors(inp)
    return min(curves_, key=lambda c: float(fleet_cost_usd(c, qpd, f, inp.autoscaling)))


def api_bill(inp: Inputs, api: ApiModel) -> Bill:
    """The API's bill per query for the workload, with the reasoning it is costed at."""
    return bill(api, inp.workload, inp.billing, inp.reasoning[api.id].tokens)


def alpha(inp: Inputs, api: ApiModel) -> float:
    """An API's monthly cost per query-per-day [USD/month per query/day]: the slope of its cost."""
    return float(api_bill(inp, api).usd_per_query) * inp.workload.days_per_month


def assumptions(inp: Inputs) -> dict[str, Any]:
    """Every assumption the numbers depend on, generated from the settings the command used."""
    a, s = inp.selfhost, inp.settings
    e = a.engine
    out: dict[str, Any] = {
        "utilization_target": a.utilization_target,
        "peak_factor": a.peak_factor,
        "pricing": a.pricing if a.ownership == "rent" else "owned (bought)",
        "pue": a.pue if a.ownership == "buy" else None,
        "batch_api": inp.batch_api,
        "service_tier": inp.billing.service_tier,
        "cache_ttl": inp.billing.cache_ttl,
        "prefix_caching": a.prefix_caching,
        "parallelism": a.parallelism,
        "reasoning": {
            o: r.to_dict()
            for o in (*inp.apis, *(m.id for m in inp.models))
            if (r := inp.reasoning[o]).effort is not None or r.tokens
        },
        "efficiency": engine_efficiency(a, e, scaled=False).to_dict(),  # with the engine release's layer overhead
        "throughput_factor": a.throughput_factor,
        "gpu_price_factor": a.gpu_price_factor,
    }
    if e is not None:
        large = (
            f", {e.max_batch_size_large_gpu} on GPUs >= {e.large_gpu_min_gib:g} GiB"
            if e.max_batch_size_large_gpu and e.large_gpu_min_gib
            else ""
        )
        out["engine"] = {
            "id": e.id,
            "max_batch": f"{e.max_batch_size}{large}",
            "gpu_memory_utilization": (
                a.engine_memory.gpu_memory_utilization
                if a.engine_memory
                else e.gpu_memory_utilization or defaults.GPU_MEMORY_UTILIZATION
            ),
            "memory_accounting": a.engine_memory.id if a.engine_memory else None,
            "relative_throughput": e.relative_throughput,
        }
    if "autoscale" in s:
        auto = inp.autoscaling
        out["autoscale"] = {"profile": auto.profile, "min_replicas": auto.min_replicas} if auto else None
    if "monte_carlo" in s:
        u = inp.uncertainty
        out["monte_carlo"] = (
            {
                "draws": inp.monte_carlo,
                "seed": inp.seed,
                "throughput_factor": describe(u.throughput_factor),
                "qpd": describe(u.qpd) if s.get("qpd") is not None else None,
                "input_tokens": describe(u.input_tokens),
                "output_tokens": describe(u.output_tokens),
                "reasoning_tokens": {
                    k: describe(v)
                    for k, v in u.reasoning_tokens.items()
                    if k in inp.apis or k in {m.id for m in inp.models}
                },
                "utilization": describe(u.utilization),
                "peak_factor": describe(u.peak_factor),
                "gpu_price_factor": {g: describe(v) for g, v in u.gpu_price_factor.items()},
                "offer_price_factor": {g: describe(v) for g, v in u.offer_price_factor.items()},
                "api_price_factor": {k: {p: describe(v) for p, v in f.items()} for k, f in u.api_price_factor.items()},
                "hidden": [{**p.to_dict(), "drawn": describe(p.drawn)} for p in u.hidden],
            }
            if inp.monte_carlo
            else None
        )
    out.update(
        {
            "max_ttft_ms": a.max_ttft_ms,
            "max_tpot_ms": a.max_tpot_ms,
            "replica_sizing": "p99_latency"
            if a.p99_ttft_ms is not None or a.p99_tpot_ms is not None
            else "utilization",
            "p99_ttft_ms": a.p99_ttft_ms,
            "p99_tpot_ms": a.p99_tpot_ms,
            "kv_cache_precision": (
                f"8-bit for {'/'.join(e.kv_cache_auto_8bit)} weights ({e.id}'s auto), else 16-bit"
                if e is not None and e.kv_cache_auto_8bit
                else "16-bit, the model dtype (the engine's auto) whatever the weight format"
            ),
            "tensor_parallel_sizes": list(defaults.TP_SIZES),
            "quality_tolerance_elo": defaults.QUALITY_TOLERANCE_ELO,
            "hidden_costs": {
                "mode": inp.settings.get("hidden_costs", defaults.HIDDEN_COSTS),
                "parts": [p.to_dict() for p in inp.hidden],
                "hosts_per_devops_step": inp.settings.get("hosts_per_devops_step"),
            },
            "notes": _notes(inp),
            "settings": {k: describe(v) if hasattr(v, "dist") else v for k, v in s.items()},
        }
    )
    return out


def _notes(inp: Inputs) -> list[str]:
    """What the numbers take for granted that is not a setting, as it applies to this run."""
    w = inp.workload
    retired = [a for a in inp.all_apis.values() if a.lifecycle(inp.on_date) == "retired" and a.id not in inp.apis]
    notes_: list[str] = []
    if retired and not inp.settings.get("apis"):
        notes_.append(
            f"{len(retired)} APIs retired by {inp.on_date} are left out (see `llmcost list apis`; --api ID or "
            "--date shows one)"
        )
    if w.shared_prefix_tokens:
        warm = w.warm_share(CACHE_TTL_S[inp.billing.cache_ttl])
        notes = [
            f"a {w.shared_prefix_tokens:,.0f}-token prefix shared by every request: {warm:.0%} of requests find it "
            f"cached at the API ({inp.billing.cache_ttl} TTL, Poisson arrivals); a cold request writes it"
        ]
    elif w.cached_input_share:
        notes = [
            "API prompt cache: each request reads its cached share and writes the rest (multi-turn chat), "
            f"billed at the provider's {inp.billing.cache_ttl} write price where it charges writes"
        ]
    else:
        notes = []
    notes = notes_ + notes
    if w.prompt_mix:
        notes.append("prompt sizes follow the prompt mix: long-context tiers and cache minimums apply per request")
    if any(inp.reasoning[o].tokens for o in (*inp.apis, *(m.id for m in inp.models))):
        notes.append(
            "reasoning tokens are per-request means across benchmark workloads (Artificial Analysis): short chat "
            "traffic reasons less; API bills them as output, deployments decode them"
        )
    if inp.autoscaling is not None:
        notes.append(
            f"self-hosted replicas follow the '{inp.autoscaling.profile}' hourly profile (at least "
            f"{inp.autoscaling.min_replicas}), billed by the hour; the profile replaces the peak factor"
        )
    else:
        notes.append("self-hosted capacity is fixed (sized for the peak) and rented 24 h a day")
    mode = inp.settings.get("hidden_costs", defaults.HIDDEN_COSTS)
    if not inp.hidden:
        notes.append("hidden costs are off")
    elif mode == "flat":
        notes.append("hidden costs are flat per deployment: the seed article's range midpoints unless overridden")
    else:
        notes.append(
            "hidden costs scale with the fleet: monitoring per host, storage and backup per GB of weights, "
            "egress and load-balancer capacity per query; DevOps "
            + (f"steps up every {inp.hosts_per_devops_step:g} host(s)" if math.isfinite(inp.hosts_per_devops_step)
               else "is one flat line per deployment (no staffing ratio is sourced)")
        )  # fmt: skip
    return notes
