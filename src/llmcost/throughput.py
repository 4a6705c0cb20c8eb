"""Serving throughput of one replica: a roofline model of continuous batching.

Per request, a replica spends prefill time (compute-bound: FLOPs at the tensor rate) plus its share
of the decode steps. A decode step of batch B reads the weights once plus every sequence's KV cache
(bandwidth) or, at large B, runs out of FLOPs (compute); tensor parallelism splits both and adds
two all-reduces per layer over the interconnect (a latency each, and ring traffic at the achieved share
of the link). A MoE model's routed experts run, where the engine's kernel was measured on the GPU,
at that kernel's fitted speed after the rest of the step (`moe_kernel_s`). Continuous batching keeps
B sequences in flight:

    requests/s       = 1 / (t_prefill + output_tokens * t_step(B) / B)
    output tokens/s  = output_tokens * requests/s
    TPOT             = B / output tokens/s   (Little's law: B sequences share the replica's rate)
    TTFT             = t_prefill + t_step(B) (+ an online server's first-token time)

Efficiency factors (achieved fraction of peak) are the only tuning knobs; see `Efficiency`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from llmcost.defaults import (
    ALLREDUCE_LATENCY_PER_DOUBLING_US,
    ALLREDUCE_LINK_EFFICIENCY,
    LOAD_QUANTILES,
    P99_SIZING_TOLERANCE,
    Efficiency,
)
from llmcost.errors import UsageError
from llmcost.memory import (
    attended_tokens,
    decode_kv_read_bytes,
    kv_shards,
    moe_layers,
    params_active,
    params_total,
    routed_expert_params,
    weight_bytes,
)
from llmcost.notes import Note
from llmcost.numeric import ceil, maximum, minimum
from llmcost.quantization import Quantization, compute_path
from llmcost.records import Gpu, MoeKernel, OpenModel

if TYPE_CHECKING:
    from llmcost.numeric import FloatArray

# batch sizes: one (a float; what sizing needs) or many at once (an array; calibration, latency targets)
B = TypeVar("B", float, "FloatArray")

ACTIVATION_BYTES = 2.0  # activations exchanged in TP all-reduces are 16-bit


@dataclass(frozen=True, eq=False)
class ServingShape:
    """The scalars one (model, quantization, GPU, TP size, token mix) reduces to."""

    tp: int
    layers: int
    input_tokens: float
    output_tokens: float  # decode steps per request: visible answer + reasoning
    prefill_tokens: float  # prompt tokens computed (the rest come from the prefix cache)
    dense_read_bytes: float  # weights read every decode step, whole replica
    expert_bytes: float  # MoE routed-expert weights, whole replica (0 for dense)
    experts: int
    experts_per_token: int
    kv_read_bytes_per_seq: float  # at the mean decode context, whole replica (before sharding)
    kv_shards: int
    flops_per_decode_token: float  # incl. attention at the mean decode context
    flops_per_prefill: float  # whole prompt, incl. causal attention
    bandwidth_bytes_per_s: float  # per GPU
    tflops: float  # per GPU, at the compute path's precision, on bf16's footing (ComputePath.effective_tflops)
    link_bytes_per_s: float  # per GPU, one direction
    allreduce_bytes_per_token: float  # activation bytes all-reduced per token per step
    allreduce_calls: int  # all-reduces per step (each pays the latency)
    # how a MoE replica splits over its GPUs (memory.PARALLELISMS; with_parallelism sets the rest)
    parallelism: str = "tp"
    alltoall_bytes_per_token: float = 0.0  # ep / dp-attention: dispatch + combine bytes per token per step
    moe_layers: int = 0  # layers whose FFN is a mixture of experts: their fixed cost per step may differ
    # the engine's measured routed-expert kernel on this GPU and format (None: the touched experts
    # join the roofline), and what moe_kernel_s needs beside it
    moe_kernel: MoeKernel | None = None
    hidden_size: int = 0
    expert_flops_per_token: float = 0.0  # routed experts, every MoE layer, whole replica
    peak_tflops: float = 0.0  # per GPU, the datasheet's dense peak at the compute path's precision


@dataclass(frozen=True)
class TpLink:
    """The fabric a tensor-parallel group's all-reduces run over, and its bandwidth."""

    fabric: str  # nvlink | xgmi | pcie, or "interconnect" where hardware.yaml names no multi_gpu fabric
    gb_per_s: float  # per GPU, both directions (hardware.yaml interconnect_gb_per_s)
    p2p: bool  # False: the GPUs cannot reach each other's memory (GeForce): NCCL stages through host memory

    def note(self, gpu: Gpu, tp: int) -> Note:
        """The link in words: which fabric, how fast, and what the figure leaves out."""
        if self.fabric == "pcie" and not self.p2p:
            why = (
                " (no NVLink; GeForce cards have no PCIe peer-to-peer, so NCCL stages the traffic through "
                "host memory: the PCIe figure is an upper bound)"
            )
        elif self.fabric == "pcie" and gpu.nvlink:
            why = (
                f" (NVLink bridges join only {gpu.scale_up_gpus or 2} cards and their bandwidth is not sourced: "
                "the PCIe figure is used)"
            )
        elif self.fabric == "pcie":
            why = " (no NVLink between these cards)"
        elif self.fabric == "xgmi" and gpu.scale_up_gpus is not None:
            why = (
                f" ({tp - 1} of its {gpu.scale_up_gpus - 1} links: one to each peer of its fully connected "
                f"{gpu.scale_up_gpus}-GPU board)"
            )
        elif gpu.scale_up_gpus is not None:
            why = f" (within its {gpu.scale_up_gpus}-GPU domain)"
        else:
            why = ""
        name = {"nvlink": "NVLink", "xgmi": "XGMI", "pcie": "PCIe"}.get(self.fabric, "the interconnect")
        return Note("tp_link", {"gpus": tp, "gpu": gpu.id, "fabric": name, "gb_per_s": self.gb_per_s, "why": why})

    def to_dict(self, gpu: Gpu, tp: int) -> dict[str, float | str | bool]:
        return {**self.__dict__, "note": self.note(gpu, tp).message}


def vendor_note(gpu: Gpu) -> Note | None:
    """The caveat on an AMD GPU's figures: the fitted factors come from NVIDIA GPUs, and published
    MI300X runs fall short of them at large batches (README: Accuracy at a given concurrency)."""
    return Note("amd_fitted_on_nvidia", {"gpu": gpu.id}) if gpu.vendor == "amd" else None


def tp_link(gpu: Gpu, tp: int) -> TpLink | None:
    """The link tensor parallelism over `tp` GPUs of one instance uses (None for one GPU).

    `multi_gpu: pcie` cards run their all-reduces at the PCIe figure, however the instance is built
    (8 x RTX 4090 is not an HGX board); an NVLink or XGMI group larger than the GPU's scale-up
    domain (`scale_up_gpus`) would cross a fabric with no sourced bandwidth, so it is refused. XGMI
    boards are a full mesh (AMD's MI300 platform: one link from each GPU to each of its 7 peers), so
    a group of `tp` GPUs reaches (tp - 1) / (domain - 1) of the per-GPU figure; NVLink's switches give
    any group all of it. A UsageError says why a size is not modelled."""
    if tp <= 1:
        return None
    if gpu.interconnect_gb_per_s is None:
        raise UsageError(
            f"{gpu.id}: no sourced interconnect bandwidth in hardware.yaml, so tensor parallelism "
            f"over {tp} GPUs is not modelled"
        )
    fabric = gpu.multi_gpu or "interconnect"
    if fabric in ("nvlink", "xgmi") and gpu.scale_up_gpus is not None and tp > gpu.scale_up_gpus:
        raise UsageError(
            f"{gpu.id}: tensor parallelism over {tp} GPUs exceeds its {gpu.scale_up_gpus}-GPU "
            f"{'NVLink' if fabric == 'nvlink' else 'XGMI'} domain; the fabric beyond it has no sourced "
            "bandwidth, so it is not modelled"
        )
    gb_per_s = gpu.interconnect_gb_per_s
    if fabric == "xgmi" and gpu.scale_up_gpus is not None and gpu.scale_up_gpus > 1:
        gb_per_s *= (tp - 1) / (gpu.scale_up_gpus - 1)
    return TpLink(fabric, gb_per_s, p2p=gpu.form_factor != "consumer")


def serving_shape(
    model: OpenModel,
    quant: Quantization,
    gpu: Gpu,
    tp: int,
    input_tokens: float,
    output_tokens: float,
    kv_bytes: float | None = None,
    cached_tokens: float = 0.0,
    parallelism: str = "tp",
    moe_kernel: MoeKernel | None = None,
) -> ServingShape:
    """`cached_tokens` of the prompt are served from the engine's prefix cache: prefill computes
    only the rest (each new token still attends to the whole prompt before it). `parallelism`: see
    `with_parallelism`. `moe_kernel`: the serving engine's routed-expert kernel on this GPU and
    format (data/engines.yaml moe_kernel), which times a MoE model's routed experts."""
    if input_tokens <= 0 or output_tokens <= 0:
        raise UsageError("input and output tokens must be > 0")
    if not 0 <= cached_tokens < input_tokens:
        raise UsageError("cached tokens must be >= 0 and fewer than the prompt's")
    link = tp_link(gpu, tp)
    kvb = quant.default_kv_bytes if kv_bytes is None else kv_bytes
    path = compute_path(quant, gpu)
    emb_bytes = quant.bytes_per_param if quant.quantizes_embeddings else 2.0
    # the input embedding is a lookup of B rows, not read whole (a tied matrix is read as the head)
    emb_in = 0.0 if model.tied_embeddings else model.vocab_size * model.hidden_size * emb_bytes
    total = weight_bytes(model, quant) - emb_in
    expert = expert_flops = 0.0
    experts = k = 1
    if model.moe is not None:
        experts, k = model.moe.experts, model.moe.experts_per_token
        # routed experts counted from the architecture (every MoE layer's experts x 3 x hidden x
        # width); the rest (attention, dense layers, shared experts, routers) is read every step
        routed = min(routed_expert_params(model), params_total(model))
        expert = routed * quant.bytes_per_param
        expert_flops = 2 * routed * k / experts  # each token runs k of the E experts
    if moe_kernel is not None and (moe_kernel.gpu, moe_kernel.weight_dtype) != (gpu.id, quant.id):
        raise UsageError(f"moe kernel {moe_kernel.id} is not for {quant.id} on {gpu.id}")
    prefill_full, prefill_local, prefill_index = attended_tokens(model, cached_tokens, input_tokens)
    decode_full, decode_local, decode_index = (
        a / output_tokens for a in attended_tokens(model, input_tokens, input_tokens + output_tokens)
    )
    active = params_active(model)
    shape = ServingShape(
        tp=tp,
        layers=model.layers,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        prefill_tokens=input_tokens - cached_tokens,
        dense_read_bytes=total - expert,
        expert_bytes=expert,
        experts=experts,
        experts_per_token=k,
        kv_read_bytes_per_seq=decode_kv_read_bytes(model, input_tokens, output_tokens, kvb),
        kv_shards=kv_shards(model, tp),
        flops_per_decode_token=2 * active + attention_flops(model, decode_full, decode_local, decode_index, 1.0),
        flops_per_prefill=2 * active * (input_tokens - cached_tokens)
        + attention_flops(model, prefill_full, prefill_local, prefill_index, input_tokens - cached_tokens),
        bandwidth_bytes_per_s=gpu.memory_bandwidth_tb_per_s * 1e12,
        tflops=path.effective_tflops,
        link_bytes_per_s=(link.gb_per_s if link else 0.0) * 1e9 / 2,  # one direction
        allreduce_bytes_per_token=2 * model.layers * model.hidden_size * ACTIVATION_BYTES,
        allreduce_calls=2 * model.layers,  # after attention and after the FFN of every layer
        moe_layers=moe_layers(model),
        moe_kernel=moe_kernel if model.moe is not None else None,
        hidden_size=model.hidden_size,
        expert_flops_per_token=expert_flops,
        peak_tflops=path.tflops,
    )
    return with_parallelism(shape, model, parallelism)


# ---------------------------------------------------------------- MoE layouts: expert parallelism, DP attention
#
# Expert-activation statistics (stated, not fitted): routing is taken as uniform and independent,
# each token picking top-k of the E routed experts, so B tokens touch on average
#     E x (1 - (1 - k / E)^B)          distinct experts per MoE layer (exact under that assumption)
# and with ep / dp-attention each of the N GPUs holds E / N experts and reads its expected share,
# expert bytes x (1 - (1 - k / E)^B) / N. Load imbalance (the step waits for the busiest GPU, whose
# share exceeds the mean; engines rebalance with redundant experts, DeepSeek's EPLB) is NOT modelled:
# no sourced figure for it was found, so EP's expert reads are the balanced expectation.
#
# Traffic. tp: two all-reduces of every token's activations per layer (_allreduce_s).
# ep: attention and dense layers stay tensor-parallel (one all-reduce after attention in every layer,
#     one after each dense FFN), and each MoE layer exchanges tokens by two all-to-alls: dispatch (each
#     GPU sends its 1/N of the tokens, k copies of hidden x 2 bytes each, to the experts' GPUs) and
#     combine (the k expert outputs come back). (N - 1) / N of the copies leave the GPU.
# dp-attention: no all-reduce (attention and dense layers are replicated); the same all-to-alls.
# Bytes are 16-bit activations both ways (DeepEP can dispatch in fp8: not modelled); a token routed
# to several experts on one GPU is sent once per expert (per-GPU deduplication is not modelled).
# Shared experts run where the token is (dp-attention) or tensor-parallel with attention (ep).


def with_parallelism(s: ServingShape, model: OpenModel, parallelism: str) -> ServingShape:
    """The shape at a MoE layout (memory.PARALLELISMS). tp, a dense model or one GPU: unchanged."""
    from dataclasses import replace

    if parallelism == "tp" or s.tp == 1 or model.moe is None:
        return replace(s, parallelism="tp") if parallelism != "tp" else s
    if parallelism not in ("ep", "dp-attention"):
        raise UsageError(f"parallelism '{parallelism}' is not one of tp, ep, dp-attention")
    h, n_moe = model.hidden_size, moe_layers(model)
    a2a = 2 * n_moe * model.moe.experts_per_token * h * ACTIVATION_BYTES  # dispatch + combine, per token
    # ep: one all-reduce after attention in every layer, one after each dense (non-MoE) FFN
    calls = 2 * model.layers - n_moe if parallelism == "ep" else 0
    return replace(
        s,
        parallelism=parallelism,
        alltoall_bytes_per_token=a2a,
        allreduce_bytes_per_token=calls * h * ACTIVATION_BYTES,
        allreduce_calls=calls,
    )


def touched_share(s: ServingShape, tokens: B) -> B:
    """Expected share of the routed experts `tokens` tokens use in a MoE layer, 1 - (1 - k/E)^n
    (uniform, independent routing; see above)."""
    untouched: B = (1.0 - s.experts_per_token / s.experts) ** tokens
    return 1.0 - untouched


def moe_read_bytes_per_gpu(s: ServingShape, batch: B, experts: bool = True) -> tuple[B | float, B]:
    """(weight bytes, KV bytes) one GPU reads in a decode step of `batch` sequences (the replica's),
    at the shape's layout: tp / ep read 1/N of the non-expert weights and of the touched experts, and
    the KV split over kv_shards; dp-attention reads all the non-expert weights, 1/N of the touched
    experts, and the whole KV of its own batch / N sequences. `experts=False`: without the routed
    experts (which a measured MoE kernel times on its own)."""
    touched = touched_share(s, batch) if s.expert_bytes and experts else 0.0
    routed = s.expert_bytes * touched / s.tp
    if s.parallelism == "dp-attention":
        return s.dense_read_bytes + routed, batch / s.tp * s.kv_read_bytes_per_seq
    return s.dense_read_bytes / s.tp + routed, batch * s.kv_read_bytes_per_seq / s.kv_shards


def alltoall_s(s: ServingShape, tokens: B) -> B | float:
    """Dispatch + combine all-to-all time of `tokens` tokens (the replica's) per step [s]: each GPU
    sends and receives its tokens / N x alltoall bytes x (N - 1) / N over its link (one direction)."""
    if s.tp == 1 or not s.alltoall_bytes_per_token:
        return 0.0
    return tokens / s.tp * s.alltoall_bytes_per_token * (s.tp - 1) / s.tp / s.link_bytes_per_s


@dataclass(frozen=True)
class MoeStep:
    """What one decode step of a MoE replica does at its layout, at a batch (capacity shows it)."""

    parallelism: str
    routing: str  # the expert-activation statistics used
    experts_touched_per_layer: float  # expected distinct routed experts a step's tokens use, per MoE layer
    experts_per_gpu: float  # routed experts held per GPU per MoE layer (tp: a 1/N slice of each, so E)
    weight_gib_read_per_gpu: float
    kv_gib_read_per_gpu: float
    allreduce_ms: float
    alltoall_ms: float
    # how the routed experts are timed: the engine's measured kernel (engines.yaml moe_kernel) or the
    # roofline of the touched experts' bytes and FLOPs; and that kernel's time per step
    expert_kernel: str
    expert_kernel_ms: float | None

    def to_dict(self) -> dict[str, float | str | None]:
        return dict(self.__dict__)


def moe_step(s: ServingShape, batch: float) -> MoeStep | None:
    """The MoE decode step at `batch` sequences: routing statistics, reads and traffic per GPU (None
    for a dense model)."""
    if not s.expert_bytes:
        return None
    weights, kv = moe_read_bytes_per_gpu(s, batch)
    touched = s.experts * touched_share(s, batch)
    return MoeStep(
        parallelism=s.parallelism,
        routing=f"uniform top-{s.experts_per_token} of {s.experts}; load imbalance not modelled",
        experts_touched_per_layer=touched,
        experts_per_gpu=s.experts / s.tp if s.parallelism != "tp" else float(s.experts),
        weight_gib_read_per_gpu=float(weights) / 2**30,
        kv_gib_read_per_gpu=float(kv) / 2**30,
        allreduce_ms=float(_allreduce_s(s, batch)) * 1e3,
        alltoall_ms=float(alltoall_s(s, batch)) * 1e3,
        expert_kernel=(
            f"{s.moe_kernel.kernel}, measured (engines.yaml moe_kernel {s.moe_kernel.id})"
            if s.moe_kernel is not None
            else "roofline of the touched experts (no measured kernel for this engine, GPU and format)"
        ),
        expert_kernel_ms=float(moe_kernel_s(s, batch)) * 1e3 if s.moe_kernel is not None else None,
    )


def communication_s(s: ServingShape, tokens: B) -> B | float:
    """Interconnect time of one step over `tokens` tokens [s]: all-reduces, plus all-to-alls under ep
    / dp-attention."""
    return _allreduce_s(s, tokens) + alltoall_s(s, tokens)


def attention_flops(model: OpenModel, full: float, local: float, indexer: float, tokens: float) -> float:
    """Attention FLOPs of `tokens` queries that attend `full` / `local` tokens in total per layer of
    each kind (see memory.attended_tokens): QK^T and AV are 2 x 2 x heads x head_dim per attended
    token; a sparse indexer scores every token with 2 x index_heads x index_head_dim; a linear-
    attention layer updates and reads its state, about 6 x value_heads x key_dim x value_dim per token."""
    width = model.attention_heads * model.head_dim
    la, sw, sa = model.linear_attention, model.sliding_window, model.sparse_attention
    if la is not None:
        state = 6 * la.value_heads * la.key_head_dim * la.value_head_dim
        return 4 * width * la.full_attention_layers * full + la.layers * state * tokens
    flops = 0.0
    if sw is not None:
        glob = model.global_attention
        glob_width = model.attention_heads * glob.head_dim if glob is not None else width
        flops = (
            4 * glob_width * sw.full_attention_layers * full
            + 4 * width * (model.layers - sw.full_attention_layers) * local
        )
    else:
        flops = 4 * width * model.layers * full
    if sa is not None and sa.type == "dsa":
        flops += 2 * sa.index_heads * sa.index_head_dim * model.layers * indexer
    return flops


def decode_step_s(s: ServingShape, batch: B, eff: Efficiency) -> tuple[B, B, B]:
    """Time of one decode step at each batch size [s]: (step, memory part, compute part)."""
    kernel = s.moe_kernel is not None  # the routed experts run as the engine's MoE kernel, after the rest
    weights, kv = moe_read_bytes_per_gpu(s, batch, experts=not kernel)
    flops = s.flops_per_decode_token - (s.expert_flops_per_token if kernel else 0.0)
    experts = moe_kernel_s(s, batch)
    t_mem = (weights + kv) / (s.bandwidth_bytes_per_s * eff.bandwidth)
    t_compute = batch * flops / (s.tp * s.tflops * 1e12 * eff.decode_compute)
    overhead = fixed_step_s(s, eff) + batch * eff.sequence_overhead_us * 1e-6
    return maximum(t_mem, t_compute) + experts + communication_s(s, batch) + overhead, t_mem, t_compute


def moe_kernel_s(s: ServingShape, tokens: B, marginal: bool = False) -> B | float:
    """Time of the routed experts of `tokens` tokens in one step on each GPU, every MoE layer, by the
    engine's measured kernel (data/engines.yaml moe_kernel: a fixed time, a time per touched expert,
    what the GPU holds of the touched experts read, the token copies' FLOPs and their 16-bit
    activations; fitted on tensor-parallel groups, applied to ep / dp-attention's per-GPU terms) [s];
    0 without a kernel. `marginal`: only the terms that grow with the tokens (FLOPs, activations), what
    a prompt's tokens add to the steps they ride, which read the experts anyway."""
    k = s.moe_kernel
    if k is None or not s.moe_layers:
        return 0.0
    # tp: every GPU holds all E experts at 1/N of their width and runs every token copy; ep and
    # dp-attention: E/N whole experts, and the copies the all-to-all brings, n k / N
    split = 1 if s.parallelism == "tp" else s.tp
    width = 1 / s.tp if split == 1 else 1.0
    copies = tokens * s.experts_per_token / split
    flops = tokens / split * width * s.expert_flops_per_token / s.moe_layers  # per layer, per GPU
    per_layer = flops / (s.peak_tflops * 1e12 * k.compute) + (
        k.activation_passes * copies * s.hidden_size * ACTIVATION_BYTES / s.bandwidth_bytes_per_s
    )
    if not marginal:
        touched = s.experts / split * touched_share(s, tokens)
        expert = width * s.expert_bytes / (s.moe_layers * s.experts)  # what one GPU holds of one expert
        per_layer = per_layer + (k.fixed_us + k.per_expert_us * touched) * 1e-6
        per_layer = per_layer + touched * expert / (s.bandwidth_bytes_per_s * k.bandwidth)
    return s.moe_layers * per_layer


def fixed_step_s(s: ServingShape, eff: Efficiency) -> float:
    """The fixed part of a decode step [s]: a time per layer whatever the batch (kernel launches and
    small kernels, norms, sampling, scheduling), of the engine release (data/engines.yaml
    engine_overhead); an MoE layer may take longer (router, top-k and expert-dispatch kernels)."""
    dense = s.layers - s.moe_layers
    return (dense * eff.layer_overhead_us + s.moe_layers * eff.moe_overhead_us) * 1e-6


def _allreduce_s(s: ServingShape, tokens: B) -> B | float:
    """The step's all-reduces of every token's activations: a latency each, and the ring traffic
    (2(tp-1)/tp bytes per byte) at the achieved share of the link (defaults.ALLREDUCE_*)."""
    if s.tp == 1 or not s.allreduce_calls:
        return 0.0
    ring = 2 * (s.tp - 1) / s.tp
    latency_us = ALLREDUCE_LATENCY_PER_DOUBLING_US * math.log2(s.tp)
    traffic = tokens * s.allreduce_bytes_per_token * ring / (s.link_bytes_per_s * ALLREDUCE_LINK_EFFICIENCY)
    return s.allreduce_calls * latency_us * 1e-6 + traffic


def prefill_s(s: ServingShape, eff: Efficiency) -> float:
    """Time to prefill one prompt on the replica: compute-bound, plus its all-reduces [s]; with a MoE
    kernel, the routed experts at the kernel's marginal cost of the prompt's tokens (moe_kernel_s)."""
    flops, experts = s.flops_per_prefill, 0.0
    if s.moe_kernel is not None:
        flops -= s.prefill_tokens * s.expert_flops_per_token
        experts = float(moe_kernel_s(s, s.prefill_tokens, marginal=True))
    compute = flops / (s.tp * s.tflops * 1e12 * eff.prefill_compute)
    return compute + experts + float(communication_s(s, s.prefill_tokens))


@dataclass(frozen=True)
class Capacity:
    """Saturated throughput of one replica and what limits it."""

    requests_per_s: float
    output_tokens_per_s: float
    batch_size: int
    max_batch_by_memory: int
    bound: str  # kv_memory | engine_max_batch | compute | latency_target
    regime: str  # bandwidth | compute: what dominates a decode step at that batch
    ttft_ms: float
    tpot_ms: float
    prefill_share: float  # share of replica time spent in prefill
    # set when P99 targets sized the replica (bound p99_latency): requests_per_s is then the highest
    # rate meeting them, ttft_ms / tpot_ms the P99s there, and this the saturated rate
    saturated_requests_per_s: float | None = None

    def to_dict(self) -> dict[str, float | int | str | None]:
        return dict(self.__dict__)


@dataclass(frozen=True, eq=False)
class Rates(Generic[B]):
    """Serving rates at each batch size in `batch` (floats, or arrays of the same shape)."""

    batch: B
    requests_per_s: B
    output_tokens_per_s: B
    ttft_s: B
    tpot_s: B
    t_mem_s: B
    t_compute_s: B
    prefill_s: float
    step_s: B  # one decode step at the batch


def rates(s: ServingShape, batch: B, eff: Efficiency) -> Rates[B]:
    """Continuous-batching rates at fixed batch sizes (see the module docstring)."""
    step, t_mem, t_compute = decode_step_s(s, batch, eff)
    pre = prefill_s(s, eff)
    req_s = 1.0 / (pre + s.output_tokens * step / batch)
    tok_s = req_s * s.output_tokens
    ttft = pre + step + eff.first_token_overhead_ms * 1e-3
    return Rates(batch, req_s, tok_s, ttft, batch / tok_s, t_mem, t_compute, pre, step)


def _meets(r: Rates[float], max_ttft_ms: float | None, max_tpot_ms: float | None) -> bool:
    """Whether the latency targets hold at this batch size."""
    return (max_tpot_ms is None or r.tpot_s * 1e3 <= max_tpot_ms) and (
        max_ttft_ms is None or r.ttft_s * 1e3 <= max_ttft_ms
    )


def _largest_batch_meeting(
    s: ServingShape, cap: int, eff: Efficiency, max_ttft_ms: float | None, max_tpot_ms: float | None
) -> Rates[float]:
    """Rates at the largest batch in 1..cap meeting the latency targets (every batch evaluated at once)."""
    import numpy as np

    r = rates(s, np.arange(1, cap + 1, dtype=np.float64), eff)
    ok = np.ones_like(r.batch, dtype=bool)
    if max_tpot_ms is not None:
        ok &= r.tpot_s * 1e3 <= max_tpot_ms
    if max_ttft_ms is not None:
        ok &= r.ttft_s * 1e3 <= max_ttft_ms
    if not ok.any():
        raise UsageError(
            f"latency target unreachable: at batch 1 TTFT is {r.ttft_s[0] * 1e3:.0f} ms "
            f"and TPOT {r.tpot_s[0] * 1e3:.1f} ms"
        )
    i = int(np.flatnonzero(ok)[-1])  # throughput rises with batch, so the largest allowed batch wins
    return Rates(
        float(r.batch[i]),
        float(r.requests_per_s[i]),
        float(r.output_tokens_per_s[i]),
        float(r.ttft_s[i]),
        float(r.tpot_s[i]),
        float(r.t_mem_s[i]),
        float(r.t_compute_s[i]),
        r.prefill_s,
        float(r.step_s[i]),
    )


def saturated_capacity(
    s: ServingShape,
    max_batch_by_memory: int,
    engine_max_batch: int,
    eff: Efficiency,
    max_ttft_ms: float | None = None,
    max_tpot_ms: float | None = None,
) -> Capacity:
    """Throughput at the largest batch memory, the engine and the latency targets allow."""
    cap = min(max_batch_by_memory, engine_max_batch)
    if cap < 1:
        raise UsageError("no sequence fits beside the weights: batch size would be 0")
    r = rates(s, float(cap), eff)  # one batch size in plain floats: the usual case, no array needed
    if not _meets(r, max_ttft_ms, max_tpot_ms):  # a latency target binds: search every smaller batch
        r = _largest_batch_meeting(s, cap, eff, max_ttft_ms, max_tpot_ms)
    batch = int(r.batch)
    if batch < cap:
        bound = "latency_target"
    elif r.t_compute_s >= r.t_mem_s:
        bound = "compute"
    else:
        bound = "kv_memory" if max_batch_by_memory <= engine_max_batch else "engine_max_batch"
    return Capacity(
        requests_per_s=r.requests_per_s,
        output_tokens_per_s=r.output_tokens_per_s,
        batch_size=batch,
        max_batch_by_memory=max_batch_by_memory,
        bound=bound,
        regime="compute" if r.t_compute_s >= r.t_mem_s else "bandwidth",
        ttft_ms=r.ttft_s * 1e3,
        tpot_ms=r.tpot_s * 1e3,
        prefill_share=r.prefill_s * r.requests_per_s,
    )


# ---------------------------------------------------------------- capacity at a given concurrency or load
#
# Continuous batching with chunked prefill. A prompt admitted beside b - 1 running sequences is
# prefilled in chunks of the engine's token budget per step (max_num_batched_tokens) less the
# decode tokens of that step; each chunk rides one engine step, which also reads the weights and
# the running sequences' KV cache; a prompt that arrives while other sequences decode first waits for
# the step in flight to end (half a step on average: steps do not stop for arrivals; an idle engine
# starts at once). So, at a running batch b:
#
#     TTFT0(b)  = t_prefill + ceil(prompt / (chunk - (b - 1))) * t_step(b)  (+ t_step(b - 1) / 2 if b > 1)
#                 + t_front   (an online server's non-GPU time to the first streamed token)
#     X(b)      = 1 / (t_prefill + output_tokens * t_step(b) / b)      requests/s (as `rates`)
#     TPOT(b)   = b / (X(b) * output_tokens)                           prefill stalls included
#
# Closed loop at concurrency N (a benchmark's N clients): b = min(N, max batch); clients beyond the
# batch wait for a slot, N - b of them ahead at X(b) departures a second; a prompt also waits, on
# average, for the prefill of those ahead of it (the M/G/1 mean below, at the other N - 1 clients'
# rate X(b) (N - 1) / N: a closed loop's arrival sees the loop without itself).
# Open loop at a Poisson rate lambda: the requests in the system follow a birth-death chain with
# births lambda and deaths X(min(n, c)) (c the max batch): pi(n) ~ prod_{k<=n} lambda / X(k), a
# geometric tail of ratio rho = lambda / X(c) beyond c. Arrivals see pi (PASTA). An arrival finding
# n < c is admitted at once (TTFT0(n + 1)); one finding n >= c waits; in the tail the wait is
# exponential with rate X(c) - lambda and probability P(n >= c) (as in M/M/c: Erlang C with the
# batch's throughput as the service rate). Admitted prompts also queue for prefill compute behind the
# prompts ahead of them: an M/G/1 queue with service t_prefill x P / E[P] (P the prompt length) and load
# u = lambda x t_prefill, whose wait is > 0 with probability u and has conditional mean t_prefill x
# E[P^2] / E[P]^2 / (2 (1 - u)) (Pollaczek-Khinchine; M/D/1 when every prompt is alike), taken as
# exponential. TTFT quantiles add the three parts' quantiles (comonotone: more
# requests ahead means a longer wait and a fuller batch; conservative). TPOT quantiles come from the batch a
# running sequence shares, weighted by sequence time (pi(n) x min(n, c)). Stated approximations:
# exponential service (the chain is Markov), rates that follow the batch instantly, one token mix.


@dataclass(frozen=True)
class LoadLatency:
    """Latency percentiles of one replica at a Poisson request rate [ms]."""

    requests_per_s: float
    output_tokens_per_s: float
    saturated_requests_per_s: float
    utilization: float  # lambda / saturated requests/s
    mean_batch: float  # time-average running sequences
    wait_probability: float  # an arrival finds the batch full and queues
    ttft_ms: dict[str, float]  # {"p50": ..., "p90": ..., "p99": ...}
    tpot_ms: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


QUANTILES = tuple((f"p{round(q * 100)}", q) for q in LOAD_QUANTILES)


def chunked_ttft_s(s: ServingShape, r: Rates[B], eff: Efficiency, chunk_tokens: float) -> B:
    """Time to first token of a prompt admitted beside `r.batch - 1` running sequences, chunked
    prefill included (see above) [s]; `r` is `rates` at that batch (its step and prefill reused)."""
    budget = maximum(chunk_tokens - (r.batch - 1.0), 1.0)
    return r.prefill_s + ceil(s.prefill_tokens / budget) * r.step_s + eff.first_token_overhead_ms * 1e-3


def at_concurrency(
    s: ServingShape,
    concurrency: B,
    max_batch: int,
    eff: Efficiency,
    chunk_tokens: float,
    prompt_spread: float = 1.0,
) -> Rates[B]:
    """Rates of a closed loop of `concurrency` clients, each sending its next request when the last
    one ends: the running batch is min(concurrency, max_batch); the rest queue for a slot.
    `prompt_spread` is E[P^2] / E[P]^2 of the prompt lengths (1: all alike; see `prompt_spread`)."""
    b = minimum(concurrency, float(max_batch))
    r = rates(s, b, eff)
    queued = maximum(concurrency - b, 0.0) / r.requests_per_s
    # a client's prompt queues behind the other clients' prompts only (the arrival theorem of closed
    # loops: an arrival sees the loop with itself taken out), so one client never waits
    others = maximum(concurrency - 1.0, 0.0) / concurrency
    busy = r.requests_per_s * r.prefill_s * others  # the others' share of the replica's time in prefill (< 1)
    prefill_wait = busy * r.prefill_s * prompt_spread / (2.0 * (1.0 - busy))  # M/G/1 mean (Pollaczek-Khinchine)
    in_flight = minimum(concurrency - 1.0, 1.0) * r.step_s / 2.0  # half a step, if others run
    ttft = chunked_ttft_s(s, r, eff, chunk_tokens) + queued + prefill_wait + in_flight
    return Rates(
        b, r.requests_per_s, r.output_tokens_per_s, ttft, r.tpot_s, r.t_mem_s, r.t_compute_s, r.prefill_s, r.step_s
    )


def load_curve(
    s: ServingShape, max_batch: int, eff: Efficiency, chunk_tokens: float, prompt_spread: float = 1.0
) -> LoadCurve:
    """What the queueing model needs at every batch 1..max_batch, computed once (numpy arrays);
    `prompt_spread` as in `at_concurrency`."""
    import numpy as np

    b = np.arange(1, max_batch + 1, dtype=np.float64)
    r = rates(s, b, eff)
    # an arrival finding n = 0..c-1 requests joins a batch of n + 1, after half the step of n in flight
    in_flight = np.concatenate(([0.0], r.step_s[:-1] / 2.0))
    return LoadCurve(
        batch=b,
        requests_per_s=r.requests_per_s,
        log_requests_per_s=np.log(r.requests_per_s),
        ttft_s=chunked_ttft_s(s, r, eff, chunk_tokens) + in_flight,
        tpot_s=r.tpot_s,
        output_tokens=s.output_tokens,
        prefill_s=r.prefill_s,
        prompt_spread=prompt_spread,
    )


@dataclass(frozen=True, eq=False)
class LoadCurve:
    """Per-batch throughput and latency of one replica, batch = 1..max batch."""

    batch: FloatArray
    requests_per_s: FloatArray
    log_requests_per_s: FloatArray
    ttft_s: FloatArray  # TTFT0(b) of an arrival admitted at once into a batch of b (step in flight included)
    tpot_s: FloatArray
    output_tokens: float
    prefill_s: float  # one prompt's prefill compute
    prompt_spread: float = 1.0  # E[P^2] / E[P]^2 of the prompt lengths: the prefill queue's variability

    @property
    def saturated_requests_per_s(self) -> float:
        return float(self.requests_per_s[-1])


def at_rate(curve: LoadCurve, rate_per_s: float) -> LoadLatency:
    """P50/P90/P99 TTFT and TPOT at a Poisson arrival rate (the birth-death model above). A rate at
    or above the saturated capacity has no steady state: UsageError names the capacity."""
    import numpy as np

    cap_rps = curve.saturated_requests_per_s
    if not 0 < rate_per_s < cap_rps:
        raise UsageError(
            f"a rate of {rate_per_s:g} requests/s is at or above this replica's saturated capacity of "
            f"{cap_rps:.4g} requests/s: the queue would grow without bound (add replicas or lower the rate)"
        )
    c = curve.batch.size
    rho = rate_per_s / cap_rps
    # log weights of n = 0..c requests in the system, then the geometric tail beyond c
    logw = np.empty(c + 1)
    logw[0] = 0.0
    np.cumsum(math.log(rate_per_s) - curve.log_requests_per_s, out=logw[1:])
    w = np.exp(logw - logw.max())
    tail = w[-1] * rho / (1.0 - rho)  # sum over n > c
    z = w.sum() + tail
    p = w / z  # P(n) for n = 0..c
    p_wait = (w[-1] + tail) / z  # an arrival finds c or more: queues
    # TTFT: an arrival that finds n < c is admitted into a batch of n + 1
    cdf_admit = np.cumsum(p[:-1])
    busy = rate_per_s * curve.prefill_s  # prefill's share of the replica's time: < 1 below saturation
    # conditional mean of the M/G/1 wait: E[S^2] / (2 E[S] (1 - u)), prefill time taken as proportional to
    # the prompt
    prefill_wait_s = curve.prefill_s * curve.prompt_spread / (2.0 * (1.0 - busy))
    qs = np.array(LOAD_QUANTILES) - 1e-12  # every quantile in one search
    admitted = np.minimum(np.searchsorted(cdf_admit, qs), c - 1).tolist()
    ttft: dict[str, float] = {}
    for (name, q), n in zip(QUANTILES, admitted, strict=True):
        if q <= 1.0 - p_wait:
            t = float(curve.ttft_s[n])
        else:
            t = float(curve.ttft_s[-1]) + math.log(p_wait / (1.0 - q)) / (cap_rps - rate_per_s)
        if q > 1.0 - busy:
            t += prefill_wait_s * math.log(busy / (1.0 - q))
        ttft[name] = t * 1e3
    # TPOT: the batch a running sequence shares, weighted by sequence time (pi(n) x batch)
    seq = p[1:] * curve.batch
    seq[-1] += tail / z * c
    cdf_seq = np.cumsum(seq)
    shared = np.minimum(np.searchsorted(cdf_seq, qs * cdf_seq[-1]), c - 1)
    tpot = dict(zip((name for name, _ in QUANTILES), (curve.tpot_s[shared] * 1e3).tolist(), strict=True))
    mean_batch = float(p[1:] @ curve.batch + tail / z * c)
    return LoadLatency(
        requests_per_s=rate_per_s,
        output_tokens_per_s=rate_per_s * curve.output_tokens,
        saturated_requests_per_s=cap_rps,
        utilization=rho,
        mean_batch=mean_batch,
        wait_probability=float(p_wait),
        ttft_ms=ttft,
        tpot_ms=tpot,
    )


def max_rate_meeting(
    curve: LoadCurve,
    p99_ttft_ms: float | None,
    p99_tpot_ms: float | None,
    tolerance: float = P99_SIZING_TOLERANCE,
) -> float:
    """The highest Poisson rate at which P99 TTFT and P99 TPOT stay within their targets
    [requests/s] (bisection: both rise with the rate). UsageError if even an idle replica misses."""
    if p99_ttft_ms is None and p99_tpot_ms is None:
        raise UsageError("a P99 latency target is needed to size by latency")

    def meets(rate: float) -> bool:
        lat = at_rate(curve, rate)
        return (p99_ttft_ms is None or lat.ttft_ms["p99"] <= p99_ttft_ms) and (
            p99_tpot_ms is None or lat.tpot_ms["p99"] <= p99_tpot_ms
        )

    cap = curve.saturated_requests_per_s
    lo, hi = 0.0, cap
    idle = cap * 1e-6
    if not meets(idle):
        lat = at_rate(curve, idle)
        raise UsageError(
            f"P99 latency target unreachable: even an idle replica has TTFT {lat.ttft_ms['p99']:.0f} ms and "
            f"TPOT {lat.tpot_ms['p99']:.1f} ms"
        )
    lo = idle
    while hi - lo > tolerance * cap:
        mid = 0.5 * (lo + hi)
        if meets(mid):
            lo = mid
        else:
            hi = mid
    return lo


def prompt_spread(mix: Sequence[Sequence[float]]) -> float:
    """E[P^2] / E[P]^2 of prompt lengths given as (share of requests, tokens) pairs; 1 for one size."""
    total = sum(share for share, _ in mix)
    if not mix or total <= 0:
        return 1.0
    mean = sum(share * p for share, p in mix) / total
    return sum(share * p * p for share, p in mix) / total / (mean * mean)
