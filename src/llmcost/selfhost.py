"""Self-hosted deployment: memory plan -> replica capacity -> replicas -> rented GPUs -> monthly cost."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from llmcost.catalog import Catalog, Engine, Gpu, GpuOffer, OpenModel, PricingModel
from llmcost.errors import InfeasibleError, UsageError
from llmcost.memory import DEFAULT_GPU_MEMORY_UTILIZATION, MemoryPlan, plan_memory
from llmcost.quantization import Quantization, compute_path
from llmcost.throughput import Capacity, Efficiency, saturated_capacity, serving_shape
from llmcost.workload import SECONDS_PER_DAY, Workload

HOURS_PER_DAY = 24


@dataclass(frozen=True)
class SelfHostAssumptions:
    """Defaults for sizing and costing a deployment; every one is printed and overridable."""

    utilization_target: float = 0.70  # the seed: "add instances when utilization exceeds 70%"
    peak_factor: float = 1.0  # peak-to-average request rate; 1 = size for the daily average
    pricing: PricingModel = "on_demand"
    engine: str = "vllm"
    efficiency: Efficiency = field(default_factory=Efficiency)
    max_ttft_ms: float | None = None
    max_tpot_ms: float | None = None


@dataclass(frozen=True)
class OfferChoice:
    offer: GpuOffer
    instances: int
    monthly_cost_usd: float


def cheapest_offer(
    offers: list[GpuOffer], replicas: int, gpus_per_replica: int, hours_per_month: float
) -> OfferChoice | None:
    """Cheapest way to rent `replicas` replicas: a replica's GPUs must sit in one instance."""
    best: OfferChoice | None = None
    for offer in offers:
        per_instance = offer.gpus_per_instance // gpus_per_replica
        if per_instance == 0:
            continue
        instances = math.ceil(replicas / per_instance)
        cost = instances * offer.usd_per_instance_hour * hours_per_month
        if best is None or cost < best.monthly_cost_usd:
            best = OfferChoice(offer, instances, cost)
    return best


@dataclass(frozen=True)
class Deployment:
    """A costed self-hosted configuration and how its numbers were reached."""

    model: OpenModel
    quant: Quantization
    gpu: Gpu
    memory: MemoryPlan
    capacity: Capacity
    replicas: int
    offer: OfferChoice
    monthly_gpu_cost_usd: float
    monthly_hidden_cost_usd: float
    utilization: float  # average load / installed capacity
    peak_requests_per_s: float
    notes: tuple[str, ...]

    @property
    def gpus_per_replica(self) -> int:
        assert self.memory.gpus_per_replica is not None
        return self.memory.gpus_per_replica

    @property
    def gpu_count(self) -> int:
        """GPUs rented (whole instances), which can exceed replicas x GPUs per replica."""
        return self.offer.instances * self.offer.offer.gpus_per_instance

    @property
    def monthly_cost_usd(self) -> float:
        return self.monthly_gpu_cost_usd + self.monthly_hidden_cost_usd


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
            f"{model.id}: {context:,} tokens per request exceed its "
            f"{model.max_context_tokens:,}-token context"
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


def replicas_needed(
    peak_requests_per_s: float, replica_requests_per_s: float, utilization_target: float
) -> int:
    """Whole replicas so the peak load stays at or under the utilization target (at least one)."""
    return max(1, math.ceil(peak_requests_per_s / (replica_requests_per_s * utilization_target) - 1e-9))


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
    mem, cap = replica_capacity(
        model,
        quant,
        gpu,
        gpus_per_replica,
        workload.input_tokens,
        workload.output_tokens,
        catalog.engine(assumptions.engine),
        assumptions.efficiency,
        assumptions.max_ttft_ms,
        assumptions.max_tpot_ms,
    )
    peak = workload.queries_per_day / SECONDS_PER_DAY * assumptions.peak_factor
    replicas = replicas_needed(peak, cap.requests_per_s, assumptions.utilization_target)
    hours = HOURS_PER_DAY * workload.days_per_month
    offers = catalog.offers_for(gpu.id, assumptions.pricing)
    choice = cheapest_offer(offers, replicas, gpus_per_replica, hours)
    if choice is None:
        sizes = sorted({o.gpus_per_instance for o in offers})
        have = f"offers have {', '.join(map(str, sizes))} GPUs per instance" if sizes else "no offers"
        raise InfeasibleError(
            f"no {assumptions.pricing} offer for {gpu.id} with >= {gpus_per_replica} GPUs "
            f"per instance ({have})"
        )
    notes = []
    path = compute_path(quant, gpu)
    if path.note:
        notes.append(path.note)
    if not model.licence.commercial_use:
        notes.append(f"{model.id}: licence '{model.licence.name}' does not permit commercial use")
    return Deployment(
        model=model,
        quant=quant,
        gpu=gpu,
        memory=mem,
        capacity=cap,
        replicas=replicas,
        offer=choice,
        monthly_gpu_cost_usd=choice.monthly_cost_usd,
        monthly_hidden_cost_usd=sum(hidden_costs_usd_per_month.values()),
        utilization=workload.average_requests_per_s / (replicas * cap.requests_per_s),
        peak_requests_per_s=peak,
        notes=tuple(notes),
    )
