"""`capacity --backend aiconfigurator`: one replica's throughput from NVIDIA AIConfigurator's measured kernels.

AIConfigurator (`aiconfigurator-core` on PyPI, Apache-2.0, github.com/ai-dynamo/aiconfigurator) ships
per-kernel timings (GEMM, attention, communication, ...) collected on each GPU with each engine, and
composes them into a step time for a model, a parallel layout and a batch. This module is the optional
bridge: it maps llmcost's ids onto the ones AIConfigurator ships and asks its aggregated (continuous
batching) estimator for

- saturation: the best output tokens/s over batch sizes up to the engine's batch cap and prefill
  tokens per step (`find_best_agg_result_under_constraints` with no latency limit), and
- a concurrency N: the best output tokens/s at batch N over the prefill tokens per step (`run_agg`).

The package is imported lazily, inside the functions below, so `import llmcost` and every other
command never pay for it (its import alone takes about 1.4 s and it pulls pandas and pyarrow).
Coverage is what the package ships data for and llmcost can map exactly; anything else is refused
by `coverage_error` with one line that names what is covered.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

from llmcost.errors import UsageError

EXTRA = "aiconfigurator"  # pip install 'llmcost[aiconfigurator]'
PACKAGE = "aiconfigurator_core"

# llmcost gpu id -> AIConfigurator system; the three systems the package ships full measured data for
# with all three engines (aiconfigurator_core/systems/data/<system>/, 0.12.0).
GPUS = {"h100-sxm": "h100_sxm", "h200": "h200_sxm", "b200": "b200_sxm"}
# llmcost engine id -> AIConfigurator backend name
ENGINES = {"trt-llm": "trtllm", "vllm": "vllm", "sglang": "sglang"}
# llmcost model id -> the Hugging Face config AIConfigurator bundles (aiconfigurator_core/model_configs/).
# Llama 3.3 70B has the architecture of Llama 3.1 70B (same config.json shape: 80 layers, 8192 hidden,
# 64 heads, 8 KV heads, 28672 intermediate, 128256 vocabulary), so it maps to the bundled 3.1 config.
MODELS = {
    "llama-3.1-8b": "meta-llama/Meta-Llama-3.1-8B",
    "llama-3.1-70b": "meta-llama/Meta-Llama-3.1-70B",
    "llama-3.3-70b": "meta-llama/Meta-Llama-3.1-70B",
    "llama-3.1-405b": "meta-llama/Meta-Llama-3.1-405B",
    "qwen3-0.6b": "Qwen/Qwen3-0.6B",
    "qwen3-1.7b": "Qwen/Qwen3-1.7B",
    "qwen3-8b": "Qwen/Qwen3-8B",
    "qwen3-32b": "Qwen/Qwen3-32B",
}
# weight precision -> AIConfigurator GEMM quant mode (fp8: per-tensor FP8, as ModelOpt checkpoints ship)
QUANTS = {"bf16": "bfloat16", "fp8": "fp8"}
KV_MODES = {2.0: "bfloat16", 1.0: "fp8"}  # KV bytes per element -> AIConfigurator KV cache mode


def available() -> bool:
    """Whether the optional extra is installed (without importing it)."""
    import importlib.util

    return importlib.util.find_spec(PACKAGE) is not None


def coverage() -> str:
    """What the backend covers, in one phrase."""
    return (
        f"models {', '.join(sorted(MODELS))}; gpus {', '.join(GPUS)}; engines {', '.join(ENGINES)}; "
        f"weights {', '.join(QUANTS)}"
    )


def coverage_error(model: str, quant: str, gpu: str, engine: str) -> str | None:
    """Why AIConfigurator cannot estimate this configuration (None: it can)."""
    for name, value, table in (
        ("model", model, MODELS),
        ("gpu", gpu, GPUS),
        ("engine", engine, ENGINES),
        ("quant", quant, QUANTS),
    ):
        if value not in table:
            return f"--backend aiconfigurator does not cover {name} '{value}'; it covers {coverage()}"
    return None


@dataclass(frozen=True)
class MeasuredCapacity:
    """One replica's rates as AIConfigurator composes them from its measured kernel timings."""

    output_tokens_per_s: float  # the whole replica
    requests_per_s: float
    batch_size: int  # requests in flight
    prefill_tokens_per_step: int  # AIConfigurator's ctx_tokens: prompt tokens batched into each mixed step
    ttft_ms: float
    tpot_ms: float
    memory_gib_per_gpu: float  # AIConfigurator's estimate of weights + activations + KV + buffers

    def to_dict(self) -> dict[str, float | int]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Source:
    """Which measurements answered: package version, system, engine and its collected version."""

    name: str
    package_version: str
    system: str
    engine: str
    engine_version: str
    model_config: str
    kv_cache: str

    def to_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Estimate:
    saturated: MeasuredCapacity
    at_concurrency: MeasuredCapacity | None
    source: Source


def _session(gpu: str, engine: str) -> tuple[Any, Any, Any, Any]:
    """(config, common, database, backend factory), importing the package on first use."""
    if not available():
        raise UsageError(
            f"--backend aiconfigurator needs the optional extra: pip install 'llmcost[{EXTRA}]' "
            f"(the {PACKAGE} package)",
            param="backend",
        )
    logging.getLogger(PACKAGE).setLevel(logging.ERROR)  # its per-op fallback warnings are not ours to print
    from aiconfigurator_core.sdk import common, config
    from aiconfigurator_core.sdk.backends.factory import get_backend
    from aiconfigurator_core.sdk.perf_database import get_database

    database = get_database(GPUS[gpu], ENGINES[engine], "current")
    if database is None:
        raise UsageError(f"aiconfigurator has no measured data for {engine} on {gpu}", param="backend")
    return config, common, database, get_backend


def _row(r: dict[str, Any], output_tokens: float) -> MeasuredCapacity:
    """Its result row; output tokens/s counted as llmcost counts them, requests/s x output tokens (its own
    `tokens/s` leaves out the first token of each request, which prefill produces: osl - 1 per request)."""
    return MeasuredCapacity(
        output_tokens_per_s=float(r["seq/s"]) * output_tokens,
        requests_per_s=float(r["seq/s"]),
        batch_size=int(r["bs"]),
        prefill_tokens_per_step=int(r["ctx_tokens"]),
        ttft_ms=float(r["ttft"]),
        tpot_ms=float(r["tpot"]),
        memory_gib_per_gpu=float(r["memory"]),
    )


def estimate(
    model: str,
    quant: str,
    gpu: str,
    gpus: int,
    input_tokens: float,
    output_tokens: float,
    engine: str,
    kv_bytes: float,
    max_batch: int,
    concurrency: int | None = None,
) -> Estimate:
    """Saturated (and, with `concurrency`, closed-loop) rates of one replica from AIConfigurator.

    `kv_bytes` is the KV cache element size llmcost resolved for the engine (2 or 1); `max_batch` the
    engine's batch cap (AIConfigurator's sweep tops out at 1024, where its data stops)."""
    why = coverage_error(model, quant, gpu, engine)
    if why:
        raise UsageError(why, param="backend")
    if kv_bytes not in KV_MODES:
        raise UsageError(f"--backend aiconfigurator covers a 16-bit or 8-bit KV cache, not {kv_bytes:g} bytes",
                         param="kv_cache")  # fmt: skip
    config, common, database, get_backend = _session(gpu, engine)
    try:
        saturated, at = _rates(config, common, database, get_backend, model, quant, gpu, gpus, input_tokens,
                               output_tokens, engine, kv_bytes, max_batch, concurrency)  # fmt: skip
    except UsageError:
        raise
    except (RuntimeError, ValueError, KeyError) as exc:  # its errors: PerfDataNotAvailableError, ... (one line)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UsageError(f"aiconfigurator cannot estimate {model} {quant} on {gpus} x {gpu} with {engine}: {first}",
                         param="backend") from None  # fmt: skip
    source = Source(
        name="aiconfigurator",
        package_version=_version(),
        system=database.system,
        engine=ENGINES[engine],
        engine_version=str(database.version),
        model_config=MODELS[model],
        kv_cache=KV_MODES[kv_bytes],
    )
    return Estimate(saturated, at, source)


def _rates(
    config: Any, common: Any, database: Any, get_backend: Any, model: str, quant: str, gpu: str, gpus: int,
    input_tokens: float, output_tokens: float, engine: str, kv_bytes: float, max_batch: int, concurrency: int | None,
) -> tuple[MeasuredCapacity, MeasuredCapacity | None]:  # fmt: skip
    isl, osl = math.ceil(input_tokens), max(math.ceil(output_tokens), 2)  # its TPOT needs a second token

    from aiconfigurator_core.sdk.models import get_model

    mc = config.ModelConfig(
        tp_size=gpus,
        gemm_quant_mode=common.GEMMQuantMode[QUANTS[quant]],
        kvcache_quant_mode=common.KVCacheQuantMode[KV_MODES[kv_bytes]],
        fmha_quant_mode=common.FMHAQuantMode.bfloat16,
    )
    aic_model = get_model(MODELS[model], mc, ENGINES[engine])
    backend = get_backend(ENGINES[engine])  # a fresh one per call: its run cache is keyed without the model
    rc = config.RuntimeConfig(batch_size=1, isl=isl, osl=osl, ttft=math.inf, tpot=math.inf)
    best = backend.find_best_agg_result_under_constraints(aic_model, database, rc, max_batch_size=max_batch, top_k=1)
    frame = best.get_summary_df()
    if frame is None or len(frame) == 0:
        raise UsageError(
            f"aiconfigurator: {model} {quant} does not fit on {gpus} x {gpu} ({engine}) at {isl}/{osl} tokens",
            param="gpus",
        )
    saturated = _row(dict(frame.iloc[0]), output_tokens)
    at = None
    if concurrency is not None:
        # at or beyond the saturated batch the engine runs the saturated point (the rest queue)
        at = saturated if concurrency >= saturated.batch_size else _at_concurrency(
            backend, aic_model, database, config, isl, osl, concurrency, output_tokens)  # fmt: skip
        if at is None:
            raise UsageError(f"aiconfigurator: {concurrency} requests in flight do not fit on {gpus} x {gpu}",
                             param="concurrency")  # fmt: skip
        at = queued(at, concurrency, osl)
    return saturated, at


def queued(at: MeasuredCapacity, clients: int, osl: int) -> MeasuredCapacity:
    """Clients beyond the batch AIConfigurator runs wait in the queue; its TTFT is for a request already
    admitted, so the wait is added from Little's law (llmcost's step, not AIConfigurator's): a closed loop
    of N clients at X requests/s cycles every N / X s = TTFT + (osl - 1) x TPOT.
    E.g. 100 clients at 1.762 req/s with TPOT 89.0 ms, 500 output tokens: 56.75 s - 44.41 s = 12.34 s."""
    if clients <= at.batch_size:
        return at
    cycle_ms = clients / at.requests_per_s * 1e3
    ttft = max(cycle_ms - (osl - 1) * at.tpot_ms, at.ttft_ms)
    return MeasuredCapacity(at.output_tokens_per_s, at.requests_per_s, at.batch_size, at.prefill_tokens_per_step,
                            ttft, at.tpot_ms, at.memory_gib_per_gpu)  # fmt: skip


def _at_concurrency(backend: Any, model: Any, database: Any, config: Any, isl: int, osl: int, batch: int,
                    output_tokens: float) -> MeasuredCapacity | None:  # fmt: skip
    """The best rates at `batch` requests in flight over AIConfigurator's own prefill-token grid, as its
    saturation sweep does for each batch (a closed loop's scheduler admits waiting prompts greedily)."""
    rc = config.RuntimeConfig(batch_size=batch, isl=isl, osl=osl, ttft=math.inf, tpot=math.inf)
    best: MeasuredCapacity | None = None
    for ctx in backend._get_ctx_tokens_list_for_agg_sweep(isl, 512, False):
        if batch > 1 and batch - math.ceil(ctx / isl) < 1:  # at least one request decoding, as its sweep requires
            break
        if batch == 1 and ctx > isl:
            break
        summary = backend.run_agg(model, database, rc, ctx_tokens=ctx)
        if summary.check_oom() or summary.check_kv_cache_oom():
            break
        row = _row(summary.get_result_dict(), output_tokens)
        if best is None or row.output_tokens_per_s > best.output_tokens_per_s:
            best = row
    return best


def _version() -> str:
    from importlib.metadata import version

    return version("aiconfigurator-core")
