"""The routed-expert (MoE) kernel of each engine on each GPU with measured tables, fitted to AIConfigurator's.

    uv sync --extra aiconfigurator        # or: pip install 'llmcost[aiconfigurator]'
    python benchmarks/moe_kernels.py      # prints the moe_kernel records of data/engines.yaml

A decode step's routed experts are not one dense GEMM at the datasheet's rates: the fused MoE kernels
gather each expert's tokens, run many small GEMMs and scatter the results back, and at the widths of
today's fine-grained experts (MiniMax M2.5: 256 experts of width 1536, 384 per GPU at TP 4) they reach a
small share of peak FLOP/s. `aiconfigurator-core` (NVIDIA, Apache-2.0) ships that kernel's latency
measured on each GPU with each engine (`systems/data/<gpu>/moe/<engine>/<version>/moe_perf.parquet`:
one MoE layer, by token count 1-16384, model shape, TP and EP size, routing distribution). Per
(engine, GPU, weight format) this fits, by non-negative least squares on relative error, a time per
MoE layer per GPU of

    t(n) = fixed + per_expert x touched + touched x expert bytes / (bandwidth x e_bw)
           + n k x expert FLOPs / (peak x e_c) + passes x n k x hidden x 2 bytes / bandwidth

n tokens, top-k of E experts, touched = E (1 - (1 - k/E)^n) experts each GPU reads (tensor parallelism:
every GPU holds a 1/TP slice of each expert), expert bytes and FLOPs of that slice (3 matrices of
hidden x width / TP; 2 FLOPs per weight per token copy), and the last term the token copies' gather,
scatter and intermediate activations in 16-bit (`passes` hidden-sized reads or writes per copy).
Bandwidth and peak are data/hardware.yaml's, the peak at the format's compute path
(quantization.compute_path, the datasheet's dense figure), so e_bw and e_c are fractions of llmcost's
own datasheet figures, each bounded by 1.

GPUs: those of hardware.yaml whose tables ship MoE timings (KERNEL_GPUS: H100, H200, B200, B300, GB200,
GB300, A100 SXM, L40S); a table without balanced rows (vLLM on A100) or a fit whose median error exceeds
MAX_MEDIAN_ERROR (two L40S tables) gives no record.

Rows used: routing `balanced` (llmcost states uniform routing: throughput.py), EP size 1 (the
expert-parallel rows replicate every token on every rank in these collectors, which llmcost's ep layout
does not model), gated experts (the `nongated` kernels serve ReLU^2 models, none in the catalog), the
oldest version collected for the engine on that GPU (the nearest to the releases the calibration rows
ran), and of the kernels measured there the one with the most rows. Weight formats: bf16 ->
bfloat16, fp8 -> fp8_block (the MoE checkpoints in the catalog are block-scaled fp8), fp4 -> nvfp4.
"""

from __future__ import annotations

import re
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from llmcost import aiconfigurator_backend as aic
from llmcost.catalog import Catalog, load_catalog
from llmcost.quantization import compute_path, get_quantization

# llmcost GPU id -> the system folder of its tables: the capacity backend's three, and every other GPU in
# hardware.yaml whose tables ship MoE timings (the workstation RTX PRO 6000 is not the tables' server edition)
KERNEL_GPUS = {
    **aic.GPUS,
    "a100-80gb": "a100_sxm",
    "l40s": "l40s",
    "b300": "b300_sxm",
    "gb200": "gb200",
    "gb300": "gb300",
}
TABLE_DTYPES = {"bf16": "bfloat16", "fp8": "fp8_block", "fp4": "nvfp4"}  # llmcost quantization id -> table's
MAX_TOKENS = 16384
MAX_MEDIAN_ERROR = 0.20  # a fit that misses its own table by more than this (median) gives no record


@dataclass(frozen=True)
class KernelFit:
    engine: str  # llmcost engine id
    gpu: str
    weight_dtype: str  # llmcost format id
    kernel: str  # the table's kernel_source
    table: str  # <system>/moe/<engine>/<version>
    fixed_us: float
    per_expert_us: float
    bandwidth: float  # e_bw
    compute: float  # e_c
    activation_passes: float
    rows: int
    median_error: float  # median |predicted / measured - 1|
    p90_error: float


def _version(path: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path.parent.name))


def _root() -> Path:
    import aiconfigurator_core

    return Path(aiconfigurator_core.__file__ or "").parent / "systems" / "data"


def terms(t: Any, bytes_per_weight: float, bw: float, peak: float) -> Any:
    """The five columns of the model (seconds at unit coefficient) for each row of a table."""
    import numpy as np

    n = t.num_tokens.to_numpy(float)
    h, i, e, k, tp = (t[c].to_numpy(float) for c in ("hidden_size", "inter_size", "num_experts", "topk", "moe_tp_size"))
    touched = e * (1.0 - (1.0 - k / e) ** n)
    slice_params = 3.0 * h * i / tp
    return np.column_stack(
        [
            np.full_like(n, 1e-6),  # fixed [us]
            touched * 1e-6,  # per touched expert [us]
            touched * slice_params * bytes_per_weight / bw,  # / e_bw
            n * k * 2.0 * slice_params / peak,  # / e_c
            n * k * h * 2.0 / bw,  # x passes
        ]
    )


def fit_table(t: Any, bytes_per_weight: float, bw: float, peak: float) -> tuple[Any, Any]:
    """(coefficients [fixed us, us per expert, 1/e_bw, 1/e_c, passes], relative errors): least squares
    on relative error, every coefficient >= 0 and neither fraction of peak above 1 (a kernel cannot beat
    the datasheet; where the table cannot tell FLOPs from activation traffic, the bound holds)."""
    import numpy as np
    from scipy.optimize import lsq_linear  # type: ignore[import-untyped]

    x = terms(t, bytes_per_weight, bw, peak)
    y = t.latency.to_numpy(float) * 1e-3
    lower = np.array([0.0, 0.0, 1.0, 1.0, 0.0])
    coef = lsq_linear(x / y[:, None], np.ones_like(y), bounds=(lower, np.inf)).x
    return coef, x @ coef / y - 1.0


def fits(cat: Catalog) -> list[KernelFit]:
    import pandas as pd

    out: list[KernelFit] = []
    root = _root()
    for engine, name in aic.ENGINES.items():
        for gpu_id, system in KERNEL_GPUS.items():
            files = sorted((root / system / "moe" / name).glob("*/moe_perf.parquet"), key=_version)
            if not files:
                continue
            g = cat.gpu(gpu_id)
            bw = g.memory_bandwidth_tb_per_s * 1e12
            table = pd.read_parquet(files[0])
            table = table[
                (table.distribution == "balanced")
                & (table.moe_ep_size == 1)
                & (table.num_tokens <= MAX_TOKENS)
                & ~table.kernel_source.str.contains("nongated")
            ]
            for fmt, dtype in TABLE_DTYPES.items():
                t = table[table.moe_dtype == dtype]
                path = compute_path(get_quantization(fmt), g)
                if t.empty or not path.native:
                    continue
                kernel = str(t.kernel_source.value_counts().index[0])
                t = t[t.kernel_source == kernel]
                # llmcost's own bytes per weight (fp4: 4.5 bits, NVFP4's scales included), as the model reads them
                coef, err = fit_table(t, get_quantization(fmt).bytes_per_param, bw, path.tflops * 1e12)
                abs_err = abs(err)
                if statistics.median(abs_err) > MAX_MEDIAN_ERROR:
                    continue
                out.append(
                    KernelFit(
                        engine=engine,
                        gpu=gpu_id,
                        weight_dtype=fmt,
                        kernel=kernel,
                        table=f"{system}/moe/{name}/{files[0].parent.name}",
                        fixed_us=float(coef[0]),
                        per_expert_us=float(coef[1]),
                        bandwidth=float(1.0 / coef[2]),
                        compute=float(1.0 / coef[3]),
                        activation_passes=float(coef[4]),
                        rows=len(t),
                        median_error=float(statistics.median(abs_err)),
                        p90_error=float(sorted(abs_err)[int(0.9 * (len(abs_err) - 1))]),
                    )
                )
    return out


def record(f: KernelFit) -> str:
    """The engines.yaml moe_kernel record of one fit."""
    from importlib.metadata import version as installed

    version = installed("aiconfigurator-core")
    return (
        f"  - id: {f.engine}/{f.gpu}/{f.weight_dtype}\n    engine: {f.engine}\n"
        f"    gpu: {f.gpu}\n    weight_dtype: {f.weight_dtype}\n"
        f"    fixed_us: {f.fixed_us:.1f}\n    per_expert_us: {f.per_expert_us:.3f}\n"
        f"    bandwidth: {f.bandwidth:.3f}\n    compute: {f.compute:.3f}\n"
        f"    activation_passes: {f.activation_passes:.2f}\n"
        f'    kernel: "{f.kernel}"\n'
        f'    fit: "{f.rows} rows, median error {f.median_error:.1%}, 90th percentile {f.p90_error:.1%}"\n'
        f'    source: "aiconfigurator-core {version} (NVIDIA, Apache-2.0) {f.table}/moe_perf.parquet; '
        f'derivation: benchmarks/moe_kernels.py"\n'
        f'    as_of: "2026"\n'
    )


def main() -> None:
    cat = load_catalog()
    found = fits(cat)
    print("engine    gpu       format  kernel                              fixed us  us/expert  e_bw   e_c    passes"
          "  rows  median  p90")  # fmt: skip
    for f in found:
        print(f"{f.engine:<10}{f.gpu:<10}{f.weight_dtype:<8}{f.kernel[:34]:<36}{f.fixed_us:8.1f}{f.per_expert_us:11.3f}"
              f"{f.bandwidth:7.3f}{f.compute:7.3f}{f.activation_passes:8.2f}{f.rows:6d}{f.median_error:8.1%}"
              f"{f.p90_error:6.1%}")  # fmt: skip
    print("\nmoe_kernel:")
    for f in found:
        print(record(f))


if __name__ == "__main__":
    main()
