"""Published measurements at a given concurrency, batch or request rate -> model predictions.

`published_concurrency.csv` (moved from benchmarks/incoming/; columns and sources described in
benchmarks/published_concurrency.md) holds 114 sourced rows. Each admissible row gives up to three measurements
(output tokens/s, TTFT, TPOT) that the model predicts through the same code path the CLI uses
(selfhost.replica -> throughput.at_concurrency / rates / at_rate / saturated_capacity), each at its
engine release's fixed decode cost (calibration.RELEASES). Rows the model cannot represent are reported
as skipped, with the reason; nothing here is fitted (six low-load TPOTs set those fixed costs:
benchmarks/engine_overhead.py).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmcost.catalog import Catalog
from llmcost.defaults import Efficiency
from llmcost.errors import LLMCostError
from llmcost.inputs import SelfHostAssumptions
from llmcost.quantization import get_quantization
from llmcost.selfhost import Replica, replica
from llmcost.throughput import at_concurrency, at_rate, rates

HERE = Path(__file__).parent
MEASUREMENTS = HERE / "published_concurrency.csv"

MODEL_IDS = [  # (pattern in the published model name, our id)
    (r"Llama-3\.3-70B", "llama-3.3-70b"),
    (r"Llama-3\.1-70B", "llama-3.1-70b"),
    (r"Llama-3\.1-405B", "llama-3.1-405b"),
    (r"Llama-3\.1-8B", "llama-3.1-8b"),
    (r"MiniMax M2\.5", "minimax-m2.5"),
    (r"^DeepSeek-V3 \(", "deepseek-v3"),
    # Vultr's "DeepSeek V3.2" serves deepseek-ai/DeepSeek-V3-0324 (its model guide): V3's architecture
    (r"^DeepSeek V3\.2 per Vultr", "deepseek-v3"),
]
ENGINES = [("vLLM", "vllm"), ("SGLang", "sglang"), ("TensorRT", "trt-llm"), ("NVIDIA NIM", "trt-llm")]
# NIM rows: "2 x H100 80G", form factor not stated: taken as SXM (the NIM 1.x optimized profiles are
# TensorRT-LLM engines for SXM systems; the row's notes say so). Stated here, not hidden.
NIM_GPU = "h100-sxm"


@dataclass(frozen=True)
class Measurement:
    label: str
    line: int
    source_group: str
    source: str
    kind: str  # closed_loop | static_batch | saturated | poisson
    metric: str  # throughput | ttft | tpot
    statistic: str  # mean | median | unstated | total
    model: str
    quant: str
    gpu: str
    gpus: int
    engine: str
    engine_version: str
    input_tokens: float
    output_tokens: float
    load: float | None  # clients, batch or requests/s; None at max load
    published: float  # output tok/s or ms
    # E[P^2] / E[P]^2 of the prompt lengths: 4/3 where SGLang's random dataset with range ratio 0 draws
    # them uniformly up to the nominal length (the rows' notes say so), else 1 (fixed lengths, or unknown)
    prompt_spread: float = 1.0


@dataclass(frozen=True)
class Skipped:
    label: str
    reason: str


def _skip_reason(r: dict[str, str]) -> str | None:
    group, regime = r["source_group"], r["regime"]
    if regime.startswith(("prefill-only", "decode-only")):
        return "disaggregated prefill/decode with expert parallelism over 32-72 GPUs: not modelled"
    if group == "SGLang repo benchmark docs":
        return "200 prompts at 16 req/s with lengths sampled below nominal: a finite run, no steady state"
    if regime.startswith("offline max load") and group.startswith("AMD"):
        return "the AMD throughput column does not say whether it counts total or output tokens"
    if r["input_tokens"] == "not stated":
        return "token lengths not stated"
    if r["precision"].startswith("not stated"):
        return "precision not stated"
    if r["output_tokens"] in ("", "n/a"):
        return "no output length (first-token row)"
    return None


def load_measurements(path: Path = MEASUREMENTS) -> tuple[list[Measurement], list[Skipped]]:
    out: list[Measurement] = []
    skipped: list[Skipped] = []
    with path.open(newline="") as fh:
        for line, r in enumerate(csv.DictReader(fh), start=2):
            name = r["model"].split(" (")[0]
            label = (
                f"line {line}: {name} {r['precision'].split(' ')[0]} {r['gpu_count']}x{r['gpu_id'] or 'H100'} "
                f"{r['engine'].split(' (')[0]} {r['engine_version'].split(' (')[0]} "
                f"{r['input_tokens']}/{r['output_tokens']} @ {r['concurrency'].split(' (')[0]}"
            )
            model = next((mid for pat, mid in MODEL_IDS if re.search(pat, r["model"])), None)
            reason = _skip_reason(r) or (None if model else "model not in the catalog (or not a plain transformer)")
            if reason:
                skipped.append(Skipped(label, reason))
                continue
            assert model is not None
            quant = "fp8" if r["precision"].startswith("FP8") else "bf16" if r["precision"].startswith("BF16") else None
            engine = next(e for key, e in ENGINES if r["engine"].startswith(key))
            gpu = r["gpu_id"] or (NIM_GPU if r["engine"].startswith("NVIDIA NIM") else "")
            if quant is None or not gpu:
                skipped.append(Skipped(label, "precision or GPU not in our data"))
                continue
            conc, regime = r["concurrency"], r["regime"]
            if "peak of sweep" in regime or regime.startswith("offline max load"):
                kind, load = "saturated", None
            elif regime.startswith("offline static batch"):
                kind, load = "static_batch", float(re.match(r"batch (\d+)", conc).group(1))  # type: ignore[union-attr]
            elif regime.startswith("closed-loop"):
                kind, load = "closed_loop", float(conc)
            elif regime.startswith("open-loop"):
                kind, load = "poisson", float(r["request_rate_per_s"])
            else:
                skipped.append(Skipped(label, f"regime '{regime}' has no model counterpart"))
                continue
            common: dict[str, Any] = dict(
                label=label, line=line, source_group=r["source_group"], source=r["source"], kind=kind, model=model,
                quant=quant, gpu=gpu, gpus=int(r["tp"] or r["gpu_count"]), engine=engine,
                engine_version=r["engine_version"],
                input_tokens=float(r["input_tokens"]), output_tokens=float(r["output_tokens"]), load=load,
                prompt_spread=4 / 3 if "range ratio 0.0" in r["dataset"] else 1.0,
            )  # fmt: skip
            tok = r["output_tokens_per_s_total"] or (r["value"] if r["metric"].startswith("throughput_tokens") else "")
            if tok:
                out.append(Measurement(metric="throughput", statistic="total", published=float(tok), **common))
            for metric, columns in (("ttft", ("ttft",)), ("tpot", ("tpot", "itl"))):
                for col in columns:
                    stat, value = next(
                        ((s, r[f"{col}_ms_{s}"]) for s in ("median", "mean", "stat_unstated") if r[f"{col}_ms_{s}"]),
                        ("", ""),
                    )
                    if value:
                        stat = "unstated" if stat == "stat_unstated" else stat
                        out.append(Measurement(metric=metric, statistic=stat, published=float(value), **common))
                        break
    return out, skipped


def _replica(cat: Catalog, m: Measurement, eff: Efficiency, release: bool = True) -> Replica:
    from benchmarks.calibration import at_release

    eff = at_release(cat, m.engine, m.engine_version, eff) if release else eff
    a = SelfHostAssumptions(engine=cat.engine(m.engine), efficiency=eff, moe_kernels=cat.moe_kernels)
    return replica(
        cat.model(m.model), get_quantization(m.quant), cat.gpu(m.gpu), m.gpus, m.input_tokens, m.output_tokens, a,
        prompt_spread=m.prompt_spread,
    )  # fmt: skip


def predict(cat: Catalog, m: Measurement, eff: Efficiency, release: bool = True) -> tuple[float | None, str]:
    """(the model's figure in the measurement's unit or None where the model has no steady-state
    value, the concurrency regime: batch 1 | moderate | saturation); `release` as in calibration.predict."""
    try:
        rep = _replica(cat, m, eff, release)
    except LLMCostError as exc:
        raise ValueError(f"{m.label}: {exc}") from None
    cap = rep.capacity
    if m.kind == "saturated":
        figures = {"throughput": cap.output_tokens_per_s, "ttft": cap.ttft_ms, "tpot": cap.tpot_ms}
        return figures[m.metric], "saturation"
    assert m.load is not None
    if m.kind == "static_batch":  # one batch of B prompts: B prefills, then output_tokens steps at B
        r = rates(rep.shape, min(m.load, float(rep.max_batch)), rep.efficiency)
        figures = {"throughput": r.output_tokens_per_s, "ttft": r.ttft_s * 1e3, "tpot": r.tpot_s * 1e3}
        return figures[m.metric], "batch 1" if m.load == 1 else "moderate"
    if m.kind == "closed_loop":
        c = at_concurrency(rep.shape, m.load, rep.max_batch, rep.efficiency, rep.chunk_tokens, m.prompt_spread)
        figures = {"throughput": c.output_tokens_per_s, "ttft": c.ttft_s * 1e3, "tpot": c.tpot_s * 1e3}
        regime = "batch 1" if m.load == 1 else "saturation" if m.load >= rep.max_batch else "moderate"
        return figures[m.metric], regime
    curve = rep.load_curve()  # Poisson arrivals at m.load requests/s
    if m.load >= curve.saturated_requests_per_s:  # beyond capacity: a finite run drains a growing queue
        beyond: dict[str, float | None] = {"throughput": cap.output_tokens_per_s, "ttft": None, "tpot": cap.tpot_ms}
        return beyond[m.metric], "saturation"
    lat = at_rate(curve, m.load)
    stat = "p50"  # DataCrunch reports medians
    figures = {"throughput": lat.output_tokens_per_s, "ttft": lat.ttft_ms[stat], "tpot": lat.tpot_ms[stat]}
    return figures[m.metric], "batch 1" if lat.mean_batch < 1.5 else "moderate"


@dataclass(frozen=True)
class Scored:
    """One measurement, predicted: what the accuracy tables group by."""

    label: str
    dataset: str  # published_throughput | published_concurrency
    metric: str  # throughput | ttft | tpot
    gpu: str
    quant: str
    engine: str
    engine_version: str
    regime: str  # batch 1 | moderate | saturation
    published: float
    predicted: float | None  # None: no steady state (a rate beyond capacity)

    @property
    def error(self) -> float:
        return float("nan") if self.predicted is None else self.predicted / self.published - 1.0


def score_concurrency(cat: Catalog, eff: Efficiency, measurements: list[Measurement]) -> list[Scored]:
    out = []
    for m in measurements:
        predicted, regime = predict(cat, m, eff)
        out.append(
            Scored(
                m.label,
                "published_concurrency",
                m.metric,
                m.gpu,
                m.quant,
                m.engine,
                m.engine_version,
                regime,
                m.published,
                predicted,
            )
        )
    return out


def score_saturation_set(cat: Catalog, eff: Efficiency) -> list[Scored]:
    """The 72 rows of published_throughput.csv in the same shape (regime from the row's batch)."""
    from benchmarks.calibration import load_rows
    from benchmarks.calibration import predict as predict_row

    rows, _ = load_rows()
    out = []
    for r in rows:
        metric = "ttft" if r.kind == "ttft" else "throughput"
        if r.kind == "saturated":
            regime = "saturation"
        elif r.batch == 1:
            regime = "batch 1"
        else:
            regime = "moderate"
        out.append(
            Scored(
                r.label,
                "published_throughput",
                metric,
                r.gpu,
                r.quant,
                r.engine,
                r.engine_version,
                regime,
                r.published,
                predict_row(cat, r, eff),
            )
        )
    return out


def stats(scored: list[Scored]) -> tuple[int, float, float]:
    """(measurements with a prediction, median absolute error, share within 1.5x)."""
    import numpy as np

    err = np.array([s.error for s in scored if s.predicted is not None])
    if err.size == 0:
        return 0, float("nan"), float("nan")
    ratio = 1.0 + err
    return int(err.size), float(np.median(np.abs(err))), float(np.mean((ratio <= 1.5) & (ratio >= 1 / 1.5)))
