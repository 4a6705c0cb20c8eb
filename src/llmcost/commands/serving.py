"""`fit` and `capacity`: one replica's memory plan and saturated throughput, by id."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from llmcost import defaults
from llmcost.catalog import Catalog, load_catalog, require_catalog
from llmcost.demand import check_positive
from llmcost.errors import InfeasibleError, UsageError
from llmcost.inputs import SelfHostAssumptions
from llmcost.memory import plan_memory
from llmcost.quantization import checkpoint_quantization, compute_path, get_quantization
from llmcost.records import Engine, Gpu, OpenModel
from llmcost.results.records import CapacityResult, FitResult
from llmcost.selfhost import best_replica, check_parallelism
from llmcost.throughput import at_concurrency, at_rate, moe_step, prompt_spread, tp_link, vendor_note

CAPACITY_BACKENDS = ("llmcost", "aiconfigurator")
# bytes per KV element; fp4 is NVFP4: 4-bit E2M1 values and one 8-bit E4M3 scale per 16: 4 + 8/16 = 4.5 bits
KV_PRECISIONS = {"auto": None, "bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0, "fp4": 4.5 / 8}


def _kv_bytes(kv_cache: str, engine: Engine, gpu: Gpu) -> float | None:
    """Bytes per KV element of an explicit --kv-cache, or None for `auto` (the engine's default).
    An NVFP4 cache is refused unless the engine documents one and the GPU has FP4 tensor cores."""
    if not isinstance(kv_cache, str) or kv_cache not in KV_PRECISIONS:
        raise UsageError(f"kv cache precision '{kv_cache}' is not one of {', '.join(KV_PRECISIONS)}", param="kv_cache")
    if kv_cache == "fp4":
        if not engine.kv_cache_nvfp4:
            raise UsageError(
                f"--kv-cache fp4: {engine.id} documents no 4-bit KV cache (TensorRT-LLM's NVFP4 KV cache is the "
                "one documented: --engine trt-llm on a Blackwell GPU)",
                param="kv_cache",
            )
        if "fp4" not in gpu.dense_tflops:
            raise UsageError(
                f"--kv-cache fp4: {gpu.id} has no FP4 tensor cores; {engine.id}'s NVFP4 KV cache needs a Blackwell GPU",
                param="kv_cache",
            )
    return KV_PRECISIONS[kv_cache]


def _whole(name: str, value: object, high: float = 1e9) -> int:
    x = check_positive(name, value)
    if x != int(x) or x > high:
        raise UsageError(f"{name} must be a whole number up to {high:,.0f}, got {value!r}", param=name)
    return int(x)


def _tp(gpus: object) -> int:
    if isinstance(gpus, bool) or not isinstance(gpus, int | float) or gpus not in defaults.TP_SIZES:
        raise UsageError(f"gpus must be a tensor-parallel size in {defaults.TP_SIZES}, got {gpus!r}", param="gpus")
    return int(gpus)


def fit(
    model: str,
    quant: str = "bf16",
    gpu: str = "h100-sxm",
    *,
    context: int | None = None,
    concurrency: int = 1,
    gpus: int | None = None,
    kv_cache: str = "auto",
    engine: str = defaults.ENGINE,
    engine_version: str | None = None,
    gpu_memory_utilization: float | None = None,
    max_num_batched_tokens: int | None = None,
    parallelism: str = defaults.PARALLELISM,
    data_dirs: Sequence[str | Path] = (),
    catalog: Catalog | None = None,
) -> FitResult:
    """Memory plan for one replica as the engine accounts it: weights, activation peak, CUDA graphs,
    communication buffers, KV pool and headroom per GPU, and the smallest tensor-parallel size that fits.
    `parallelism` (tp, ep, dp-attention, auto) is how a MoE replica splits its weights and KV over the
    GPUs; auto plans each layout that applies and keeps the one fitting on the fewest GPUs, then
    holding the most sequences."""
    cat = require_catalog(catalog) or load_catalog(data_dirs)
    m, g = cat.model(model), cat.gpu(gpu)
    q = checkpoint_quantization(m, get_quantization(quant))
    eng = cat.engine(engine)
    profile = cat.memory_profile(eng.id, engine_version)
    ctx = m.max_context_tokens if context is None else _whole("context", context)
    if ctx > m.max_context_tokens:
        raise UsageError(
            f"context {ctx:,} exceeds {m.id}'s maximum of {m.max_context_tokens:,} tokens", param="context"
        )
    util = None
    if gpu_memory_utilization is not None:
        util = check_positive("gpu_memory_utilization", gpu_memory_utilization)
        if util > 1:
            raise UsageError(
                f"gpu_memory_utilization is a fraction of each GPU's memory, in (0, 1], got {gpu_memory_utilization!r}",
                param="gpu_memory_utilization",
            )
    tokens = None
    if max_num_batched_tokens is not None:
        if profile is None:
            raise UsageError(
                f"max_num_batched_tokens: the data has no memory accounting for {eng.id} "
                "(engine_memory in engines.yaml), so its activation peak is not modelled",
                param="max_num_batched_tokens",
            )
        tokens = _whole("max_num_batched_tokens", max_num_batched_tokens, high=10_000_000)
    tp = None if gpus is None else _tp(gpus)
    kv = _kv_bytes(kv_cache, eng, g)
    n_seqs = _whole("concurrency", concurrency)
    kv_b = eng.kv_bytes_auto(q.id) if kv is None else kv
    plans = [
        plan_memory(
            m,
            q,
            g,
            ctx,
            n_seqs,
            tp,
            kv_b,
            gpu_memory_utilization=util if util is not None or profile else eng.gpu_memory_utilization,
            engine_memory=profile,
            max_num_batched_tokens=tokens,
            max_num_seqs=eng.max_batch_for(g),
            parallelism=par,
        )
        for par in _layouts(m, parallelism)
    ]
    fitting = [p for p in plans if p.fits]
    plan = min(fitting, key=lambda p: (p.gpus_per_replica or 0, -p.max_concurrent_sequences)) if fitting else plans[0]
    return FitResult(
        plan=plan,
        compute=dataclasses.asdict(compute_path(q, g)),
        commercial_use=m.licence.commercial_use,
        tp_link=_link(g, plan.gpus_per_replica or tp or 1),
        kv_cache=f"{kv_cache} (explicit)" if kv is not None else _auto_kv(eng, q.id),
    )


def _layouts(model: OpenModel, parallelism: str) -> tuple[str, ...]:
    """The layouts `fit` and `capacity` try: the one asked for (checked), or with auto every one
    that applies to the model (tp first)."""
    if parallelism == "auto":
        return defaults.PARALLELISMS if model.moe is not None else ("tp",)
    check_parallelism(model, parallelism)
    return (parallelism,)


_TRAFFIC = {"ep": "all-reduces (attention) and expert all-to-alls", "dp-attention": "expert all-to-alls"}


def _layout_link(link: dict[str, Any] | None, parallelism: str) -> dict[str, Any] | None:
    """The link as `capacity` shows it: under ep / dp-attention it carries all-to-alls too."""
    if link is None or parallelism not in _TRAFFIC or not isinstance(link.get("note"), str):
        return link
    return {**link, "note": link["note"].replace("tensor-parallel all-reduces", _TRAFFIC[parallelism])}


def _auto_kv(engine: Engine, quant: str) -> str:
    """How the engine's `auto` KV dtype resolved for this weight format, as `fit` shows it."""
    rule = f"8-bit for {quant} checkpoints" if engine.kv_bytes_auto(quant) == 1 else "the model dtype"
    return f"auto ({engine.id}: {rule})"


def _link(gpu: Gpu, tp: int) -> dict[str, Any] | None:
    """The tensor-parallel link of `tp` GPUs as the result shows it; a size whose fabric is not
    modelled says why (a memory plan alone can still be asked for)."""
    try:
        link = tp_link(gpu, tp)
    except UsageError as exc:
        return {"fabric": None, "gb_per_s": None, "p2p": None, "note": str(exc)}
    return link.to_dict(gpu, tp) if link is not None else None


def capacity(
    model: str,
    quant: str = "bf16",
    gpu: str = "h100-sxm",
    *,
    gpus: int = 1,
    input_tokens: float | None = None,
    output_tokens: float | None = None,
    max_ttft_ms: float | None = None,
    max_tpot_ms: float | None = None,
    kv_cache: str = "auto",
    engine: str = defaults.ENGINE,
    efficiency: defaults.Efficiency | None = None,
    concurrency: int | None = None,
    rate: float | None = None,
    usage_log: str | Path | None = None,
    chunk_tokens: int | None = None,
    parallelism: str = defaults.PARALLELISM,
    backend: str = defaults.CAPACITY_BACKEND,
    data_dirs: Sequence[str | Path] = (),
    catalog: Catalog | None = None,
) -> CapacityResult:
    """Saturated throughput of one replica on `gpus` GPUs, optionally under latency caps; with
    `concurrency`, the rates of that many closed-loop clients; with `rate` (requests/s, Poisson),
    P50/P90/P99 TTFT and TPOT from the queueing model (throughput.at_rate). `usage_log` sets the
    token means (and, without `rate`, the rate: the log's peak hour). `chunk_tokens` is the engine's
    max_num_batched_tokens (default its value for the GPU): the prefill chunk and the profiling peak.
    `parallelism`: tp, ep, dp-attention, or auto (the layout with the most throughput on these GPUs,
    selfhost.best_replica).
    `backend="aiconfigurator"` asks NVIDIA AIConfigurator's measured kernel timings instead (the optional
    extra, llmcost.aiconfigurator_backend) on what it covers."""
    cat = require_catalog(catalog) or load_catalog(data_dirs)
    m, q, g = cat.model(model), get_quantization(quant), cat.gpu(gpu)
    tp = _tp(gpus)
    if backend not in CAPACITY_BACKENDS:
        raise UsageError(f"backend '{backend}' is not one of {', '.join(CAPACITY_BACKENDS)}", param="backend")
    if concurrency is not None and (rate is not None or usage_log is not None):
        raise UsageError("give --concurrency (closed-loop clients) or --rate / --workload (arrivals), not both",
                         param="concurrency")  # fmt: skip
    load_given = concurrency is not None or rate is not None or usage_log is not None
    if load_given and (max_ttft_ms is not None or max_tpot_ms is not None):
        raise UsageError(
            "--max-ttft-ms / --max-tpot-ms cap the batch at saturation; at a given concurrency or rate the load "
            "sets the batch (read TTFT and TPOT from the result instead)",
            param="max_ttft_ms",
        )
    log_rate, spread = None, 1.0
    if usage_log is not None:
        from llmcost.usage import summarize_file

        u = summarize_file(usage_log)
        input_tokens = max(u.input_tokens["mean"], 1.0) if input_tokens is None else input_tokens
        output_tokens = max(u.output_tokens["mean"], 1.0) if output_tokens is None else output_tokens
        log_rate = u.queries_per_day / defaults.SECONDS_PER_DAY * max(u.peak_to_average, 1.0)
        if input_tokens is None:  # the logged prompt sizes spread the prefill queue's waits
            spread = prompt_spread([(share, tokens) for share, tokens in u.prompt_mix])
    i = check_positive("input_tokens", defaults.INPUT_TOKENS if input_tokens is None else input_tokens)
    o = check_positive("output_tokens", defaults.OUTPUT_TOKENS if output_tokens is None else output_tokens)
    for name, cap in (("max_ttft_ms", max_ttft_ms), ("max_tpot_ms", max_tpot_ms)):
        if cap is not None:
            check_positive(name, cap)
    if i > defaults.MAX_TOKENS_PER_QUERY or o > defaults.MAX_TOKENS_PER_QUERY:
        raise UsageError(f"tokens per request must be <= {defaults.MAX_TOKENS_PER_QUERY:g}", param="input_tokens")
    n = None if concurrency is None else _whole("concurrency", concurrency, 1e6)
    lam = check_positive("rate", rate) if rate is not None else log_rate
    chunk = None if chunk_tokens is None else _whole("max_num_batched_tokens", chunk_tokens, 1e7)
    if backend == "aiconfigurator":
        given = {"--rate": lam, "--workload": usage_log, "--max-ttft-ms": max_ttft_ms, "--max-tpot-ms": max_tpot_ms,
                 "--max-num-batched-tokens": chunk, "efficiency": efficiency}  # fmt: skip
        refused = [flag for flag, value in given.items() if value is not None]
        if refused:
            raise UsageError(f"--backend aiconfigurator estimates saturation and --concurrency only; it cannot "
                             f"honour {', '.join(refused)}", param="backend")  # fmt: skip
        return _measured(cat, m.id, q.id, g, tp, i, o, engine, _kv_bytes(kv_cache, cat.engine(engine), g), n)
    assumptions = SelfHostAssumptions(
        engine=cat.engine(engine),
        engine_memory=cat.memory_profile(cat.engine(engine).id),
        efficiency=efficiency or defaults.Efficiency(),
        # the engine release's per-layer decode overhead, unless the caller gave its own factors
        engine_overheads=cat.default_overheads() if efficiency is None else {},
        moe_kernels=cat.moe_kernels,
        max_ttft_ms=max_ttft_ms,
        max_tpot_ms=max_tpot_ms,
        max_num_batched_tokens=chunk,
        parallelism=parallelism,
    )
    _layouts(m, parallelism)  # an unknown layout, or ep / dp-attention for a dense model: refused
    where = f"{m.id} {q.id} on {tp} x {g.id}"
    try:
        rep = best_replica(
            m, q, g, tp, i, o, assumptions, _kv_bytes(kv_cache, cat.engine(engine), g), prompt_spread=spread
        )
    except InfeasibleError as exc:
        raise UsageError(f"{where}: {exc}") from None
    load: dict[str, Any] | None = None
    if n is not None:
        r = at_concurrency(rep.shape, float(n), rep.max_batch, rep.efficiency, rep.chunk_tokens, spread)
        load = {
            "concurrency": n,
            "running_batch": int(r.batch),
            "queued": n - int(r.batch),
            "requests_per_s": r.requests_per_s,
            "output_tokens_per_s": r.output_tokens_per_s,
            "ttft_ms": r.ttft_s * 1e3,
            "tpot_ms": r.tpot_s * 1e3,
            "share_of_saturated": r.output_tokens_per_s / rep.capacity.output_tokens_per_s,
            "max_num_batched_tokens": rep.chunk_tokens,
        }
    elif lam is not None:
        if lam > defaults.MAX_QUERIES_PER_DAY / defaults.SECONDS_PER_DAY:
            raise UsageError(f"rate must be a finite number of requests/s, got {lam!r}", param="rate")
        try:
            lat = at_rate(rep.load_curve(), lam)
        except UsageError as exc:
            raise UsageError(f"{where}: {exc}", param="rate") from None
        load = {
            **lat.to_dict(),
            "max_num_batched_tokens": rep.chunk_tokens,
            "rate_from": "flag" if rate is not None else "log",
            "prompt_spread": spread,
        }
    return CapacityResult(
        model=m.id,
        quantization=q.id,
        gpu=g.id,
        gpus=tp,
        input_tokens=i,
        output_tokens=o,
        engine=cat.engine(engine).id,
        capacity=rep.capacity,
        compute=dataclasses.asdict(compute_path(q, g)),
        tp_link=_layout_link(_link(g, tp), rep.shape.parallelism),
        load=load,
        parallelism=rep.shape.parallelism,
        moe=step.to_dict() if (step := moe_step(rep.shape, float(rep.capacity.batch_size))) is not None else None,
        fixed_cost=_fixed_cost(rep.efficiency, assumptions, rep.shape.moe_layers),
        notes=(vendor.message,) if (vendor := vendor_note(g)) is not None else (),
    )


def _measured(
    cat: Catalog, model: str, quant: str, gpu: Gpu, tp: int, i: float, o: float, engine: str, kv: float | None,
    concurrency: int | None,
) -> CapacityResult:  # fmt: skip
    """`capacity --backend aiconfigurator`: coverage refused first (no package needed), then its estimate."""
    from llmcost import aiconfigurator_backend as aic

    eng = cat.engine(engine)
    why = aic.coverage_error(model, quant, gpu.id, eng.id)
    if why:
        raise UsageError(why, param="backend")
    est = aic.estimate(
        model, quant, gpu.id, tp, i, o, eng.id, eng.kv_bytes_auto(quant) if kv is None else kv,
        eng.max_batch_for(gpu), concurrency,
    )  # fmt: skip
    load = None
    if est.at_concurrency is not None:
        assert concurrency is not None
        at = est.at_concurrency
        load = {
            "concurrency": concurrency,
            "queued": max(concurrency - at.batch_size, 0),  # their wait is in ttft_ms (Little's law)
            **at.to_dict(),
            "share_of_saturated": at.output_tokens_per_s / est.saturated.output_tokens_per_s,
        }
    return CapacityResult(
        model=model, quantization=quant, gpu=gpu.id, gpus=tp, input_tokens=i, output_tokens=o, engine=eng.id,
        capacity=est.saturated, compute=dataclasses.asdict(compute_path(get_quantization(quant), gpu)),
        tp_link=_link(gpu, tp), load=load, backend=est.source.to_dict(),
    )  # fmt: skip


def _fixed_cost(eff: defaults.Efficiency, a: SelfHostAssumptions, moe_layers: int) -> dict[str, Any]:
    """The fixed costs the capacity used (per decode step, and the server's per request before its first
    token), and where they come from."""
    prof = a.engine_overheads.get(a.engine.id) if a.engine is not None else None
    out: dict[str, Any] = {"layer_overhead_us": eff.layer_overhead_us}
    if moe_layers:
        out["moe_layer_overhead_us"] = eff.moe_overhead_us
    out["sequence_overhead_us"] = eff.sequence_overhead_us
    out["first_token_overhead_ms"] = eff.first_token_overhead_ms  # the online server's, in every TTFT
    out["from"] = f"engines.yaml engine_overhead {prof.id}" if prof is not None else "fitted (defaults.Efficiency)"
    return out
