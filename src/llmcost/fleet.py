"""Fleet search: which GPUs, how many, and which requests each serves (after Mélange, arXiv 2404.14527).

A workload is cut into request-size buckets. For every replica configuration (GPU, tensor-parallel
size, quantization, engine) the throughput model (llmcost.throughput.rates, the same continuous-
batching formulas `compare` sizes with) gives, per bucket, the requests/s one replica sustains at
the largest batch whose TPOT and TTFT stay within the targets. Each rental offer of that GPU turns a
configuration into an option: replicas per instance and a monthly price per instance.

The integer programme, solved exactly (zero MIP gap) by HiGHS through scipy.optimize.milp:

    minimise    sum_o c_o n_o                          n_o: instances of option o, integer >= 0
    subject to  sum_o x_ob = 1             each b      x_ob >= 0: share of bucket b's requests on o
                sum_b x_ob L_b / (u R_ob) <= n_o  each o
                x_ob = 0 where option o cannot serve bucket b within the targets

L_b is bucket b's request rate at the peak, R_ob what one instance (all its replicas) sustains for
that bucket, u the utilization target. A replica serving several buckets divides its time between
them, so their load fractions add up (Mélange's request "slices"; a continuous x is the limit of
fine slices).

The latency target and the >= 99.5% rule: each bucket is costed at its own request size, so every
request of a bucket meets the target when its bucket does. The largest requests, together at most
1 - slo_share of the traffic, are exempt: they are still served (their capacity is paid for) but
at the batch the engine and memory allow, without the latency cap. TPOT and TTFT are the model's
steady-state values at the batch (no queueing tail); the utilization target leaves the headroom.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from llmcost import defaults
from llmcost.errors import UsageError
from llmcost.memory import MemoryPlan, plan_memory, usable_bytes, weight_bytes
from llmcost.quantization import Quantization
from llmcost.records import Engine, Gpu, GpuOffer, MoeKernel, OpenModel
from llmcost.selfhost import max_batch, memory_fraction
from llmcost.throughput import ServingShape, rates, serving_shape

if TYPE_CHECKING:
    from llmcost.defaults import Efficiency
    from llmcost.demand import Workload
    from llmcost.numeric import FloatArray

# TensorRT-LLM builds CUDA engines only (NVIDIA's TensorRT-LLM documentation): it runs on no other vendor
ENGINE_VENDORS: Mapping[str, tuple[str, ...]] = {"trt-llm": ("nvidia",)}


@dataclass(frozen=True)
class RequestBucket:
    """A slice of the workload: its share of requests and the size of each request in it."""

    share: float
    input_tokens: float
    output_tokens: float  # decode steps: visible output plus reasoning

    @property
    def tokens(self) -> float:
        return self.input_tokens + self.output_tokens


def workload_buckets(workload: Workload, reasoning_tokens: float = 0.0) -> tuple[RequestBucket, ...]:
    """The workload's request-size buckets: one per prompt size of its prompt mix (a usage log's
    logged sizes, or --prompt-mix), each with the workload's mean output; one bucket without a mix."""
    out = workload.output_tokens + reasoning_tokens
    return tuple(RequestBucket(share, prompt, out) for share, prompt in workload.prompt_buckets)


def check_buckets(buckets: Sequence[RequestBucket]) -> None:
    if not buckets:
        raise UsageError("a fleet needs at least one request-size bucket")
    for b in buckets:
        for name, v in (("share", b.share), ("input_tokens", b.input_tokens), ("output_tokens", b.output_tokens)):
            if not math.isfinite(v) or v <= 0:
                raise UsageError(f"request bucket {name} must be a finite number > 0, got {v!r}")


def slo_exempt(buckets: Sequence[RequestBucket], slo_share: float) -> FloatArray:
    """1.0 for the buckets the latency target may skip: the largest requests, adding up to at most
    1 - slo_share of all requests (largest first); 0.0 for the rest."""
    if not 0 < slo_share <= 1:
        raise UsageError(f"slo_share must be in (0, 1], got {slo_share!r}")
    total = sum(b.share for b in buckets)
    exempt = np.zeros(len(buckets))
    allowance = (1.0 - slo_share) * total
    for i in sorted(range(len(buckets)), key=lambda i: -buckets[i].tokens):
        if buckets[i].share > allowance + 1e-12:
            break
        allowance -= buckets[i].share
        exempt[i] = 1.0
    return exempt


@dataclass(frozen=True, eq=False)
class ReplicaProfile:
    """One replica configuration's capacity for every bucket at every TPOT target.

    Arrays are (targets, buckets); a rate of 0 means the bucket cannot be served within that target
    (or at all: `reasons` says why). Target None means no TPOT cap."""

    model: str
    quant: str
    gpu: Gpu
    gpus_per_replica: int
    engine: str
    tpot_targets_ms: tuple[float | None, ...]
    requests_per_s: FloatArray
    tpot_ms: FloatArray  # at the chosen batch (nan where it cannot serve)
    ttft_ms: FloatArray
    batch: FloatArray
    batch1_tpot_ms: FloatArray  # (buckets,) the fastest it can go: batch 1 (nan where it cannot run)
    batch1_ttft_ms: FloatArray
    reasons: tuple[str, ...]  # per bucket: '' when it runs

    @property
    def id(self) -> str:
        return f"{self.model}:{self.quant}@{self.gpus_per_replica}x{self.gpu.id}/{self.engine}"


def profile_replica(
    model: OpenModel,
    quant: Quantization,
    gpu: Gpu,
    tp: int,
    engine: Engine | None,
    buckets: Sequence[RequestBucket],
    efficiency: Efficiency,
    tpot_targets_ms: Sequence[float | None],
    max_ttft_ms: float | None = None,
    cached_tokens: Sequence[float] | None = None,
    shared_prefix_tokens: float = 0.0,
    cache: dict[tuple[object, ...], object] | None = None,
    moe_kernel: MoeKernel | None = None,
) -> ReplicaProfile:
    """Capacity of one replica per bucket and TPOT target: every batch 1..cap evaluated at once
    (throughput.rates over an array of batch sizes), the largest meeting the targets kept, as
    throughput.saturated_capacity does for one request size. `efficiency` is already scaled for the
    engine's relative throughput. `cache` (a dict the caller keeps) shares the memory plans and
    serving shapes between engines: neither depends on the engine beyond its memory fraction."""
    nt, nb = len(tpot_targets_ms), len(buckets)
    rps = np.zeros((nt, nb))
    tpot = np.full((nt, nb), np.nan)
    ttft = np.full((nt, nb), np.nan)
    batch = np.zeros((nt, nb))
    b1_tpot = np.full(nb, np.nan)
    b1_ttft = np.full(nb, np.nan)
    reasons = [""] * nb
    limits = np.array([math.inf if t is None else t for t in tpot_targets_ms])[:, None] * 1e-3
    fraction = memory_fraction(engine)
    engine_cap = max_batch(engine, gpu)
    for j, bk in enumerate(buckets):
        context = math.ceil(bk.input_tokens + bk.output_tokens)
        if context > model.max_context_tokens:
            reasons[j] = f"{context:,} tokens per request exceed the {model.max_context_tokens:,}-token context"
            continue
        key = (model.id, quant.id, gpu.id, tp, fraction, context, shared_prefix_tokens)
        mem = cache.get(key) if cache is not None else None
        if not isinstance(mem, MemoryPlan):
            mem = plan_memory(model, quant, gpu, context, gpus=tp, gpu_memory_utilization=fraction,
                              shared_prefix_tokens=math.floor(shared_prefix_tokens))  # fmt: skip
            if cache is not None:
                cache[key] = mem
        if not mem.fits:
            reasons[j] = mem.reason
            continue
        cached = cached_tokens[j] if cached_tokens is not None else 0.0
        skey = (model.id, quant.id, gpu.id, tp, bk.input_tokens, bk.output_tokens, cached, moe_kernel and moe_kernel.id)
        shape = cache.get(skey) if cache is not None else None
        if not isinstance(shape, ServingShape | str):
            try:
                shape = serving_shape(model, quant, gpu, tp, bk.input_tokens, bk.output_tokens, None, cached,
                                      moe_kernel=moe_kernel)  # fmt: skip
            except UsageError as exc:  # tensor parallelism over a fabric with no sourced bandwidth
                shape = str(exc)
            if cache is not None:
                cache[skey] = shape
        if isinstance(shape, str):
            reasons[j] = shape
            continue
        cap = min(mem.max_concurrent_sequences, engine_cap)
        if cap < 1:
            reasons[j] = "no sequence fits beside the weights"
            continue
        r = rates(shape, np.arange(1, cap + 1, dtype=np.float64), efficiency)
        b1_tpot[j], b1_ttft[j] = r.tpot_s[0] * 1e3, r.ttft_s[0] * 1e3
        ok = r.tpot_s[None, :] <= limits  # (targets, batches)
        if max_ttft_ms is not None:
            ok &= (r.ttft_s * 1e3 <= max_ttft_ms)[None, :]
        any_ok = ok.any(axis=1)
        last = cap - 1 - np.argmax(ok[:, ::-1], axis=1)  # the largest batch allowed: throughput rises with it
        rps[:, j] = np.where(any_ok, r.requests_per_s[last], 0.0)
        tpot[:, j] = np.where(any_ok, r.tpot_s[last] * 1e3, np.nan)
        ttft[:, j] = np.where(any_ok, r.ttft_s[last] * 1e3, np.nan)
        batch[:, j] = np.where(any_ok, last + 1.0, 0.0)
    return ReplicaProfile(
        model.id, quant.id, gpu, tp, engine.id if engine else "vllm", tuple(tpot_targets_ms),
        rps, tpot, ttft, batch, b1_tpot, b1_ttft, tuple(reasons),
    )  # fmt: skip


def tp_sizes(model: OpenModel, quant: Quantization, gpu: Gpu, engine: Engine | None, max_gpus: int,
             sizes: Iterable[int]) -> list[int]:  # fmt: skip
    """Tensor-parallel sizes worth profiling: at most an instance's GPUs, the weights fitting each GPU."""
    weights, usable = weight_bytes(model, quant), usable_bytes(gpu, memory_fraction(engine))
    return [t for t in sizes if t <= max_gpus and weights / t < usable]


def engine_runs_on(engine: Engine | None, gpu: Gpu) -> bool:
    vendors = ENGINE_VENDORS.get(engine.id if engine else "vllm")
    return vendors is None or gpu.vendor in vendors


@dataclass(frozen=True, eq=False)
class FleetOption:
    """A replica configuration rented as one offer's instances."""

    profile: ReplicaProfile
    offer: GpuOffer
    replicas_per_instance: int
    usd_per_instance_month: float

    @property
    def id(self) -> str:
        return f"{self.profile.id} {self.offer.pricing} {self.offer.provider}/{self.offer.instance}"

    def requests_per_s(self, throughput_factor: float = 1.0) -> FloatArray:
        """(targets, buckets) requests/s one instance sustains."""
        out: FloatArray = self.profile.requests_per_s * self.replicas_per_instance * throughput_factor
        return out


def fleet_options(
    profiles: Iterable[ReplicaProfile],
    offers: Mapping[str, Sequence[GpuOffer]],
    hours_per_month: float,
    gpu_price_factor: float = 1.0,
) -> list[FleetOption]:
    """Every profile rented from each offer of its GPU that holds a replica; of offers with the same
    pricing model and instance size only the cheapest is kept (the others cost more for the same)."""
    out: list[FleetOption] = []
    for p in profiles:
        cheapest: dict[tuple[str, int], GpuOffer] = {}
        for o in offers.get(p.gpu.id, ()):
            if o.gpus_per_instance < p.gpus_per_replica:
                continue
            key = (o.pricing, o.gpus_per_instance)
            if key not in cheapest or o.usd_per_instance_hour < cheapest[key].usd_per_instance_hour:
                cheapest[key] = o
        for o in cheapest.values():
            k = o.gpus_per_instance // p.gpus_per_replica
            out.append(FleetOption(p, o, k, o.usd_per_instance_hour * hours_per_month * gpu_price_factor))
    return out


def undominated(usd: FloatArray, capacity: FloatArray) -> list[int]:
    """Indices of the options no other option beats: another costs no more per instance and carries
    at least as much of every bucket per instance (ties: the first is kept). Dropping a dominated
    option never raises the optimum: swap each of its instances for one of the dominating option's."""
    n = len(usd)
    keep = np.ones(n, dtype=bool)
    order = np.lexsort((np.arange(n), usd))  # cheapest first, then by index
    for pos, i in enumerate(order):
        if not keep[i]:
            continue
        rest = order[pos + 1 :]
        rest = rest[keep[rest]]
        if rest.size:
            beaten = np.all(capacity[rest] <= capacity[i], axis=1) & (usd[rest] >= usd[i])
            keep[rest[beaten]] = False
    return [int(i) for i in np.flatnonzero(keep)]


@contextmanager
def _native_stdout_silenced() -> Iterator[None]:
    """HiGHS (C++) writes some diagnostics straight to file descriptor 1 whatever its output flag
    says ('HighsMipSolverData::transformNewIntegerFeasibleSolution ...'): point it at /dev/null for
    the solve, so a JSON answer on stdout stays JSON."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError, AttributeError):
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


@dataclass(frozen=True, eq=False)
class Assignment:
    """An optimal fleet: instances per option and each bucket's share on each option."""

    feasible: bool
    monthly_cost_usd: float
    instances: FloatArray  # (options,) whole numbers
    shares: FloatArray  # (options, buckets)
    reason: str = ""


def solve_assignment(
    usd_per_instance: FloatArray,
    requests_per_s_per_instance: FloatArray,
    load_requests_per_s: FloatArray,
    utilization: float = 1.0,
    time_limit_s: float = defaults.MILP_TIME_LIMIT_S,
) -> Assignment:
    """The cheapest integer fleet carrying every bucket's load (the programme in the module
    docstring). `requests_per_s_per_instance` is (options, buckets), 0 where an option cannot serve
    a bucket; `load_requests_per_s` is (buckets,). Exact: HiGHS with a zero MIP gap."""
    from scipy.optimize import Bounds, LinearConstraint, milp  # type: ignore[import-untyped]  # only plan pays for scipy

    c = np.asarray(usd_per_instance, dtype=np.float64)
    cap = np.asarray(requests_per_s_per_instance, dtype=np.float64)
    load = np.asarray(load_requests_per_s, dtype=np.float64)
    n_opt, n_b = cap.shape
    if not 0 < utilization <= 1:
        raise UsageError(f"utilization must be in (0, 1], got {utilization!r}")
    if np.any(~np.isfinite(cap)) or np.any(cap < 0) or np.any(~np.isfinite(c)) or np.any(c < 0):
        raise UsageError("fleet options need finite, non-negative prices and rates")
    if np.any(~np.isfinite(load)) or np.any(load < 0):
        raise UsageError("bucket loads must be finite and >= 0")
    busy = load > 0
    unserved = [b for b in range(n_b) if busy[b] and not np.any(cap[:, b] > 0)]
    if unserved:
        return Assignment(False, math.nan, np.zeros(n_opt), np.zeros((n_opt, n_b)),
                          f"no option serves bucket(s) {', '.join(map(str, unserved))}")  # fmt: skip
    pairs = [(o, b) for o in range(n_opt) for b in range(n_b) if busy[b] and cap[o, b] > 0]
    n_x = len(pairs)
    # an instance count above what serving every bucket it can alone would need is never optimal
    upper = np.zeros(n_opt)
    for o, b in pairs:
        upper[o] += load[b] / (utilization * cap[o, b])
    upper = np.ceil(upper + 1e-9)
    a_eq = np.zeros((n_b, n_opt + n_x))
    a_cap = np.zeros((n_opt, n_opt + n_x))
    a_cap[np.arange(n_opt), np.arange(n_opt)] = -1.0
    for k, (o, b) in enumerate(pairs):
        a_eq[b, n_opt + k] = 1.0
        a_cap[o, n_opt + k] = load[b] / (utilization * cap[o, b])
    rows = np.flatnonzero(busy)
    cost = np.concatenate([c, np.zeros(n_x)])
    integrality = np.concatenate([np.ones(n_opt), np.zeros(n_x)])
    bounds = Bounds(np.zeros(n_opt + n_x), np.concatenate([upper, np.ones(n_x)]))
    constraints = [LinearConstraint(a_cap, -np.inf, 0.0)]
    if rows.size:
        constraints.append(LinearConstraint(a_eq[rows], 1.0, 1.0))
    with _native_stdout_silenced():
        res = milp(cost, integrality=integrality, bounds=bounds, constraints=constraints,
                   options={"mip_rel_gap": 0.0, "time_limit": time_limit_s})  # fmt: skip
    if res.x is None or res.status != 0:  # 0: optimal; a time limit or a numerical failure is not an answer
        return Assignment(False, math.nan, np.zeros(n_opt), np.zeros((n_opt, n_b)), f"HiGHS: {res.message}")
    n = np.round(res.x[:n_opt])
    shares = np.zeros((n_opt, n_b))
    for k, (o, b) in enumerate(pairs):
        shares[o, b] = max(res.x[n_opt + k], 0.0)
    return Assignment(True, float(c @ n), n, shares)
