"""llmcost against NVIDIA AIConfigurator, both against the published measurements llmcost is scored on.

    uv sync --extra aiconfigurator        # or: pip install 'llmcost[aiconfigurator]'
    python benchmarks/aiconfigurator_reference.py

AIConfigurator (`aiconfigurator-core`, Apache-2.0) composes per-kernel timings it measured on each GPU
with each engine. This script, offline and with nothing fitted or changed:

1. end to end: every row of published_throughput.csv and published_concurrency.csv that both models can
   answer (the GPUs, engines, models and weight formats `llmcost.aiconfigurator_backend` covers, at
   saturation or at a closed-loop concurrency) -> llmcost's figure (the shipped Efficiency factors, the
   calibration catalog, the code paths of benchmarks/calibration.py and concurrency_calibration.py),
   AIConfigurator's figure, the published figure; median absolute error and share within 1.5x for each;
2. speed: median seconds per configuration for each (AIConfigurator's import and first database load
   are reported apart);
3. per kernel: what AIConfigurator's measured GEMM and decode-attention tables imply as achieved
   fractions of the datasheet peaks in data/hardware.yaml, beside llmcost's fitted Efficiency factors;
4. on one H200: AIConfigurator's 8192^3 GEMMs and its composed Llama-3.1-8B decode step against the
   kernel measurements in h200_microbench.csv and h200_decode_step.csv (copies of shared/reference/,
   measured on one H200 with PyTorch 2.11, CUDA 13, 2026-11-28: kernels only, no norms, sampling or
   scheduling), with llmcost's decode step beside them.

Only the rows named above are read. AIConfigurator's bundled end-to-end samples (systems/silicon_sample.csv)
are not read: their provenance against the measurements kept aside (DEVELOPERS.md) is not stated.
"""

from __future__ import annotations

import math
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.calibration import Row, calibration_catalog, load_rows
from benchmarks.calibration import predict as predict_row
from benchmarks.concurrency_calibration import Measurement, load_measurements
from benchmarks.concurrency_calibration import predict as predict_measurement
from llmcost import aiconfigurator_backend as aic
from llmcost.catalog import Catalog
from llmcost.defaults import (
    ALLREDUCE_LATENCY_PER_DOUBLING_US,
    ALLREDUCE_LINK_EFFICIENCY,
    TENSOR_CORE_VS_BF16,
    Efficiency,
)
from llmcost.records import Precision


@dataclass(frozen=True)
class Compared:
    label: str
    metric: str  # throughput | ttft | tpot
    regime: str  # saturation | concurrency N
    published: float
    llmcost: float
    aiconfigurator: float


def _covered(model: str, quant: str, gpu: str, engine: str) -> bool:
    return aic.coverage_error(model, quant, gpu, engine) is None


def _timed(fn: Callable[[], Any], times: list[float]) -> Any:
    t0 = time.perf_counter()
    out = fn()
    times.append(time.perf_counter() - t0)
    return out


def compare(cat: Catalog, eff: Efficiency) -> tuple[list[Compared], list[float], list[float]]:
    """Every covered measurement, predicted by both; (comparisons, llmcost s/config, aiconfigurator s/config)."""
    out: list[Compared] = []
    t_llm: list[float] = []
    t_aic: list[float] = []
    cache: dict[tuple[Any, ...], aic.Estimate] = {}

    def estimate(model: str, quant: str, gpu: str, gpus: int, i: float, o: float, engine: str, n: int | None
                 ) -> aic.Estimate:  # fmt: skip
        key = (model, quant, gpu, gpus, i, o, engine, n)
        if key not in cache:
            e = cat.engine(engine)
            kv, cap = e.kv_bytes_auto(quant), e.max_batch_for(cat.gpu(gpu))
            cache[key] = _timed(lambda: aic.estimate(model, quant, gpu, gpus, i, o, engine, kv, cap, n), t_aic)
        return cache[key]

    rows, _ = load_rows()
    for r in rows:
        if r.kind != "saturated" or r.unit != "output tok/s" or not _covered(r.model, r.quant, r.gpu, r.engine):
            continue
        ours = _timed(lambda r=r: predict_row(cat, r, eff), t_llm)  # type: ignore[misc]
        theirs = estimate(r.model, r.quant, r.gpu, r.gpus, r.input_tokens, r.output_tokens, r.engine, None)
        out.append(Compared(_label(r), "throughput", "saturation", r.published, ours,
                            theirs.saturated.output_tokens_per_s))  # fmt: skip
    measurements, _ = load_measurements()
    for m in measurements:
        if m.kind not in ("closed_loop", "saturated") or not _covered(m.model, m.quant, m.gpu, m.engine):
            continue
        ours_fig, _regime = _timed(lambda m=m: predict_measurement(cat, m, eff), t_llm)  # type: ignore[misc]
        n = None if m.kind == "saturated" else int(m.load or 1)
        theirs = estimate(m.model, m.quant, m.gpu, m.gpus, m.input_tokens, m.output_tokens, m.engine, n)
        cap = theirs.saturated if n is None else theirs.at_concurrency
        assert cap is not None and ours_fig is not None
        figure = {"throughput": cap.output_tokens_per_s, "ttft": cap.ttft_ms, "tpot": cap.tpot_ms}[m.metric]
        regime = "saturation" if n is None else f"concurrency {n}"
        out.append(Compared(_mlabel(m), m.metric, regime, m.published, ours_fig, figure))
    return out, t_llm, t_aic


def _label(r: Row) -> str:
    return r.label


def _mlabel(m: Measurement) -> str:
    return m.label


def stats(errors: list[float]) -> tuple[float, float]:
    """(median absolute error, share within 1.5x either way)."""
    if not errors:
        return math.nan, math.nan
    within = sum(1 for e in errors if 1 / 1.5 <= 1 + e <= 1.5) / len(errors)
    return statistics.median(abs(e) for e in errors), within


def report_end_to_end(rows: list[Compared]) -> None:
    print(f"{'metric':<11}{'regime':<16}{'row':<86}{'published':>11}{'llmcost':>11}{'err':>6}{'aiconf.':>11}{'err':>6}")
    for c in rows:
        e_ours, e_theirs = c.llmcost / c.published - 1, c.aiconfigurator / c.published - 1
        print(f"{c.metric:<11}{c.regime:<16}{c.label[:84]:<86}{c.published:>11,.1f}{c.llmcost:>11,.1f}"
              f"{e_ours:>+6.0%}{c.aiconfigurator:>11,.1f}{e_theirs:>+6.0%}")  # fmt: skip
    print("\nsummary (n, median absolute error, share within 1.5x)")
    groups: dict[str, list[Compared]] = {}
    for c in rows:
        regime = "saturation" if c.regime == "saturation" else "concurrency"
        groups.setdefault(f"{c.metric} at {regime}", []).append(c)
    groups["throughput, all"] = [c for c in rows if c.metric == "throughput"]
    for name, of in groups.items():
        ours = stats([c.llmcost / c.published - 1 for c in of])
        theirs = stats([c.aiconfigurator / c.published - 1 for c in of])
        print(f"  {name:<28} n={len(of):<3} llmcost {ours[0]:6.1%} {ours[1]:4.0%}   "
              f"aiconfigurator {theirs[0]:6.1%} {theirs[1]:4.0%}")  # fmt: skip


def report_speed(t_llm: list[float], t_aic: list[float], startup_s: float) -> None:
    print(f"\nspeed: llmcost {statistics.median(t_llm) * 1e3:.2f} ms per configuration (median of {len(t_llm)}); "
          f"aiconfigurator {statistics.median(t_aic) * 1e3:.0f} ms (median of {len(t_aic)}; "
          f"max {max(t_aic) * 1e3:.0f} ms), after {startup_s:.2f} s to import it and load its first "
          "database")  # fmt: skip


# --- per kernel ------------------------------------------------------------------------------------------

WEIGHT_BYTES = {"bfloat16": 2.0, "fp8": 1.0}
KV_BYTES = {"bfloat16": 2.0, "fp8": 1.0}
PEAK_KEY: dict[str, Precision] = {"bfloat16": "bf16", "fp8": "fp8", "nvfp4": "fp4"}
TENSOR_DTYPES = ("bfloat16", "fp8", "nvfp4")  # bf16 first: the others are compared with it


def _tables(system: str, engine: str) -> tuple[Any, Any, str]:
    """(GEMM table, decode-attention table, collected version) as the package ships them."""
    import pandas as pd
    from aiconfigurator_core.sdk.perf_database import get_database

    version = str(get_database(system, engine, "current").version)  # type: ignore[union-attr]
    root = Path(sys.modules["aiconfigurator_core"].__file__ or "").parent / "systems" / "data" / system
    gemm = pd.read_parquet(root / "gemm" / engine / version / "gemm_perf.parquet")
    attn = pd.read_parquet(root / "attention" / engine / version / "generation_attention_perf.parquet")
    return gemm, attn, version


def report_kernels(cat: Catalog, eff: Efficiency) -> None:
    """Achieved fractions of peak that AIConfigurator's kernel tables imply (latency in ms)."""
    print(f"\nper kernel: AIConfigurator's measured tables as fractions of hardware.yaml peaks "
          f"(median / 90th percentile); llmcost's fitted factors: bandwidth {eff.bandwidth}, "
          f"prefill_compute {eff.prefill_compute}, decode_compute {eff.decode_compute}")  # fmt: skip
    print(
        "  compute: GEMMs with m, n, k >= 4096; weight stream: GEMMs with m <= 16 and n*k >= 4096^2 "
        "(weight bytes / latency);\n  decode attention: batch x context >= 2^17 tokens (KV bytes read / latency; "
        "full attention only)"
    )
    ratios: dict[str, list[float]] = {}  # precision -> per table, its compute fraction / bf16's
    for gpu_id, system in aic.GPUS.items():
        g = cat.gpu(gpu_id)
        bw = g.memory_bandwidth_tb_per_s * 1e12
        for engine, name in aic.ENGINES.items():
            try:
                gemm, attn, version = _tables(system, name)
            except (FileNotFoundError, OSError) as exc:
                print(f"  {gpu_id} {engine}: no table ({exc.__class__.__name__})")
                continue
            cells = []
            for dtype in TENSOR_DTYPES:
                t = gemm[gemm.gemm_dtype == dtype]
                big = t[(t.m >= 4096) & (t.n >= 4096) & (t.k >= 4096)]
                peak = g.dense_tflops.get(PEAK_KEY[dtype])
                if big.empty or peak is None:
                    continue
                flops = 2.0 * big.m * big.n * big.k / (big.latency * 1e-3) / (peak * 1e12)
                if dtype == "bfloat16":
                    bf16 = float(flops.median())
                else:
                    ratios.setdefault(PEAK_KEY[dtype], []).append(float(flops.median()) / bf16)
                if dtype not in WEIGHT_BYTES:
                    cells.append(f"{PEAK_KEY[dtype]} compute {_mb(flops)}")
                    continue
                small = t[(t.m <= 16) & (t.n * t.k >= 4096**2)]
                stream = small.n * small.k * WEIGHT_BYTES[dtype] / (small.latency * 1e-3) / bw
                cells.append(f"{PEAK_KEY[dtype]} compute {_mb(flops)}, weight stream {_mb(stream)}")
            a = attn[(attn.batch_size * (attn.isl + attn.step) >= 2**17) & (attn.window_size == 0)]
            a = a[a.kv_cache_dtype.isin(list(KV_BYTES))]
            kv_bytes = a.kv_cache_dtype.map(KV_BYTES)
            read = a.batch_size * (a.isl + a.step) * 2 * a.num_key_value_heads * a.head_dim * kv_bytes
            frac = read / (a.latency * 1e-3) / bw
            print(f"  {gpu_id:<9}{engine:<8}{version:<11}" + "; ".join(cells) + f"; decode attention {_mb(frac)}")
    for prec, found in ratios.items():
        shipped = TENSOR_CORE_VS_BF16.get(prec, 1.0)
        print(
            f"  tensor cores vs bf16, {prec}: {len(found)} tables, {min(found):.2f}-{max(found):.2f}, median "
            f"{statistics.median(found):.2f} (defaults.TENSOR_CORE_VS_BF16: {shipped:g})"
        )


ALLREDUCE_IMPLEMENTATIONS = ("trtllm", "vllm_graph", "sglang_graph")  # CUDA-graph captured, as served
ALLREDUCE_GPUS = ("h100-sxm", "h200")  # where the TP calibration rows ran; B200 is printed, not pooled


def report_allreduce(cat: Catalog) -> None:
    """The all-reduce latency and link share (defaults.ALLREDUCE_*) its custom all-reduce tables imply:
    per table and TP size, t = alpha + 2 (tp - 1) / tp x bytes / (link x efficiency) fitted by least
    squares on log latency over bf16 messages of 64 KiB-1 GiB; then the medians over H100 and H200, and
    alpha's median per TP size as a time per doubling of the group (least squares through 0)."""
    import aiconfigurator_core
    import numpy as np
    import pandas as pd
    from scipy.optimize import least_squares  # type: ignore[import-untyped]

    print("\nall-reduce: custom all-reduce tables, t = alpha + ring bytes / (one-way link x efficiency)")
    root = Path(aiconfigurator_core.__file__ or "").parent / "systems" / "data"
    pooled: dict[int, list[tuple[float, float]]] = {}
    for gpu_id, system in aic.GPUS.items():
        link = (cat.gpu(gpu_id).interconnect_gb_per_s or 0.0) * 1e9 / 2
        for name in aic.ENGINES.values():
            files = sorted((root / system / "comm" / name).glob("*/custom_allreduce_perf.parquet"), key=_version)
            if not files or not link:
                continue
            t = pd.read_parquet(files[-1])
            impl = "backend" if "backend" in t else "implementation"
            t = t[t[impl].isin(ALLREDUCE_IMPLEMENTATIONS) & (t.allreduce_dtype == "bfloat16")]
            t = t[(t.message_size * 2 >= 2**16) & (t.message_size * 2 <= 2**30)]
            cells = []
            for group, g in t.groupby("num_gpus"):
                tp = int(str(group))
                size = g.message_size.to_numpy() * 2.0
                seconds = g.latency.to_numpy() * 1e-3
                ring = 2 * (tp - 1) / tp

                traffic = size * ring / link  # seconds at the full one-way link

                def residual(p: Any, traffic: Any = traffic, seconds: Any = seconds) -> Any:
                    return np.log(p[0] * 1e-6 + traffic / p[1]) - np.log(seconds)

                alpha, eff = least_squares(residual, [5.0, 0.5], bounds=([0.0, 0.01], [1000.0, 1.5])).x
                cells.append(f"tp{tp} {alpha:.1f} us, {eff:.2f}")
                if gpu_id in ALLREDUCE_GPUS:
                    pooled.setdefault(tp, []).append((float(alpha), float(eff)))
            print(f"  {gpu_id:<9}{name:<8}{files[-1].parent.name:<11}" + "; ".join(cells))
    effs = [e for fits in pooled.values() for _, e in fits]
    alphas = {tp: statistics.median(a for a, _ in fits) for tp, fits in sorted(pooled.items())}
    doublings = {tp: math.log2(tp) for tp in alphas}
    per_doubling = sum(doublings[tp] * a for tp, a in alphas.items()) / sum(d * d for d in doublings.values())
    print(f"  H100 + H200: efficiency median {statistics.median(effs):.2f} ({min(effs):.2f}-{max(effs):.2f}); latency "
          + ", ".join(f"tp{tp} {a:.2f} us" for tp, a in alphas.items())
          + f" ~ {per_doubling:.2f} us x log2(tp) (defaults: efficiency {ALLREDUCE_LINK_EFFICIENCY}, "
          f"{ALLREDUCE_LATENCY_PER_DOUBLING_US} us x log2(tp))")  # fmt: skip


def _version(path: Path) -> tuple[int, ...]:
    """A table's collected version (its folder, "0.5.14", "1.3.0rc20") as numbers, to find the newest."""
    return tuple(int(n) for n in re.findall(r"\d+", path.parent.name))


def _mb(x: Any) -> str:
    return "n/a" if len(x) == 0 else f"{float(x.median()):.2f} / {float(x.quantile(0.9)):.2f}"


HERE = Path(__file__).parent


def report_h200(cat: Catalog, eff: Efficiency) -> None:
    """AIConfigurator's H200 tables and decode step against our own H200 kernel measurements."""
    import csv

    import numpy as np
    from aiconfigurator_core.sdk import common, config
    from aiconfigurator_core.sdk.backends.factory import get_backend
    from aiconfigurator_core.sdk.models import get_model
    from aiconfigurator_core.sdk.perf_database import get_database

    from llmcost.quantization import get_quantization
    from llmcost.throughput import decode_step_s, serving_shape

    with (HERE / "h200_microbench.csv").open(newline="") as fh:
        bench = {(r["kind"], r["shape"], r["dtype"]): float(r["ms"]) for r in csv.DictReader(fh)}
    with (HERE / "h200_decode_step.csv").open(newline="") as fh:
        steps = {int(r["batch"]): float(r["step_ms"]) for r in csv.DictReader(fh)}
    print("\nH200: AIConfigurator against kernels measured on one H200 (ms)")
    names = {"bfloat16": "bf16", "fp8": "fp8"}
    shape = serving_shape(cat.model("llama-3.1-8b"), get_quantization("bf16"), cat.gpu("h200"), 1, 2048, 1, 2.0)
    ours = {b: float(decode_step_s(shape, np.array([float(b)]), eff)[0][0]) * 1e3 for b in steps}
    header = "  Llama-3.1-8B bf16 decode step, KV 2048: batch " + " ".join(f"{b:>7}" for b in steps)
    print(header)
    print("  measured kernels (CUDA graph)                 " + " ".join(f"{v:>7.2f}" for v in steps.values()))
    for engine in ("trtllm", "vllm"):
        db = get_database("h200_sxm", engine, "current")
        assert db is not None
        gemm, _, version = _tables("h200_sxm", engine)
        cube = gemm[(gemm.m == 8192) & (gemm.n == 8192) & (gemm.k == 8192)]
        cells = [f"{names[d]} {float(cube[cube.gemm_dtype == d].latency.iloc[0]):.3f} (measured "
                 f"{bench[('gemm', '8192^3', names[d])]:.3f})" for d in names]  # fmt: skip
        mc = config.ModelConfig(tp_size=1, gemm_quant_mode=common.GEMMQuantMode.bfloat16,
                                kvcache_quant_mode=common.KVCacheQuantMode.bfloat16,
                                fmha_quant_mode=common.FMHAQuantMode.bfloat16)  # fmt: skip
        model, backend = get_model("meta-llama/Meta-Llama-3.1-8B", mc, engine), get_backend(engine)
        composed = []
        for b in steps:  # one decode step at KV length 2048 (static_gen with 2 output tokens)
            rc = config.RuntimeConfig(batch_size=b, isl=2048, osl=2)
            composed.append(float(backend.run_static(model, db, rc, mode="static_gen").get_summary_df().iloc[0].tpot))
        label = f"aiconfigurator {engine} {version}"
        print(f"  {label:<46} " + " ".join(f"{v:>7.2f}" for v in composed))
        print("    its 8192^3 GEMMs: " + "; ".join(cells))
    label = f"llmcost (fitted factors, with {eff.layer_overhead_us:g} us/layer)"
    print(f"  {label:<46} " + " ".join(f"{v:>7.2f}" for v in ours.values()))


def main() -> None:
    if not aic.available():
        print(f"needs the optional extra: pip install 'llmcost[{aic.EXTRA}]'")
        raise SystemExit(2)
    t0 = time.perf_counter()
    aic.estimate("llama-3.1-8b", "fp8", "h100-sxm", 1, 128, 128, "trt-llm", 1.0, 2048)  # import + first load
    startup = time.perf_counter() - t0
    cat, eff = calibration_catalog(), Efficiency()
    rows, t_llm, t_aic = compare(cat, eff)
    report_end_to_end(rows)
    report_speed(t_llm, t_aic, startup)
    report_kernels(cat, eff)
    report_allreduce(cat)
    report_h200(cat, eff)


if __name__ == "__main__":
    main()
