"""Published throughput measurements -> model predictions, and the fit of the efficiency factors.

Every row of `published_throughput.csv` (a copy of shared/reference/published_throughput.csv) is
mapped to the quantity our model predicts for it; rows we cannot map are reported as skipped with
the reason. `fit()` searches the three efficiency factors (bandwidth, decode compute, prefill
compute) that minimise the median absolute log error: a rerunnable procedure, no per-row tuning.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from llmcost import selfhost
from llmcost.catalog import Catalog, load_catalog
from llmcost.defaults import Efficiency
from llmcost.memory import plan_memory
from llmcost.quantization import get_quantization
from llmcost.throughput import decode_step_s, rates, saturated_capacity, serving_shape

HERE = Path(__file__).parent
MEASUREMENTS = HERE / "published_throughput.csv"

MODEL_IDS = [  # (pattern in the published model name, our id)
    (r"Llama-3\.1-8B", "llama-3.1-8b"),
    (r"Llama-3\.3-70B", "llama-3.3-70b"),
    (r"Llama-3\.1-405B", "llama-3.1-405b"),
    (r"Llama-2-7[bB]", "llama-2-7b"),
    (r"Llama-2-70B", "llama-2-70b"),
    (r"Qwen2\.5-7B", "qwen-2.5-7b"),
    (r"Qwen2\.5-72B", "qwen-2.5-72b"),
]
GPU_IDS = {
    "H100 SXM": "h100-sxm",
    "H100 (80GB HBM3)": "h100-sxm",
    "L40S": "l40s",
    "A100 (variant not stated)": "a100-80gb",  # assumption: the 80 GB part NVIDIA benchmarked with
    "A100 80GB": "a100-80gb",
    "A100 40GB": "a100-40gb",
    "NVIDIA A10G": "a10g",
}
QUANT_IDS = {
    "FP8": "fp8",
    "FP16": "bf16",
    "BF16": "bf16",
    "not stated (default dtype)": "bf16",
    "GPTQ-Int8": "int8",
    "GPTQ-Int4": "int4",
    "AWQ (INT4)": "int4",
}


@dataclass(frozen=True)
class Row:
    label: str
    kind: str  # saturated | fixed_batch | ttft | single_request | decode_per_request
    model: str
    quant: str
    gpu: str
    gpus: int
    input_tokens: float
    output_tokens: float
    batch: int | None
    engine: str
    published: float  # in the unit of `unit`
    unit: str
    engine_version: str = ""


@dataclass(frozen=True)
class Skipped:
    label: str
    reason: str


def load_rows(path: Path = MEASUREMENTS) -> tuple[list[Row], list[Skipped]]:
    rows, skipped = [], []
    with path.open(newline="") as fh:
        for i, r in enumerate(csv.DictReader(fh), start=2):
            name = r["model"].split(" (")[0]
            label = (
                f"line {i}: {name} {r['precision']} {r['gpu_count']}x{r['gpu']} {r['engine']} "
                f"{r['input_tokens']}/{r['output_tokens']}"
            )
            model = next((mid for pat, mid in MODEL_IDS if re.search(pat, r["model"])), None)
            gpu, quant = GPU_IDS.get(r["gpu"]), QUANT_IDS.get(r["precision"])
            if not (model and gpu and quant):
                skipped.append(Skipped(label, "model, GPU or precision not in our data"))
                continue
            metric, conc = r["metric"], r["concurrency"]
            batch_match = re.match(r"batch (\d+)", conc)
            batch = int(batch_match.group(1)) if batch_match else None
            gpus, value = int(r["gpu_count"]), float(r["value"])
            engine = "trt-llm" if r["engine"].startswith("TensorRT") else "vllm"
            common: dict[str, Any] = dict(
                label=label,
                model=model,
                quant=quant,
                gpu=gpu,
                gpus=gpus,
                input_tokens=float(r["input_tokens"]),
                output_tokens=float(r["output_tokens"]),
                engine=engine,
                engine_version=r["engine_version"],
            )
            if metric == "output_tokens_per_s_total" and conc.startswith("max load"):
                rows.append(Row(kind="saturated", batch=None, published=value, unit="output tok/s", **common))
            elif metric in ("output_tokens_per_s_per_gpu", "output_tokens_per_s") and batch:
                per_group = value * gpus if metric.endswith("per_gpu") else value
                rows.append(Row(kind="fixed_batch", batch=batch, published=per_group, unit="output tok/s", **common))
            elif metric == "ttft_ms" and batch == 1:
                rows.append(Row(kind="ttft", batch=1, published=value, unit="ms", **common))
            elif metric == "tokens_per_s (single request)":
                rows.append(Row(kind="single_request", batch=1, published=value, unit="tok/s", **common))
            elif metric.startswith("decode_tokens_per_s_per_request") and conc == "1":
                rows.append(Row(kind="decode_per_request", batch=1, published=value, unit="tok/s", **common))
            elif metric == "requests_per_s" and conc.startswith("offline"):
                rows.append(Row(kind="saturated", batch=None, published=value, unit="req/s", **common))
            else:
                skipped.append(Skipped(label, f"metric '{metric}' at '{conc}' has no model counterpart"))
    return rows, skipped


# The engine_overhead record (data/engines.yaml) each measured release runs at: (engine, start of the
# engine_version column, record id). Releases not listed (TensorRT-LLM 0.5-0.6.1 of 2023) run at
# Efficiency().layer_overhead_us, the figure `fit` finds on them.
RELEASES = (
    # the V0 engine: 0.6.3 measured (Qwen's speed benchmark); nm-vllm reports its vLLM base, 0.2.0
    ("vllm", "0.6", "vllm-v0"),
    ("vllm", "reported 'vllm_version: 0.2", "vllm-v0"),
    ("vllm", "not stated (Oct 2024", "vllm-v0"),  # Oracle's MI300X runs: vLLM of October 2024 was 0.6
    # the V1 engine (default from 0.8): 0.12.0, 0.16.0, 0.23.0 measured; 0.10.0 is AMD's ROCm build
    ("vllm", "0.10", "vllm-v1"),
    ("vllm", "0.12", "vllm-v1"),
    ("vllm", "0.16", "vllm-v1"),
    ("vllm", "0.23", "vllm-v1"),
    ("trt-llm", "1.0", "trt-llm-1"),
    ("trt-llm", "NIM 1.8", "trt-llm-1"),
    ("sglang", "not stated (Jan 2025", "sglang-2025"),
)


# Releases whose generation attention streams the KV cache once per query head, not once per KV head:
# TensorRT-LLM 0.5-0.6.1's masked MHA kernel is "the 'vanilla' implementation that uses a single CUDA
# thread-block per head" (docs/source/gpt_attention.md @138f96d45f90b9667426f7c47297d8c06bafac73, the
# commit the rows cite). Its successor for MQA/GQA, XQA ("LLAMA2 70B is one model that it supports"), is
# not in that release's document and needs a paged KV cache, which the release's Llama 2 70B benchmark
# build does not use (docs/source/performance.md, same commit: no --paged_kv_cache). A GQA model's KV
# cache is then read attention_heads / kv_heads times per step (8 for Llama 2 70B; 1 for MHA models).
PER_QUERY_HEAD_ATTENTION = (("trt-llm", "0.5"), ("trt-llm", "0.6"))


def kv_reads_per_step(cat: Catalog, row: Row) -> float:
    """How many times the row's engine reads each KV head's cache per decode step."""
    if any(row.engine == e and row.engine_version.startswith(v) for e, v in PER_QUERY_HEAD_ATTENTION):
        m = cat.model(row.model)
        return m.attention_heads / m.kv_heads
    return 1.0


def release_profile(engine: str, version: str) -> str | None:
    """The engine_overhead id of a measured release, or None (the fitted baseline)."""
    return next((rid for e, start, rid in RELEASES if e == engine and version.startswith(start)), None)


LOW_LOAD_KINDS = ("single_request", "decode_per_request")  # batch-1 decode rows


def sets_a_release_cost(row: Row) -> bool:
    """Whether benchmarks/engine_overhead.py derives a release's fixed cost from `row` (a batch-1 decode
    row of a release with a record): such a row tests nothing it did not set."""
    return row.kind in LOW_LOAD_KINDS and release_profile(row.engine, row.engine_version) is not None


def at_release(cat: Catalog, engine: str, version: str, eff: Efficiency) -> Efficiency:
    """`eff` with the per-layer overhead of the measured release, where engines.yaml has a record for it."""
    rid = release_profile(engine, version)
    return selfhost.at_release(eff, cat.overhead_profile(engine, rid) if rid is not None else None)


def calibration_catalog() -> Catalog:
    return load_catalog([HERE / "calibration_data"])


def predict(cat: Catalog, row: Row, eff: Efficiency, release: bool = True) -> float:
    """The model's figure for one published row, in the row's unit (`release`: at the per-layer
    overhead of the row's engine release, see RELEASES; False: at eff's own)."""
    if release:
        eff = at_release(cat, row.engine, row.engine_version, eff)
    m, q, g = cat.model(row.model), get_quantization(row.quant), cat.gpu(row.gpu)
    engine = cat.engine(row.engine)
    kv = engine.kv_bytes_auto(q.id)  # the KV dtype the engine's default gives this weight format
    kernel = cat.moe_kernels.get((row.engine, row.gpu, q.id))  # the engine's measured MoE kernel, if any
    shape = serving_shape(m, q, g, row.gpus, row.input_tokens, row.output_tokens, kv, moe_kernel=kernel)
    shape = replace(shape, kv_read_bytes_per_seq=shape.kv_read_bytes_per_seq * kv_reads_per_step(cat, row))
    if row.kind == "saturated":
        ctx = math.ceil(row.input_tokens + row.output_tokens)
        plan = plan_memory(m, q, g, ctx, gpus=row.gpus, kv_bytes=kv)
        cap = saturated_capacity(shape, plan.max_concurrent_sequences, engine.max_batch_for(g), eff)
        return cap.requests_per_s if row.unit == "req/s" else cap.output_tokens_per_s
    assert row.batch is not None
    r = rates(shape, np.array([float(row.batch)]), eff)
    if row.kind == "fixed_batch":
        return float(r.output_tokens_per_s[0])
    if row.kind == "ttft":
        return float(r.ttft_s[0] * 1e3)
    if row.kind == "single_request":
        return float(r.output_tokens_per_s[0])
    return float(1.0 / decode_step_s(shape, np.array([1.0]), eff)[0][0])  # decode only, no prefill


def errors(cat: Catalog, rows: list[Row], eff: Efficiency) -> np.ndarray:
    """Predicted / published - 1 for each row."""
    return np.array([predict(cat, r, eff) / r.published - 1.0 for r in rows])


def summary(err: np.ndarray) -> tuple[float, float]:
    """(median absolute error, share of rows within 1.5x either way)."""
    ratio = 1.0 + err
    within = np.mean((ratio <= 1.5) & (ratio >= 1 / 1.5))
    return float(np.median(np.abs(err))), float(within)


# Search bounds: physically plausible ranges. The ceilings are kernel measurements on one H200
# (shared/reference/h200_microbench.csv): a 2 GiB device copy reaches 4.153 of 4.8 TB/s (0.865);
# an 8192^3 bf16 GEMM 773 of 989 TFLOP/s (0.78). An engine cannot beat its best kernels.
BOUNDS = {
    "bandwidth": (0.3, 0.865),
    "decode_compute": (0.2, 0.78),
    "prefill_compute": (0.2, 0.78),
    "layer_overhead_us": (0.0, 400.0),
    "sequence_overhead_us": (0.0, 40.0),
}


def loss(cat: Catalog, rows: list[Row], eff: Efficiency) -> float:
    """Mean |log(predicted / published)|: symmetric in over- and under-prediction."""
    return float(np.mean(np.abs(np.log1p(errors(cat, rows, eff)))))


def fit(cat: Catalog, rows: list[Row], sweeps: int = 4, points: int = 41) -> Efficiency:
    """Coordinate descent: each factor in turn over a grid within its bounds, keeping the best."""
    eff = Efficiency()
    best = loss(cat, rows, eff)
    for _ in range(sweeps):
        for name, (lo, hi) in BOUNDS.items():
            for value in np.linspace(lo, hi, points):
                trial = replace(eff, **{name: round(float(value), 4)})
                trial_loss = loss(cat, rows, trial)
                if trial_loss < best:
                    best, eff = trial_loss, trial
    return eff
