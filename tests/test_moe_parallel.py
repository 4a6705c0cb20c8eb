"""MoE layouts (tp, ep, dp-attention): the memory each implies, the all-to-all traffic, and sizing
that picks the best. Fixture models: deepseek-v3 (MLA; 61 layers, 3 dense, 58 MoE layers of 257
experts, top-9, hidden 7,168, expert width 2,048) and gpt-oss-120b (GQA, 36 MoE layers of 128
experts, top-4, hidden 2,880)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost.cli import main
from llmcost.defaults import Efficiency
from llmcost.errors import UsageError
from llmcost.inputs import SelfHostAssumptions
from llmcost.memory import (
    plan_memory,
    routed_expert_bytes,
    sequences_on_gpus,
    weight_bytes,
    weight_bytes_per_gpu,
)
from llmcost.quantization import get_quantization
from llmcost.selfhost import best_replica, check_parallelism, replica
from llmcost.throughput import (
    alltoall_s,
    communication_s,
    decode_step_s,
    moe_read_bytes_per_gpu,
    moe_step,
    serving_shape,
)

EFF = Efficiency(bandwidth=1.0, decode_compute=1.0, prefill_compute=1.0, layer_overhead_us=0.0)
FP8, INT4 = get_quantization("fp8"), get_quantization("int4")
QUANTS = [get_quantization(q) for q in ("bf16", "fp8", "int8", "int4", "fp4")]


def _shape(cat, par, model="deepseek-v3", quant=FP8, gpus=8):
    return serving_shape(cat.model(model), quant, cat.gpu("h100-sxm"), gpus, 2000, 500, parallelism=par)


# ---------------------------------------------------------------- memory


def test_weights_per_gpu_hand_worked(cat):
    m = cat.model("gpt-oss-120b")
    # int4 at 0.515625 B/param: routed experts 36 x 128 x 3 x 2,880 x 2,880 = 114,661,785,600 params
    # -> 59,122,483,200 B; all weights 62,047,427,400 B (embeddings 16-bit), so 2,924,944,200 B not experts
    assert routed_expert_bytes(m, INT4) == pytest.approx(59_122_483_200)
    assert weight_bytes(m, INT4) == pytest.approx(62_047_427_400)
    # tp and ep on 4 GPUs: everything / 4 = 15,511,856,850 B per GPU
    assert weight_bytes_per_gpu(m, INT4, 4, "tp") == pytest.approx(15_511_856_850)
    assert weight_bytes_per_gpu(m, INT4, 4, "ep") == pytest.approx(15_511_856_850)
    # dp-attention: the non-expert 2,924,944,200 B whole + 59,122,483,200 / 4 = 14,780,620,800 -> 17,705,565,000
    assert weight_bytes_per_gpu(m, INT4, 4, "dp-attention") == pytest.approx(17_705_565_000)
    # one GPU: every layout is the whole model
    assert weight_bytes_per_gpu(m, INT4, 1, "dp-attention") == pytest.approx(62_047_427_400)


def test_kv_sequences_mla_replicated_under_tp_not_under_dp(cat):
    m = cat.model("deepseek-v3")
    # a 10 GB pool per GPU, 1 GB per sequence on 8 GPUs. tp: MLA's latent is replicated on every GPU
    # (kv_shards 1) -> 10 sequences for the replica; dp-attention: each GPU holds 10 of its own -> 80
    assert sequences_on_gpus(m, 10e9, 1e9, 8, "tp") == 10
    assert sequences_on_gpus(m, 10e9, 1e9, 8, "ep") == 10
    assert sequences_on_gpus(m, 10e9, 1e9, 8, "dp-attention") == 80
    # a 2.5 GB shared prefix: each DP rank holds its own copy -> 8 x floor(7.5) = 56
    assert sequences_on_gpus(m, 10e9, 1e9, 8, "dp-attention", shared_kv_b=2.5e9) == 56
    # GQA with 8 KV heads on 4 GPUs: tp splits each sequence 4 ways -> 10e9 // 0.25e9 = 40, same as dp (4 x 10)
    g = cat.model("gpt-oss-120b")
    assert sequences_on_gpus(g, 10e9, 1e9, 4, "tp") == sequences_on_gpus(g, 10e9, 1e9, 4, "dp-attention") == 40


def test_plan_memory_dp_attention_hand_worked(cat):
    m, gpu = cat.model("gpt-oss-120b"), cat.gpu("h100-sxm")
    tp = plan_memory(m, INT4, gpu, 8192, gpus=4, parallelism="tp")
    dp = plan_memory(m, INT4, gpu, 8192, gpus=4, parallelism="dp-attention")
    # no engine profile: budget = 80e9 x 0.90 = 72e9 per GPU; KV pool = 72e9 - weights per GPU
    assert tp.accounting.kv_pool_b == pytest.approx(72e9 - 15_511_856_850)
    assert dp.accounting.kv_pool_b == pytest.approx(72e9 - 17_705_565_000)
    seq = tp.kv_gb_per_sequence * 1e9
    assert tp.max_concurrent_sequences == int((72e9 - 15_511_856_850) // (seq / 4))
    assert dp.max_concurrent_sequences == 4 * int((72e9 - 17_705_565_000) // seq)
    # the replica's weights: tp = the model's; dp = the model's + 3 more copies of the non-expert part
    assert tp.replica_weights_gb == pytest.approx(62.0474274)
    assert dp.replica_weights_gb == pytest.approx(62.0474274 + 3 * 2.9249442)
    assert dp.parallelism == "dp-attention" and dp.weights_gb == tp.weights_gb


@settings(max_examples=60, deadline=None)
@given(
    model=st.sampled_from(["deepseek-v3", "gpt-oss-120b"]),
    quant=st.sampled_from(QUANTS),
    gpus=st.sampled_from([2, 4, 8]),
    par=st.sampled_from(["tp", "ep", "dp-attention"]),
)
def test_layouts_never_hold_less_than_the_weights(cat, model, quant, gpus, par):
    m = cat.model(model)
    total, experts = weight_bytes(m, quant), routed_expert_bytes(m, quant)
    per_gpu = weight_bytes_per_gpu(m, quant, gpus, par)
    assert per_gpu * gpus >= total * (1 - 1e-12)
    if par == "ep":
        # ep: the experts / EP on each GPU, beside its 1/N share of the rest
        assert per_gpu - (total - experts) / gpus == pytest.approx(experts / gpus)
    # at a batch large enough to touch every expert, each GPU reads experts / N under ep and dp-attention
    s = serving_shape(m, quant, cat.gpu("h100-sxm"), gpus, 2000, 500, parallelism=par)
    weights, _ = moe_read_bytes_per_gpu(s, 1e6)
    non_expert = s.dense_read_bytes if par == "dp-attention" else s.dense_read_bytes / gpus
    assert weights - non_expert == pytest.approx(s.expert_bytes / gpus)


# ---------------------------------------------------------------- traffic


def test_alltoall_and_allreduce_hand_worked(cat):
    tp, ep, dp = (_shape(cat, p) for p in ("tp", "ep", "dp-attention"))
    link = 900e9 / 2  # h100-sxm NVLink 900 GB/s both directions -> 450e9 B/s each way
    # all-to-all per token: dispatch + combine x 58 MoE layers x top-9 x 7,168 x 2 B = 14,966,784 B.
    # batch 64 on 8 GPUs: each GPU sends 64 / 8 = 8 tokens' worth, 7/8 of it to other GPUs:
    # 8 x 14,966,784 x 7/8 = 104,767,488 B / 450e9 = 232.8 us
    assert alltoall_s(ep, 64.0) == pytest.approx(104_767_488 / link)
    assert alltoall_s(dp, 64.0) == pytest.approx(104_767_488 / link)
    assert alltoall_s(tp, 64.0) == 0.0
    # tp: 2 all-reduces x 61 layers x 7,168 x 2 B = 1,748,992 B per token, ring 2 x 7/8, at 0.68 of the
    # link: 64 x 1,748,992 x 1.75 / (450e9 x 0.68) = 640.1 us, plus 122 all-reduces x 2.55 us x log2(8)
    # = 933.3 us of latency
    assert tp.allreduce_calls == 122
    assert communication_s(tp, 64.0) == pytest.approx(64 * 1_748_992 * 1.75 / (link * 0.68) + 122 * 7.65e-6)
    # ep: one all-reduce after attention in 61 layers + one after the 3 dense FFNs = 64 calls x 14,336 B
    # = 917,504 B per token: 64 x 917,504 x 1.75 / (450e9 x 0.68) = 335.8 us + 64 x 7.65 us, plus the all-to-all
    assert ep.allreduce_calls == 64
    assert communication_s(ep, 64.0) == pytest.approx(
        64 * 917_504 * 1.75 / (link * 0.68) + 64 * 7.65e-6 + 104_767_488 / link
    )
    # dp-attention: no all-reduce (attention and dense layers are replicated)
    assert communication_s(dp, 64.0) == pytest.approx(104_767_488 / link)


def test_dp_attention_decode_reads_hand_worked(cat):
    tp, dp = _shape(cat, "tp"), _shape(cat, "dp-attention")
    # not-expert weights read per step: 672,853,358,080 B - the input embedding lookup (129,280 x 7,168 x 2 =
    # 1,853,358,080) - the experts 656,463,101,952 = 14,536,898,048 B
    assert dp.dense_read_bytes == pytest.approx(14_536_898_048)
    touched = 1 - (1 - 9 / 257) ** 64  # expected share of the 257 experts 64 tokens x top-9 touch
    w_tp, kv_tp = moe_read_bytes_per_gpu(tp, 64.0)
    w_dp, kv_dp = moe_read_bytes_per_gpu(dp, 64.0)
    assert w_tp == pytest.approx((14_536_898_048 + 656_463_101_952 * touched) / 8)
    assert w_dp == pytest.approx(14_536_898_048 + 656_463_101_952 * touched / 8)
    # KV: tp reads every sequence's whole MLA cache on every GPU; dp 64 / 8 = 8 sequences per GPU
    assert kv_tp == pytest.approx(64 * tp.kv_read_bytes_per_seq)
    assert kv_dp == pytest.approx(8 * tp.kv_read_bytes_per_seq)
    # compute per GPU is the same N-way split in every layout
    assert decode_step_s(tp, 64.0, EFF)[2] == pytest.approx(decode_step_s(dp, 64.0, EFF)[2])
    step = moe_step(dp, 64.0)
    assert step is not None and step.experts_touched_per_layer == pytest.approx(257 * touched)
    assert step.experts_per_gpu == pytest.approx(257 / 8) and "not modelled" in step.routing


@given(tokens=st.floats(1.0, 1e5), more=st.floats(1.0, 10.0))
def test_alltoall_linear_in_tokens(cat, tokens, more):
    s = _shape(cat, "ep")
    assert alltoall_s(s, tokens * more) == pytest.approx(alltoall_s(s, tokens) * more)


def test_dense_model_and_one_gpu_stay_tp(cat):
    s = serving_shape(cat.model("llama-3.1-8b"), FP8, cat.gpu("h100-sxm"), 1, 2000, 500)
    assert s.parallelism == "tp"
    one = _shape(cat, "dp-attention", gpus=1)
    assert one.parallelism == "tp" and alltoall_s(one, 100.0) == 0.0
    with pytest.raises(UsageError, match="dense model"):
        check_parallelism(cat.model("llama-3.1-8b"), "ep")
    with pytest.raises(UsageError, match="not one of"):
        check_parallelism(cat.model("deepseek-v3"), "pp")


# ---------------------------------------------------------------- sizing


def test_best_replica_is_the_most_throughput_of_the_layouts(shipped):
    m, gpu = shipped.model("deepseek-v3"), shipped.gpu("h200")
    eng = shipped.engine("vllm")
    a = SelfHostAssumptions(engine=eng, engine_memory=shipped.memory_profile(eng.id))
    by = {p: replica(m, FP8, gpu, 8, 2000, 500, a, parallelism=p) for p in ("tp", "ep", "dp-attention")}
    best = best_replica(m, FP8, gpu, 8, 2000, 500, a)
    assert best.capacity.requests_per_s == max(r.capacity.requests_per_s for r in by.values())
    # MLA under tp replicates the KV on all 8 GPUs: dp-attention holds several times the sequences
    dp, tp = by["dp-attention"], by["tp"]
    assert dp.memory.max_concurrent_sequences > 4 * tp.memory.max_concurrent_sequences
    # dp-attention: each GPU is an engine rank, so the batch cap is 8 x the engine's
    assert dp.max_batch <= 8 * eng.max_batch_for(gpu) and dp.max_batch > eng.max_batch_for(gpu)
    forced = best_replica(m, FP8, gpu, 8, 2000, 500, SelfHostAssumptions(engine=eng, parallelism="tp"))
    assert forced.shape.parallelism == "tp"


def test_decode_step_arrays_match_floats(cat):
    s = _shape(cat, "dp-attention")
    arr = decode_step_s(s, np.array([1.0, 64.0]), EFF)[0]
    assert arr[1] == pytest.approx(decode_step_s(s, 64.0, EFF)[0])


# ---------------------------------------------------------------- command line


def _run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_parallelism(capsys):
    code, out, _ = _run(capsys, "capacity", "deepseek-v3", "--quant", "fp8", "--gpu", "h200", "--gpus", "8",
                        "--parallelism", "ep", "--format", "json")  # fmt: skip
    d = json.loads(out)
    assert code == 0 and d["parallelism"] == "ep" and d["moe"]["alltoall_ms"] > 0
    assert "all-to-alls over NVLink" in d["tp_link"]["note"]
    code, out, _ = _run(capsys, "fit", "deepseek-v3", "--quant", "fp8", "--gpu", "h200", "--gpus", "8",
                        "--parallelism", "dp-attention", "--format", "json")  # fmt: skip
    assert code == 0 and json.loads(out)["parallelism"] == "dp-attention"
    code, out, _ = _run(capsys, "compare", "--qpd", "200000", "--model", "deepseek-v3", "--gpu", "h200",
                        "--api", "openai/gpt-4o", "--parallelism", "tp", "--format", "json")  # fmt: skip
    rows = [o for o in json.loads(out)["options"] if o["kind"] == "self_hosted"]
    assert code == 0 and rows and {o["parallelism"] for o in rows} == {"tp"}
    for cmd in (
        ["capacity", "llama-3.1-8b"],
        ["fit", "llama-3.1-8b"],
        ["compare", "--qpd", "1000", "--model", "llama-3.1-8b"],
    ):
        code, out, err = _run(capsys, *cmd, "--parallelism", "dp-attention")
        assert code == 2 and out == "" and "dense model" in err and "Traceback" not in err
    code, _, err = _run(capsys, "capacity", "deepseek-v3", "--parallelism", "pipeline")
    assert code == 2 and err.startswith("llmcost: error:")
