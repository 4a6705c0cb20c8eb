"""Self-hosted deployment: memory plan -> replica capacity -> replicas -> rented GPUs -> monthly cost."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import reduce
from typing import TYPE_CHECKING

from llmcost.catalog import Catalog, Engine, Gpu, GpuOffer, OpenModel, PricingModel
from llmcost.errors import InfeasibleError, UsageError
from llmcost.memory import DEFAULT_GPU_MEMORY_UTILIZATION, TP_SIZES, MemoryPlan, plan_memory
from llmcost.numeric import as_float, ceil, maximum, minimum
from llmcost.quantization import Quantization, compute_path
from llmcost.throughput import Capacity, Efficiency, saturated_capacity, serving_shape
from llmcost.workload import SECONDS_PER_DAY, Workload

if TYPE_CHECKING:
    from llmcost.autoscale import Autoscale
    from llmcost.workload import Number

HOURS_PER_DAY = 24


@dataclass(frozen=True)
class SelfHostAssumptions:
    """Defaults for sizing and costing a deployment; every one is printed and overridable."""

    utilization_target: float = 0.70  # the seed: "add instances when utilization exceeds 70%"
    peak_factor: float = 1.0  # peak-to-average request rate; 1 = size for the daily average
    pricing: PricingModel = "on_demand"
    ownership: str = "rent"  # or "buy": owned 8-GPU servers costed from ownership.yaml
    pue: float = 1.0
    engine: str = "vllm"
    efficiency: Efficiency = field(default_factory=Efficiency)
    max_ttft_ms: float | None = None
    max_tpot_ms: float | None = None


def replica_capacity(
    model: OpenModel,
    quant: Quantization,
    gpu: Gpu,
    gpus: int,
    input_tokens: float,
    output_tokens: float,
    engine: Engine,
    efficiency: Efficiency,
    max_ttft_ms: float | None = None,
    max_tpot_ms: float | None = None,
    kv_bytes: float | None = None,
) -> tuple[MemoryPlan, Capacity]:
    """Memory plan and saturated capacity of one replica on `gpus` GPUs (InfeasibleError if it
    cannot run: context too long, weights or one sequence do not fit, latency target unreachable)."""
    context = math.ceil(input_tokens + output_tokens)
    if context > model.max_context_tokens:
        raise InfeasibleError(
            f"{model.id}: {context:,} tokens per request exceed its {model.max_context_tokens:,}-token context"
        )
    mem = plan_memory(
        model,
        quant,
        gpu,
        context,
        gpus=gpus,
        kv_bytes=kv_bytes,
        gpu_memory_utilization=engine.gpu_memory_utilization or DEFAULT_GPU_MEMORY_UTILIZATION,
    )
    if not mem.fits:
        raise InfeasibleError(mem.reason)
    try:
        shape = serving_shape(model, quant, gpu, gpus, input_tokens, output_tokens, kv_bytes)
        cap = saturated_capacity(
            shape,
            mem.max_concurrent_sequences,
            engine.max_batch_for(gpu),
            efficiency.scaled(engine.relative_throughput),
            max_ttft_ms,
            max_tpot_ms,
        )
    except UsageError as exc:  # a latency target no batch meets; TP without a known interconnect
        raise InfeasibleError(str(exc)) from None
    return mem, cap


def replicas_needed(peak_requests_per_s: Number, replica_requests_per_s: float, utilization_target: float) -> Number:
    """Whole replicas so the peak load stays at or under the utilization target (at least one)."""
    exact = as_float(peak_requests_per_s) / (replica_requests_per_s * utilization_target)
    return maximum(1.0, ceil(exact - 1e-9))


@dataclass(frozen=True)
class Config:
    """One sized replica: a model at a quantization on `gpus_per_replica` GPUs, and its capacity."""

    model: OpenModel
    quant: Quantization
    gpu: Gpu
    gpus_per_replica: int
    memory: MemoryPlan
    capacity: Capacity

    @property
    def id(self) -> str:
        return f"{self.model.id}:{self.quant.id}@{self.gpus_per_replica}x{self.gpu.id}"


def size_replica(
    model: OpenModel,
    quant: Quantization,
    gpu: Gpu,
    gpus_per_replica: int,
    workload: Workload,
    assumptions: SelfHostAssumptions,
    engine: Engine,
) -> Config:
    """One replica sized for the workload's token mix (InfeasibleError if it cannot run)."""
    w, a = workload, assumptions
    mem, cap = replica_capacity(
        model, quant, gpu, gpus_per_replica, w.input_tokens, w.output_tokens, engine, a.efficiency,
        a.max_ttft_ms, a.max_tpot_ms,
    )  # fmt: skip
    return Config(model, quant, gpu, gpus_per_replica, mem, cap)


def sized_configs(
    catalog: Catalog,
    model: OpenModel,
    quants: Iterable[Quantization],
    gpus: Iterable[Gpu],
    workload: Workload,
    assumptions: SelfHostAssumptions,
    max_gpus: Mapping[str, int] | None = None,
) -> tuple[list[Config], list[tuple[Quantization, Gpu, str]]]:
    """Every (quantization, GPU, tensor-parallel size) that runs, and why the others do not.
    `max_gpus` skips tensor-parallel sizes larger than any instance of that GPU (they cannot be rented)."""
    engine = catalog.engine(assumptions.engine)
    runs: list[Config] = []
    fails: list[tuple[Quantization, Gpu, str]] = []
    for quant in quants:
        for gpu in gpus:
            reason, before = "", len(runs)
            limit = max_gpus.get(gpu.id, 0) if max_gpus is not None else TP_SIZES[-1]
            for tp in (t for t in TP_SIZES if t <= limit):
                try:
                    runs.append(size_replica(model, quant, gpu, tp, workload, assumptions, engine))
                except InfeasibleError as exc:
                    reason = str(exc)
            if len(runs) == before:
                fails.append((quant, gpu, reason))
    return runs, fails


@dataclass(frozen=True)
class OfferChoice:
    offer: GpuOffer
    instances: int
    monthly_cost_usd: float


@dataclass(frozen=True)
class CostCurve:
    """Monthly cost of one configuration against volume: whole replicas, each sized for the peak
    at the utilization target, rented from whichever offer is cheapest for that many replicas."""

    config: Config
    offers: tuple[GpuOffer, ...]  # offers whose instances hold at least one replica
    queries_per_day_per_replica: float
    hours_per_month: float
    fixed_usd_per_month: float  # hidden costs

    def replicas(self, qpd: Number) -> Number:
        return replicas_needed(qpd, self.queries_per_day_per_replica, 1.0)

    def _per_instance(self, offer: GpuOffer) -> int:
        """Replicas one instance of an offer holds (a replica's GPUs share one instance)."""
        return offer.gpus_per_instance // self.config.gpus_per_replica

    def gpu_cost_usd(self, replicas: Number) -> Number:
        """Cheapest monthly rental for `replicas` replicas (scalar or array) [USD/month]."""
        n = as_float(replicas)
        costs = (ceil(n / self._per_instance(o)) * o.usd_per_instance_hour for o in self.offers)
        return reduce(minimum, costs) * self.hours_per_month

    def monthly_cost_usd(self, qpd: Number) -> Number:
        return self.gpu_cost_usd(self.replicas(qpd)) + self.fixed_usd_per_month

    def offer_for(self, replicas: int) -> OfferChoice:
        """The offer behind gpu_cost_usd(replicas), and how many instances it takes."""
        best = min(self.offers, key=lambda o: math.ceil(replicas / self._per_instance(o)) * o.usd_per_instance_hour)
        instances = math.ceil(replicas / self._per_instance(best))
        return OfferChoice(best, instances, instances * best.usd_per_instance_hour * self.hours_per_month)

    @property
    def marginal_usd_per_query(self) -> float:
        """GPU cost per daily query at full packing (USD/month per query/day): the slope of the
        self-hosted cost, which an API must undercut for self-hosting never to win."""
        per_replica_hour = min(o.usd_per_instance_hour / self._per_instance(o) for o in self.offers)
        return per_replica_hour * self.hours_per_month / self.queries_per_day_per_replica


def cost_curve(
    catalog: Catalog,
    config: Config,
    assumptions: SelfHostAssumptions,
    days_per_month: float,
    hidden_costs_usd_per_month: Mapping[str, float],
) -> CostCurve:
    """The cost curve of a configuration, or InfeasibleError when no offer can hold a replica."""
    if assumptions.ownership == "buy":
        from llmcost.ownership import owned_offer  # only for owned GPUs: off the renting path

        offers = [owned_offer(catalog, config.gpu, assumptions.pue)]
    else:
        offers = catalog.offers_for(config.gpu.id, assumptions.pricing)
    usable = tuple(o for o in offers if o.gpus_per_instance >= config.gpus_per_replica)
    if not usable:
        sizes = sorted({o.gpus_per_instance for o in offers})
        have = f"offers have {', '.join(map(str, sizes))} GPUs per instance" if sizes else "no offers"
        raise InfeasibleError(
            f"no {assumptions.pricing} offer for {config.gpu.id} with >= {config.gpus_per_replica} GPUs "
            f"per instance ({have})"
        )
    per_replica = (
        config.capacity.requests_per_s * assumptions.utilization_target * SECONDS_PER_DAY / assumptions.peak_factor
    )
    return CostCurve(
        config, usable, per_replica, HOURS_PER_DAY * days_per_month, sum(hidden_costs_usd_per_month.values())
    )


@dataclass(frozen=True)
class Deployment:
    """A configuration costed at one volume, and how its numbers were reached."""

    curve: CostCurve
    replicas: int
    offer: OfferChoice
    utilization: float  # average load / installed capacity
    peak_requests_per_s: float
    notes: tuple[str, ...]
    autoscaled: Autoscale | None = None  # set when replicas follow an hourly load profile

    @property
    def config(self) -> Config:
        return self.curve.config

    @property
    def gpu_count(self) -> int:
        """GPUs rented (whole instances), which can exceed replicas x GPUs per replica."""
        return self.offer.instances * self.offer.offer.gpus_per_instance

    @property
    def monthly_gpu_cost_usd(self) -> float:
        if self.autoscaled is not None:
            return self.autoscaled.monthly_gpu_cost_usd
        return self.offer.monthly_cost_usd

    @property
    def monthly_hidden_cost_usd(self) -> float:
        return self.curve.fixed_usd_per_month

    @property
    def monthly_cost_usd(self) -> float:
        return self.monthly_gpu_cost_usd + self.monthly_hidden_cost_usd


def deployment_at(
    curve: CostCurve,
    workload: Workload,
    peak_factor: float,
    autoscaled: Autoscale | None = None,
) -> Deployment:
    """Cost a configuration at the workload's volume: fixed replicas sized for the peak, or (with
    `autoscaled`) the profile's peak count for the fixed comparison and its hourly cost."""
    replicas = int(curve.replicas(workload.queries_per_day)) if autoscaled is None else autoscaled.peak_replicas
    cfg = curve.config
    notes = []
    path = compute_path(cfg.quant, cfg.gpu)
    if path.note:
        notes.append(path.note)
    if not cfg.model.licence.commercial_use:
        notes.append(f"{cfg.model.id}: licence '{cfg.model.licence.name}' does not permit commercial use")
    return Deployment(
        curve=curve,
        replicas=replicas,
        offer=curve.offer_for(replicas),
        utilization=workload.average_requests_per_s / (replicas * cfg.capacity.requests_per_s),
        peak_requests_per_s=workload.average_requests_per_s * peak_factor,
        notes=tuple(notes),
        autoscaled=autoscaled,
    )


def deploy(
    catalog: Catalog,
    model: OpenModel,
    quant: Quantization,
    gpu: Gpu,
    gpus_per_replica: int,
    workload: Workload,
    assumptions: SelfHostAssumptions,
    hidden_costs_usd_per_month: Mapping[str, float],
) -> Deployment:
    """Size and cost one configuration, or raise InfeasibleError saying why it cannot run."""
    engine = catalog.engine(assumptions.engine)
    config = size_replica(model, quant, gpu, gpus_per_replica, workload, assumptions, engine)
    curve = cost_curve(catalog, config, assumptions, workload.days_per_month, hidden_costs_usd_per_month)
    return deployment_at(curve, workload, assumptions.peak_factor)


def curves(
    catalog: Catalog,
    model: OpenModel,
    quants: Iterable[Quantization],
    gpus: Iterable[Gpu],
    workload: Workload,
    assumptions: SelfHostAssumptions,
    hidden_costs_usd_per_month: Mapping[str, float],
) -> tuple[list[CostCurve], list[tuple[Quantization, Gpu, str]]]:
    """Cost curves of every configuration of a model that runs and can be rented, and why the
    other (quantization, GPU) pairs cannot."""
    gpus = list(gpus)
    if assumptions.ownership == "buy":
        from llmcost.ownership import GPUS_PER_OWNED_SERVER

        max_gpus = {g.id: GPUS_PER_OWNED_SERVER for g in gpus}
    else:
        max_gpus = {
            g.id: max((o.gpus_per_instance for o in catalog.offers_for(g.id, assumptions.pricing)), default=0)
            for g in gpus
        }
    configs, fails = sized_configs(catalog, model, quants, gpus, workload, assumptions, max_gpus)
    fails = [(q, g, reason or f"no {assumptions.pricing} offer for {g.id}") for q, g, reason in fails]
    out: list[CostCurve] = []
    unrentable: dict[tuple[str, str], tuple[Quantization, Gpu, str]] = {}
    for cfg in configs:
        try:
            out.append(cost_curve(catalog, cfg, assumptions, workload.days_per_month, hidden_costs_usd_per_month))
        except InfeasibleError as exc:
            unrentable[(cfg.quant.id, cfg.gpu.id)] = (cfg.quant, cfg.gpu, str(exc))
    rented = {(c.config.quant.id, c.config.gpu.id) for c in out}
    fails += [v for k, v in unrentable.items() if k not in rented]
    return out, fails


def cheapest_per_pair(deployments: Iterable[Deployment]) -> list[Deployment]:
    """The cheapest tensor-parallel size for each (quantization, GPU), cheapest first."""
    best: dict[tuple[str, str], Deployment] = {}
    for d in deployments:
        key = (d.config.quant.id, d.config.gpu.id)
        if key not in best or d.monthly_cost_usd < best[key].monthly_cost_usd:
            best[key] = d
    return sorted(best.values(), key=lambda d: d.monthly_cost_usd)
