"""Weight formats: storage bytes per parameter (scale overhead included) and compute precision.

These are definitions of the formats, not market facts, so they live in code:
- bf16 / fp16: 16 bits.
- fp8 (E4M3, per-channel scales) and int8 (W8A8, per-channel scales): 8 bits; one fp32 scale per
  output channel of thousands of weights adds well under 0.1%.
- int4 (GPTQ/AWQ, group size 128, one fp16 scale per group): 4 + 16/128 = 4.125 bits. Weight-only:
  matmuls dequantize to 16-bit (W4A16), so compute runs at the bf16 tensor rate.
- fp4 (NVFP4: an fp8 scale per 16 values): 4 + 8/16 = 4.5 bits; native on Blackwell, weight-only elsewhere.
4-bit formats keep the embedding and output (lm_head) matrices in 16-bit, as AWQ/GPTQ checkpoints do.
"""

from __future__ import annotations

from dataclasses import dataclass

from llmcost.errors import UnknownIdError
from llmcost.records import Gpu, Precision


@dataclass(frozen=True)
class Quantization:
    id: Precision
    bits_per_weight: float  # storage incl. scale overhead
    compute: Precision  # tensor-core precision of the matmuls when the GPU runs it natively
    default_kv_bytes: float  # KV cache element size: follows 8-bit weights, else 16-bit
    quantizes_embeddings: bool

    @property
    def bytes_per_param(self) -> float:
        return self.bits_per_weight / 8


QUANTIZATIONS: dict[str, Quantization] = {
    "bf16": Quantization("bf16", 16.0, "bf16", 2.0, True),
    "fp8": Quantization("fp8", 8.0, "fp8", 1.0, True),
    "int8": Quantization("int8", 8.0, "int8", 1.0, True),
    "int4": Quantization("int4", 4.125, "bf16", 2.0, False),
    "fp4": Quantization("fp4", 4.5, "fp4", 2.0, False),
}
ALIASES = {"fp16": "bf16", "float16": "bf16", "bfloat16": "bf16", "nvfp4": "fp4", "w4a16": "int4"}


def get_quantization(name: str) -> Quantization:
    if not isinstance(name, str):
        raise UnknownIdError("quantization", repr(name), [*QUANTIZATIONS, "fp16"])
    key = ALIASES.get(name.strip().lower(), name.strip().lower())
    if key not in QUANTIZATIONS:
        raise UnknownIdError("quantization", name, [*QUANTIZATIONS, "fp16"])
    return QUANTIZATIONS[key]


@dataclass(frozen=True)
class ComputePath:
    """How a GPU executes a quantization: the tensor rate used and whether it is native."""

    precision: Precision
    tflops: float
    native: bool
    note: str | None


def compute_path(quant: Quantization, gpu: Gpu) -> ComputePath:
    """Native when the GPU has tensor cores for the format, else weight-only at 16-bit."""
    if quant.compute in gpu.dense_tflops:
        return ComputePath(quant.compute, gpu.dense_tflops[quant.compute], True, None)
    note = (
        f"{gpu.id} has no {quant.compute} tensor cores: {quant.id} runs weight-only "
        f"(weights stored at {quant.bits_per_weight:g} bits, matmuls at 16-bit)"
    )
    return ComputePath("bf16", gpu.dense_tflops["bf16"], False, note)
