"""Self-hosted deployment: memory plan -> replica capacity -> replicas -> rented GPUs -> monthly cost.

Every cost function takes `Factors`: the per-draw values a cost depends on beyond the configuration
(achieved throughput, utilization target, peak factor, GPU price, hidden costs). A point answer
passes floats; Monte Carlo passes arrays of draws; the formulas are the same.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from llmcost import defaults
from llmcost.defaults import PARALLELISMS, Efficiency
from llmcost.errors import InfeasibleError, UsageError
from llmcost.inputs import Autoscaling, SelfHostAssumptions
from llmcost.memory import MemoryPlan, parallelisms_for, plan_memory, usable_bytes, weight_bytes
from llmcost.numeric import as_float, ceil, maximum, where
from llmcost.quantization import Quantization, checkpoint_quantization
from llmcost.records import Engine, EngineMemory, EngineOverhead, Gpu, GpuOffer, MoeKernel, OpenModel
from llmcost.throughput import (
    Capacity,
    LoadCurve,
    ServingShape,
    at_rate,
    load_curve,
    max_rate_meeting,
    prompt_spread,
    saturated_capacity,
    serving_shape,
)

if TYPE_CHECKING:
    from llmcost.demand import Workload
    from llmcost.numeric import FloatArray, Number

VLLM_MAX_BATCH = 256  # vLLM's max_num_seqs default, for sizing without an engine record


def max_batch(engine: Engine | None, gpu: Gpu) -> int:
    return engine.max_batch_for(gpu) if engine is not None else VLLM_MAX_BATCH


def memory_fraction(engine: Engine | None, profile: EngineMemory | None = None) -> float:
    """The share of each GPU's memory the engine budgets for weights, activations and KV cache: its
    memory profile's default, else the engine row's, else the fallback."""
    if profile is not None:
        return profile.gpu_memory_utilization
    return (engine.gpu_memory_utilization if engine else None) or defaults.GPU_MEMORY_UTILIZATION


def replica_capacity(
    model: OpenModel,
    quant: Quantization,
    gpu: Gpu,
    gpus: int,
    input_tokens: float,
    output_tokens: float,
    assumptions: SelfHostAssumptions,
    kv_bytes: float | None = None,
    cached_tokens: float = 0.0,
    shared_prefix_tokens: float = 0.0,
    prompt_spread: float = 1.0,
    parallelism: str = "tp",
) -> tuple[MemoryPlan, Capacity]:
    """Memory plan and saturated capacity of one replica on `gpus` GPUs (InfeasibleError if it
    cannot run: context too long, weights or one sequence do not fit, latency target unreachable).
    `output_tokens` counts every decode step (reasoning included); `cached_tokens` of each prompt
    come from the prefix cache, of which `shared_prefix_tokens` are one prefix all requests share.
    With P99 targets in `assumptions`, the capacity is the highest request rate that meets them
    (`prompt_spread`: E[P^2] / E[P]^2 of the prompt lengths, throughput.prompt_spread)."""
    r = replica(model, quant, gpu, gpus, input_tokens, output_tokens, assumptions, kv_bytes, cached_tokens,
                shared_prefix_tokens, prompt_spread, parallelism)  # fmt: skip
    return r.memory, r.capacity


@dataclass(frozen=True, eq=False)
class Replica:
    """One replica's memory plan, serving shape, efficiency and capacity: what load questions need."""

    memory: MemoryPlan
    shape: ServingShape
    efficiency: Efficiency
    max_batch: int  # running sequences: memory and the engine's cap
    capacity: Capacity
    chunk_tokens: int  # tokens per engine step (max_num_batched_tokens): the prefill chunk
    prompt_spread: float = 1.0  # E[P^2] / E[P]^2 of the prompt lengths

    def load_curve(self) -> LoadCurve:
        return load_curve(self.shape, self.max_batch, self.efficiency, self.chunk_tokens, self.prompt_spread)


def engine_efficiency(a: SelfHostAssumptions, engine: Engine | None, scaled: bool = True) -> Efficiency:
    """The efficiency factors one engine runs at: the assumptions' factors with the fixed per-layer
    decode cost of the engine's release (data/engines.yaml engine_overhead; None is vLLM) where the
    data has one, then (`scaled`) every rate times the engine's relative throughput."""
    eff = at_release(a.efficiency, a.engine_overheads.get(engine.id if engine is not None else "vllm"))
    return eff.scaled(engine.relative_throughput) if scaled and engine is not None else eff


def moe_kernel_for(a: SelfHostAssumptions, engine: Engine | None, gpu: Gpu, quant: Quantization) -> MoeKernel | None:
    """The engine's measured routed-expert kernel for this GPU and weight format (None is vLLM), if any."""
    return a.moe_kernels.get((engine.id if engine is not None else "vllm", gpu.id, quant.id))


def at_release(eff: Efficiency, prof: EngineOverhead | None) -> Efficiency:
    """`eff` with an engine release's own fixed costs (per layer, per MoE layer, to the first token)."""
    if prof is None:
        return eff
    return replace(
        eff,
        layer_overhead_us=prof.layer_overhead_us,
        moe_layer_overhead_us=prof.moe_layer_overhead_us,
        first_token_overhead_ms=prof.first_token_overhead_ms,
    )


def batched_tokens(a: SelfHostAssumptions, gpu: Gpu) -> int:
    """Tokens per engine step: the setting, else the engine's default for this GPU (vLLM: 8192 on
    >= 70 GiB GPUs except A100, 2048 below), else PREFILL_CHUNK_TOKENS for engines without accounting."""
    if a.max_num_batched_tokens is not None:
        return a.max_num_batched_tokens
    return a.engine_memory.batched_tokens_for(gpu) if a.engine_memory else defaults.PREFILL_CHUNK_TOKENS


def replica(
    model: OpenModel,
    quant: Quantization,
    gpu: Gpu,
    gpus: int,
    input_tokens: float,
    output_tokens: float,
    assumptions: SelfHostAssumptions,
    kv_bytes: float | None = None,
    cached_tokens: float = 0.0,
    shared_prefix_tokens: float = 0.0,
    prompt_spread: float = 1.0,
    parallelism: str = "tp",
) -> Replica:
    """See replica_capacity: the same, with what it was computed from. `parallelism` is how a MoE
    replica splits over its GPUs (memory.PARALLELISMS; UsageError for ep / dp-attention on a dense
    model); with dp-attention each GPU is its own engine rank, so the batch cap is N x the engine's."""
    a, engine = assumptions, assumptions.engine
    check_parallelism(model, parallelism)
    if parallelism not in parallelisms_for(model, gpus):
        parallelism = "tp"  # on one GPU every layout is tp
    context = math.ceil(input_tokens + output_tokens)
    if context > model.max_context_tokens:
        raise InfeasibleError(
            f"{model.id}: {context:,} tokens per request exceed its {model.max_context_tokens:,}-token context"
        )
    quant = checkpoint_quantization(model, quant)  # the shipped checkpoint's recipe, where one is recorded
    if kv_bytes is None and engine is not None:  # the engine's `auto` KV dtype for this weight format
        kv_bytes = engine.kv_bytes_auto(quant.id)
    mem = plan_memory(
        model, quant, gpu, context, gpus=gpus, kv_bytes=kv_bytes,
        gpu_memory_utilization=memory_fraction(engine, a.engine_memory),
        shared_prefix_tokens=math.floor(shared_prefix_tokens), engine_memory=a.engine_memory,
        max_num_seqs=max_batch(engine, gpu), max_num_batched_tokens=a.max_num_batched_tokens,
        parallelism=parallelism,
    )  # fmt: skip
    if not mem.fits:
        raise InfeasibleError(mem.reason, short_gb=mem.short_gb)
    engine_cap = max_batch(engine, gpu) * (gpus if parallelism == "dp-attention" else 1)
    try:
        shape = serving_shape(model, quant, gpu, gpus, input_tokens, output_tokens, kv_bytes, cached_tokens,
                              parallelism, moe_kernel_for(a, engine, gpu, quant))  # fmt: skip
        eff = engine_efficiency(a, engine)
        cap = saturated_capacity(shape, mem.max_concurrent_sequences, engine_cap, eff, a.max_ttft_ms, a.max_tpot_ms)
        if a.p99_ttft_ms is not None or a.p99_tpot_ms is not None:
            cap = latency_sized(shape, cap, eff, a.p99_ttft_ms, a.p99_tpot_ms, prompt_spread, batched_tokens(a, gpu))
    except UsageError as exc:  # a latency target no batch meets; TP without a known interconnect
        raise InfeasibleError(str(exc)) from None
    batch = min(mem.max_concurrent_sequences, engine_cap)
    return Replica(mem, shape, eff, batch, cap, batched_tokens(a, gpu), prompt_spread)


def check_parallelism(model: OpenModel, parallelism: str) -> None:
    """UsageError unless `parallelism` is a layout (memory.PARALLELISMS) the model can use: ep and
    dp-attention split routed experts, so a dense model refuses them."""
    if parallelism not in PARALLELISMS:
        raise UsageError(
            f"parallelism '{parallelism}' is not one of {', '.join(PARALLELISMS)} or auto", param="parallelism"
        )
    if parallelism != "tp" and model.moe is None:
        raise UsageError(
            f"parallelism {parallelism}: {model.id} is a dense model (no experts to split); use tp or auto",
            param="parallelism",
        )


def layouts(model: OpenModel, gpus: int, parallelism: str) -> tuple[str, ...]:
    """The layouts sizing tries for `parallelism` (a layout or "auto": every one that applies)."""
    if parallelism == "auto":
        return parallelisms_for(model, gpus)
    check_parallelism(model, parallelism)
    return (parallelism,) if parallelism in parallelisms_for(model, gpus) else ("tp",)


def best_replica(
    model: OpenModel,
    quant: Quantization,
    gpu: Gpu,
    gpus: int,
    input_tokens: float,
    output_tokens: float,
    assumptions: SelfHostAssumptions,
    kv_bytes: float | None = None,
    cached_tokens: float = 0.0,
    shared_prefix_tokens: float = 0.0,
    prompt_spread: float = 1.0,
) -> Replica:
    """The replica at the layout (assumptions.parallelism; "auto": each that applies) serving the most
    requests/s on these `gpus` GPUs, i.e. the cheapest per query at the same rental; InfeasibleError
    (the first layout's reason) when none runs."""
    best: Replica | None = None
    first: InfeasibleError | None = None
    for par in layouts(model, gpus, assumptions.parallelism):
        try:
            r = replica(model, quant, gpu, gpus, input_tokens, output_tokens, assumptions, kv_bytes, cached_tokens,
                        shared_prefix_tokens, prompt_spread, par)  # fmt: skip
        except InfeasibleError as exc:
            first = first or exc
            continue
        if best is None or r.capacity.requests_per_s > best.capacity.requests_per_s:
            best = r
    if best is None:
        assert first is not None
        raise first
    return best


def latency_sized(
    shape: ServingShape,
    cap: Capacity,
    eff: Efficiency,
    p99_ttft_ms: float | None,
    p99_tpot_ms: float | None,
    prompt_spread: float = 1.0,
    chunk_tokens: float = defaults.PREFILL_CHUNK_TOKENS,
) -> Capacity:
    """The capacity one replica offers under P99 latency targets: the highest Poisson rate at
    which they hold (throughput.max_rate_meeting), with the P99s reached there. Replicas sized
    from it need no utilization target (CostCurve): the queueing model is the headroom."""
    curve = load_curve(shape, cap.batch_size, eff, chunk_tokens, prompt_spread)
    rate = max_rate_meeting(curve, p99_ttft_ms, p99_tpot_ms)
    lat = at_rate(curve, rate)
    return replace(
        cap,
        requests_per_s=rate,
        output_tokens_per_s=lat.output_tokens_per_s,
        bound="p99_latency",
        ttft_ms=lat.ttft_ms["p99"],
        tpot_ms=lat.tpot_ms["p99"],
        prefill_share=cap.prefill_share * rate / cap.requests_per_s,
        saturated_requests_per_s=cap.requests_per_s,
    )


@dataclass(frozen=True, eq=False)
class Config:
    """One sized replica: a model at a quantization on `gpus_per_replica` GPUs, and its capacity."""

    model: OpenModel
    quant: Quantization
    gpu: Gpu
    gpus_per_replica: int
    memory: MemoryPlan
    capacity: Capacity
    parallelism: str = "tp"  # how the replica splits over its GPUs (memory.PARALLELISMS)

    @property
    def id(self) -> str:
        return f"{self.model.id}:{self.quant.id}@{self.gpus_per_replica}x{self.gpu.id}"


@dataclass(frozen=True, eq=False)
class Unfit:
    """A (quantization, GPU) that cannot serve the model, and why; `short_gb` orders the near misses."""

    quant: str
    gpu: str
    reason: str
    short_gb: float | None = None


def sized_configs(
    model: OpenModel,
    quants: Iterable[Quantization],
    gpus: Iterable[Gpu],
    workload: Workload,
    assumptions: SelfHostAssumptions,
    max_gpus: Mapping[str, int] | None = None,
    reasoning_tokens: float = 0.0,
) -> tuple[list[Config], list[Unfit]]:
    """Every (quantization, GPU, GPU count) that runs, at its best layout (best_replica), and why the
    others do not.
    `max_gpus` skips tensor-parallel sizes larger than any instance of that GPU (they cannot be rented);
    `reasoning_tokens` are decode steps each request spends before its visible answer."""
    cached, shared = prefix_cache(workload, assumptions)
    spread = prompt_spread(workload.prompt_mix)
    runs: list[Config] = []
    fails: list[Unfit] = []
    fraction = memory_fraction(assumptions.engine, assumptions.engine_memory)
    for quant in quants:
        weights = weight_bytes(model, checkpoint_quantization(model, quant))
        for gpu in gpus:
            miss, before = Unfit(quant.id, gpu.id, ""), len(runs)
            limit = max_gpus.get(gpu.id, 0) if max_gpus is not None else defaults.TP_SIZES[-1]
            sizes = [t for t in defaults.TP_SIZES if t <= limit]
            usable = usable_bytes(gpu, fraction)
            check_parallelism(model, "tp" if assumptions.parallelism == "auto" else assumptions.parallelism)
            for tp in sizes:
                if weights / tp > usable and tp != sizes[-1]:
                    continue  # the weights alone overflow each GPU: it cannot fit (the largest size says why)
                try:
                    r = best_replica(
                        model, quant, gpu, tp, workload.input_tokens, workload.output_tokens + reasoning_tokens,
                        assumptions, cached_tokens=cached, shared_prefix_tokens=shared, prompt_spread=spread,
                    )  # fmt: skip
                    runs.append(Config(model, quant, gpu, tp, r.memory, r.capacity, r.shape.parallelism))
                except InfeasibleError as exc:
                    miss = Unfit(quant.id, gpu.id, str(exc), exc.short_gb)
            if len(runs) == before:
                fails.append(miss)
    return runs, fails


def prefix_cache(
    workload: Workload, assumptions: SelfHostAssumptions, input_tokens: float | None = None
) -> tuple[float, float]:
    """(prompt tokens per request served from the engine's prefix cache, of which one shared
    prefix): the workload's cached share or shared prefix, when the engine caches prefixes. An
    engine's cache has no TTL (it evicts under memory pressure), so a shared prefix stays warm."""
    if not assumptions.prefix_caching:
        return 0.0, 0.0
    prompt = workload.input_tokens if input_tokens is None else input_tokens
    if workload.shared_prefix_tokens:
        shared = min(workload.shared_prefix_tokens, prompt - 1)
        return shared, shared
    return min(workload.cached_input_share * prompt, prompt - 1), 0.0


@dataclass(frozen=True, eq=False)
class Factors:
    """What a self-hosted cost depends on beyond the configuration: floats for a point answer,
    arrays (one element per draw) for Monte Carlo. `requests_per_s` overrides the replica's
    capacity (a drawn token mix re-sizes it); None keeps the configuration's own."""

    throughput: Number = defaults.THROUGHPUT_FACTOR
    utilization: Number = defaults.UTILIZATION_TARGET
    peak_factor: Number = defaults.PEAK_FACTOR
    gpu_price: Number = defaults.GPU_PRICE_FACTOR
    hidden_usd_per_month: Number = 0.0  # hidden costs per deployment
    requests_per_s: Number | None = None
    # hidden costs that scale with the fleet (see llmcost.hidden): per host, per GPU, per GB of
    # weights, per query/day, and DevOps per step of `hosts_per_devops_step` hosts
    hidden_usd_per_host_month: Number = 0.0
    hidden_usd_per_gpu_month: Number = 0.0
    hidden_usd_per_weight_gb_month: Number = 0.0
    hidden_usd_per_qpd: Number = 0.0
    devops_usd_per_step: Number = 0.0
    hosts_per_devops_step: float = math.inf


def point_factors(
    assumptions: SelfHostAssumptions, hidden: Mapping[str, float], hosts_per_devops_step: float = math.inf
) -> Factors:
    """The factors of the point answer: the scenario's central values; `hidden` is the hidden-cost
    rate per driver (llmcost.hidden.by_driver)."""
    a = assumptions
    return Factors(
        a.throughput_factor,
        a.utilization_target,
        a.peak_factor,
        a.gpu_price_factor,
        **hidden_factors(hidden),
        hosts_per_devops_step=hosts_per_devops_step,
    )


def hidden_factors(hidden: Mapping[str, Number]) -> dict[str, Number]:
    """Factors' hidden-cost fields from rates per driver (floats, or arrays of draws)."""
    return {
        "hidden_usd_per_month": hidden.get("deployment", 0.0),
        "hidden_usd_per_host_month": hidden.get("host", 0.0),
        "hidden_usd_per_gpu_month": hidden.get("gpu", 0.0),
        "hidden_usd_per_weight_gb_month": hidden.get("weight_gb", 0.0),
        "hidden_usd_per_qpd": hidden.get("qpd", 0.0),
        "devops_usd_per_step": hidden.get("devops_step", 0.0),
    }


@dataclass(frozen=True, eq=False)
class OfferChoice:
    offer: GpuOffer
    instances: int
    monthly_cost_usd: float


@dataclass(frozen=True, eq=False)
class CostCurve:
    """Monthly cost of one configuration against volume: whole replicas, each sized for the peak
    at the utilization target, rented from whichever offer is cheapest for that many replicas."""

    config: Config
    offers: tuple[GpuOffer, ...]  # offers whose instances hold at least one replica
    hours_per_month: float

    def queries_per_day_per_replica(self, f: Factors) -> Number:
        """Daily queries one replica carries at the utilization target, for the peak [queries/day];
        a replica sized by P99 latency targets already carries its headroom (no utilization target)."""
        rps = self.config.capacity.requests_per_s if f.requests_per_s is None else f.requests_per_s
        u = 1.0 if self.config.capacity.bound == "p99_latency" else f.utilization
        return rps * f.throughput * u * defaults.SECONDS_PER_DAY / f.peak_factor

    def replicas(self, qpd: Number, f: Factors) -> Number:
        """Whole replicas so the peak load stays at or under the utilization target (at least one)."""
        per = self.queries_per_day_per_replica(f)
        return maximum(1.0, ceil(as_float(qpd) / per - 1e-9))

    def _per_instance(self, offer: GpuOffer) -> int:
        """Replicas one instance of an offer holds (a replica's GPUs share one instance)."""
        return offer.gpus_per_instance // self.config.gpus_per_replica

    def fleet(self, replicas: Number) -> tuple[Number, Number, Number]:
        """(monthly rental at list price, instances, GPUs) of the offer cheapest for `replicas`
        replicas (scalar or array; ties go to the first offer)."""
        n = as_float(replicas)
        cost = hosts = gpus = None
        for o in self.offers:
            i = ceil(n / self._per_instance(o))
            c = i * o.usd_per_instance_hour
            if cost is None or hosts is None or gpus is None:
                cost, hosts, gpus = c, i, i * o.gpus_per_instance
                continue
            take = c < cost
            cost, hosts, gpus = where(take, c, cost), where(take, i, hosts), where(take, i * o.gpus_per_instance, gpus)
        assert cost is not None and hosts is not None and gpus is not None  # a curve has at least one offer
        return cost * self.hours_per_month, hosts, gpus

    def gpu_cost_usd(self, replicas: Number, f: Factors | None = None) -> Number:
        """Cheapest monthly rental for `replicas` replicas (scalar or array) [USD/month]."""
        price = f.gpu_price if f is not None else 1.0
        return self.fleet(replicas)[0] * price

    def hidden_at(self, hosts: Number, gpus: Number, qpd: Number, f: Factors) -> Number:
        """Hidden costs of a fleet of `hosts` instances holding `gpus` GPUs at a volume [USD/month]."""
        steps = ceil(hosts / f.hosts_per_devops_step) if math.isfinite(f.hosts_per_devops_step) else 0.0
        return (
            f.hidden_usd_per_month
            + self.config.memory.weights_gb * f.hidden_usd_per_weight_gb_month
            + hosts * f.hidden_usd_per_host_month
            + gpus * f.hidden_usd_per_gpu_month
            + steps * f.devops_usd_per_step
            + as_float(qpd) * f.hidden_usd_per_qpd
        )

    def hidden_usd(self, replicas: Number, qpd: Number, f: Factors) -> Number:
        """Hidden costs with `replicas` replicas rented from the cheapest offer [USD/month]."""
        _, hosts, gpus = self.fleet(replicas)
        return self.hidden_at(hosts, gpus, qpd, f)

    def monthly_cost_usd(self, qpd: Number, f: Factors) -> Number:
        """GPUs for the volume plus the hidden costs [USD/month]."""
        n = self.replicas(qpd, f)
        return self.gpu_cost_usd(n, f) + self.hidden_usd(n, qpd, f)

    def offer_for(self, replicas: int, f: Factors) -> OfferChoice:
        """The offer behind gpu_cost_usd(replicas), and how many instances it takes."""
        best = min(self.offers, key=lambda o: math.ceil(replicas / self._per_instance(o)) * o.usd_per_instance_hour)
        instances = math.ceil(replicas / self._per_instance(best))
        monthly = instances * best.usd_per_instance_hour * self.hours_per_month * float(f.gpu_price)
        return OfferChoice(best, instances, monthly)

    def marginal_usd_per_qpd(self, f: Factors) -> Number:
        """GPU cost per daily query at full packing (USD/month per query/day): the slope of the
        self-hosted cost, which an API must undercut for self-hosting never to win."""
        best = min(self.offers, key=lambda o: o.usd_per_instance_hour / self._per_instance(o))
        k = self._per_instance(best)
        per_replica = (
            best.usd_per_instance_hour / k * self.hours_per_month * f.gpu_price
            + (f.hidden_usd_per_host_month + best.gpus_per_instance * f.hidden_usd_per_gpu_month) / k
        )
        return per_replica / self.queries_per_day_per_replica(f) + f.hidden_usd_per_qpd


def cost_curve(config: Config, offers: Iterable[GpuOffer], pricing: str, days_per_month: float) -> CostCurve:
    """The cost curve of a configuration, or InfeasibleError when no offer can hold a replica."""
    offers = list(offers)
    usable = tuple(o for o in offers if o.gpus_per_instance >= config.gpus_per_replica)
    if not usable:
        sizes = sorted({o.gpus_per_instance for o in offers})
        have = f"offers have {', '.join(map(str, sizes))} GPUs per instance" if sizes else "no offers"
        raise InfeasibleError(
            f"no {pricing} offer for {config.gpu.id} with >= {config.gpus_per_replica} GPUs per instance ({have})"
        )
    return CostCurve(config, usable, defaults.HOURS_PER_DAY * days_per_month)


def curves(
    model: OpenModel,
    quants: Iterable[Quantization],
    gpus: Iterable[Gpu],
    offers: Mapping[str, tuple[GpuOffer, ...]],
    workload: Workload,
    assumptions: SelfHostAssumptions,
    no_offer: Mapping[str, str] | None = None,
    reasoning_tokens: float = 0.0,
) -> tuple[list[CostCurve], list[Unfit]]:
    """Cost curves of every configuration of a model that runs and can be rented, and why the
    other (quantization, GPU) pairs cannot."""
    gpus = list(gpus)
    no_offer = no_offer or {}
    max_gpus = {g.id: max((o.gpus_per_instance for o in offers.get(g.id, ())), default=0) for g in gpus}
    configs, fails = sized_configs(model, quants, gpus, workload, assumptions, max_gpus, reasoning_tokens)
    fails = [
        f if f.reason else Unfit(f.quant, f.gpu, no_offer.get(f.gpu) or f"no {assumptions.pricing} offer for {f.gpu}")
        for f in fails
    ]
    out: list[CostCurve] = []
    unrentable: dict[tuple[str, str], Unfit] = {}
    for cfg in configs:
        try:
            out.append(cost_curve(cfg, offers.get(cfg.gpu.id, ()), assumptions.pricing, workload.days_per_month))
        except InfeasibleError as exc:
            unrentable[(cfg.quant.id, cfg.gpu.id)] = Unfit(cfg.quant.id, cfg.gpu.id, str(exc))
    rented = {(c.config.quant.id, c.config.gpu.id) for c in out}
    fails += [v for k, v in unrentable.items() if k not in rented]
    return out, fails


def closest_miss(fails: Iterable[Unfit]) -> Unfit | None:
    """The failure that came nearest to running: the smallest memory shortfall, else the first."""
    fails = list(fails)
    short = [f for f in fails if f.short_gb is not None]
    if short:
        return min(short, key=lambda f: f.short_gb or 0.0)
    return fails[0] if fails else None


@dataclass(frozen=True, eq=False)
class Deployment:
    """A configuration costed at one volume, and how its numbers were reached."""

    curve: CostCurve
    replicas: int
    offer: OfferChoice
    utilization: float  # average load / installed capacity
    peak_requests_per_s: float
    monthly_gpu_cost_usd: float
    monthly_hidden_cost_usd: float
    autoscaled: Autoscaled | None = None  # set when replicas follow an hourly load profile

    @property
    def config(self) -> Config:
        return self.curve.config

    @property
    def gpu_count(self) -> int:
        """GPUs rented (whole instances), which can exceed replicas x GPUs per replica."""
        return self.offer.instances * self.offer.offer.gpus_per_instance

    @property
    def monthly_cost_usd(self) -> float:
        return self.monthly_gpu_cost_usd + self.monthly_hidden_cost_usd


@dataclass(frozen=True, eq=False)
class Autoscaled:
    """Replicas that follow an hourly load profile, and what fixed capacity for its peak would cost."""

    profile: str
    min_replicas: int
    replicas_by_hour: tuple[int, ...]
    peak_replicas: int
    gpu_hours_per_month: float
    monthly_gpu_cost_usd: float
    fixed_peak_monthly_gpu_cost_usd: float

    @property
    def saving_vs_fixed_usd(self) -> float:
        return self.fixed_peak_monthly_gpu_cost_usd - self.monthly_gpu_cost_usd


def deployment_at(curve: CostCurve, workload: Workload, f: Factors, autoscaled: Autoscaled | None = None) -> Deployment:
    """Cost a configuration at the workload's volume: fixed replicas sized for the peak, or (with
    `autoscaled`) the profile's hourly replicas, its peak count naming the offer."""
    qpd = workload.queries_per_day
    replicas = int(curve.replicas(qpd, f)) if autoscaled is None else autoscaled.peak_replicas
    cap = curve.config.capacity
    # utilization is of what a replica can serve at all: its saturated rate, also when P99 targets sized it
    rps = (cap.saturated_requests_per_s or cap.requests_per_s) * float(f.throughput)
    hidden = float(curve.hidden_usd(replicas, qpd, f))
    offer = curve.offer_for(replicas, f)
    gpu = autoscaled.monthly_gpu_cost_usd if autoscaled is not None else offer.monthly_cost_usd
    return Deployment(
        curve=curve,
        replicas=replicas,
        offer=offer,
        utilization=workload.average_requests_per_s / (replicas * rps),
        peak_requests_per_s=workload.average_requests_per_s * float(f.peak_factor),
        monthly_gpu_cost_usd=gpu,
        monthly_hidden_cost_usd=hidden,
        autoscaled=autoscaled,
    )


def autoscaled_gpu_usd(curve: CostCurve, qpd: Number, autoscaling: Autoscaling, f: Factors) -> Number:
    """Monthly GPU cost when each hour gets the replicas its load needs, at least the minimum
    (hourly billing and scale-up within the hour are assumed) [USD/month]; the profile carries the
    peak, so the peak factor does not apply. Floats or arrays of draws, as every cost here."""
    import numpy as np

    hourly = hourly_replicas(curve, qpd, autoscaling, f)
    # gpu_cost_usd(n) is n replicas for a whole month; an hour of it is 1/24 of a day's share. Summed
    # hour by hour in order, so one draw and many give bit-identical results.
    cost = hour_mean(np.asarray(curve.gpu_cost_usd(hourly, f)))
    return float(cost) if np.ndim(cost) == 0 else cost


def hourly_replicas(curve: CostCurve, qpd: Number, autoscaling: Autoscaling, f: Factors) -> FloatArray:
    """Replicas in each hour of the profile (first axis: 24 hours; then the draws, if any)."""
    import numpy as np

    hour = replace(f, peak_factor=1.0)
    draws = max(np.ndim(x) for x in (qpd, f.throughput, f.utilization, f.gpu_price, f.requests_per_s or 0.0))
    w = np.asarray(autoscaling.weights).reshape((24,) + (1,) * draws)
    return np.asarray(maximum(float(autoscaling.min_replicas), curve.replicas(np.asarray(qpd) * 24 * w, hour)))


def autoscaled_hidden_usd(curve: CostCurve, qpd: Number, autoscaling: Autoscaling, f: Factors) -> Number:
    """Hidden costs of an autoscaled fleet: per-host and per-GPU lines at the day's peak fleet
    (monitoring bills the high-water mark of hosts; licences are per GPU held) [USD/month]."""
    peak = hourly_replicas(curve, qpd, autoscaling, f).max(axis=0)
    out = curve.hidden_usd(peak, qpd, f)
    return float(out) if not hasattr(out, "ndim") or out.ndim == 0 else out


def hour_mean(by_hour: FloatArray) -> FloatArray:
    """The mean over the first (hour) axis, added in order (numpy's pairwise sums differ by shape)."""
    total = by_hour[0].copy()
    for h in range(1, by_hour.shape[0]):
        total += by_hour[h]
    out: FloatArray = total / by_hour.shape[0]
    return out


def autoscaled(curve: CostCurve, qpd: float, autoscaling: Autoscaling, f: Factors) -> Autoscaled:
    """The point answer's hourly replicas, their cost and the fixed alternative for the peak."""
    hourly = hourly_replicas(curve, qpd, autoscaling, f)
    peak = int(hourly.max())
    return Autoscaled(
        profile=autoscaling.profile,
        min_replicas=autoscaling.min_replicas,
        replicas_by_hour=tuple(int(x) for x in hourly),
        peak_replicas=peak,
        gpu_hours_per_month=float(hourly.sum() * curve.config.gpus_per_replica * curve.hours_per_month / 24),
        monthly_gpu_cost_usd=float(autoscaled_gpu_usd(curve, qpd, autoscaling, f)),
        fixed_peak_monthly_gpu_cost_usd=float(curve.gpu_cost_usd(peak, f)),
    )


def fleet_cost_usd(curve: CostCurve, qpd: Number, f: Factors, autoscaling: Autoscaling | None = None) -> Number:
    """Monthly self-hosted cost at a volume: fixed replicas for the peak, or following the profile,
    plus the hidden costs [USD/month]. Every command's self-hosted cost comes from here."""
    if autoscaling is None:
        return curve.monthly_cost_usd(qpd, f)
    return autoscaled_gpu_usd(curve, qpd, autoscaling, f) + autoscaled_hidden_usd(curve, qpd, autoscaling, f)
