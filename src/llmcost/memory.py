"""Memory of one replica: weights, KV cache (GQA, MLA, sliding / chunked windows, sparse-attention
indexer keys, linear-attention state), and the engine's own accounting of each GPU.

All sizes in bytes unless the name says GB (1e9 bytes, as GPU datasheets count) or GiB (2**30 bytes,
as CUDA reports device memory). The KV pool is sized as vLLM sizes it (data/engines.yaml
engine_memory): budget = device GiB x gpu_memory_utilization, minus the weights, the peak activation
of the profiling forward pass, and (where the engine subtracts it) the CUDA-graph estimate; the CUDA
context and communication buffers sit outside the budget and must fit in the headroom.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from llmcost.defaults import (
    ACTIVATION_BYTES,
    GPU_MEMORY_UTILIZATION,
    PARALLELISMS,
    SAMPLER_BYTES_PER_LOGIT,
    TP_SIZES,
)
from llmcost.numeric import minimum
from llmcost.quantization import Quantization
from llmcost.records import EngineMemory, Gpu, OpenModel

if TYPE_CHECKING:
    from llmcost.numeric import Number

BYTES_PER_GB = 1e9
BYTES_PER_GIB = 2.0**30
BYTES_PER_MIB = 2.0**20
FUSED_MOE_CHUNK_TOKENS = 32768  # vLLM fused_moe runs the experts in chunks of this many tokens (CHUNK_SIZE)


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


def sixteen_bit_params(model: OpenModel, quant: Quantization) -> float:
    """Parameters a checkpoint of this format keeps in 16-bit (see `Quantization.kept_16bit`):
    embeddings and LM head, plus attention / shared experts / dense MLPs where the recipe says so."""
    if quant.bits_per_weight >= 16:
        return 0.0
    kept = quant.kept_16bit
    out = embedding_params(model) if "embeddings" in kept else 0.0
    if "attention" in kept:
        out += attention_params(model)
    if model.moe is not None and ("shared_experts" in kept or "dense_mlp" in kept):
        always, _ = ffn_params(model)
        out += always
    return min(out, params_total(model))


def routed_expert_bytes(model: OpenModel, quant: Quantization) -> float:
    """Bytes of the routed experts at a quantization (0 for a dense model): the experts are never in a
    recipe's 16-bit parts, so they sit at the format's bytes per parameter."""
    if model.moe is None:
        return 0.0
    return min(routed_expert_params(model), params_total(model)) * quant.bytes_per_param


def weight_bytes(model: OpenModel, quant: Quantization) -> float:
    """Bytes of all weights at a quantization: the quantized linear layers at the format's bits (scales
    included), the parts its recipe keeps in 16-bit at 2 bytes."""
    total = params_total(model)
    kept = sixteen_bit_params(model, quant)
    return (total - kept) * quant.bytes_per_param + kept * 2.0


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


# ---------------------------------------------------------------- how a MoE replica splits over its GPUs
#
# tp            every weight matrix (attention, dense FFN, each expert) sliced over the GPUs; the KV
#               cache split by KV head (MLA's latent is replicated on every GPU); two all-reduces per layer
# ep            attention and dense parts tensor-parallel as in tp; the routed experts whole, E / N per
#               GPU (expert parallelism); tokens reach their experts by all-to-all (throughput.py)
# dp-attention  attention and dense parts replicated: each GPU runs attention for its own sequences and
#               holds their whole KV cache (no MLA replication, no KV-head limit); experts as in ep
def parallelisms_for(model: OpenModel, gpus: int) -> tuple[str, ...]:
    """The layouts that apply to a model on `gpus` GPUs: tp always; ep and dp-attention for a MoE
    model on more than one GPU (on one GPU all three are the same)."""
    return PARALLELISMS if model.moe is not None and gpus > 1 else ("tp",)


def weight_bytes_per_gpu(model: OpenModel, quant: Quantization, gpus: int, parallelism: str = "tp") -> float:
    """Weight bytes each GPU holds [bytes]: tp and ep split everything N ways (ep whole experts, tp
    slices); dp-attention keeps a full copy of the non-expert weights (attention, dense layers,
    shared experts, routers, embeddings) on every GPU and E / N of the routed experts."""
    total = weight_bytes(model, quant)
    if parallelism != "dp-attention" or gpus == 1:
        return total / gpus
    expert = routed_expert_bytes(model, quant)
    return (total - expert) + expert / gpus


def sequences_on_gpus(
    model: OpenModel, kv_pool_b: float, kv_seq_b: float, gpus: int, parallelism: str, shared_kv_b: float = 0.0
) -> int:
    """Sequences a replica's KV pools hold: tp / ep as `max_sequences` (one sequence's cache split
    over kv_shards GPUs); dp-attention: each GPU holds whole sequences of its own (and its own copy
    of a shared prefix), so the replica holds N x what one GPU's pool takes."""
    if parallelism != "dp-attention":
        return max_sequences(model, kv_pool_b, kv_seq_b, gpus, shared_kv_b)
    free = kv_pool_b - shared_kv_b
    return 0 if free <= 0 else gpus * int(free // kv_seq_b)


def kv_gib_per_gpu(model: OpenModel, kv_seq_b: float, sequences: int, gpus: int, parallelism: str) -> float:
    """KV cache of `sequences` sequences on each GPU [GiB]: dp-attention spreads whole sequences
    (ceil(n / N) on the fullest GPU), tp / ep split each sequence over kv_shards."""
    if parallelism == "dp-attention":
        return math.ceil(sequences / gpus) * kv_seq_b / BYTES_PER_GIB
    return sequences * kv_seq_b / kv_shards(model, gpus) / BYTES_PER_GIB


def _kv_per_gpu_text(model: OpenModel, seq_b: float, sequences: int, gpus: int, parallelism: str) -> str:
    """`16 x 1.25 GiB`: sequences on the fullest GPU x each one's share there."""
    if parallelism == "dp-attention":
        return f"{math.ceil(sequences / gpus)} x {seq_b / BYTES_PER_GIB:.2f} GiB"
    return f"{sequences} x {seq_b / kv_shards(model, gpus) / BYTES_PER_GIB:.2f} GiB"


# ---------------------------------------------------------------- the engine's accounting of each GPU


def device_memory_bytes(gpu: Gpu) -> tuple[float, str]:
    """(total device memory as CUDA reports it [bytes], which readout): the driver's figure in GiB
    where the catalogue has one, else the nominal decimal GB (a lower figure for HBM parts, whose
    nominal size is already GiB-like, so the fallback can only understate what fits)."""
    if gpu.usable_memory_gib is not None:
        return gpu.usable_memory_gib * BYTES_PER_GIB, str(gpu.usable_memory_basis)
    return gpu.memory_gb * BYTES_PER_GB, "nominal GB (no driver-reported figure in the catalogue)"


def forward_activation_bytes(model: OpenModel, tokens: float, tp: int) -> float:
    """Peak activation of one forward pass over `tokens` tokens on one of `tp` GPUs [bytes]: the
    residual stream and the normed input (2 x hidden per token) plus the larger of one layer's
    attention (fused QKV output + attention output) and its FFN live tensors: a dense gated MLP holds
    gate_up (2 x width / tp), the activated half (width / tp) and its output (hidden); vLLM's fused MoE
    holds intermediate_cache1 (topk x 2 x width / tp), cache2 (topk x width / tp) and cache3 (topk x
    hidden) per token, run in chunks of FUSED_MOE_CHUNK_TOKENS (vllm/model_executor/layers/fused_moe/
    fused_moe.py). Elements at ACTIVATION_BYTES."""
    h = model.hidden_size
    q = model.attention_heads * model.head_dim
    kv = model.kv_heads * model.head_dim
    attention = (q + 2 * kv) / tp + q / tp
    dense_width = model.intermediate_size
    if model.moe is not None and model.moe.dense_intermediate_size:
        dense_width = max(dense_width, model.moe.dense_intermediate_size)
    dense = 3 * dense_width / tp + h
    per_token = 2 * h + max(attention, dense if model.moe is None or model.moe.first_dense_layers else 0.0)
    out = tokens * per_token
    if model.moe is not None:
        k, width = model.moe.experts_per_token, _expert_width(model)
        moe = min(tokens, FUSED_MOE_CHUNK_TOKENS) * k * (3 * width / tp + h) + tokens * 2 * h
        out = max(out, moe)
    return out * ACTIVATION_BYTES


def sampler_bytes(model: OpenModel, tokens: float, rows: float) -> float:
    """Peak of vLLM's dummy sampler run [bytes]: `rows` = min(max_num_batched_tokens, max_num_seqs)
    last-token rows of full-vocabulary logits (gathered on every rank) at SAMPLER_BYTES_PER_LOGIT,
    while the forward pass's hidden states (tokens x hidden) are still held (profile_run keeps them)."""
    return rows * model.vocab_size * SAMPLER_BYTES_PER_LOGIT + tokens * model.hidden_size * ACTIVATION_BYTES


def activation_peak_bytes(model: OpenModel, batched_tokens: int, max_num_seqs: int, tp: int) -> float:
    """The peak torch allocation of vLLM's profile_run beyond the weights, per GPU [bytes]: one
    forward of `batched_tokens` tokens (split over min(tokens, max_num_seqs) dummy requests), then
    the sampler on one row per request; the larger of the two (vllm/v1/worker/gpu_model_runner.py
    profile_run, _dummy_run, _dummy_sampler_run). Attention-backend workspaces are not counted."""
    rows = min(batched_tokens, max_num_seqs)
    return max(forward_activation_bytes(model, batched_tokens, tp), sampler_bytes(model, batched_tokens, rows))


def cudagraph_bytes(model: OpenModel, profile: EngineMemory, batched_tokens: int, max_num_seqs: int, tp: int) -> float:
    """vLLM's CUDA-graph estimate per GPU [bytes]: the first capture of the largest graph holds that
    graph's activations in the shared pool (the forward at the largest capture size, min(512,
    2 x max_num_seqs, max_num_batched_tokens) tokens); every further graph of each mode adds at least
    the engine's floor (cudagraph_min_bytes_per_graph, 1 MiB), which is taken as its size
    (GPUModelRunner.profile_cudagraph_memory). A lower estimate: graphs larger than the floor add more."""
    if profile.cudagraph_capture_sizes == 0 or profile.cudagraph_modes == 0:
        return 0.0
    largest = min(512, 2 * max_num_seqs, batched_tokens)
    further = profile.cudagraph_modes * (profile.cudagraph_capture_sizes - 1) * profile.cudagraph_min_bytes_per_graph
    return forward_activation_bytes(model, largest, tp) + further


def comm_buffer_bytes(profile: EngineMemory, tp: int) -> float:
    """Communication buffers per GPU the engine allocates at start-up [bytes]: vLLM's custom
    all-reduce (TP > 1). NCCL's own buffers and symmetric-memory buffers are not counted (no sourced
    size: see data/engines.yaml engine_memory notes)."""
    return profile.custom_all_reduce_mib * BYTES_PER_MIB if tp > 1 else 0.0


@dataclass(frozen=True)
class MemoryTerm:
    """One named share of a GPU's memory in the engine's accounting, per GPU."""

    name: str
    gib: float
    in_budget: bool  # subtracted from the budget before the KV pool (False: must fit in the headroom)
    source: str

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "gib": self.gib, "in_budget": self.in_budget, "source": self.source}


_WEIGHTS_SRC = {
    "tp": "memory.weight_bytes / tp",
    "ep": "memory.weight_bytes_per_gpu: all / N (experts whole, E / N per GPU)",
    "dp-attention": "memory.weight_bytes_per_gpu: non-expert parts whole + experts / N",
}
_SRC = {"act": "memory.activation_peak_bytes", "cg": "memory.cudagraph_bytes", "comm": "memory.comm_buffer_bytes"}


@dataclass(frozen=True)
class GpuAccounting:
    """How the engine divides one GPU of a `tp`-GPU replica (bytes)."""

    device_b: float
    basis: str
    utilization: float
    budget_b: float
    weights_b: float
    activation_b: float
    cudagraph_b: float
    comm_b: float
    context_b: float
    in_budget_b: float  # everything subtracted from the budget before the KV pool
    kv_pool_b: float  # budget left for the KV cache (may be negative)
    headroom_b: float  # device - budget - what must fit outside the budget (negative: start-up fails)
    source: str  # the engine memory record used
    graphs_in: bool
    comm_in: bool
    has_profile: bool
    parallelism: str = "tp"  # how the weights split (PARALLELISMS)

    def terms(self) -> tuple[MemoryTerm, ...]:
        """Each share of the GPU, named and sourced, in GiB (only the engine's own where it has a profile)."""
        g = BYTES_PER_GIB
        out = [
            MemoryTerm("device memory", self.device_b / g, False, f"hardware.yaml usable_memory_gib ({self.basis})"),
            MemoryTerm(
                f"budget (x {self.utilization:g})", self.budget_b / g, True, f"gpu_memory_utilization, {self.source}"
            ),
            MemoryTerm("weights", self.weights_b / g, True, _WEIGHTS_SRC[self.parallelism]),
        ]
        if self.has_profile:
            out += [
                MemoryTerm("activation peak", self.activation_b / g, True, "vLLM profile_run: " + _SRC["act"]),
                MemoryTerm("CUDA graphs", self.cudagraph_b / g, self.graphs_in, "vLLM graph estimate: " + _SRC["cg"]),
                MemoryTerm("comm buffers", self.comm_b / g, self.comm_in, "vLLM custom all-reduce: " + _SRC["comm"]),
                MemoryTerm("CUDA context", self.context_b / g, False, "PyTorch PR #86509 (lazy loading)"),
            ]
        out += [
            MemoryTerm("KV pool", self.kv_pool_b / g, True, "budget - the terms above marked in budget"),
            MemoryTerm("headroom left", self.headroom_b / g, False, "device - budget - terms outside"),
        ]
        return tuple(out)


def gpu_accounting(
    model: OpenModel,
    weights_b: float,
    gpu: Gpu,
    tp: int,
    profile: EngineMemory | None,
    gpu_memory_utilization: float | None = None,
    max_num_batched_tokens: int | None = None,
    max_num_seqs: int = 256,
    weights_per_gpu_b: float | None = None,
    parallelism: str = "tp",
) -> GpuAccounting:
    """The engine's accounting of one GPU of a `tp`-GPU replica: budget = device x utilization
    (vLLM: ceil(total x gpu_memory_utilization)), KV pool = budget - weights / tp - activation peak
    - the terms the engine subtracts; the rest must fit in the headroom (device - budget). Without an
    engine profile only the weights are subtracted (no engine terms). `weights_per_gpu_b` replaces
    weights / tp (weight_bytes_per_gpu: dp-attention replicates the dense parts); with dp-attention each
    GPU runs the profiling forward of its own tokens with unsplit attention (its peak is taken at tp 1)."""
    device, basis = device_memory_bytes(gpu)
    src = f"{profile.id} (data/engines.yaml engine_memory)" if profile else "no engine memory profile"
    util = gpu_memory_utilization if gpu_memory_utilization is not None else (
        profile.gpu_memory_utilization if profile else GPU_MEMORY_UTILIZATION
    )  # fmt: skip
    budget = math.ceil(device * util)
    w = weights_b / tp if weights_per_gpu_b is None else weights_per_gpu_b
    act_tp = 1 if parallelism == "dp-attention" else tp
    if profile is None:
        act = graphs = comm = context = 0.0
        graphs_in = comm_in = True
    else:
        tokens = max_num_batched_tokens or profile.batched_tokens_for(gpu)
        act = activation_peak_bytes(model, tokens, max_num_seqs, act_tp)
        graphs = cudagraph_bytes(model, profile, tokens, max_num_seqs, act_tp)
        comm = comm_buffer_bytes(profile, tp)
        context = profile.cuda_context_mib * BYTES_PER_MIB
        graphs_in, comm_in = profile.cudagraphs_in_budget, profile.comm_buffers_in_budget
    inside = w + act + (graphs if graphs_in else 0.0) + (comm if comm_in else 0.0)
    outside = context + (0.0 if graphs_in else graphs) + (0.0 if comm_in else comm)
    return GpuAccounting(
        device, basis, util, budget, w, act, graphs, comm, context, inside, budget - inside,
        device - budget - outside, src, graphs_in, comm_in, profile is not None, parallelism,
    )  # fmt: skip


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
    usable_gb_per_gpu: float  # the engine's budget per GPU (device memory x utilization), GB
    runtime_reserve_gb_per_gpu: float  # device memory outside the budget, GB
    gpus_per_replica: int | None
    max_concurrent_sequences: int  # at gpus_per_replica (0 when it does not fit)
    fits: bool
    reason: str
    short_gb: float | None = None  # memory per GPU missing at the largest size tried (None when it fits)
    weights_recipe: str = ""
    engine_memory: str | None = None  # the engine_memory record used (None: no engine terms)
    gpu_memory_utilization: float = GPU_MEMORY_UTILIZATION
    max_num_batched_tokens: int | None = None
    device_memory_gib: float = 0.0
    device_memory_basis: str = ""
    kv_pool_gib_per_gpu: float = 0.0  # at gpus_per_replica (or the largest size tried)
    terms_at_gpus: int = 1  # the tensor-parallel size the terms are for
    parallelism: str = "tp"  # how weights and KV split over the GPUs (PARALLELISMS)
    replica_weights_gb: float = 0.0  # weights held by all GPUs of the replica (> weights_gb with dp-attention)
    accounting: GpuAccounting | None = field(default=None, repr=False)  # one GPU at that size

    @property
    def terms(self) -> tuple[MemoryTerm, ...]:
        """The accounting of one GPU at `terms_at_gpus`, each term named and sourced (built when asked)."""
        return self.accounting.terms() if self.accounting is not None else ()

    def _extra(self) -> dict[str, object]:
        return {"terms": [t.to_dict() for t in self.terms]}

    @property
    def kv_budget_gb_per_gpu(self) -> float:
        return self.kv_pool_gib_per_gpu * BYTES_PER_GIB / BYTES_PER_GB


def max_sequences(model: OpenModel, kv_pool_b: float, kv_seq_b: float, tp: int, shared_kv_b: float = 0.0) -> int:
    """Sequences whose KV fits in one GPU's KV pool (after one copy of a shared prefix) on `tp` GPUs."""
    free = kv_pool_b - shared_kv_b / kv_shards(model, tp)
    if free <= 0:
        return 0
    return int(free // (kv_seq_b / kv_shards(model, tp)))


def usable_bytes(gpu: Gpu, gpu_memory_utilization: float) -> float:
    """The engine's budget per GPU [bytes]: device memory as CUDA reports it x the utilization."""
    return math.ceil(device_memory_bytes(gpu)[0] * gpu_memory_utilization)


def plan_memory(
    model: OpenModel,
    quant: Quantization,
    gpu: Gpu,
    context_tokens: int,
    concurrency: int = 1,
    gpus: int | None = None,
    kv_bytes: float | None = None,
    gpu_memory_utilization: float | None = None,
    shared_prefix_tokens: int = 0,
    engine_memory: EngineMemory | None = None,
    max_num_batched_tokens: int | None = None,
    max_num_seqs: int = 256,
    parallelism: str = "tp",
) -> MemoryPlan:
    """Smallest tensor-parallel size in 1/2/4/8 (or exactly `gpus`) whose KV pool, as the engine
    sizes it (`gpu_accounting`), holds `concurrency` sequences of `context_tokens`, with the start-up
    headroom non-negative; otherwise say what does not fit by how much. A prefix every sequence
    shares is held once (the prefix cache shares its blocks). `kv_bytes` None: the engine's auto
    KV dtype (the model's 16-bit dtype). `parallelism` (PARALLELISMS) sets how weights and KV split over
    the GPUs (weight_bytes_per_gpu, sequences_on_gpus); a layout that does not apply at a size (one GPU,
    a dense model) is planned as tp."""
    kvb = quant.default_kv_bytes if kv_bytes is None else kv_bytes
    w = weight_bytes(model, quant)
    # a shared prefix's cache blocks are held once; the per-sequence state is not shared
    shared = (
        float(kv_bytes_per_sequence(model, shared_prefix_tokens, kvb)) - recurrent_state_bytes(model, kvb)
        if shared_prefix_tokens
        else 0.0
    )
    seq = float(kv_bytes_per_sequence(model, context_tokens, kvb)) - shared
    sizes = TP_SIZES if gpus is None else (gpus,)
    chosen, n, acct = None, 0, None
    par = parallelism
    for tp in sizes:
        par = parallelism if parallelism in parallelisms_for(model, tp) else "tp"
        acct = gpu_accounting(
            model, w, gpu, tp, engine_memory, gpu_memory_utilization, max_num_batched_tokens, max_num_seqs,
            weight_bytes_per_gpu(model, quant, tp, par), par,
        )  # fmt: skip
        n = sequences_on_gpus(model, acct.kv_pool_b, seq, tp, par, shared) if acct.headroom_b >= 0 else 0
        if n >= concurrency:
            chosen = tp
            break
    assert acct is not None
    budget, gib = acct.budget_b, BYTES_PER_GIB
    tokens = (max_num_batched_tokens or engine_memory.batched_tokens_for(gpu)) if engine_memory else None
    short = None
    if chosen is not None:
        reason = (
            f"fits on {chosen} x {gpu.id}: weights {acct.weights_b / gib:.1f} GiB + engine "
            f"{(acct.in_budget_b - acct.weights_b) / gib:.1f} GiB + KV "
            f"{_kv_per_gpu_text(model, seq, concurrency, chosen, par)} per GPU of a {budget / gib:.1f} GiB budget; "
            f"room for {n:,} sequences of {context_tokens:,} tokens"
        )
    else:
        n, tp = 0, sizes[-1]
        need_per_gpu = acct.in_budget_b + kv_gib_per_gpu(model, seq, concurrency, tp, par) * gib
        short = max(need_per_gpu - budget, -acct.headroom_b, 0.0)
        where = f"{tp} x {gpu.id}" if gpus is not None else f"one 8-GPU node of {gpu.id}"
        if acct.headroom_b < 0 and need_per_gpu <= budget:
            reason = (
                f"does not fit: on {where} the CUDA context, graphs and buffers outside the "
                f"{acct.utilization:g} budget need {-acct.headroom_b / gib:.2f} GiB more than the headroom "
                "(lower --gpu-memory-utilization)"
            )
        else:
            what = (
                "weights alone" if acct.weights_b > budget else f"weights + engine + KV for {concurrency} sequence(s)"
            )
            replica_w = acct.weights_b * tp
            total_gpus = math.ceil(
                (replica_w + concurrency * seq) / max(budget - (acct.in_budget_b - acct.weights_b), 1.0)
            )
            beyond = f"; needs about {total_gpus} GPUs (multi-node)" if gpus is None and total_gpus > 8 else ""
            reason = (
                f"does not fit: {what} need {need_per_gpu / gib:.1f} GiB per GPU on {where}, "
                f"{budget / gib:.1f} GiB budget, short by {short / gib:.1f} GiB{beyond}"
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
        usable_gb_per_gpu=budget / BYTES_PER_GB,
        runtime_reserve_gb_per_gpu=(acct.device_b - budget) / BYTES_PER_GB,
        gpus_per_replica=chosen,
        max_concurrent_sequences=n,
        fits=chosen is not None,
        reason=reason,
        short_gb=short / BYTES_PER_GB if short is not None else None,
        weights_recipe=quant.recipe,
        engine_memory=engine_memory.id if engine_memory else None,
        gpu_memory_utilization=acct.utilization,
        max_num_batched_tokens=tokens,
        device_memory_gib=acct.device_b / gib,
        device_memory_basis=acct.basis,
        kv_pool_gib_per_gpu=acct.kv_pool_b / gib,
        accounting=acct,
        terms_at_gpus=chosen or sizes[-1],
        parallelism=par,
        replica_weights_gb=acct.weights_b * (chosen or sizes[-1]) / BYTES_PER_GB,
    )
