"""The throughput model against published measurements (benchmarks/published_throughput.csv)."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.calibration import (
    calibration_catalog,
    errors,
    fit,
    kv_reads_per_step,
    load_rows,
    sets_a_release_cost,
    summary,
)
from llmcost.defaults import Efficiency


@pytest.fixture(scope="module")
def data():
    rows, skipped = load_rows()
    return calibration_catalog(), rows, skipped


def test_every_reference_row_is_used(data):
    _, rows, skipped = data
    assert len(rows) == 72 and not skipped


def test_shipped_factors_meet_the_accuracy_targets(data):
    cat, rows, _ = data
    median, within = summary(errors(cat, rows, Efficiency()))
    # achieved 3.8% (4.9% with fp8 GEMMs at bf16's fraction of peak and all-reduces at the full link)
    assert median <= 0.04
    # achieved 99% (96% while TensorRT-LLM 0.6.1 read Llama 2 70B's GQA cache once per KV head, not per query head)
    assert within >= 0.97


# Since fp8 and fp4 GEMMs reach a kernel-measured fraction of bf16's (defaults.TENSOR_CORE_VS_BF16), the
# rows without fp8 predict the fp8 ones: 6.7% here (18.6% when fp8 ran at bf16's fraction of its peak). The
# all-reduces' measured latency and link share (defaults.ALLREDUCE_*) carry the H100 rows' TP 2-8 to other
# GPUs. The rows a release's fixed cost is derived from (vLLM 0.6.3 and 0.23 at batch 1) are scored apart.
@pytest.mark.parametrize(
    ("train", "test", "max_median", "min_within"),
    [
        # unseen GPUs: achieved 2.2%, 29 of 30 within 1.5x (was 11.3%); on the 14 rows that set nothing
        # 4.9%, 100% (the miss, line 67, is a vLLM 0.6.3 batch-1 row)
        (lambda r: r.gpu == "h100-sxm", lambda r: r.gpu != "h100-sxm", 0.05, 0.96),
        (lambda r: r.quant != "fp8", lambda r: r.quant == "fp8", 0.07, 0.97),  # an unseen precision: 6.7%, 98%
    ],
    ids=["fit-on-h100-test-other-gpus", "fit-without-fp8-test-fp8"],
)
def test_factors_fitted_on_one_part_hold_on_the_rest(data, train, test, max_median, min_within):
    cat, rows, _ = data
    eff = fit(cat, [r for r in rows if train(r)], sweeps=2, points=21)
    held = [r for r in rows if test(r)]
    for scored in (held, [r for r in held if not sets_a_release_cost(r)]):
        median, within = summary(errors(cat, scored, eff))
        assert median <= max_median and within >= min_within


def test_generation_attention_before_xqa_reads_the_cache_per_query_head(data):
    """TensorRT-LLM 0.6.1's masked MHA runs a thread block per query head: Llama 2 70B (64 query heads over
    8 KV heads) reads its KV cache 8 times a step; an MHA model (Llama 2 7B), and any later release, once."""
    cat, rows, _ = data
    by_line = {int(r.label.split(":")[0].removeprefix("line ")): r for r in rows}
    assert kv_reads_per_step(cat, by_line[37]) == 8.0  # Llama 2 70B, TensorRT-LLM 0.6.1
    assert kv_reads_per_step(cat, by_line[33]) == 1.0  # Llama 2 7B (MHA), the same release
    assert kv_reads_per_step(cat, by_line[24]) == 1.0  # Llama 3.1 405B (GQA), TensorRT-LLM 1.0
    # the two long-output 70B rows it explains: +70% each when read once per KV head
    assert all(abs(e) < 0.25 for e in errors(cat, [by_line[37], by_line[39]], Efficiency()))


def test_shipped_factors_are_what_the_fit_finds(data):
    cat, rows, _ = data
    fitted = fit(cat, rows)
    assert fitted.moe_layer_overhead_us is None  # set per engine release (engines.yaml), not fitted
    shipped = {k: v for k, v in Efficiency().to_dict().items() if v is not None}
    assert {k: fitted.to_dict()[k] for k in shipped} == pytest.approx(shipped, rel=0.02)


def test_throughput_spread_used_by_monte_carlo_matches_the_benchmark(data):
    from llmcost.defaults import THROUGHPUT_LOG_SD

    cat, rows, _ = data
    assert np.std(np.log1p(errors(cat, rows, Efficiency())), ddof=1) == pytest.approx(THROUGHPUT_LOG_SD, abs=0.005)


# ---------------------------------------------------------------- at a given concurrency or rate
# benchmarks/published_concurrency.csv, predicted with the shipped factors (nothing fitted on it).
# The bars are what the model achieves today (see README "Capacity at a given concurrency or load"),
# not the targets (throughput <= 5% median and >= 97% within 1.5x; TTFT, TPOT <= 12%).


@pytest.fixture(scope="module")
def concurrency():
    from benchmarks.concurrency_calibration import load_measurements, score_concurrency, score_saturation_set

    cat = calibration_catalog()
    measurements, skipped = load_measurements()
    return (
        measurements,
        skipped,
        score_concurrency(cat, Efficiency(), measurements),
        score_saturation_set(cat, Efficiency()),
    )


def test_every_concurrency_row_is_used_or_skipped_with_a_reason(concurrency):
    measurements, skipped, _, _ = concurrency
    used = {m.line for m in measurements}
    assert len(used) + len(skipped) == 114 and len(used) == 63
    assert all(s.reason for s in skipped)
    assert all(m.engine_version and m.source and m.source_group for m in measurements)


def test_accuracy_at_a_given_concurrency(concurrency):
    from benchmarks.concurrency_calibration import stats

    _, _, conc, saturation_set = concurrency
    by = {metric: [s for s in conc if s.metric == metric] for metric in ("throughput", "ttft", "tpot")}
    # 6 of the 18 TPOT measurements (lines 2, 28-30, 102, 107) set the engine releases' fixed costs and 4
    # TTFTs their first-token times (benchmarks/engine_overhead.py): neither is a pure hold-out
    n, median, within = stats(by["throughput"])
    # achieved 11.6%, 90%: the 43 MI300X rows (16.8%, 86%) run slower at large batches than the factors
    # fitted on NVIDIA GPUs say; without them 3.4%, 100% (1.4%, 90% with MoE experts at the roofline)
    assert n == 63 and median <= 0.12 and within >= 0.89
    nvidia = [s for s in by["throughput"] if "mi300x" not in s.label]
    n, median, within = stats(nvidia)
    assert n == 20 and median <= 0.035 and within >= 0.97
    n, median, _ = stats(by["ttft"])
    assert n == 17 and median <= 0.165  # achieved 16.4% (35.2% without the online server's first-token time)
    # 4 lowest-load TTFTs (lines 2, 28, 102, 107) set each release's first-token time: the other 13
    held = [s for s in by["ttft"] if not s.label.startswith(("line 2:", "line 28:", "line 102:", "line 107:"))]
    n, median, _ = stats(held)
    assert n == 13 and median <= 0.18  # achieved 17.7%
    n, median, within = stats(by["tpot"])
    assert n == 18 and median <= 0.03 and within >= 0.90  # achieved 2.9%, 94% (22.2%, 83%)
    # both data sets together, throughput
    n, median, within = stats([s for s in saturation_set + conc if s.metric == "throughput"])
    assert n == 125 and median <= 0.065 and within >= 0.92  # achieved 6.4%, 93% (3.7%, 96% without MI300X)


def test_regimes_are_all_represented(concurrency):
    _, _, conc, saturation_set = concurrency
    regimes = {s.regime for s in conc + saturation_set if s.metric == "throughput"}
    assert regimes == {"batch 1", "moderate", "saturation"}


def test_low_load_rows_run_at_their_releases_fixed_cost(concurrency):
    """TPOT at batch 1, where the fixed cost dominates, by regime: within 5% once each release runs
    at its own figure (NIM 1.8: +30% and MiniMax on vLLM 0.12: -20% at the single 140 us)."""
    from benchmarks.concurrency_calibration import stats

    _, _, conc, _ = concurrency
    n, median, within = stats([s for s in conc if s.metric == "tpot" and s.regime == "batch 1"])
    assert n == 2 and median <= 0.05 and within == 1.0


def test_release_overheads_are_what_the_derivation_finds():
    """engines.yaml engine_overhead figures are the medians benchmarks/engine_overhead.py derives at
    the shipped factors (to the 1 us they are rounded to)."""
    import statistics

    from benchmarks.engine_overhead import derive

    cat = calibration_catalog()
    found = derive(cat, Efficiency())
    for rid, prof in ((r, cat.engine_overhead[r]) for r in ("vllm-v1", "trt-llm-1", "sglang-2025")):
        median = statistics.median(us for _, us in found[rid] if us is not None)
        assert prof.layer_overhead_us == pytest.approx(median, abs=0.6)
        first = statistics.median(ms for _, ms in found[f"{rid} first token [ms]"] if ms is not None)
        assert prof.first_token_overhead_ms == pytest.approx(first, abs=0.6)
    moe = statistics.median(us for _, us in found["vllm-v1 MoE layers"] if us is not None)
    assert cat.engine_overhead["vllm-v1"].moe_layer_overhead_us == pytest.approx(moe, abs=0.6)
    # the 2024 V0 engine's record, from vLLM 0.6.3's single-request rows (offline: no first-token time)
    v0 = statistics.median(us for _, us in found["vllm-v0"] if us is not None)
    assert cat.engine_overhead["vllm-v0"].layer_overhead_us == pytest.approx(v0, abs=0.6)
    assert "baseline" not in found  # no low-load row is left at the fitted figure
