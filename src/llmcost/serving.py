"""`fit` and `capacity`: one replica's memory plan and saturated throughput, by id."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from llmcost.catalog import Catalog, load_catalog
from llmcost.errors import InfeasibleError, UsageError
from llmcost.memory import TP_SIZES, plan_memory
from llmcost.quantization import compute_path, get_quantization
from llmcost.result import Result
from llmcost.selfhost import replica_capacity
from llmcost.throughput import Efficiency
from llmcost.workload import check_positive

KV_PRECISIONS = {"auto": None, "bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0}


def _kv_bytes(kv_cache: str) -> float | None:
    if kv_cache not in KV_PRECISIONS:
        raise UsageError(f"kv cache precision '{kv_cache}' is not one of {', '.join(KV_PRECISIONS)}")
    return KV_PRECISIONS[kv_cache]


def _whole(name: str, value: object) -> int:
    x = check_positive(name, value)
    if x != int(x):
        raise UsageError(f"{name} must be a whole number, got {value!r}")
    return int(x)


def fit(
    model: str,
    quant: str,
    gpu: str,
    *,
    context: int | None = None,
    concurrency: int = 1,
    gpus: int | None = None,
    kv_cache: str = "auto",
    data_dirs: Sequence[str | Path] = (),
    catalog: Catalog | None = None,
) -> Result:
    """Memory plan for one replica: weights, KV cache, smallest tensor-parallel size that fits."""
    cat = catalog or load_catalog(data_dirs)
    m, q, g = cat.model(model), get_quantization(quant), cat.gpu(gpu)
    ctx = m.max_context_tokens if context is None else _whole("context", context)
    if ctx > m.max_context_tokens:
        raise UsageError(f"context {ctx:,} exceeds {m.id}'s maximum of {m.max_context_tokens:,} tokens")
    if gpus is not None and gpus not in TP_SIZES:
        raise UsageError(f"gpus must be a tensor-parallel size in {TP_SIZES}, got {gpus!r}")
    plan = plan_memory(m, q, g, ctx, _whole("concurrency", concurrency), gpus, _kv_bytes(kv_cache))
    data = dict(plan.__dict__)
    data["compute"] = compute_path(q, g).__dict__
    data["commercial_use"] = m.licence.commercial_use
    return Result(data)


def capacity(
    model: str,
    quant: str,
    gpu: str,
    *,
    gpus: int = 1,
    input_tokens: float = 2000,
    output_tokens: float = 500,
    max_ttft_ms: float | None = None,
    max_tpot_ms: float | None = None,
    kv_cache: str = "auto",
    engine: str = "vllm",
    efficiency: Efficiency | None = None,
    data_dirs: Sequence[str | Path] = (),
    catalog: Catalog | None = None,
) -> Result:
    """Saturated throughput of one replica on `gpus` GPUs, optionally under latency caps."""
    cat = catalog or load_catalog(data_dirs)
    m, q, g = cat.model(model), get_quantization(quant), cat.gpu(gpu)
    if gpus not in TP_SIZES:
        raise UsageError(f"gpus must be a tensor-parallel size in {TP_SIZES}, got {gpus!r}")
    i = check_positive("input_tokens", input_tokens)
    o = check_positive("output_tokens", output_tokens)
    for name, cap in (("max_ttft_ms", max_ttft_ms), ("max_tpot_ms", max_tpot_ms)):
        if cap is not None:
            check_positive(name, cap)
    try:
        _, cap_ = replica_capacity(
            m,
            q,
            g,
            gpus,
            i,
            o,
            cat.engine(engine),
            efficiency or Efficiency(),
            max_ttft_ms,
            max_tpot_ms,
            _kv_bytes(kv_cache),
        )
    except InfeasibleError as exc:
        raise UsageError(f"{m.id} {q.id} on {gpus} x {g.id}: {exc}") from None
    data = {
        "model": m.id,
        "quantization": q.id,
        "gpu": g.id,
        "gpus": gpus,
        "input_tokens": i,
        "output_tokens": o,
        "engine": engine,
        **cap_.to_dict(),
        "compute": compute_path(q, g).__dict__,
    }
    return Result(data)
