"""Memory of one replica: weights, KV cache (GQA-, MLA- and sliding-window-aware), runtime reserve.

All sizes in bytes unless the name says GB (1e9 bytes, as GPU datasheets count).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from llmcost.defaults import GPU_MEMORY_UTILIZATION, TP_SIZES
from llmcost.numeric import minimum
from llmcost.quantization import Quantization
from llmcost.records import Gpu, OpenModel

if TYPE_CHECKING:
    from llmcost.numeric import Number

BYTES_PER_GB = 1e9
# GPU_MEMORY_UTILIZATION is vLLM's default (vllm/engine/arg_utils.py): weights + activations + KV
# cache get 90% of each GPU; the other 10% is CUDA context, NCCL buffers and fragmentation.


def embedding_params(model: OpenModel) -> float:
    """Parameters in the input embedding and output head: vocab x hidden, twice unless tied."""
    return (1 if model.tied_embeddings else 2) * float(model.vocab_size * model.hidden_size)


def dense_layer_params(model: OpenModel) -> float:
    """One decoder layer of a dense model: Q, K, V, O projections plus a gated (3-matrix) MLP."""
    h, q, kv = model.hidden_size, model.attention_heads * model.head_dim, model.kv_heads * model.head_dim
    return float(h * q + 2 * h * kv + q * h + 3 * h * model.intermediate_size)


def params_total(model: OpenModel) -> float:
    """Total parameters. Dense models: counted from the architecture (names round: Qwen 2.5 "7B" has
    7.6e9); MoE models: the sourced total, since expert layouts vary (shared experts, dense layers)."""
    if model.moe is not None:
        return model.params_total_b * 1e9
    return embedding_params(model) + model.layers * dense_layer_params(model)


def params_active(model: OpenModel) -> float:
    """Parameters used per token (the sourced figure for MoE, all of them for dense)."""
    return model.params_active_b * 1e9 if model.moe is not None else params_total(model)


def weight_bytes(model: OpenModel, quant: Quantization) -> float:
    """Bytes of all weights at a quantization; 4-bit formats keep embeddings in 16-bit."""
    total = params_total(model)
    if quant.quantizes_embeddings:
        return total * quant.bytes_per_param
    emb = min(embedding_params(model), total)
    return (total - emb) * quant.bytes_per_param + emb * 2.0


def kv_bytes_per_token(model: OpenModel, kv_bytes: float) -> float:
    """KV cache bytes one token adds in a full-attention layer stack [bytes/token].

    GQA: K and V, each kv_heads x head_dim per layer. MLA (DeepSeek): one compressed latent of
    kv_lora_rank plus the decoupled RoPE key, shared by all heads.
    """
    if model.mla is not None:
        return model.layers * (model.mla.kv_lora_rank + model.mla.qk_rope_head_dim) * kv_bytes
    return 2.0 * model.layers * model.kv_heads * model.head_dim * kv_bytes


def kv_bytes_per_sequence(model: OpenModel, context_tokens: Number, kv_bytes: float) -> Number:
    """KV bytes held by one sequence of `context_tokens` [bytes]; sliding-window layers are capped."""
    per_layer_token = kv_bytes_per_token(model, kv_bytes) / model.layers
    sw = model.sliding_window
    if sw is None:
        return per_layer_token * model.layers * context_tokens
    local = model.layers - sw.full_attention_layers
    return per_layer_token * (
        sw.full_attention_layers * context_tokens + local * minimum(context_tokens, sw.window_tokens)
    )


def kv_shards(model: OpenModel, tp: int) -> int:
    """Ways the KV cache splits across tensor-parallel GPUs: by KV head; MLA's latent is replicated."""
    return 1 if model.mla is not None else min(tp, model.kv_heads)


@dataclass(frozen=True)
class MemoryPlan:
    """Whether (and how) one replica fits, with the numbers that decide it."""

    model: str
    quantization: str
    gpu: str
    context_tokens: int
    concurrency: int
    kv_bytes_per_element: float
    weights_gb: float
    kv_bytes_per_token: float  # full-attention layers, per replica
    kv_gb_per_sequence: float  # at context_tokens, per replica
    gpu_memory_gb: float
    usable_gb_per_gpu: float  # after the runtime reserve
    runtime_reserve_gb_per_gpu: float
    gpus_per_replica: int | None
    max_concurrent_sequences: int  # at gpus_per_replica (0 when it does not fit)
    fits: bool
    reason: str
    short_gb: float | None = None  # memory per GPU missing at the largest size tried (None when it fits)

    @property
    def kv_budget_gb_per_gpu(self) -> float:
        if self.gpus_per_replica is None:
            return 0.0
        return self.usable_gb_per_gpu - self.weights_gb / self.gpus_per_replica


def max_sequences(
    model: OpenModel, weights_b: float, kv_seq_b: float, usable_b: float, tp: int, shared_kv_b: float = 0.0
) -> int:
    """Sequences whose KV fits beside the weights (and one copy of a shared prefix) on `tp` GPUs."""
    free = usable_b - weights_b / tp - shared_kv_b / kv_shards(model, tp)
    if free <= 0:
        return 0
    return int(free // (kv_seq_b / kv_shards(model, tp)))


def usable_bytes(gpu: Gpu, gpu_memory_utilization: float) -> float:
    """Memory per GPU the engine may fill with weights and KV cache [bytes]."""
    return gpu.memory_gb * gpu_memory_utilization * BYTES_PER_GB


def plan_memory(
    model: OpenModel,
    quant: Quantization,
    gpu: Gpu,
    context_tokens: int,
    concurrency: int = 1,
    gpus: int | None = None,
    kv_bytes: float | None = None,
    gpu_memory_utilization: float = GPU_MEMORY_UTILIZATION,
    shared_prefix_tokens: int = 0,
) -> MemoryPlan:
    """Smallest tensor-parallel size in 1/2/4/8 (or exactly `gpus`) holding the weights plus
    `concurrency` sequences of `context_tokens`; otherwise say what does not fit by how much.
    A prefix every sequence shares is held once (the prefix cache shares its blocks)."""
    kvb = quant.default_kv_bytes if kv_bytes is None else kv_bytes
    w = weight_bytes(model, quant)
    shared = float(kv_bytes_per_sequence(model, shared_prefix_tokens, kvb)) if shared_prefix_tokens else 0.0
    seq = float(kv_bytes_per_sequence(model, context_tokens, kvb)) - shared
    usable = usable_bytes(gpu, gpu_memory_utilization)
    sizes = TP_SIZES if gpus is None else (gpus,)
    chosen, n = None, 0
    for tp in sizes:
        n = max_sequences(model, w, seq, usable, tp, shared)
        if n >= concurrency:
            chosen = tp
            break

    short = None
    if chosen is not None:
        reason = (
            f"fits on {chosen} x {gpu.id}: weights {w / chosen / BYTES_PER_GB:.1f} GB + KV "
            f"{concurrency} x {seq / kv_shards(model, chosen) / BYTES_PER_GB:.2f} GB per GPU of "
            f"{usable / BYTES_PER_GB:.1f} GB usable; room for {n:,} sequences of {context_tokens:,} tokens"
        )
    else:
        n, tp = 0, sizes[-1]
        need_per_gpu = w / tp + concurrency * seq / kv_shards(model, tp)
        short = need_per_gpu - usable
        what = "weights alone" if w / tp > usable else f"weights + KV for {concurrency} sequence(s)"
        where = f"{tp} x {gpu.id}" if gpus is not None else f"one 8-GPU node of {gpu.id}"
        total_gpus = math.ceil((w + concurrency * seq) / usable)
        beyond = f"; needs about {total_gpus} GPUs (multi-node)" if gpus is None and total_gpus > 8 else ""
        reason = (
            f"does not fit: {what} need {need_per_gpu / BYTES_PER_GB:.1f} GB per GPU on {where}, "
            f"{usable / BYTES_PER_GB:.1f} GB usable, short by {short / BYTES_PER_GB:.1f} GB{beyond}"
        )
    return MemoryPlan(
        model=model.id,
        quantization=quant.id,
        gpu=gpu.id,
        context_tokens=context_tokens,
        concurrency=concurrency,
        kv_bytes_per_element=kvb,
        weights_gb=w / BYTES_PER_GB,
        kv_bytes_per_token=kv_bytes_per_token(model, kvb),
        kv_gb_per_sequence=seq / BYTES_PER_GB,
        gpu_memory_gb=gpu.memory_gb,
        usable_gb_per_gpu=usable / BYTES_PER_GB,
        runtime_reserve_gb_per_gpu=gpu.memory_gb * (1 - gpu_memory_utilization),
        gpus_per_replica=chosen,
        max_concurrent_sequences=n,
        fits=chosen is not None,
        reason=reason,
        short_gb=short / BYTES_PER_GB if short is not None else None,
    )
