"""Memory as the engines account it: each term of vLLM's KV-pool sizing, hand-worked."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost.catalog import load_catalog
from llmcost.cli import main
from llmcost.errors import CatalogError
from llmcost.memory import (
    activation_peak_bytes,
    comm_buffer_bytes,
    cudagraph_bytes,
    device_memory_bytes,
    forward_activation_bytes,
    gpu_accounting,
    kv_shards,
    plan_memory,
    sampler_bytes,
    weight_bytes,
)
from llmcost.quantization import checkpoint_quantization, get_quantization

GIB, MIB = 2**30, 2**20
BF16, FP8, INT4, FP4 = (get_quantization(q) for q in ("bf16", "fp8", "int4", "fp4"))


@pytest.fixture(scope="module")
def vllm(shipped):
    return shipped.memory_profile("vllm")


def test_the_default_profile_is_vllm_0_20_and_the_old_one_can_be_asked_for(shipped, vllm):
    assert (vllm.id, vllm.gpu_memory_utilization, vllm.cudagraphs_in_budget) == ("vllm-0.20", 0.92, True)
    old = shipped.memory_profile("vllm", "vllm-0.11")
    assert old is not None and (old.gpu_memory_utilization, old.cudagraphs_in_budget) == (0.90, False)
    assert shipped.memory_profile("sglang") is None  # only vLLM's accounting is modelled


def test_device_memory_is_the_driver_figure_in_gib(shipped, cat):
    # H100 SXM: torch reports 81,090 MiB = 79.19 GiB, not the nominal 80 GB
    assert device_memory_bytes(shipped.gpu("h100-sxm")) == (79.19 * GIB, "torch")
    # the fixture's H100 carries no driver figure: the nominal 80e9 bytes (lower than 80 GiB)
    assert device_memory_bytes(cat.gpu("h100-sxm"))[0] == 80e9


def test_batched_tokens_follow_the_engine_default_per_gpu(shipped, vllm):
    # API server: 8192 on >= 70 GiB GPUs except A100, 16384 on >= 160 GiB (B200 179.06 GiB), else 2048
    tokens = {g: vllm.batched_tokens_for(shipped.gpu(g)) for g in ("h100-sxm", "a100-80gb", "b200", "l40s")}
    assert tokens == {"h100-sxm": 8192, "a100-80gb": 2048, "b200": 16384, "l40s": 2048}


def test_forward_activation_dense(shipped):
    m = shipped.model("llama-3.1-8b")  # hidden 4096, 32 heads x 128, 8 KV heads, MLP 14,336
    # per token: residual + normed input 2 x 4096 = 8,192, plus the larger of attention
    # (4096 + 2 x 1024) + 4096 = 10,240 and the MLP 3 x 14,336 + 4,096 = 47,104 -> 55,296 elements;
    # x 8,192 tokens x 2 bytes = 905,969,664 bytes
    assert forward_activation_bytes(m, 8192, 1) == 905_969_664
    # TP 2 halves the MLP's sharded width: 8,192 + (3 x 7,168 + 4,096) = 33,792 x 8,192 x 2
    assert forward_activation_bytes(m, 8192, 2) == 33_792 * 8192 * 2


def test_forward_activation_moe_holds_the_fused_moe_caches(shipped):
    m = shipped.model("qwen3-30b-a3b")  # hidden 2048, 8 of 128 experts of width 768
    # fused MoE per token: 8 x (3 x 768 + 2048) = 34,816 elements, + the residual stream 2 x 2048 = 4,096:
    # 8,192 x 34,816 + 8,192 x 4,096 = 318,767,104 elements x 2 bytes
    assert forward_activation_bytes(m, 8192, 1) == 318_767_104 * 2
    # beyond the 32,768-token chunk the expert caches stop growing; the residual stream does not
    assert forward_activation_bytes(m, 65_536, 1) == (32_768 * 34_816 + 65_536 * 4_096) * 2


def test_sampler_peak(shipped):
    m = shipped.model("llama-3.1-8b")  # vocab 128,256
    # 1,024 rows x 128,256 logits x 23 bytes = 3,020,685,312, + hidden states 8,192 x 4,096 x 2 = 67,108,864
    assert sampler_bytes(m, 8192, 1024) == 3_087_794_176
    # the peak is the larger of forward (0.91e9) and sampler (3.09e9); rows = min(tokens, max_num_seqs)
    assert activation_peak_bytes(m, 8192, 1024, 1) == 3_087_794_176
    assert activation_peak_bytes(m, 512, 1024, 1) == 512 * 128_256 * 23 + 512 * 4096 * 2


def test_cudagraph_estimate(shipped, vllm):
    m = shipped.model("llama-3.1-8b")
    # largest graph = min(512, 2 x 1024, 8192) = 512 tokens: 512 x 55,296 x 2 = 56,623,104 bytes,
    # + 2 modes x (51 - 1) further graphs x 1 MiB = 104,857,600 -> 161,480,704
    assert cudagraph_bytes(m, vllm, 8192, 1024, 1) == 161_480_704
    # with max_num_seqs 64 the largest graph is 128 tokens
    assert cudagraph_bytes(m, vllm, 8192, 64, 1) == 128 * 55_296 * 2 + 104_857_600


def test_comm_buffers_only_with_tensor_parallelism(vllm, shipped):
    # custom all-reduce: 8 MiB meta/data + 16 MiB reduce-scatter + 8 MiB rank data = 32 MiB per GPU (0.33)
    assert comm_buffer_bytes(vllm, 1) == 0 and comm_buffer_bytes(vllm, 8) == 32 * MIB
    assert comm_buffer_bytes(shipped.memory_profile("vllm", "vllm-0.11"), 2) == 24 * MIB


def test_kv_pool_llama_8b_on_h100(shipped, vllm):
    m, g = shipped.model("llama-3.1-8b"), shipped.gpu("h100-sxm")
    a = gpu_accounting(m, weight_bytes(m, BF16), g, 1, vllm, max_num_seqs=1024)
    # budget = ceil(79.19 GiB x 0.92) = ceil(85,029,158,912.0 x 0.92 ...) = 78,227,245,840 bytes
    assert a.budget_b == math.ceil(79.19 * GIB * 0.92) == 78_227_245_840
    # KV pool = 78,227,245,840 - weights 16,059,990,016 - activation 3,087,794,176 - graphs 161,480,704
    assert a.kv_pool_b == 58_917_980_944
    # headroom = device - budget - CUDA context 273.75 MiB (287,047,680) (no comm buffers at TP 1)
    assert a.headroom_b == pytest.approx(79.19 * GIB - 78_227_245_840 - 287_047_680)
    plan = plan_memory(m, BF16, g, 8192, engine_memory=vllm, max_num_seqs=1024)
    # one 8,192-token sequence: 8,192 x 131,072 = 1,073,741,824 bytes; 58,917,980,944 // that = 54
    assert (plan.gpus_per_replica, plan.max_concurrent_sequences) == (1, 54)
    assert [t.name for t in plan.terms][2:7] == [
        "weights", "activation peak", "CUDA graphs", "comm buffers", "CUDA context"
    ]  # fmt: skip


def test_old_vllm_leaves_cuda_graphs_to_the_headroom(shipped):
    m, g = shipped.model("llama-3.1-8b"), shipped.gpu("h100-sxm")
    old = shipped.memory_profile("vllm", "vllm-0.11")
    a = gpu_accounting(m, weight_bytes(m, BF16), g, 1, old, max_num_seqs=1024)
    # budget ceil(79.19 GiB x 0.90); KV pool = budget - weights - activation (graphs not subtracted)
    budget = math.ceil(79.19 * GIB * 0.90)
    assert a.kv_pool_b == budget - 16_059_990_016 - 3_087_794_176
    # graphs (161,480,704) and the context (287,047,680) come out of the headroom instead
    assert a.headroom_b == pytest.approx(79.19 * GIB - budget - 287_047_680 - 161_480_704)


def test_a_utilization_that_leaves_no_headroom_does_not_fit(shipped, vllm):
    m, g = shipped.model("llama-3.1-8b"), shipped.gpu("h100-sxm")
    plan = plan_memory(m, BF16, g, 8192, gpus=1, gpu_memory_utilization=0.999, engine_memory=vllm)
    # 0.1% of 79.19 GiB = 0.079 GiB outside the budget < 0.267 GiB of CUDA context
    assert not plan.fits and "headroom" in plan.reason and plan.short_gb is not None and plan.short_gb > 0


def test_more_batched_tokens_leave_less_kv(shipped, vllm):
    m, g = shipped.model("llama-3.1-70b"), shipped.gpu("h100-sxm")
    small, big = (
        plan_memory(m, FP8, g, 8192, gpus=2, engine_memory=vllm, max_num_batched_tokens=n) for n in (2048, 32768)
    )
    assert big.kv_pool_gib_per_gpu < small.kv_pool_gib_per_gpu


def test_kv_auto_follows_the_engine_and_explicit_choices_are_kept(shipped):
    # vLLM kv_cache_dtype=auto keeps the model dtype: a 16-bit cache for fp8 weights too
    assert all(get_quantization(q).default_kv_bytes == 2.0 for q in ("bf16", "fp8", "int8", "int4", "fp4"))
    auto = main_json(["fit", "llama-3.1-70b", "--quant", "fp8", "--context", "8192", "--gpus", "2"])
    fp8 = main_json(["fit", "llama-3.1-70b", "--quant", "fp8", "--context", "8192", "--gpus", "2", "--kv-cache", "fp8"])
    assert (auto["kv_bytes_per_element"], fp8["kv_bytes_per_element"]) == (2.0, 1.0)
    assert fp8["max_concurrent_sequences"] > 1.9 * auto["max_concurrent_sequences"]


def test_quantized_formats_keep_embeddings_and_lm_head_16bit(shipped):
    m = shipped.model("llama-3.1-8b")
    # 8,030,261,248 parameters (the architecture count: 8,029,995,008 without norms), of which embedding
    # + LM head 2 x 128,256 x 4,096 = 1,050,673,152 stay 16-bit:
    # (8,029,995,008 - 1,050,673,152) x 1 + 1,050,673,152 x 2 = 9,080,668,160 bytes
    assert weight_bytes(m, FP8) == 9_080_668_160


def test_checkpoint_recipes_keep_their_recorded_layers_16bit(shipped):
    gemma = shipped.model("gemma-4-31b")
    ckpt = checkpoint_quantization(gemma, FP4)
    assert ckpt.kept_16bit == ("embeddings", "attention") and "Gemma-4-31B-IT-NVFP4" in ckpt.recipe
    # attention stays 16-bit: heavier than the format rule by attention params x (2 - 4.5/8) bytes
    from llmcost.memory import attention_params

    extra = attention_params(gemma) * (2 - 4.5 / 8)
    assert weight_bytes(gemma, ckpt) == pytest.approx(weight_bytes(gemma, FP4) + extra)
    # a model without a recorded recipe keeps the format rule
    assert checkpoint_quantization(shipped.model("llama-3.1-8b"), FP8) is FP8


def test_a_checkpoints_own_bits_per_weight_apply_and_are_validated(shipped, tmp_path):
    """gpt-oss's MXFP4 release: 4.25 bits (an 8-bit scale per 32 values, not NVFP4's per 16) on the
    experts only, attention kept 16-bit; a recipe's bits must be a number in [1, 16] beside a precision."""
    from llmcost.records import InvalidRecord, OpenModel, validate_record

    model = shipped.model("gpt-oss-120b")
    ckpt = checkpoint_quantization(model, FP4)
    assert ckpt.bits_per_weight == 4.25 and ckpt.kept_16bit == ("embeddings", "attention")
    assert "openai/gpt-oss-120b" in ckpt.recipe
    row = {k: v for k, v in dataclasses.asdict(model).items() if k != "spread"}
    entry = dict(row["quantized_checkpoints"][0])
    for bad in ({**entry, "bits_per_weight": "32"}, {**entry, "bits_per_weight": "many"}):
        with pytest.raises(InvalidRecord, match="bits_per_weight must be a number"):
            validate_record(OpenModel, {**row, "quantized_checkpoints": [bad]})
    lone = {k: v for k, v in entry.items() if k not in ("precision", "kept_16bit")}
    with pytest.raises(InvalidRecord, match="bits_per_weight needs precision"):
        validate_record(OpenModel, {**row, "quantized_checkpoints": [lone]})


# Real checkpoint sizes. The bar: within 3%.
# bf16: github.com/thamada/modelQuery README.md @d567602fc8 (params counted from each checkpoint's tensors,
# size = params x 2 bytes). fp8: the sum of the safetensors shard sizes on the Hugging Face file listing
# (decimal GB, as the Hub prints them to 3 significant digits).
CHECKPOINT_BYTES = [
    ("llama-3.1-8b", "bf16", 16_060_522_496),  # Meta-Llama-3.1-8B
    ("llama-3.1-70b", "bf16", 141_125_877_760),  # Meta-Llama-3.1-70B-Instruct
    ("llama-3.1-405b", "bf16", 820_286_849_024),  # Meta-Llama-3.1-405B (original/mp16 count)
    # huggingface.co/neuralmagic/Meta-Llama-3.1-8B-Instruct-FP8/tree/4d24bdfe60 (compressed-tensors FP8,
    # lm_head ignored): 5 GB + 4.08 GB = 9.08e9; with fp8 embeddings and head it would be 8.03e9 (-11.6%)
    ("llama-3.1-8b", "fp8", 9.08e9),
    # huggingface.co/amd/Meta-Llama-3.1-405B-Instruct-fp8-quark-vllm/tree/main (1dc70e5): 9 x 42.9 GB + 23.5 GB
    ("llama-3.1-405b", "fp8", 409.6e9),
]


@pytest.mark.parametrize(("model", "quant", "size"), CHECKPOINT_BYTES)
def test_weights_within_3_percent_of_the_real_checkpoint(shipped, model, quant, size):
    assert weight_bytes(shipped.model(model), get_quantization(quant)) == pytest.approx(size, rel=0.03)


_MODELS = ["llama-3.1-8b", "llama-3.1-70b", "qwen3-30b-a3b", "gpt-oss-120b", "deepseek-v3", "gemma-4-31b"]
_GPUS = ["h100-sxm", "a100-80gb", "l40s", "h200", "b200", "rtx-4090"]


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(_MODELS),
    st.sampled_from(_GPUS),
    st.sampled_from(["bf16", "fp8", "int4"]),
    st.integers(min_value=128, max_value=32_768),
    st.integers(min_value=1, max_value=64),
    st.floats(min_value=0.5, max_value=0.99),
    st.sampled_from([None, 512, 2048, 16_384]),
)
def test_a_fitting_plan_leaves_non_negative_kv_room(model, gpu, quant, context, concurrency, util, tokens):
    cat = load_catalog()
    m, g = cat.model(model), cat.gpu(gpu)
    q = checkpoint_quantization(m, get_quantization(quant))
    plan = plan_memory(
        m, q, g, min(context, m.max_context_tokens), concurrency, gpu_memory_utilization=util,
        engine_memory=cat.memory_profile("vllm"), max_num_batched_tokens=tokens,
    )  # fmt: skip
    if plan.fits:
        assert plan.gpus_per_replica is not None
        need = concurrency * plan.kv_gb_per_sequence * 1e9 / kv_shards(m, plan.gpus_per_replica)
        assert plan.kv_pool_gib_per_gpu * GIB >= need >= 0
        assert {t.name: t.gib for t in plan.terms}["headroom left"] >= 0
    else:
        assert plan.max_concurrent_sequences == 0 and plan.short_gb is not None and plan.short_gb >= 0


def main_json(args: list[str]) -> dict:
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main([*args, "--format", "json"]) == 0
    return json.loads(buf.getvalue())


def test_fit_json_carries_every_term_with_its_source():
    out = main_json(["fit", "llama-3.1-8b", "--context", "8192", "--gpu-memory-utilization", "0.8"])
    names = [t["name"] for t in out["terms"]]
    assert names[0] == "device memory" and "KV pool" in names and all(t["source"] for t in out["terms"])
    assert out["gpu_memory_utilization"] == 0.8 and out["engine_memory"] == "vllm-0.20"
    assert out["max_num_batched_tokens"] == 8192


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--gpu-memory-utilization", "1.5"], "in (0, 1]"),
        (["--gpu-memory-utilization", "0"], "gpu-memory-utilization"),
        (["--max-num-batched-tokens", "0"], "max-num-batched-tokens"),
        (["--engine", "sglang", "--max-num-batched-tokens", "4096"], "no memory accounting for sglang"),
        (["--engine-version", "vllm-9"], "engine memory profile"),
    ],
)
def test_fit_refuses_bad_memory_settings(capsys, args, message):
    assert main(["fit", "llama-3.1-8b", "--context", "8192", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("llmcost: error:") and message in err and "Traceback" not in err


def test_engine_memory_records_are_validated(shipped, tmp_path):
    from llmcost.records import EngineMemory, InvalidRecord, validate_record

    prof = shipped.memory_profile("vllm")
    assert prof is not None
    row = {k: v for k, v in dataclasses.asdict(prof).items() if k != "spread"}
    assert validate_record(EngineMemory, row) == prof
    with pytest.raises(InvalidRecord, match="gpu_memory_utilization"):
        validate_record(EngineMemory, {**row, "gpu_memory_utilization": 1.2})
    text = (shipped_dir() / "engines.yaml").read_text()
    (tmp_path / "engines.yaml").write_text(
        text.replace('engine: vllm\n    versions: "0.11', 'engine: vllx\n    versions: "0.11')
    )
    with pytest.raises(CatalogError, match="unknown engine 'vllx'"):
        load_catalog([tmp_path])
    (tmp_path / "engines.yaml").write_text(text.replace("default: false", "default: true"))
    with pytest.raises(CatalogError, match="already has a default"):
        load_catalog([tmp_path])


def shipped_dir():
    from llmcost.catalog import SHIPPED_DATA_DIR

    return SHIPPED_DATA_DIR


def test_fit_table_and_markdown_show_each_term(capsys):
    for fmt in ("table", "markdown"):
        assert main(["fit", "llama-3.1-8b", "--context", "8192", "--format", fmt]) == 0
        out = capsys.readouterr().out
        for name in ("device memory", "activation peak", "CUDA graphs", "comm buffers", "KV pool", "headroom left"):
            assert name in out, (fmt, name)
        assert "vllm-0.20" in out and "auto (vllm: the model dtype)" in out


def test_trt_llm_auto_kv_follows_its_fp8_checkpoints():
    # TensorRT-LLM's auto takes the checkpoint's KV dtype; its ModelOpt fp8/fp4 checkpoints declare FP8
    fp8 = main_json(["fit", "llama-3.1-8b", "--quant", "fp8", "--engine", "trt-llm", "--context", "8192"])
    bf16 = main_json(["fit", "llama-3.1-8b", "--engine", "trt-llm", "--context", "8192"])
    forced = main_json(["fit", "llama-3.1-8b", "--quant", "fp8", "--engine", "trt-llm", "--kv-cache", "bf16"])
    assert (fp8["kv_bytes_per_element"], bf16["kv_bytes_per_element"], forced["kv_bytes_per_element"]) == (1, 2, 2)
    # no engine_memory record for TensorRT-LLM: a weights-only budget at the fallback fraction, no engine terms
    assert fp8["engine_memory"] is None and "activation peak" not in [t["name"] for t in fp8["terms"]]
