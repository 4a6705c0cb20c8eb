"""Capacity at a given concurrency and at a given request rate (throughput.at_concurrency / at_rate)."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost.cli import main
from llmcost.defaults import PREFILL_CHUNK_TOKENS, Efficiency
from llmcost.errors import InfeasibleError, UsageError
from llmcost.inputs import SelfHostAssumptions
from llmcost.quantization import get_quantization
from llmcost.selfhost import replica, replica_capacity
from llmcost.throughput import (
    ServingShape,
    at_concurrency,
    at_rate,
    load_curve,
    max_rate_meeting,
    rates,
    saturated_capacity,
    serving_shape,
)
from tests.strategies import load_share, tokens

UNIT = Efficiency(
    bandwidth=1.0, decode_compute=1.0, prefill_compute=1.0, layer_overhead_us=0.0, sequence_overhead_us=0.0
)


def _toy() -> ServingShape:
    """A replica with round numbers: a decode step of batch b takes 0.01 + 0.001 b s (bytes at 1 B/s),
    compute is negligible, a prefill takes 0.1 s (1e11 FLOPs at 1 TFLOP/s), 10 output tokens."""
    return ServingShape(
        tp=1, layers=1, input_tokens=100, output_tokens=10, prefill_tokens=100, dense_read_bytes=0.01,
        expert_bytes=0.0, experts=1, experts_per_token=1, kv_read_bytes_per_seq=0.001, kv_shards=1,
        flops_per_decode_token=1e-9, flops_per_prefill=0.1e12, bandwidth_bytes_per_s=1.0, tflops=1.0,
        link_bytes_per_s=0.0, allreduce_bytes_per_token=0.0, allreduce_calls=0,
    )  # fmt: skip


def test_load_curve_hand_worked():
    c = load_curve(_toy(), 2, UNIT, PREFILL_CHUNK_TOKENS)
    # X(b) = 1 / (0.1 + 10 (0.01 + 0.001 b) / b): X(1) = 1 / 0.21 = 4.7619, X(2) = 1 / 0.16 = 6.25
    assert c.requests_per_s == pytest.approx([1 / 0.21, 6.25])
    # TTFT0: alone, 0.1 + one step of 0.011 = 0.111; beside one decoding sequence, 0.1 + a step of
    # 0.012 + half the step in flight (0.011 / 2) = 0.1175
    assert c.ttft_s == pytest.approx([0.111, 0.1175])
    # TPOT(b) = b / (X(b) x 10): 1 / 47.619 = 0.021, 2 / 62.5 = 0.032
    assert c.tpot_s == pytest.approx([0.021, 0.032])


def test_at_rate_hand_worked():
    lat = at_rate(load_curve(_toy(), 2, UNIT, PREFILL_CHUNK_TOKENS), 3.0)
    # weights of n = 0, 1, 2 in the system: 1, 3 / 4.7619 = 0.63, 0.63 x 3 / 6.25 = 0.3024; beyond
    # the batch of 2 a geometric tail of ratio rho = 0.48: 0.3024 x 0.48 / 0.52 = 0.279138
    z = 1 + 0.63 + 0.3024 + 0.279138
    p_wait = (0.3024 + 0.279138) / z  # 0.262957: an arrival finds the batch full
    assert lat.wait_probability == pytest.approx(p_wait, rel=1e-5)
    assert lat.utilization == pytest.approx(0.48)
    # P50: 0.5 <= 1 - p_wait and P(0) = 0.4522 < 0.5 <= P(0) + P(1) = 0.7370: joins a batch of 2;
    # prefill is busy 3 x 0.1 = 30% of the time, so the median prompt does not wait for it: 117.5 ms
    assert lat.ttft_ms["p50"] == pytest.approx(117.5)
    # P99: 0.1175 + ln(p_wait / 0.01) / (6.25 - 3) = 0.1175 + 1.005978 for the slot, plus the
    # prefill queue (M/D/1): 0.1 / (2 x 0.7) x ln(0.3 / 0.01) = 0.242943 -> 1366.4 ms
    p99 = 0.1175 + math.log(p_wait / 0.01) / 3.25 + 0.1 / 1.4 * math.log(30)
    assert lat.ttft_ms["p99"] == pytest.approx(p99 * 1e3, rel=1e-5)
    # P90: 0.1175 + ln(p_wait / 0.1) / 3.25 + 0.1 / 1.4 x ln(3) = 0.493455 s
    assert lat.ttft_ms["p90"] == pytest.approx((0.1175 + math.log(p_wait / 0.1) / 3.25 + 0.1 / 1.4 * math.log(3)) * 1e3)
    # mean running batch: P(1) x 1 + P(>= 2) x 2 = (0.63 + 2 x 0.581538) / z = 0.810784
    assert lat.mean_batch == pytest.approx((0.63 + 2 * (0.3024 + 0.279138)) / z, rel=1e-5)


def test_tpot_percentiles_hand_worked():
    lat = at_rate(load_curve(_toy(), 2, UNIT, PREFILL_CHUNK_TOKENS), 1.0)
    # weights: n=1 1 / 4.7619 = 0.21, n=2 0.21 x 0.16 = 0.0336, tail 0.0336 x 0.16 / 0.84 = 0.0064.
    # Sequence time at batch 1: 0.21; at batch 2: 2 x 0.04 = 0.08; share at batch 1 = 0.7241:
    # P50 runs at batch 1 (21 ms per token), P90 and P99 at batch 2 (32 ms)
    assert lat.tpot_ms == pytest.approx({"p50": 21.0, "p90": 32.0, "p99": 32.0})


def test_closed_loop_hand_worked():
    r = at_concurrency(_toy(), 3.0, 2, UNIT, PREFILL_CHUNK_TOKENS)
    # 3 clients, batch of 2: X(2) = 6.25 requests/s = 62.5 tokens/s, TPOT 2 / 62.5 = 32 ms
    assert (r.batch, r.requests_per_s, r.output_tokens_per_s) == pytest.approx((2, 6.25, 62.5))
    assert r.tpot_s == pytest.approx(0.032)
    # TTFT: one client ahead for a slot, 1 / 6.25 = 0.16 s; the other two clients keep the prefill
    # queue busy 6.25 x 0.1 x 2 / 3 = 41.67%, mean wait 0.41667 x 0.1 / (2 x 0.58333) = 0.035714; half
    # the step in flight, 0.012 / 2; then 0.1 s of prefill and one step of 0.012: 0.313714 s
    assert r.ttft_s == pytest.approx(0.16 + 0.035714 + 0.006 + 0.112, abs=1e-6)


def test_an_online_servers_first_token_time_adds_to_ttft_only():
    """30 ms of front-end time (HTTP, tokenization, hand-off, detokenization) lands on every TTFT, at a
    concurrency, at a rate and in a batch; throughput and TPOT are the GPU's and do not move."""
    front = dataclasses.replace(UNIT, first_token_overhead_ms=30.0)
    for f in (lambda e: at_concurrency(_toy(), 3.0, 2, e, PREFILL_CHUNK_TOKENS), lambda e: rates(_toy(), 2.0, e)):
        base, online = f(UNIT), f(front)
        assert online.ttft_s == pytest.approx(base.ttft_s + 0.030)
        assert (online.requests_per_s, online.tpot_s) == (base.requests_per_s, base.tpot_s)
    base, online = (at_rate(load_curve(_toy(), 2, e, PREFILL_CHUNK_TOKENS), 3.0) for e in (UNIT, front))
    assert {k: v - base.ttft_ms[k] for k, v in online.ttft_ms.items()} == pytest.approx(
        {"p50": 30.0, "p90": 30.0, "p99": 30.0}
    )
    assert online.tpot_ms == base.tpot_ms
    # the engine's relative throughput scales GPU work, not the CPU front-end
    assert front.scaled(2.0).first_token_overhead_ms == 30.0


def test_a_rate_at_or_beyond_capacity_is_refused_naming_it():
    c = load_curve(_toy(), 2, UNIT, PREFILL_CHUNK_TOKENS)
    with pytest.raises(UsageError, match=r"saturated capacity of 6\.25 requests/s"):
        at_rate(c, 6.25)
    with pytest.raises(UsageError):
        at_rate(c, 0.0)


def test_max_rate_meeting_is_the_edge_of_the_target():
    c = load_curve(_toy(), 2, UNIT, PREFILL_CHUNK_TOKENS)
    rate = max_rate_meeting(c, p99_ttft_ms=500.0, p99_tpot_ms=None)
    assert at_rate(c, rate).ttft_ms["p99"] <= 500.0
    assert at_rate(c, rate * 1.01).ttft_ms["p99"] > 500.0
    with pytest.raises(UsageError, match="unreachable"):
        max_rate_meeting(c, p99_ttft_ms=None, p99_tpot_ms=20.0)  # an idle replica's TPOT is 21 ms


# ---------------------------------------------------------------- properties on real shapes

CONFIGS = [("llama-3.1-8b", "bf16", "h100-sxm", 1), ("llama-3.1-70b", "fp8", "h100-sxm", 2)]


def _real(cat, i, tin, tout):
    model, quant, gpu, tp = CONFIGS[i]
    return serving_shape(cat.model(model), get_quantization(quant), cat.gpu(gpu), tp, tin, tout)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 1), tokens, st.floats(1, 4000), load_share, load_share, st.integers(1, 512))
def test_latency_rises_with_load_and_percentiles_are_ordered(cat, i, tin, tout, a, b, max_batch):
    c = load_curve(_real(cat, i, tin, tout), max_batch, Efficiency(), PREFILL_CHUNK_TOKENS)
    low, high = sorted((a, b))
    lo, hi = at_rate(c, low * c.saturated_requests_per_s), at_rate(c, high * c.saturated_requests_per_s)
    for name in ("ttft_ms", "tpot_ms"):
        for q in ("p50", "p90", "p99"):
            assert getattr(hi, name)[q] >= getattr(lo, name)[q] * (1 - 1e-9)
        for lat in (lo, hi):
            p = getattr(lat, name)
            assert p["p99"] >= p["p90"] >= p["p50"] > 0
    assert hi.mean_batch >= lo.mean_batch * (1 - 1e-9)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 1), tokens, st.floats(1, 4000), st.integers(1, 2048), st.integers(1, 2048))
def test_capacity_at_a_concurrency_never_beats_saturation(cat, i, tin, tout, n1, n2):
    s = _real(cat, i, tin, tout)
    cap = saturated_capacity(s, 300, 1024, Efficiency())
    few, many = sorted((n1, n2))
    r = at_concurrency(s, np.array([few, many], dtype=float), cap.batch_size, Efficiency(), PREFILL_CHUNK_TOKENS)
    assert np.all(r.output_tokens_per_s <= cap.output_tokens_per_s * (1 + 1e-9))
    # more clients: no less throughput, no shorter TTFT or TPOT
    assert r.output_tokens_per_s[1] >= r.output_tokens_per_s[0] * (1 - 1e-9)
    assert r.ttft_s[1] >= r.ttft_s[0] * (1 - 1e-9) and r.tpot_s[1] >= r.tpot_s[0] * (1 - 1e-9)
    # at or beyond the batch cap, the closed loop runs at the saturated rate
    if many >= cap.batch_size:
        assert r.output_tokens_per_s[1] == pytest.approx(cap.output_tokens_per_s)


def test_at_one_client_the_rates_are_batch_one(cat):
    s = _real(cat, 0, 2000, 500)
    one = rates(s, 1.0, Efficiency())
    r = at_concurrency(s, 1.0, 256, Efficiency(), PREFILL_CHUNK_TOKENS)
    assert r.output_tokens_per_s == pytest.approx(one.output_tokens_per_s)
    # alone: prefill, then its first step; no prompt of another client to wait behind
    assert r.ttft_s == pytest.approx(one.ttft_s)


# ---------------------------------------------------------------- sizing replicas by P99 latency


def test_p99_targets_size_the_replica_and_hold_at_its_rate(cat):
    m, q, g = cat.model("llama-3.1-8b"), get_quantization("bf16"), cat.gpu("h100-sxm")
    plain = SelfHostAssumptions()
    sized = SelfHostAssumptions(p99_ttft_ms=1000.0, p99_tpot_ms=40.0)
    _, sat = replica_capacity(m, q, g, 1, 2000, 500, plain)
    rep = replica(m, q, g, 1, 2000, 500, sized)
    assert rep.capacity.bound == "p99_latency"
    assert 0 < rep.capacity.requests_per_s < sat.requests_per_s
    lat = at_rate(rep.load_curve(), rep.capacity.requests_per_s)
    assert lat.ttft_ms["p99"] <= 1000.0 and lat.tpot_ms["p99"] <= 40.0
    assert rep.capacity.tpot_ms == pytest.approx(lat.tpot_ms["p99"])


def test_an_unreachable_p99_target_is_infeasible(cat):
    m, q, g = cat.model("llama-3.1-70b"), get_quantization("bf16"), cat.gpu("h100-sxm")
    with pytest.raises(InfeasibleError, match="P99 latency target unreachable"):
        replica_capacity(m, q, g, 2, 2000, 500, SelfHostAssumptions(p99_tpot_ms=1.0))


# ---------------------------------------------------------------- the command line


def _json(capsys, *args: str) -> dict:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def test_capacity_at_concurrency_json(capsys):
    d = _json(capsys, "capacity", "llama-3.1-8b", "--concurrency", "16", "--format", "json")
    c = d["at_concurrency"]
    assert c["concurrency"] == 16 and c["running_batch"] == 16 and c["queued"] == 0
    assert 0 < c["output_tokens_per_s"] < d["output_tokens_per_s"]
    assert c["tpot_ms"] < d["tpot_ms"]  # a smaller batch decodes faster per token


def test_capacity_at_rate_json(capsys):
    d = _json(capsys, "capacity", "llama-3.1-8b", "--rate", "2", "--format", "json")
    r = d["at_rate"]
    assert r["requests_per_s"] == 2 and r["saturated_requests_per_s"] == pytest.approx(d["requests_per_s"])
    assert r["ttft_ms"]["p99"] >= r["ttft_ms"]["p90"] >= r["ttft_ms"]["p50"]
    assert r["rate_from"] == "flag"


def test_capacity_rate_from_a_usage_log(capsys):
    d = _json(capsys, "capacity", "llama-3.1-8b", "--workload", "tests/fixtures/usage_openai.csv", "--format", "json")
    assert d["at_rate"]["rate_from"] == "log" and d["input_tokens"] != 2000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rate", "1000"], "at or above this replica's saturated capacity of"),
        (["--rate", "1", "--concurrency", "4"], "not both"),
        (["--rate", "1", "--max-tpot-ms", "40"], "the load sets the batch"),
        (["--concurrency", "0"], "--concurrency must be > 0"),
        (["--rate", "nan"], "rate"),
    ],
)
def test_capacity_load_refusals(capsys, args, message):
    code = main(["capacity", "llama-3.1-8b", *args])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and message in err and err.startswith("llmcost: error: ")


def test_compare_sizes_replicas_by_p99_and_says_so(capsys):
    base = ["compare", "--qpd", "2000000", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--quant", "bf16"]
    by_util = _json(capsys, *base, "--format", "json")
    by_p99 = _json(capsys, *base, "--p99-tpot-ms", "40", "--format", "json")
    assert by_util["assumptions"]["replica_sizing"] == "utilization"
    assert by_p99["assumptions"]["replica_sizing"] == "p99_latency"
    assert by_p99["assumptions"]["p99_tpot_ms"] == 40
    opt = next(o for o in by_p99["options"] if o["kind"] == "self_hosted")
    assert opt["capacity"]["bound"] == "p99_latency" and opt["capacity"]["tpot_ms"] <= 40
    main([*base, "--p99-tpot-ms", "40"])
    table = capsys.readouterr().out
    assert "so that P99 TPOT <= 40 ms at each replica's load" in table


def test_p99_sizing_refuses_a_utilization_target(capsys):
    code = main(["compare", "--qpd", "1000", "--utilization", "0.5", "--p99-ttft-ms", "500"])
    _, err = capsys.readouterr()
    assert code == 2 and "not both" in err


def test_prompt_spread_hand_worked():
    from llmcost.throughput import prompt_spread

    # half the prompts 100 tokens, half 300: E[P] = 200, E[P^2] = (10,000 + 90,000) / 2 = 50,000,
    # so E[P^2] / E[P]^2 = 50,000 / 40,000 = 1.25; one size: 1
    assert prompt_spread([(0.5, 100.0), (0.5, 300.0)]) == pytest.approx(1.25)
    assert prompt_spread([(1.0, 2000.0)]) == 1.0 and prompt_spread([]) == 1.0


def test_spread_prompts_lengthen_the_prefill_queue_tail():
    same = at_rate(load_curve(_toy(), 2, UNIT, PREFILL_CHUNK_TOKENS), 3.0)
    spread = at_rate(load_curve(_toy(), 2, UNIT, PREFILL_CHUNK_TOKENS, prompt_spread=2.0), 3.0)
    # M/G/1: the conditional wait doubles with E[S^2] / E[S]^2 = 2: P99 gains 0.1 / 1.4 x ln(30) once more
    extra = 0.1 / 1.4 * math.log(30) * 1e3
    assert spread.ttft_ms["p99"] == pytest.approx(same.ttft_ms["p99"] + extra)
    assert spread.ttft_ms["p50"] == same.ttft_ms["p50"]  # the median prompt does not queue for prefill


def test_batched_tokens_default_to_the_engines_for_the_gpu_and_one_setting_serves_memory_and_load(capsys):
    # vLLM's API server: 8192 tokens a step on an H100 (>= 70 GiB, not an A100), 2048 on an A100 80GB
    def chunk(gpu: str, *more: str) -> int:
        d = _json(capsys, "capacity", "llama-3.1-8b", "--gpu", gpu, "--rate", "1", *more, "--format", "json")
        return d["at_rate"]["max_num_batched_tokens"]

    assert (chunk("h100-sxm"), chunk("a100-80gb")) == (8192, 2048)
    assert chunk("a100-80gb", "--max-num-batched-tokens", "4096") == 4096
    # the same number sets fit's profiling peak: a bigger step leaves less room for KV
    fit = [_json(capsys, "fit", "llama-3.1-8b", "--gpu", "a100-80gb", "--max-num-batched-tokens", n, "--format",
                 "json")["max_concurrent_sequences"] for n in ("2048", "65536")]  # fmt: skip
    assert fit[0] >= fit[1]
