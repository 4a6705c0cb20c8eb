"""Memory of one replica: weights, KV cache (GQA, MLA, sliding / chunked windows, sparse-attention
indexer keys, linear-attention state), runtime reserve.

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


def _gqa_params(model: OpenModel, kv_heads: int, head_dim: int, kv_tensors: int, gated: bool) -> float:
    """Q, K, V and O projections of one GQA layer (`gated`: the query projection also emits an
    output gate of the same width, as Qwen3-Next / Qwen3.5 full-attention layers do)."""
    h, q = model.hidden_size, model.attention_heads * head_dim
    return float(h * q * (2 if gated else 1) + kv_tensors * h * kv_heads * head_dim + q * h)


def _mla_params(model: OpenModel) -> float:
    """One MLA layer: low-rank (or full) query, the joint KV down-projection to kv_lora_rank plus the
    decoupled RoPE key, the up-projections to per-head K (nope) and V, the output; plus the DSA
    lightning indexer (its query, one shared key and the per-head weights) where there is one."""
    mla, h, n = model.mla, model.hidden_size, model.attention_heads
    assert mla is not None
    nope = mla.qk_nope_head_dim or model.head_dim
    v = mla.v_head_dim or model.head_dim
    qk = nope + mla.qk_rope_head_dim
    q = h * mla.q_lora_rank + mla.q_lora_rank * n * qk if mla.q_lora_rank else h * n * qk
    kv = h * (mla.kv_lora_rank + mla.qk_rope_head_dim) + mla.kv_lora_rank * n * (nope + v)
    out = float(q + kv + n * v * h)
    sa = model.sparse_attention
    if sa is not None and sa.type == "dsa":
        width = sa.index_heads * sa.index_head_dim
        out += (mla.q_lora_rank or h) * width + h * sa.index_head_dim + h * sa.index_heads
    return out


def _linear_attention_params(model: OpenModel) -> float:
    """One Gated DeltaNet layer: the fused Q/K/V/Z projection, the beta/alpha gates, the causal
    convolution over Q, K and V, and the output projection."""
    la, h = model.linear_attention, model.hidden_size
    assert la is not None
    k, v = la.key_heads * la.key_head_dim, la.value_heads * la.value_head_dim
    return float(h * (2 * k + 2 * v) + h * 2 * la.value_heads + (2 * k + v) * la.conv_kernel + v * h)


def attention_params(model: OpenModel) -> float:
    """Attention parameters of all layers (projections only; norms and biases are left out)."""
    if model.mla is not None:
        return model.layers * _mla_params(model)
    la, ga, sw = model.linear_attention, model.global_attention, model.sliding_window
    if la is not None:
        full = _gqa_params(model, model.kv_heads, model.head_dim, 2, gated=True)
        return la.layers * _linear_attention_params(model) + la.full_attention_layers * full
    local = _gqa_params(model, model.kv_heads, model.head_dim, 2, gated=False)
    if ga is not None and sw is not None:
        glob = _gqa_params(model, ga.kv_heads, ga.head_dim, 1 if ga.k_equals_v else 2, gated=False)
        return sw.full_attention_layers * glob + (model.layers - sw.full_attention_layers) * local
    return model.layers * local


def moe_layers(model: OpenModel) -> int:
    """Layers whose FFN is a mixture of experts (0 for a dense model)."""
    moe = model.moe
    if moe is None:
        return 0
    return (model.layers - moe.first_dense_layers) // moe.moe_layer_interval


def _expert_width(model: OpenModel) -> int:
    assert model.moe is not None
    return model.moe.expert_intermediate_size or model.intermediate_size


def routed_expert_params(model: OpenModel) -> float:
    """Parameters of all routed experts (gated 3-matrix MLPs), every MoE layer [parameters]."""
    if model.moe is None:
        return 0.0
    return float(moe_layers(model) * model.moe.experts * 3 * model.hidden_size * _expert_width(model))


def ffn_params(model: OpenModel) -> tuple[float, float]:
    """FFN parameters of all layers: (always used: dense layers, shared experts, routers;
    routed experts). A dense model's FFN is all in the first."""
    h, moe = model.hidden_size, model.moe
    if moe is None:
        return float(model.layers * 3 * h * model.intermediate_size), 0.0
    n_moe = moe_layers(model)
    dense_width = moe.dense_intermediate_size or model.intermediate_size
    dense_layers = model.layers if moe.dense_mlp_in_moe_layers else model.layers - n_moe
    dense = dense_layers * 3 * h * dense_width
    shared_width = moe.shared_expert_intermediate_size or _expert_width(model)
    always = dense + n_moe * (h * moe.experts + moe.shared_experts * 3 * h * shared_width)
    return float(always), routed_expert_params(model)


def architecture_params(model: OpenModel) -> tuple[float, float]:
    """(total, active per token) parameters counted from the architecture: embeddings + attention +
    dense FFN layers + shared experts + routers + routed experts (experts_per_token of them active).
    MTP modules and vision encoders are not counted (the stated sizes leave them out too)."""
    always, routed = ffn_params(model)
    total = embedding_params(model) + attention_params(model) + always + routed
    if model.moe is None:
        return total, total
    return total, total - routed * (1 - model.moe.experts_per_token / model.moe.experts)


def params_total(model: OpenModel) -> float:
    """Total parameters. Dense models: counted from the architecture (names round: Qwen 2.5 "7B" has
    7.6e9); MoE models: the sourced total (the count from the architecture, `architecture_params`,
    is checked against it but leaves out biases, norms and other small tensors)."""
    if model.moe is not None:
        return model.params_total_b * 1e9
    return architecture_params(model)[0]


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


# ---------------------------------------------------------------- KV cache and recurrent state


@dataclass(frozen=True)
class KvLayout:
    """How a model's cache grows, per sequence, in bytes at one KV element size:

    full_per_token      layers caching every token (global / full attention, MLA latents)
    local_per_token     layers caching at most window_tokens (sliding windows, Llama 4 chunks)
    indexer_per_token   sparse-attention indexer keys (DSA), one per token per layer
    state_per_sequence  fixed per sequence whatever its length (linear-attention recurrent + conv state)
    """

    full_per_token: float
    local_per_token: float
    window_tokens: int
    window_kind: str  # sliding | chunked | "" (no local layers)
    indexer_per_token: float
    state_per_sequence: float
    topk_tokens: int | None  # sparse attention: tokens each query attends to (None: all)


def linear_state_elements(model: OpenModel) -> float:
    """Elements of one Gated DeltaNet layer's per-sequence state: the recurrent state (value_heads x
    key_head_dim x value_head_dim) plus the causal-convolution state ((conv_kernel - 1) past inputs
    of the Q, K and V channels)."""
    la = model.linear_attention
    if la is None:
        return 0.0
    recurrent = la.value_heads * la.key_head_dim * la.value_head_dim
    conv = (la.conv_kernel - 1) * (2 * la.key_heads * la.key_head_dim + la.value_heads * la.value_head_dim)
    return float(recurrent + conv)


def kv_layout(model: OpenModel, kv_bytes: float) -> KvLayout:
    """The cache layout of `model` at `kv_bytes` per element (see `KvLayout`)."""
    full = local = indexer = state = 0.0
    window, kind, topk = 0, "", None
    gqa = 2.0 * model.kv_heads * model.head_dim * kv_bytes  # K and V per token per layer
    la, sw, ga, sa = model.linear_attention, model.sliding_window, model.global_attention, model.sparse_attention
    if model.mla is not None:
        full = model.layers * (model.mla.kv_lora_rank + model.mla.qk_rope_head_dim) * kv_bytes
    elif la is not None:
        full = la.full_attention_layers * gqa
        element = {"fp32": 4.0, "bf16": 2.0}.get(la.state_dtype or "", kv_bytes)
        state = la.layers * linear_state_elements(model) * element
    elif sw is not None:
        glob = gqa if ga is None else (1 if ga.k_equals_v else 2) * ga.kv_heads * ga.head_dim * kv_bytes
        full = sw.full_attention_layers * glob
        local = (model.layers - sw.full_attention_layers) * gqa
        window, kind = sw.window_tokens, sw.kind
    else:
        full = model.layers * gqa
    if sa is not None and sa.type == "dsa":
        indexer = model.layers * sa.index_head_dim * kv_bytes
        topk = sa.index_topk
    return KvLayout(full, local, window, kind, indexer, state, topk)


def kv_bytes_per_token(model: OpenModel, kv_bytes: float) -> float:
    """KV cache bytes one token adds while no window caps it [bytes/token].

    GQA: K and V, each kv_heads x head_dim per layer. MLA (DeepSeek): one compressed latent of
    kv_lora_rank plus the decoupled RoPE key, shared by all heads (plus DSA's indexer key).
    Linear-attention layers add nothing per token (their state is per sequence).
    """
    lay = kv_layout(model, kv_bytes)
    return lay.full_per_token + lay.local_per_token + lay.indexer_per_token


def kv_bytes_per_sequence(model: OpenModel, context_tokens: Number, kv_bytes: float) -> Number:
    """KV bytes held by one sequence of `context_tokens` [bytes]: sliding-window and chunked layers
    are capped at their window, linear-attention layers add a fixed state."""
    lay = kv_layout(model, kv_bytes)
    held = (lay.full_per_token + lay.indexer_per_token) * context_tokens + lay.state_per_sequence
    if lay.local_per_token:
        held = held + lay.local_per_token * minimum(context_tokens, lay.window_tokens)
    return held


def recurrent_state_bytes(model: OpenModel, kv_bytes: float) -> float:
    """Bytes of the fixed per-sequence state (linear attention; 0 otherwise) [bytes]."""
    return kv_layout(model, kv_bytes).state_per_sequence


def _capped_integral(x: float, cap: float) -> float:
    """Integral over positions 0..x of min(p, cap): the tokens a windowed layer attends to."""
    return x * x / 2 - max(x - cap, 0.0) ** 2 / 2


def _chunked_integral(x: float, chunk: float) -> float:
    """Integral over positions 0..x of (p mod chunk): the tokens a chunked layer attends to."""
    whole = math.floor(x / chunk)
    rest = x - whole * chunk
    return whole * chunk * chunk / 2 + rest * rest / 2


def attended_tokens(model: OpenModel, start: float, end: float) -> tuple[float, float, float]:
    """Tokens attended, summed over the query positions start..end (a continuous approximation):
    (by each full-attention layer, by each local layer, by the sparse indexer per layer). Full
    layers attend to every earlier token, or to index_topk with sparse attention; local layers to
    their window (sliding) or to the start of their chunk (chunked)."""
    lay = kv_layout(model, 1.0)
    full = (end * end - start * start) / 2
    indexer = full if lay.topk_tokens is not None else 0.0
    if lay.topk_tokens is not None:
        full = _capped_integral(end, lay.topk_tokens) - _capped_integral(start, lay.topk_tokens)
    local = 0.0
    if lay.window_kind == "sliding":
        local = _capped_integral(end, lay.window_tokens) - _capped_integral(start, lay.window_tokens)
    elif lay.window_kind == "chunked":
        local = _chunked_integral(end, lay.window_tokens) - _chunked_integral(start, lay.window_tokens)
    return full, local, indexer


def decode_kv_read_bytes(model: OpenModel, input_tokens: float, output_tokens: float, kv_bytes: float) -> float:
    """Cache bytes one decode step reads for one sequence, averaged over its output [bytes]:
    each layer's attended tokens, the indexer keys of every token (sparse attention), and the
    linear-attention state read and written back once per step."""
    lay = kv_layout(model, kv_bytes)
    full, local, indexer = (
        a / output_tokens for a in attended_tokens(model, input_tokens, input_tokens + output_tokens)
    )
    if lay.window_kind == "sliding":  # a sliding layer reads its window once the context exceeds it
        local = min(input_tokens + output_tokens / 2, lay.window_tokens)
    return (
        lay.full_per_token * full
        + lay.local_per_token * local
        + lay.indexer_per_token * indexer
        + 2 * lay.state_per_sequence
    )


def kv_shards(model: OpenModel, tp: int) -> int:
    """Ways the KV cache splits across tensor-parallel GPUs: by KV head (the fewest a layer has);
    MLA's latent is replicated."""
    if model.mla is not None:
        return 1
    ga = model.global_attention
    return min(tp, model.kv_heads, ga.kv_heads if ga is not None else model.kv_heads)


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
    # a shared prefix's cache blocks are held once; the per-sequence state is not shared
    shared = (
        float(kv_bytes_per_sequence(model, shared_prefix_tokens, kvb)) - recurrent_state_bytes(model, kvb)
        if shared_prefix_tokens
        else 0.0
    )
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
