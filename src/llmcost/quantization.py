"""Weight formats: storage bytes per parameter (scale overhead included) and compute precision.

These are definitions of the formats, not market facts, so they live in code:
- bf16 / fp16: 16 bits.
- fp8 (E4M3, per-channel scales) and int8 (W8A8, per-channel scales): 8 bits; one fp32 scale per
  output channel of thousands of weights adds well under 0.1%.
- int4 (GPTQ/AWQ, group size 128, one fp16 scale per group): 4 + 16/128 = 4.125 bits. Weight-only:
  matmuls dequantize to 16-bit (W4A16), so compute runs at the bf16 tensor rate.
- fp4 (NVFP4: an fp8 scale per 16 values): 4 + 8/16 = 4.5 bits; native on Blackwell, weight-only elsewhere.

Which layers stay 16-bit (the recipe) is part of a real checkpoint, not of the format: every format
here quantizes the linear layers of the transformer blocks only, so the input embedding (a lookup, not
a linear layer) and the LM head stay 16-bit. Sources: NVIDIA's Llama-3.1-405B-Instruct-FP8 card (ModelOpt:
"Only the weights and activations of the linear operators within transformers blocks are quantized");
llm-compressor FP8/W8A8 checkpoints (ignore: lm_head); AWQ/GPTQ checkpoints (lm_head kept). A checkpoint
whose recipe keeps more (attention, shared experts, dense MLPs) says so in data/models.yaml
quantized_checkpoints (kept_16bit), and `checkpoint_quantization` applies it.

KV cache: `auto` follows the engine. vLLM's kv_cache_dtype=auto "will use model data type" (vllm/config/
cache.py CacheConfig.cache_dtype; data/engines.yaml engine_memory kv_cache_dtype_auto: model): a 16-bit
cache whatever the weight format, so default_kv_bytes is 2 for every format; an 8-bit cache is an
explicit choice (--kv-cache fp8).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from llmcost.defaults import TENSOR_CORE_VS_BF16
from llmcost.errors import UnknownIdError
from llmcost.records import Gpu, OpenModel, Precision


@dataclass(frozen=True)
class Quantization:
    id: Precision
    bits_per_weight: float  # storage incl. scale overhead
    compute: Precision  # tensor-core precision of the matmuls when the GPU runs it natively
    default_kv_bytes: float  # KV cache element size under kv_cache_dtype=auto: the model dtype (16-bit)
    kept_16bit: tuple[str, ...] = ()  # embeddings (input + LM head) | attention | shared_experts | dense_mlp
    recipe: str = ""  # where the kept_16bit list comes from (a checkpoint, or the format's rule)

    @property
    def bytes_per_param(self) -> float:
        return self.bits_per_weight / 8

    @property
    def quantizes_embeddings(self) -> bool:
        return "embeddings" not in self.kept_16bit


_FORMAT_RULE = "format rule: embeddings and LM head 16-bit"
QUANTIZATIONS: dict[str, Quantization] = {
    "bf16": Quantization("bf16", 16.0, "bf16", 2.0, (), "16-bit: nothing quantized"),
    "fp8": Quantization("fp8", 8.0, "fp8", 2.0, ("embeddings",), _FORMAT_RULE),
    "int8": Quantization("int8", 8.0, "int8", 2.0, ("embeddings",), _FORMAT_RULE),
    "int4": Quantization("int4", 4.125, "bf16", 2.0, ("embeddings",), _FORMAT_RULE),
    "fp4": Quantization("fp4", 4.5, "fp4", 2.0, ("embeddings",), _FORMAT_RULE),
}
KEPT_PARTS = ("embeddings", "attention", "shared_experts", "dense_mlp")
ALIASES = {"fp16": "bf16", "float16": "bf16", "bfloat16": "bf16", "nvfp4": "fp4", "w4a16": "int4"}


def get_quantization(name: str) -> Quantization:
    if not isinstance(name, str):
        raise UnknownIdError("quantization", repr(name), [*QUANTIZATIONS, "fp16"])
    key = ALIASES.get(name.strip().lower(), name.strip().lower())
    if key not in QUANTIZATIONS:
        raise UnknownIdError("quantization", name, [*QUANTIZATIONS, "fp16"])
    return QUANTIZATIONS[key]


def checkpoint_quantization(model: OpenModel, quant: Quantization) -> Quantization:
    """`quant` with the recipe of the model's own checkpoint in that format, where data/models.yaml
    records one (quantized_checkpoints: precision + kept_16bit, and the bits per weight where the
    checkpoint's format stores a different scale than llmcost's, e.g. MXFP4 under fp4); else the format's rule."""
    for ckpt in model.quantized_checkpoints:
        if ckpt.get("precision") == quant.id and ckpt.get("kept_16bit"):
            kept = tuple(p.strip() for p in ckpt["kept_16bit"].split(","))
            bits = float(ckpt.get("bits_per_weight") or quant.bits_per_weight)  # e.g. MXFP4's 4.25, not NVFP4's 4.5
            return replace(quant, bits_per_weight=bits, kept_16bit=kept, recipe=f"checkpoint {ckpt['hf_id']}")
    return quant


@dataclass(frozen=True)
class ComputePath:
    """How a GPU executes a quantization: the tensor rate used and whether it is native."""

    precision: Precision
    tflops: float  # the datasheet's dense peak at that precision
    native: bool
    note: str | None
    # the fraction of its peak this precision's GEMMs reach relative to bf16's (defaults.TENSOR_CORE_VS_BF16)
    achieved_vs_bf16: float = 1.0

    @property
    def effective_tflops(self) -> float:
        """The peak on bf16's footing: what the fitted compute factors multiply."""
        return self.tflops * self.achieved_vs_bf16


def compute_path(quant: Quantization, gpu: Gpu) -> ComputePath:
    """Native when the GPU has tensor cores for the format, else weight-only at 16-bit."""
    if quant.compute in gpu.dense_tflops:
        ratio = TENSOR_CORE_VS_BF16.get(quant.compute, 1.0)
        return ComputePath(quant.compute, gpu.dense_tflops[quant.compute], True, None, ratio)
    note = (
        f"{gpu.id} has no {quant.compute} tensor cores: {quant.id} runs weight-only "
        f"(weights stored at {quant.bits_per_weight:g} bits, matmuls at 16-bit)"
    )
    return ComputePath("bf16", gpu.dense_tflops["bf16"], False, note)
