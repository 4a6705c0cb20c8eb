"""`compare`: every selected API option and self-hosted configuration, costed for one workload."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from llmcost.billing import bill, rates
from llmcost.catalog import Catalog
from llmcost.commands.common import alpha, api_bill, assumptions, factors, inputs_for, model_curves
from llmcost.hidden import by_line
from llmcost.inputs import Inputs, Scenario
from llmcost.notes import Note
from llmcost.pairing import costed_elo, quantized_elo
from llmcost.progress import steps
from llmcost.quantization import compute_path
from llmcost.records import ApiModel
from llmcost.results.compare import ApiOption, Comparison, Infeasible, Option, SelfHostedOption
from llmcost.selfhost import CostCurve, Deployment, Unfit, autoscaled, closest_miss, deployment_at, fleet_cost_usd
from llmcost.throughput import tp_link, vendor_note

PER_MODEL_DEFAULT = 2  # self-hosted rows per model in the default (readable) view
TIERS = ((1430, "frontier"), (1380, "high"), (1300, "mid"))


def quality_tier(elo: float | None) -> str | None:
    """Bands over LMArena style-controlled Elo (snapshot 2025-12-11) relative to frontier APIs."""
    if elo is None:
        return None
    return next((name for floor, name in TIERS if elo >= floor), "small")


def _api_option(api: ApiModel, inp: Inputs) -> ApiOption:
    w, r = inp.workload, inp.reasoning[api.id]
    b = api_bill(inp, api)
    per_query = float(b.usd_per_query)
    monthly = alpha(inp, api) * w.queries_per_day  # as Monte Carlo computes it
    std, _ = rates(api, inp.billing)
    notes = list(b.notes)
    if r.tokens:
        notes.insert(0, Note("reasoning", {"reasoning_tokens": r.tokens, "effort": r.effort, "how": r.how}))
    if api.context_window_tokens and w.input_tokens + w.output_tokens + r.tokens > api.context_window_tokens:
        notes.append(Note("context_window", {"context_window_tokens": api.context_window_tokens}))
    if api.as_of == "undated":
        notes.append(Note("undated_price"))
    state = api.lifecycle(inp.on_date)
    if state == "retired":
        notes.append(Note("retired", {"retirement_date": api.retirement_date}))
    elif state == "deprecated":
        notes.append(Note("deprecated", {"deprecation_date": api.deprecation_date,
                                         "retirement_date": api.retirement_date or "date not announced"}))  # fmt: skip
    elo, why = costed_elo(api.quality, r)
    if why is not None:
        notes.append(why)
    return ApiOption(
        id=api.id,
        label=api.name,
        monthly_cost_usd=monthly,
        cost_per_query_usd=per_query,
        cost_per_1k_queries_usd=per_query * 1000,
        monthly_token_cost_usd=monthly,
        quality_elo=elo,
        quality_tier=quality_tier(elo),
        prices_usd_per_mtok={
            "input": std.input,
            "cached_input": std.cached_input,
            "cache_write": std.cache_write,
            "output": std.output,
            "long_context_share": float(b.long_context_share),
            "batch": inp.billing.batch,
            "service_tier": inp.billing.service_tier,
        },
        source=api.source,
        as_of=api.as_of,
        notes=tuple(notes),
        open_model=api.open_model,
        tokens_per_query={
            "input": float(b.input_tokens),
            "cached_input": float(b.cached_tokens),
            "cache_write": float(b.cache_write_tokens),
            "output": float(b.output_tokens),
            "reasoning": float(b.reasoning_tokens),
        },
        reasoning=r.to_dict(),
        list_price_usd_per_query=float(bill(api, w, inp.billing).usd_per_query),
    )


def _self_option(d: Deployment, inp: Inputs) -> SelfHostedOption:
    w, cfg, offer = inp.workload, d.config, d.offer.offer
    per_query = d.monthly_cost_usd / w.queries_per_month
    r = inp.reasoning[cfg.model.id]
    elo = quantized_elo(cfg.model, cfg.quant, inp.quant_recovery_pct, r)
    notes = []
    if r.tokens:
        notes.append(Note("reasoning_decode", {"reasoning_tokens": r.tokens, "effort": r.effort, "how": r.how}))
    why = costed_elo(cfg.model.quality, r)[1]
    if why is not None:
        notes.append(why)
    path = compute_path(cfg.quant, cfg.gpu)
    if not path.native:
        notes.append(
            Note(
                "weight_only",
                {
                    "gpu": cfg.gpu.id,
                    "precision": cfg.quant.compute,
                    "quantization": cfg.quant.id,
                    "bits": cfg.quant.bits_per_weight,
                },
            )
        )
    link = tp_link(cfg.gpu, cfg.gpus_per_replica)  # sizing already refused a size it cannot model
    if link is not None and link.fabric == "pcie":  # say so where the all-reduces leave NVLink behind
        notes.append(link.note(cfg.gpu, cfg.gpus_per_replica))
    if (vendor := vendor_note(cfg.gpu)) is not None:
        notes.append(vendor)
    if not cfg.model.licence.commercial_use:
        notes.append(Note("non_commercial", {"model": cfg.model.id, "licence": cfg.model.licence.name}))
    if d.autoscaled:
        a = d.autoscaled
        notes.append(
            Note(
                "autoscaled",
                {
                    "profile": a.profile,
                    "low": min(a.replicas_by_hour),
                    "high": a.peak_replicas,
                    "autoscaled_usd": a.monthly_gpu_cost_usd,
                    "fixed_usd": a.fixed_peak_monthly_gpu_cost_usd,
                },
            )
        )
    if offer.as_of == "undated":
        notes.append(Note("undated_rental", {"offer": offer.id}))
    m = cfg.memory
    return SelfHostedOption(
        id=cfg.id,
        label=f"{cfg.model.name} {cfg.quant.id} on {cfg.gpus_per_replica}x {cfg.gpu.id}"
        + (f" ({cfg.parallelism})" if cfg.parallelism != "tp" else ""),
        parallelism=cfg.parallelism,
        monthly_cost_usd=d.monthly_cost_usd,
        cost_per_query_usd=per_query,
        cost_per_1k_queries_usd=per_query * 1000,
        model=cfg.model.id,
        quantization=cfg.quant.id,
        gpu=cfg.gpu.id,
        gpus_per_replica=cfg.gpus_per_replica,
        replicas=d.replicas,
        gpu_count=d.gpu_count,
        monthly_gpu_cost_usd=d.monthly_gpu_cost_usd,
        monthly_hidden_cost_usd=d.monthly_hidden_cost_usd,
        hidden_costs_usd=hidden_lines(d, inp),
        utilization=d.utilization,
        peak_requests_per_s=d.peak_requests_per_s,
        commercial_use=cfg.model.licence.commercial_use,
        licence=cfg.model.licence.name,
        quality_elo=elo,
        quality_tier=quality_tier(elo),
        offer={
            "id": offer.id,
            "provider": offer.provider,
            "instances": d.offer.instances,
            "gpus_per_instance": offer.gpus_per_instance,
            "usd_per_instance_hour": offer.usd_per_instance_hour * float(inp.selfhost.gpu_price_factor),
            "usd_per_gpu_hour": offer.usd_per_gpu_hour * float(inp.selfhost.gpu_price_factor),
            "pricing": offer.pricing,
            "as_of": offer.as_of,
            "source": offer.source,
        },
        memory={
            "weights_gb": m.weights_gb,
            "kv_bytes_per_token": m.kv_bytes_per_token,
            "kv_gb_per_sequence": m.kv_gb_per_sequence,
            "usable_gb_per_gpu": m.usable_gb_per_gpu,
            "max_concurrent_sequences": m.max_concurrent_sequences,
            "reason": m.reason,
        },
        capacity=cfg.capacity.to_dict(),
        autoscaling=(
            {
                **d.autoscaled.__dict__,
                "replicas_by_hour": list(d.autoscaled.replicas_by_hour),
                "saving_vs_fixed_usd": d.autoscaled.saving_vs_fixed_usd,
            }
            if d.autoscaled
            else None
        ),
        notes=tuple(notes),
    )


def hidden_lines(d: Deployment, inp: Inputs) -> dict[str, float]:
    """The deployment's hidden costs by line (they add up to its monthly_hidden_cost_usd)."""
    _, hosts, gpus = d.curve.fleet(float(d.replicas))
    return by_line(
        inp.hidden,
        hosts=float(hosts),
        gpus=float(gpus),
        weights_gb=d.config.memory.weights_gb,
        qpd=inp.workload.queries_per_day,
        hosts_per_step=inp.hosts_per_devops_step,
    )


def _infeasible(model_id: str, miss: Unfit) -> Infeasible:
    return Infeasible(
        id=f"{model_id}:{miss.quant}@{miss.gpu}",
        label=f"{model_id} {miss.quant} on {miss.gpu}",
        reason=miss.reason,
        model=model_id,
        quantization=miss.quant,
        gpu=miss.gpu,
        short_gb=miss.short_gb,
    )


def _deployment(curve: CostCurve, inp: Inputs) -> Deployment:
    f, w = factors(inp), inp.workload
    auto = autoscaled(curve, w.queries_per_day, inp.autoscaling, f) if inp.autoscaling else None
    return deployment_at(curve, w, f, auto)


def _distinct_gpus(ranked: list[Deployment]) -> list[Deployment]:
    """Cheapest deployment per GPU type, so the default view shows alternatives, not near-duplicates."""
    seen: set[str] = set()
    out = []
    for d in ranked:
        if d.config.gpu.id not in seen:
            seen.add(d.config.gpu.id)
            out.append(d)
    return out


def _cheapest_per_pair(deployments: list[Deployment]) -> list[Deployment]:
    """The cheapest tensor-parallel size for each (quantization, GPU), cheapest first."""
    best: dict[tuple[str, str], Deployment] = {}
    for d in deployments:
        key = (d.config.quant.id, d.config.gpu.id)
        if key not in best or d.monthly_cost_usd < best[key].monthly_cost_usd:
            best[key] = d
    return sorted(best.values(), key=lambda d: d.monthly_cost_usd)


def compare(
    qpd: Any = None,
    *,
    scenario: Scenario | Mapping[str, Any] | None = None,
    catalog: Catalog | None = None,
    **options: Any,
) -> Comparison:
    """Monthly cost of every selected API and self-hosted configuration at `qpd` queries/day.

    Options are scenario settings (see `llmcost schema`): input_tokens, output_tokens, apis, models,
    gpus, quants, pricing, utilization, peak_factor, engine, max_ttft_ms, max_tpot_ms, hidden_costs,
    autoscale, profile, monte_carlo, gpu_price_factor, throughput_factor, show_all, ... A setting
    compare does not use is refused. Configurations are ranked by cost at this volume.
    """
    inp = inputs_for("compare", scenario, catalog, {"qpd": qpd, **options})
    api_options = [_api_option(api, inp) for api in inp.apis.values()]
    self_options: list[SelfHostedOption] = []
    infeasible: list[Infeasible] = []
    curve_of: dict[str, CostCurve] = {}
    runs_on: set[str] = set()
    for model in steps(inp.models, "compare"):
        found, fails = model_curves(inp, model)
        ranked = _cheapest_per_pair([_deployment(c, inp) for c in found])
        keep = ranked if inp.show_all else _distinct_gpus(ranked)[:PER_MODEL_DEFAULT]
        self_options.extend(_self_option(d, inp) for d in keep)
        curve_of.update({d.config.id: d.curve for d in keep})
        runs_on.update(c.config.gpu.id for c in found)
        if inp.show_all:
            infeasible.extend(_infeasible(model.id, miss) for miss in fails)
        elif not found and inp.named_models and (miss := closest_miss(fails)):
            infeasible.append(_infeasible(model.id, miss))  # a model the user named never vanishes
    if inp.named_gpus and not inp.show_all:
        for gpu in inp.gpus:
            if gpu.id not in runs_on and not any(o.gpu == gpu.id for o in infeasible):
                reason = f"no selected model runs on {gpu.id}" + (
                    f": {inp.no_offer[gpu.id]}" if gpu.id in inp.no_offer else ""
                )
                infeasible.append(Infeasible(f"@{gpu.id}", f"any model on {gpu.id}", reason, "-", None, gpu.id))
    api_options = _price_reversals(api_options)
    api_options = _attach_comparable_api(api_options)
    self_options = _attach_comparable_api(self_options, api_options)
    if inp.monte_carlo:
        api_options, self_options = _monte_carlo(inp, api_options, self_options, curve_of)
    api_options.sort(key=lambda o: o.monthly_cost_usd)
    self_options.sort(key=lambda o: o.monthly_cost_usd)
    options_: list[Option] = [*api_options, *self_options, *infeasible]
    return Comparison(workload=inp.workload.to_dict(), assumptions=assumptions(inp), options=tuple(options_),
                      platforms=_platforms(inp, catalog))  # fmt: skip


def _platforms(inp: Inputs, catalog: Catalog | None) -> tuple[Any, ...]:
    """Serverless platforms and dedicated endpoints for each model, with --platforms (default none:
    their bills need the daily profile, and compare ranks dozens of configurations without one)."""
    ids = inp.settings.get("platforms")
    if not ids or ids == ["none"]:
        return ()
    from llmcost.catalog import load_catalog, require_catalog
    from llmcost.commands.platforms import platform_rows

    cat = require_catalog(catalog) or load_catalog(inp.settings.get("data_dirs") or ())
    rows = [replace(r, id=f"{m.id}@{r.id}") for m in inp.models for r in platform_rows(inp, cat, m)]
    return tuple(sorted(rows, key=lambda o: (not o.meets_latency, o.monthly_cost_usd)))


def _price_reversals(options: list[ApiOption]) -> list[ApiOption]:
    """Flag each API whose list price (its bill without reasoning tokens) is below another's while
    its bill with them is above: the strongest such reversal, as a note."""
    out = []
    for o in options:
        worst = max(
            (p for p in options if o.list_price_usd_per_query < p.list_price_usd_per_query
             and o.cost_per_query_usd > p.cost_per_query_usd),
            key=lambda p: o.cost_per_query_usd / p.cost_per_query_usd,
            default=None,
        )  # fmt: skip
        if worst is not None:
            ratio = o.cost_per_query_usd / worst.cost_per_query_usd
            note = Note("price_reversal", {"other": worst.id, "ratio": ratio})
            o = replace(o, notes=(*o.notes, note))
        out.append(o)
    return out


def _attach_comparable_api(options: list[Any], apis: list[ApiOption] | None = None) -> list[Any]:
    """For each option: the cheapest API whose quality is within the tolerance or better."""
    from llmcost.defaults import QUALITY_TOLERANCE_ELO

    rated = [o for o in (apis if apis is not None else options) if o.quality_elo is not None]
    out = []
    for opt in options:
        match = None
        if opt.quality_elo is not None:
            peers = [a for a in rated if a.quality_elo >= opt.quality_elo - QUALITY_TOLERANCE_ELO]
            match = min(peers, key=lambda a: a.monthly_cost_usd, default=None)
        out.append(
            replace(
                opt,
                comparable_api=match.id if match else None,
                vs_comparable_api_usd=opt.monthly_cost_usd - match.monthly_cost_usd if match else None,
            )
        )
    return out


def _monte_carlo(
    inp: Inputs, api_options: list[ApiOption], self_options: list[SelfHostedOption], curve_of: dict[str, CostCurve]
) -> tuple[list[ApiOption], list[SelfHostedOption]]:
    """P10/P50/P90 for every option and, for self-hosted ones, P(cheaper than each API)."""
    import numpy as np

    from llmcost.montecarlo import api_usd_per_qpd, draw_inputs, quantiles
    from llmcost.montecarlo import factors as draw_factors

    d = draw_inputs(inp, inp.monte_carlo or 0, inp.seed, [c.config.gpu.id for c in curve_of.values()], list(inp.apis))
    api_costs = {o.id: api_usd_per_qpd(inp, o.id, d) * d.qpd for o in api_options}
    apis = [replace(o, band=quantiles(api_costs[o.id])) for o in api_options]
    own = []
    for o in self_options:
        curve = curve_of[o.id]
        costs = np.asarray(fleet_cost_usd(curve, d.qpd, draw_factors(curve, d, inp), inp.autoscaling))
        p = {a: float(np.mean(costs < c)) for a, c in api_costs.items()}
        own.append(replace(o, band=quantiles(costs), p_self_hosted_cheaper=p))
    return apis, own


__all__ = ["compare", "quality_tier"]
