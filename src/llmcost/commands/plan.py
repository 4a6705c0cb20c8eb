"""`plan`: the cheapest fleet for one model (GPU types x counts x TP x quantization x engine x
pricing), mixing GPU types by request size where that saves, and the cost-latency frontier."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from llmcost import defaults
from llmcost.catalog import Catalog, load_catalog, require_catalog
from llmcost.commands.common import inputs_for
from llmcost.errors import UsageError
from llmcost.fleet import (
    Assignment,
    FleetOption,
    ReplicaProfile,
    RequestBucket,
    engine_runs_on,
    fleet_options,
    profile_replica,
    slo_exempt,
    solve_assignment,
    tp_sizes,
    undominated,
    workload_buckets,
)
from llmcost.inputs import Inputs, Scenario
from llmcost.records import PRICING_MODELS, Engine, GpuOffer
from llmcost.results.plan import FleetLine, PlanResult
from llmcost.selfhost import engine_efficiency, moe_kernel_for, prefix_cache
from llmcost.throughput import vendor_note


def plan(
    qpd: Any = None,
    *,
    scenario: Scenario | Mapping[str, Any] | None = None,
    catalog: Catalog | None = None,
    **options: Any,
) -> PlanResult:
    """The cheapest fleet serving `qpd` queries/day of one model within the latency targets
    (max_tpot_ms, max_ttft_ms), searched over GPU type, count, tensor-parallel size, quantization,
    engine and pricing model, with requests assigned to GPU types by size (an exact integer
    programme); the best single GPU type beside it, and the cost-vs-TPOT Pareto frontier.

    Options are scenario settings (models=[one id], gpus, quants, engine, pricing, prompt_mix,
    usage_log, utilization, peak_factor, ...). Costs are GPU rental only (hidden costs: compare)."""
    inp = inputs_for("plan", scenario, catalog, {"qpd": qpd, **options})
    if len(inp.models) != 1 or not inp.settings.get("models"):
        raise UsageError("plan needs one --model, e.g. --model llama-3.1-8b", param="models")
    cat = require_catalog(catalog) or load_catalog(inp.settings.get("data_dirs") or ())
    fields = scenario.fields_set if isinstance(scenario, Scenario) else set(scenario or {}) | set(options)
    pricings = [inp.selfhost.pricing] if "pricing" in fields else list(PRICING_MODELS)
    engines = [inp.selfhost.engine] if "engine" in fields else list(cat.engines.values())
    offers = {g.id: [o for p in pricings for o in cat.offers_for(g.id, p)] for g in inp.gpus}
    return plan_fleet(inp, engines, offers, pricings)


def plan_fleet(
    inp: Inputs,
    engines: Sequence[Engine | None],
    offers: Mapping[str, Sequence[GpuOffer]],
    pricings: Sequence[str],
    buckets: Sequence[RequestBucket] | None = None,
) -> PlanResult:
    """The search behind `plan`, over resolved inputs: `buckets` replaces the workload's own."""
    model, a, w = inp.models[0], inp.selfhost, inp.workload
    reasoning = inp.reasoning[model.id].tokens
    buckets = tuple(buckets) if buckets is not None else workload_buckets(w, reasoning)
    target = a.max_tpot_ms
    # index 0: the user's target (the plan); then the frontier's ladder; last: no TPOT cap (what an
    # exempt bucket gets), the same as index 0 when no target is given
    targets: tuple[float | None, ...] = (target, *sorted({*defaults.FRONTIER_TPOT_MS} - {target}), None)
    exempt = slo_exempt(buckets, defaults.SLO_SHARE)
    shares = np.array([b.share for b in buckets])
    load = w.average_requests_per_s * a.peak_factor * shares / shares.sum()  # requests/s per bucket at the peak
    hours = defaults.HOURS_PER_DAY * w.days_per_month

    profiles, configs = replica_profiles(inp, engines, offers, buckets, targets)
    options = fleet_options(profiles, offers, hours, a.gpu_price_factor)
    searched = {"configurations": configs, "replica_profiles": len(profiles), "options": len(options)}
    notes = _notes(inp, buckets, exempt, pricings)
    if not options:
        why = f"{model.id} runs on none of the selected GPUs that have {'/'.join(pricings)} offers"
        return _infeasible(inp, buckets, load, exempt, why, None, searched, notes)

    usd = np.array([o.usd_per_instance_month for o in options])
    caps = np.stack([o.requests_per_s(a.throughput_factor) for o in options])  # (options, targets, buckets)
    # an exempt bucket is held to no target: the capacity at the last target (none) applies to it
    caps = np.where(exempt[None, None, :] > 0, caps[:, -1:, :], caps)
    by_gpu: dict[str, list[int]] = {}
    for i, o in enumerate(options):
        by_gpu.setdefault(o.profile.gpu.id, []).append(i)
    kept_by_gpu = {
        g: [idx[k] for k in undominated(usd[idx], caps[idx].reshape(len(idx), -1))] for g, idx in by_gpu.items()
    }
    kept = sorted(i for idx in kept_by_gpu.values() for i in idx)
    searched["options_after_pruning"] = len(kept)

    def solve(idx: list[int], t: int) -> Assignment:
        """The exact optimum over options `idx` at target t, aligned with `idx`. Options dominated at
        this target alone are dropped first (exact: see fleet.undominated), which shrinks the programme."""
        sub = undominated(usd[idx], caps[idx, t, :])
        s = solve_assignment(usd[[idx[k] for k in sub]], caps[[idx[k] for k in sub], t, :], load, a.utilization_target)
        n, shares = np.zeros(len(idx)), np.zeros((len(idx), len(buckets)))
        n[sub], shares[sub] = s.instances, s.shares
        return Assignment(s.feasible, s.monthly_cost_usd, n, shares, s.reason)

    mixed = solve(kept, 0)
    singles: list[dict[str, Any]] = []
    alone: dict[str, Assignment] = {}
    for g, idx in kept_by_gpu.items():
        s = alone[g] = solve(idx, 0)
        mine = [options[i] for i in idx]
        singles.append({"gpu": g, "monthly_cost_usd": s.monthly_cost_usd if s.feasible else None,
                        "fleet": _fleet_words(s, mine) if s.feasible else None,
                        "reason": None if s.feasible else _why_not(s, buckets, mine, 0)})  # fmt: skip
    singles.sort(key=lambda d: (d["monthly_cost_usd"] is None, d["monthly_cost_usd"] or 0.0, d["gpu"]))
    frontier = _frontier(options, kept, targets, caps, solve, exempt)
    best = _at_most_single(mixed, alone, kept_by_gpu, kept)
    if not best.feasible:
        why = _why_not(best, buckets, [options[i] for i in kept], 0)
        closest = _closest(profiles, buckets, exempt, a.max_tpot_ms, a.max_ttft_ms)
        return _infeasible(inp, buckets, load, exempt, why, closest, searched, notes, singles, frontier)
    rows = _lines(best, [options[i] for i in kept], buckets, load, a.utilization_target, caps[kept, 0, :], exempt)
    used = {r.gpu for r in rows}  # the fleet's own GPUs: their caveats
    notes += tuple(n.message for g in inp.gpus if g.id in used and (n := vendor_note(g)) is not None)
    single = next((s for s in singles if s["monthly_cost_usd"] is not None), None)
    saving = single["monthly_cost_usd"] - best.monthly_cost_usd if single else None
    return PlanResult(
        model=model.id,
        workload=w.to_dict(),
        assumptions=_assumptions(inp, pricings, engines),
        feasible=True,
        monthly_cost_usd=best.monthly_cost_usd,
        rows=rows,
        buckets=_bucket_rows(buckets, load, exempt),
        best_single_type=single,
        saving_from_mixing_usd=saving,
        saving_from_mixing_share=saving / single["monthly_cost_usd"] if single and saving is not None else None,
        single_types=tuple(singles),
        frontier=frontier,
        searched=searched,
        notes=notes,
    )


def replica_profiles(
    inp: Inputs,
    engines: Sequence[Engine | None],
    offers: Mapping[str, Sequence[GpuOffer]],
    buckets: Sequence[RequestBucket],
    targets: Sequence[float | None],
) -> tuple[list[ReplicaProfile], int]:
    """Every (GPU, quantization, engine, TP size) with an offer able to hold it, profiled over the
    buckets and TPOT targets; and how many (configuration, bucket) capacities were evaluated."""
    model, a, w = inp.models[0], inp.selfhost, inp.workload
    profiles: list[ReplicaProfile] = []
    configs = 0
    cached = [prefix_cache(w, a, b.input_tokens) for b in buckets]
    cache: dict[tuple[object, ...], object] = {}
    for gpu in inp.gpus:
        most = max((o.gpus_per_instance for o in offers.get(gpu.id, ())), default=0)
        for quant in inp.quants:
            for engine in engines:
                if not most or not engine_runs_on(engine, gpu):
                    continue
                eff = engine_efficiency(a, engine)
                for tp in tp_sizes(model, quant, gpu, engine, most, defaults.TP_SIZES):
                    p = profile_replica(
                        model, quant, gpu, tp, engine, buckets, eff, targets, a.max_ttft_ms,
                        [c for c, _ in cached], cached[0][1], cache, moe_kernel_for(a, engine, gpu, quant),
                    )  # fmt: skip
                    configs += len(buckets)
                    if np.any(p.requests_per_s[-1] > 0):
                        profiles.append(p)
    return profiles, configs


def _at_most_single(mixed: Assignment, alone: Mapping[str, Assignment], kept_by_gpu: Mapping[str, list[int]],
                    kept: list[int]) -> Assignment:  # fmt: skip
    """The mixed fleet, or the best single-type fleet when mixing saves nothing (a tie within the
    solver's tolerance): never dearer than any single type, and one GPU type when that is as cheap."""
    feasible = {g: s for g, s in alone.items() if s.feasible}
    if not feasible:
        return mixed
    g = min(feasible, key=lambda k: feasible[k].monthly_cost_usd)
    s = feasible[g]
    if mixed.feasible and mixed.monthly_cost_usd < s.monthly_cost_usd - 1e-6:
        return mixed
    pos = {i: k for k, i in enumerate(kept)}
    n = np.zeros(len(kept))
    shares = np.zeros((len(kept), s.shares.shape[1]))
    for k, i in enumerate(kept_by_gpu[g]):
        n[pos[i]], shares[pos[i]] = s.instances[k], s.shares[k]
    return Assignment(True, s.monthly_cost_usd, n, shares)


def _frontier(options: list[FleetOption], kept: list[int], targets: tuple[float | None, ...], caps: Any,
              solve: Any, exempt: Any) -> tuple[dict[str, Any], ...]:  # fmt: skip
    """The cheapest fleet at each TPOT target, reduced to the Pareto points: each point is faster
    (its slowest held-to-target bucket) than every cheaper one."""
    points = []
    for t, limit in enumerate(targets):
        if limit in targets[:t]:
            continue  # no target given: the plan's and the last are both "none"
        s = solve(kept, t)
        if not s.feasible:
            continue
        used = [(i, b) for k, i in enumerate(kept) for b in range(caps.shape[2])
                if s.shares[k, b] > 1e-9 and not exempt[b]]  # fmt: skip
        slowest = max((float(options[i].profile.tpot_ms[t if not exempt[b] else -1, b]) for i, b in used), default=0.0)
        points.append({"max_tpot_ms_target": limit, "achieved_tpot_ms": slowest, "monthly_cost_usd": s.monthly_cost_usd,
                       "fleet": _fleet_words(s, [options[i] for i in kept])})  # fmt: skip
    points.sort(key=lambda p: (p["achieved_tpot_ms"], p["monthly_cost_usd"]))
    out: list[dict[str, Any]] = []
    for p in points:
        if not out or p["monthly_cost_usd"] < out[-1]["monthly_cost_usd"] - 1e-6:
            out.append(p)
    return tuple(out)


def _fleet_words(s: Assignment, options: Sequence[FleetOption]) -> str:
    """'2 x 1xa10g TP1 int4 vllm spot + ...': instances x (GPUs per instance, GPU), replica TP size,
    quantization, engine and pricing of each group of a fleet."""
    parts = []
    for k in map(int, np.flatnonzero(s.instances > 0.5)):
        o = options[k]
        p = o.profile
        parts.append(f"{int(s.instances[k])} x {o.offer.gpus_per_instance}x{p.gpu.id} TP{p.gpus_per_replica} "
                     f"{p.quant} {p.engine} {o.offer.pricing}")  # fmt: skip
    return " + ".join(parts)


def _lines(s: Assignment, options: Sequence[FleetOption], buckets: Sequence[RequestBucket], load: Any,
           utilization: float, caps: Any, exempt: Any) -> tuple[FleetLine, ...]:  # fmt: skip
    rows = []
    for k in map(int, np.flatnonzero(s.instances > 0.5)):
        o, n = options[k], int(s.instances[k])
        p = o.profile
        served = [b for b in range(len(buckets)) if s.shares[k, b] > 1e-9]
        busy = sum(s.shares[k, b] * load[b] / caps[k, b] for b in served) / n if n else 0.0
        held = [b for b in served if not exempt[b]]
        words = ", ".join(f"{_tokens(buckets[b])} {_share(s.shares[k, b])}" for b in served)
        if len(served) > 3:  # a usage log's many sizes: the range, and the share of the requests in it
            ins = [buckets[b].input_tokens for b in served]
            part = sum(s.shares[k, b] * buckets[b].share for b in served) / sum(buckets[b].share for b in served)
            words = f"{len(served)} sizes, {min(ins):,.0f}-{max(ins):,.0f} in: {_share(part)}"
        rows.append(
            FleetLine(
                id=o.id, gpu=p.gpu.id, gpus_per_replica=p.gpus_per_replica, quant=p.quant, engine=p.engine,
                pricing=o.offer.pricing, offer=f"{o.offer.provider}/{o.offer.instance}", instances=n,
                replicas=n * o.replicas_per_instance, gpus=n * o.offer.gpus_per_instance,
                monthly_cost_usd=n * o.usd_per_instance_month, utilization=float(busy),
                serves=words, bucket_shares=tuple(float(x) for x in s.shares[k]),
                max_tpot_ms=max((float(p.tpot_ms[0, b]) for b in held), default=None),
                max_ttft_ms=max((float(p.ttft_ms[0, b]) for b in held), default=None),
            )
        )  # fmt: skip
    del utilization
    rows.sort(key=lambda r: -r.monthly_cost_usd)
    return tuple(rows)


def _share(x: float) -> str:
    """A share of a bucket's requests: whole percent, or '<1%' for a sliver (never a misleading 0%)."""
    return f"{x:.0%}" if x >= 0.005 else "<1%"


def _tokens(b: RequestBucket) -> str:
    return f"{b.input_tokens:,.0f}/{b.output_tokens:,.0f}"


def _why_not(s: Assignment, buckets: Sequence[RequestBucket], options: Sequence[FleetOption], t: int) -> str:
    if s.reason.startswith("no option serves"):
        missing = [b for b in range(len(buckets)) if not any(o.profile.requests_per_s[t, b] > 0 for o in options)]
        sizes = ", ".join(f"{_tokens(buckets[b])} tokens in/out" for b in missing)
        return f"no option serves requests of {sizes} within the latency targets"
    return s.reason


def _closest(profiles: Sequence[ReplicaProfile], buckets: Sequence[RequestBucket], exempt: Any,
             max_tpot_ms: float | None, max_ttft_ms: float | None) -> dict[str, Any] | None:  # fmt: skip
    """The configuration nearest to meeting the targets on the hardest bucket it misses: the
    smallest excess of its batch-1 TPOT (or TTFT) over the target, as a ratio."""
    best: dict[str, Any] | None = None
    for p in profiles:
        for b in range(len(buckets)):
            if exempt[b] or p.requests_per_s[0, b] > 0 or math.isnan(p.batch1_tpot_ms[b]):
                continue
            over = []
            if max_tpot_ms is not None:
                over.append(("tpot", float(p.batch1_tpot_ms[b]), max_tpot_ms))
            if max_ttft_ms is not None:
                over.append(("ttft", float(p.batch1_ttft_ms[b]), max_ttft_ms))
            what, got, limit = max(over, key=lambda x: x[1] / x[2])
            if best is None or got / limit < best["ratio"]:
                best = {"id": p.id, "bucket": _tokens(buckets[b]), "metric": what, "best_ms": got,
                        "target_ms": limit, "over_ms": got - limit, "ratio": got / limit}  # fmt: skip
    return best


def _infeasible(inp: Inputs, buckets: Sequence[RequestBucket], load: Any, exempt: Any, why: str,
                closest: dict[str, Any] | None, searched: dict[str, int], notes: tuple[str, ...],
                singles: Sequence[dict[str, Any]] = (),
                frontier: tuple[dict[str, Any], ...] = ()) -> PlanResult:  # fmt: skip
    reason = why
    if closest:
        metric = closest["metric"].upper()
        reason += (f"; closest: {closest['id']} at {closest['best_ms']:.1f} ms {metric} (batch 1) for "
                   f"{closest['bucket']}-token requests, {closest['over_ms']:.1f} ms over the "
                   f"{closest['target_ms']:g} ms target")  # fmt: skip
    return PlanResult(
        model=inp.models[0].id, workload=inp.workload.to_dict(), assumptions=_assumptions(inp, (), ()),
        feasible=False, monthly_cost_usd=None, rows=(), buckets=_bucket_rows(buckets, load, exempt),
        best_single_type=None, saving_from_mixing_usd=None, saving_from_mixing_share=None,
        single_types=tuple(singles), frontier=frontier, searched=searched, reason=reason, closest=closest,
        notes=notes,
    )  # fmt: skip


def _bucket_rows(buckets: Sequence[RequestBucket], load: Any, exempt: Any) -> tuple[dict[str, Any], ...]:
    return tuple(
        {
            "share": b.share,
            "input_tokens": b.input_tokens,
            "output_tokens": b.output_tokens,
            "peak_requests_per_s": float(load[i]),
            "latency_target_applies": not exempt[i],
        }
        for i, b in enumerate(buckets)
    )


def _assumptions(inp: Inputs, pricings: Sequence[str], engines: Sequence[Engine | None]) -> dict[str, Any]:
    a = inp.selfhost
    return {
        "max_tpot_ms": a.max_tpot_ms,
        "max_ttft_ms": a.max_ttft_ms,
        "slo_share": defaults.SLO_SHARE,
        "utilization_target": a.utilization_target,
        "peak_factor": a.peak_factor,
        "throughput_factor": a.throughput_factor,
        "gpu_price_factor": a.gpu_price_factor,
        "pricing_models": list(pricings),
        "engines": [e.id if e else "vllm" for e in engines],
        "quantizations": [q.id for q in inp.quants],
        "tensor_parallel_sizes": list(defaults.TP_SIZES),
        "prefix_caching": a.prefix_caching,
        "parallelism": a.parallelism,
        "efficiency": a.efficiency.to_dict(),
        # each engine's fixed per-layer decode cost (engines.yaml engine_overhead), replacing the above's
        "layer_overhead_us": {
            e.id if e else "vllm": engine_efficiency(a, e, scaled=False).layer_overhead_us for e in engines
        },
        "settings": dict(inp.settings),
    }


def _notes(inp: Inputs, buckets: Sequence[RequestBucket], exempt: Any, pricings: Sequence[str]) -> tuple[str, ...]:
    out = ["costs are GPU rental only, fixed capacity for the peak, 24 h a day (hidden costs: see compare)"]
    if inp.settings.get("usage_log") or inp.settings.get("profile") != defaults.PROFILE:  # a log or a scenario set it
        out.append(
            f"the hourly profile is not followed (plan does not autoscale): capacity is sized for the peak factor "
            f"{inp.selfhost.peak_factor:.2f}"
        )
    if inp.selfhost.max_tpot_ms is not None or inp.selfhost.max_ttft_ms is not None:
        share = 1.0 - float(np.sum([b.share for b, e in zip(buckets, exempt, strict=True) if e]))
        out.append(
            f"latency targets hold for {share:.1%} of requests (each size bucket at its own size; the largest "
            f"requests, up to {1 - defaults.SLO_SHARE:.1%}, are exempt); TPOT/TTFT are steady-state model values"
        )
    if len(buckets) == 1:
        out.append("one request size (no --prompt-mix or usage log): mixing GPU types can only help granularity")
    if "spot" in pricings:
        out.append("spot prices carry no preemption allowance or on-demand fallback here")
    if any(p.startswith("reserved") for p in pricings):
        out.append("reserved prices need a 1- or 3-year commitment")
    return tuple(out)
