"""The fixed per-layer cost of a decode step, per engine release, from published low-load measurements.

    python benchmarks/engine_overhead.py

At batch 1 a decode step is the weights read once plus a fixed time per layer (kernel launches and
small kernels, norms, sampling, scheduling: throughput.decode_step_s). The bandwidth factor is fitted
on the saturated and batched rows; the per-layer time is what is left at low load. For every
admissible low-load measurement of a release this prints the overhead [us per layer per step] at which
the model's figure equals the published one, the other factors held at the shipped values (bisection:
every figure used is monotone in the overhead), and the median per release: the `layer_overhead_us`
of that release's engine_overhead record in data/engines.yaml ("derived: ..." in its notes).

Procedure (rerunnable): run this, copy the medians into engines.yaml (rounded to 1 us), run
`benchmarks/throughput_accuracy.py --fit`, copy the factors into defaults.Efficiency, and repeat
until neither moves (two rounds here).

Measurements used (the rest are not low-load, or not a dense decode):
- vllm-v1: published_throughput.csv line 73 (vLLM 0.23.0, Llama-3.1-8B, A100 40GB, decode tokens/s
  per request at concurrency 1).
- vllm-v1, MoE layers (`moe_layer_overhead_us`): published_concurrency.csv lines 28-30 (Vultr, vLLM
  0.12.0, MiniMax M2.5 FP8 on 4 x B200, TPOT at concurrency 1, 8 and 16), the dense figure held at the
  record's: an MoE layer adds router, top-k and expert-dispatch kernels, so its fixed cost is not a
  dense layer's. At these batches the weights read is ~0.4 ms of an ~11 ms step, so the figure hardly
  depends on how the touched experts are modelled.
- trt-llm-1: published_concurrency.csv line 2 (NIM 1.8.0 on TensorRT-LLM, Llama-3.3-70B FP8, 2 x H100,
  ITL at concurrency 1).
- sglang-2025: published_concurrency.csv lines 102 and 107 (DataCrunch, SGLang Jan 2025, Llama-3.3-70B
  BF16, 4 x H200, median ITL at the lowest request rate of each dataset: 1/s random, 4/s ShareGPT; the
  model's mean running batch there is ~6 and ~3, so the KV part of the step is small but not zero).
- vllm-v0: vLLM 0.6.3 single-request rows of published_throughput.csv (lines 57-71). No low-load row
  is left at Efficiency.layer_overhead_us: that figure is TensorRT-LLM 0.5-0.6.1's, fitted.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.calibration import LOW_LOAD_KINDS, Row, calibration_catalog, load_rows, release_profile
from benchmarks.calibration import predict as predict_row
from benchmarks.concurrency_calibration import Measurement, load_measurements
from benchmarks.concurrency_calibration import predict as predict_measurement
from llmcost.catalog import Catalog
from llmcost.defaults import Efficiency

BOUNDS_US = (0.0, 400.0)  # the fit's bounds on layer_overhead_us (benchmarks/calibration.py BOUNDS)
CONCURRENCY_LINES = {2: "tpot", 102: "tpot", 107: "tpot"}  # published_concurrency.csv line -> metric used
MOE_LINES = {28: "tpot", 29: "tpot", 30: "tpot"}  # the same, for the MoE-layer figure
FIRST_TOKEN_LINES = {2: "ttft", 28: "ttft", 102: "ttft", 107: "ttft"}  # the lowest load of each online harness


def implied_us(figure: Callable[[float], float], published: float, rising: bool) -> float | None:
    """The overhead in BOUNDS_US at which `figure(us)` equals `published` (bisection), or None when
    even a bound misses (the rest of the model alone over- or under-shoots)."""
    lo, hi = BOUNDS_US

    def above(us: float) -> bool:
        return (figure(us) > published) == rising

    if above(lo) or not above(hi):
        return None
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if above(mid) else (mid, hi)
    return 0.5 * (lo + hi)


def low_load_rows(rows: list[Row]) -> list[Row]:
    """Batch-1 decode rows of the saturation set: single requests and per-request decode rates."""
    return [r for r in rows if r.kind in LOW_LOAD_KINDS]


def row_implied(cat: Catalog, row: Row, eff: Efficiency) -> float | None:
    # tokens/s falls as the overhead grows
    return implied_us(lambda us: predict_row(cat, row, replace(eff, layer_overhead_us=us), release=False),
                      row.published, rising=False)  # fmt: skip


def measurement_implied(cat: Catalog, m: Measurement, eff: Efficiency, moe: bool = False) -> float | None:
    """The overhead (`moe`: of an MoE layer, a dense layer at eff's) that reproduces `m`."""

    def figure(us: float) -> float:
        trial = replace(eff, moe_layer_overhead_us=us) if moe else replace(eff, layer_overhead_us=us)
        value, _ = predict_measurement(cat, m, trial, release=False)
        assert value is not None
        return value

    return implied_us(figure, m.published, rising=m.metric != "throughput")


def first_token_implied(cat: Catalog, m: Measurement, eff: Efficiency) -> float:
    """The online server's non-GPU time to the first token [ms] that reproduces the TTFT of `m`: what the
    published TTFT leaves after the modelled one at none (TTFT is that plus a constant)."""
    value, _ = predict_measurement(cat, m, eff)  # at the release's record, its first-token time included
    assert value is not None
    rid = release_profile(m.engine, m.engine_version)
    prof = cat.overhead_profile(m.engine, rid) if rid is not None else None
    return m.published - (value - (prof.first_token_overhead_ms if prof is not None else 0.0))


def derive(cat: Catalog, eff: Efficiency) -> dict[str, list[tuple[str, float | None]]]:
    """Release id ("baseline" for none) -> [(measurement label, implied us)]."""
    out: dict[str, list[tuple[str, float | None]]] = {}
    rows, _ = load_rows()
    for r in low_load_rows(rows):
        rid = release_profile(r.engine, r.engine_version) or "baseline"
        out.setdefault(rid, []).append((r.label, row_implied(cat, r, eff)))
    measurements, _ = load_measurements()
    for m in measurements:
        if CONCURRENCY_LINES.get(m.line) == m.metric:
            rid = release_profile(m.engine, m.engine_version) or "baseline"
            out.setdefault(rid, []).append((f"{m.label} ({m.metric})", measurement_implied(cat, m, eff)))
    for m in measurements:
        if MOE_LINES.get(m.line) == m.metric:
            rid = release_profile(m.engine, m.engine_version) or "baseline"
            prof = cat.overhead_profile(m.engine, rid) if rid != "baseline" else None
            dense = replace(eff, layer_overhead_us=prof.layer_overhead_us) if prof is not None else eff
            label = f"{m.label} ({m.metric})"
            out.setdefault(f"{rid} MoE layers", []).append((label, measurement_implied(cat, m, dense, moe=True)))
    for m in measurements:
        if FIRST_TOKEN_LINES.get(m.line) == m.metric:
            rid = release_profile(m.engine, m.engine_version) or "baseline"
            label = f"{m.label} ({m.metric}, ms)"
            out.setdefault(f"{rid} first token [ms]", []).append((label, first_token_implied(cat, m, eff)))
    return out


def main() -> None:
    cat, eff = calibration_catalog(), Efficiency()
    print(f"shipped factors: {eff}")
    for rid, found in derive(cat, eff).items():
        unit = "ms" if rid.endswith("[ms]") else "us"
        print(f"\n{rid}:")
        for label, value in found:
            print(f"  {'-' if value is None else f'{value:6.1f}':>6} {unit}  {label}")
        values = [v for _, v in found if v is not None]
        if values:
            print(f"  median {statistics.median(values):.1f} {unit} over {len(values)} measurements")


if __name__ == "__main__":
    main()
