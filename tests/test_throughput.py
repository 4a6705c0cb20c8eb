from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmcost.defaults import Efficiency
from llmcost.errors import UsageError
from llmcost.quantization import get_quantization
from llmcost.throughput import decode_step_s, prefill_s, saturated_capacity, serving_shape

EFF = Efficiency(
    bandwidth=1.0, decode_compute=1.0, prefill_compute=1.0, layer_overhead_us=0.0, sequence_overhead_us=0.0
)


def _shape(cat, model="llama-3.1-8b", quant="bf16", gpu="h100-sxm", tp=1, tin=2000, tout=500):
    return serving_shape(cat.model(model), get_quantization(quant), cat.gpu(gpu), tp, tin, tout)


def test_batch_one_decode_is_bandwidth_bound_hand_worked(cat):
    s = _shape(cat)
    # weights read per step: 8.030e9 params x 2 bytes minus the input embedding lookup
    # (128,256 x 4,096 x 2 bytes = 1.0507e9) = 15.009e9 bytes; KV at the mean context of
    # 2,000 + 250 tokens: 2,250 x 131,072 = 0.2949e9 bytes -> 15.304e9 / 3.35e12 B/s = 4.57 ms
    step, t_mem, t_compute = decode_step_s(s, np.array([1.0]), EFF)
    assert t_mem[0] == pytest.approx(15.304e9 / 3.35e12, rel=1e-3)
    assert t_compute[0] < t_mem[0] and step[0] == t_mem[0]
    # the fixed per-layer cost adds 32 layers x 130 us = 4.16 ms to every step
    slow = decode_step_s(
        s, np.array([1.0]), Efficiency(1.0, 1.0, 1.0, layer_overhead_us=130.0, sequence_overhead_us=0)
    )[0]
    assert slow[0] == pytest.approx(t_mem[0] + 32 * 130e-6)


def test_prefill_is_compute_bound_hand_worked(cat):
    s = _shape(cat)
    # 2 x 8.030e9 x 2,000 + 2 x (32 heads x 128 x 32 layers) x 2,000^2 = 3.212e13 + 1.05e12 FLOPs
    flops = 2 * 8_029_995_008 * 2000 + 2 * (32 * 128 * 32) * 2000**2
    assert prefill_s(s, EFF) == pytest.approx(flops / 989.4e12)


def test_moe_reads_only_touched_experts(cat):
    s = _shape(cat, model="deepseek-v3", quant="fp8", tp=8)
    small, big = decode_step_s(s, np.array([1.0, 512.0]), EFF)[1]
    # batch 1 touches 8 of 256 routed experts; batch 512 touches nearly all of them
    assert big > 5 * small


def test_capacity_bound_is_kv_memory_when_batch_is_small(cat):
    s = _shape(cat, model="llama-3.1-70b", quant="int4", gpu="h100-sxm")
    cap = saturated_capacity(s, max_batch_by_memory=40, engine_max_batch=256, eff=Efficiency())
    assert cap.batch_size == 40 and cap.bound == "kv_memory" and cap.regime == "bandwidth"
    # Little's law ties the reported figures together
    assert cap.tpot_ms == pytest.approx(cap.batch_size / cap.output_tokens_per_s * 1e3)


def test_latency_target_caps_batch(cat):
    s = _shape(cat)
    free = saturated_capacity(s, 500, 1024, Efficiency())
    capped = saturated_capacity(s, 500, 1024, Efficiency(), max_tpot_ms=free.tpot_ms / 2)
    assert capped.bound == "latency_target" and capped.tpot_ms <= free.tpot_ms / 2
    assert capped.output_tokens_per_s < free.output_tokens_per_s


def test_unreachable_latency_target_is_an_error(cat):
    with pytest.raises(UsageError, match="latency target unreachable"):
        saturated_capacity(_shape(cat), 500, 1024, Efficiency(), max_ttft_ms=0.001)


@given(st.floats(min_value=1, max_value=200), st.floats(min_value=1, max_value=5000))
def test_a_latency_cap_never_raises_throughput(cat, tpot_cap, ttft_cap):
    s = _shape(cat, model="llama-3.1-70b", quant="fp8", tp=2)
    free = saturated_capacity(s, 300, 1024, Efficiency())
    try:
        capped = saturated_capacity(s, 300, 1024, Efficiency(), max_ttft_ms=ttft_cap, max_tpot_ms=tpot_cap)
    except UsageError:
        return
    assert capped.output_tokens_per_s <= free.output_tokens_per_s


def test_engine_batch_limits(shipped):
    vllm, ollama, tgi = shipped.engine("vllm"), shipped.engine("ollama"), shipped.engine("tgi")
    # vLLM: 1024 on >= 70 GiB GPUs whose id lacks "a100", else 256
    assert vllm.max_batch_for(shipped.gpu("h100-sxm")) == 1024
    assert vllm.max_batch_for(shipped.gpu("a100-80gb")) == 256
    assert vllm.max_batch_for(shipped.gpu("l4")) == 256
    assert ollama.max_batch_for(shipped.gpu("h100-sxm")) == 1  # OLLAMA_NUM_PARALLEL default
    assert tgi.max_batch_for(shipped.gpu("h100-sxm")) == 128


def test_ollama_serves_one_sequence_at_a_time(shipped):
    import llmcost

    fast = llmcost.capacity("llama-3.1-8b", "fp8", "h100-sxm", catalog=shipped).to_dict()
    slow = llmcost.capacity("llama-3.1-8b", "fp8", "h100-sxm", engine="ollama", catalog=shipped).to_dict()
    assert slow["batch_size"] == 1 and slow["bound"] == "engine_max_batch"
    assert slow["output_tokens_per_s"] < fast["output_tokens_per_s"] / 20


def test_fp8_on_a100_runs_weight_only_and_says_so(shipped):
    import llmcost

    out = llmcost.fit("llama-3.1-8b", "fp8", "a100-80gb", context=4096, catalog=shipped).to_dict()
    assert out["compute"]["native"] is False and "weight-only" in out["compute"]["note"]


def test_dsa_decode_reads_and_computes_over_topk_plus_the_indexer(shipped):
    bf16, gpu = get_quantization("bf16"), shipped.gpu("h200")
    sparse = serving_shape(shipped.model("deepseek-v3.2"), bf16, gpu, 8, 100_000, 1_000, kv_bytes=2)
    dense = serving_shape(shipped.model("deepseek-v3.1"), bf16, gpu, 8, 100_000, 1_000, kv_bytes=2)
    # mean decode context 100,500: full MLA attention reads 70,272 x 100,500 = 7,062,336,000 bytes per step
    assert dense.kv_read_bytes_per_seq == 7_062_336_000
    # DSA reads the latents of the 2,048 selected tokens plus every token's indexer key:
    # 70,272 x 2,048 + 15,616 x 100,500 = 143,917,056 + 1,569,408,000
    assert sparse.kv_read_bytes_per_seq == 1_713_325_056
    # attention FLOPs: 4 x 128 heads x 128 x 61 layers x 2,048 = 8,187,281,408, plus the indexer
    # 2 x 64 x 128 x 61 x 100,500 = 100,442,112,000; plus 2 x 37e9 for the weights
    assert sparse.flops_per_decode_token == 2 * 37e9 + 8_187_281_408 + 100_442_112_000


def test_decode_reads_shared_and_dense_weights_every_step(shipped):
    fp8, gpu = get_quantization("fp8"), shipped.gpu("h200")
    s = serving_shape(shipped.model("deepseek-r1"), fp8, gpu, 8, 1_000, 500)
    # routed experts 653,908,770,816 params at 1 byte; the rest of the 671e9 bytes, less the input
    # embedding 129,280 x 7,168 = 926,679,040 (a lookup), is read every step: attention, 3 dense layers,
    # shared experts, routers and the output head = 16,164,550,144 bytes at one byte per parameter; the
    # output head (926,679,040 params) stays 16-bit in fp8 checkpoints, one more byte each: 17,091,229,184
    assert s.expert_bytes == 653_908_770_816
    assert s.dense_read_bytes == 671e9 - 926_679_040 - 653_908_770_816 + 926_679_040 == 17_091_229_184
    eff = Efficiency()
    # at batch 1 a step touches 8 of 256 experts: weights 17,091,229,184 + 653,908,770,816 x 8/256
    _, t_mem, _ = decode_step_s(s, 1.0, eff)
    weights = (17_091_229_184 + 653_908_770_816 * 8 / 256) / 8
    kv = s.kv_read_bytes_per_seq / s.kv_shards
    assert t_mem == pytest.approx((weights + kv) / (gpu.memory_bandwidth_tb_per_s * 1e12 * eff.bandwidth))


# ---------------------------------------------------------------- fixed cost per engine release, fp4


def test_fixed_step_cost_counts_dense_and_moe_layers_and_sequences_hand_worked(shipped):
    from llmcost.throughput import fixed_step_s

    eff = Efficiency(1.0, 1.0, 1.0, layer_overhead_us=64.0, moe_layer_overhead_us=176.0, sequence_overhead_us=7.0)
    s = _shape(shipped, model="deepseek-v3", quant="fp8", tp=1)
    # DeepSeek-V3: 61 layers, the first 3 dense: 3 x 64 + 58 x 176 = 192 + 10,208 = 10,400 us
    assert s.moe_layers == 58
    assert fixed_step_s(s, eff) == pytest.approx(10_400e-6)
    # a step of 4 sequences adds 4 x 7 us; tp 1 has no all-reduce
    step, t_mem, t_compute = decode_step_s(s, np.array([4.0]), eff)
    assert step[0] == pytest.approx(max(t_mem[0], t_compute[0]) + 10_400e-6 + 28e-6)
    # a dense model: every layer at the dense figure, the MoE figure unused (32 x 64 = 2,048 us)
    assert fixed_step_s(_shape(shipped), eff) == pytest.approx(2_048e-6)
    # without an MoE figure an MoE layer costs what a dense one does: 61 x 64 = 3,904 us
    assert fixed_step_s(s, Efficiency(layer_overhead_us=64.0)) == pytest.approx(3_904e-6)


def test_each_engine_runs_at_its_releases_fixed_cost(shipped):
    from llmcost.inputs import SelfHostAssumptions
    from llmcost.selfhost import engine_efficiency

    a = SelfHostAssumptions(engine_overheads=shipped.default_overheads())
    # engines.yaml engine_overhead defaults: vLLM V1 64 us (MoE layers 110), TensorRT-LLM 1.x 64, SGLang 45;
    # TGI and Ollama have no record: the fitted 2024 figure (140)
    assert engine_efficiency(a, shipped.engine("vllm")).layer_overhead_us == 64
    assert engine_efficiency(a, shipped.engine("vllm")).moe_overhead_us == 110
    assert engine_efficiency(a, None).layer_overhead_us == 64  # no engine record: vLLM's
    assert engine_efficiency(a, shipped.engine("trt-llm")).moe_overhead_us == 64
    assert engine_efficiency(a, shipped.engine("sglang")).layer_overhead_us == 45
    assert engine_efficiency(a, shipped.engine("tgi")).layer_overhead_us == Efficiency().layer_overhead_us
    # Llama-3.1-8B bf16 on one H100 at batch 1 on TensorRT-LLM: weights + KV 15.304e9 B / (3.35e12 x 0.865)
    # = 5.281 ms, + 32 x 64 us + 1 x 7 us = 7.336 ms
    eff = engine_efficiency(a, shipped.engine("trt-llm"))
    step = decode_step_s(_shape(shipped), np.array([1.0]), eff)[0][0]
    assert step == pytest.approx(15.304e9 / (3.35e12 * eff.bandwidth) + 32 * 64e-6 + 7e-6, rel=1e-3)
    assert step == pytest.approx(7.336e-3, rel=1e-3)
    # the caller's own factors win over nothing: empty overheads keep them
    assert engine_efficiency(SelfHostAssumptions(), shipped.engine("trt-llm")).layer_overhead_us == 100


def test_fp4_runs_on_fp4_tensor_cores_on_blackwell_and_weight_only_elsewhere(shipped):
    from llmcost.quantization import compute_path

    fp4 = get_quantization("fp4")
    b200, h100 = shipped.gpu("b200"), shipped.gpu("h100-sxm")
    native = compute_path(fp4, b200)
    assert native.native and native.precision == "fp4" and native.tflops == 9000  # dense NVFP4, hardware.yaml
    fallback = compute_path(fp4, h100)
    assert not fallback.native and fallback.precision == "bf16" and fallback.tflops == 989.4
    assert "weight-only" in (fallback.note or "")
    assert native.achieved_vs_bf16 == 0.63 and fallback.achieved_vs_bf16 == 1.0  # defaults.TENSOR_CORE_VS_BF16
    # prefill is compute-bound: the same FLOPs at 9,000 x 0.63 = 5,670 instead of 2,250 TFLOP/s on bf16's
    # footing (NVFP4 GEMMs reach 0.63 of the fraction of peak bf16 GEMMs do) take 0.397 of the time
    pre4 = prefill_s(_shape(shipped, quant="fp4", gpu="b200"), EFF)
    pre16 = prefill_s(_shape(shipped, quant="bf16", gpu="b200"), EFF)
    assert pre4 / pre16 == pytest.approx(2250 / 5670)
    # on the H100 fp4 prefills at the bf16 rate: no speed-up, only smaller weights
    assert prefill_s(_shape(shipped, quant="fp4", gpu="h100-sxm"), EFF) == pytest.approx(
        prefill_s(_shape(shipped, quant="bf16", gpu="h100-sxm"), EFF)
    )
    # decode at batch 1 reads 4.5-bit weights: transformer linears 8.030e9 - 2 x 525.3e6 embedding params
    # = 6.979e9 x 0.5625 B + the 16-bit LM head 1.0507e9 B = 4.977e9 B, + KV 0.2949e9 B, over 8 TB/s
    t_mem = decode_step_s(_shape(shipped, quant="fp4", gpu="b200"), np.array([1.0]), EFF)[1][0]
    assert t_mem == pytest.approx((6.979e9 * 0.5625 + 1.0507e9 + 0.2949e9) / 8.0e12, rel=2e-3)


@given(
    dense_us=st.floats(0, 400),
    moe_us=st.floats(0, 400),
    extra_us=st.floats(0.001, 100),
    batch=st.integers(1, 1024),
)
def test_step_time_rises_with_every_fixed_cost(shipped, dense_us, moe_us, extra_us, batch):
    """More fixed time per dense layer, per MoE layer or per sequence never makes a step shorter,
    and the step grows by exactly the added time (the fixed costs add to the roofline)."""
    s = _shape(shipped, model="deepseek-v3", quant="fp8", tp=1)
    base = Efficiency(layer_overhead_us=dense_us, moe_layer_overhead_us=moe_us)
    b = np.array([float(batch)])
    step = decode_step_s(s, b, base)[0][0]
    for more, added_s in (
        (Efficiency(layer_overhead_us=dense_us + extra_us, moe_layer_overhead_us=moe_us), 3 * extra_us * 1e-6),
        (Efficiency(layer_overhead_us=dense_us, moe_layer_overhead_us=moe_us + extra_us), 58 * extra_us * 1e-6),
        (
            replace(base, sequence_overhead_us=base.sequence_overhead_us + extra_us),
            batch * extra_us * 1e-6,
        ),
    ):
        assert decode_step_s(s, b, more)[0][0] == pytest.approx(step + added_s, rel=1e-9, abs=1e-12)
