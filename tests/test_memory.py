from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmcost.memory import (
    kv_bytes_per_sequence,
    kv_bytes_per_token,
    params_active,
    params_total,
    plan_memory,
    weight_bytes,
)
from llmcost.quantization import get_quantization

BF16, INT4 = get_quantization("bf16"), get_quantization("int4")


def test_kv_bytes_per_token_llama_gqa(cat):
    # 2 (K and V) x 32 layers x 8 KV heads x 128 dims x 2 bytes = 131,072 bytes/token
    assert kv_bytes_per_token(cat.model("llama-3.1-8b"), 2) == 131_072
    # 2 x 80 x 8 x 128 x 2 = 327,680 bytes/token
    assert kv_bytes_per_token(cat.model("llama-3.1-70b"), 2) == 327_680


def test_kv_bytes_per_token_deepseek_mla(cat):
    # MLA caches one latent (512) + the RoPE key (64) per layer: 61 x 576 x 2 bytes = 70,272.
    # A GQA-style formula with its 128 KV heads would say 61 x 2 x 128 x 128 x 2 = 3,997,696 (57x more).
    assert kv_bytes_per_token(cat.model("deepseek-v3"), 2) == 70_272


def test_sliding_window_layers_are_capped(cat):
    m = cat.model("gpt-oss-120b")
    per_layer = 2 * 8 * 64 * 2  # K+V x 8 KV heads x 64 dims x 2 bytes = 2,048 bytes/token/layer
    # 18 full layers hold 10,000 tokens; 18 sliding layers hold only their 128-token window
    assert kv_bytes_per_sequence(m, 10_000, 2) == per_layer * (18 * 10_000 + 18 * 128)


def test_parameters_counted_from_architecture(cat):
    # Llama 3.1 70B: embeddings 2 x 128,256 x 8,192 = 2,101,346,304; per layer Q and O 8,192^2 each,
    # K and V 8,192 x 1,024 each, MLP 3 x 8,192 x 28,672 -> 855,638,016 x 80 layers = 68,451,041,280
    assert params_total(cat.model("llama-3.1-70b")) == 70_552_387_584
    # MoE: the sourced totals (671B total, 36.7B active for DeepSeek V3)
    assert params_total(cat.model("deepseek-v3")) == 671e9 and params_active(cat.model("deepseek-v3")) == 36.7e9


def test_derived_parameter_counts_agree_with_the_sourced_sizes(shipped):
    for m in shipped.models.values():
        assert params_total(m) == pytest.approx(m.params_total_b * 1e9, rel=0.1), m.id


def test_weights_llama_70b(cat):
    m = cat.model("llama-3.1-70b")
    assert weight_bytes(m, BF16) == 141_104_775_168  # 70,552,387,584 x 2 bytes
    # int4 at 4.125 bits; embedding + lm_head (2.101e9 params) stay 16-bit:
    # 68,451,041,280 x 0.515625 + 2,101,346,304 x 2 = 35,295,068,160 + 4,202,692,608 = 39.498e9 bytes
    assert weight_bytes(m, INT4) == pytest.approx(39_497_760_768)


def test_llama_70b_int4_fits_one_80gb_gpu(cat):
    plan = plan_memory(cat.model("llama-3.1-70b"), INT4, cat.gpu("a100-80gb"), context_tokens=2500)
    assert plan.fits and plan.gpus_per_replica == 1
    # usable 80 x 0.9 = 72 GB; free 72 - 39.50 = 32.50 GB; one 2,500-token sequence is
    # 2,500 x 327,680 = 0.8192 GB -> floor(32.50 / 0.8192) = floor(39.68) = 39 sequences
    assert plan.max_concurrent_sequences == 39


def test_llama_70b_bf16_needs_two_gpus_and_reports_shortfall(cat):
    m, gpu = cat.model("llama-3.1-70b"), cat.gpu("h100-sxm")
    one = plan_memory(m, BF16, gpu, 2500, gpus=1)
    assert not one.fits and one.gpus_per_replica is None
    # 141.10 GB of weights + 0.82 GB KV on one GPU vs 72 GB usable: short by 69.9 GB
    assert "short by 69.9 GB" in one.reason
    assert plan_memory(m, BF16, gpu, 2500).gpus_per_replica == 2


def test_beyond_one_node_is_reported_as_multi_node(cat):
    plan = plan_memory(cat.model("deepseek-v3"), BF16, cat.gpu("t4"), 2500)
    assert not plan.fits and "multi-node" in plan.reason


@given(st.integers(min_value=256, max_value=100_000))
def test_more_gpus_never_fewer_sequences(cat, context):
    m, gpu = cat.model("llama-3.1-70b"), cat.gpu("h100-sxm")
    seqs = [plan_memory(m, INT4, gpu, context, gpus=tp).max_concurrent_sequences for tp in (1, 2, 4, 8)]
    assert seqs == sorted(seqs)


@given(st.integers(min_value=1, max_value=60_000), st.integers(min_value=1, max_value=60_000))
def test_longer_context_never_more_sequences(cat, a, b):
    m, gpu = cat.model("gpt-oss-120b"), cat.gpu("h100-sxm")
    short, long = sorted((a, b))
    assert (
        plan_memory(m, INT4, gpu, long, gpus=2).max_concurrent_sequences
        <= plan_memory(m, INT4, gpu, short, gpus=2).max_concurrent_sequences
    )


def test_weights_llama_8b(cat):
    # embeddings 2 x 128,256 x 4,096 = 1,050,673,152; 32 layers x 218,103,808 = 6,979,321,856
    # -> 8,029,995,008 parameters x 2 bytes = 16,059,990,016 bytes at bf16
    assert weight_bytes(cat.model("llama-3.1-8b"), BF16) == 16_059_990_016
