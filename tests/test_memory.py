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
    # 141.10e9 B of weights + 2,500 x 327,680 = 0.82e9 B of KV = 132.18 GiB on one GPU; the fixture's
    # H100 has no driver figure (nominal 80e9 B) and no engine profile is given: budget 80e9 x 0.90 =
    # 72e9 B = 67.06 GiB, short by 65.1 GiB
    assert "short by 65.1 GiB" in one.reason
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


# ---------------------------------------------------------------- 2026 architectures (shipped data:
# architectures do not move with prices)


def test_moe_parameters_counted_qwen3_30b_a3b(shipped):
    from llmcost.memory import architecture_params, routed_expert_params

    m = shipped.model("qwen3-30b-a3b")
    # embeddings 2 x 151,936 x 2,048 = 622,329,856
    # attention per layer: Q and O 2,048 x 4,096 each, K and V 2,048 x 512 each = 18,874,368 x 48 = 905,969,664
    # routers 2,048 x 128 x 48 = 12,582,912; routed experts 128 x 3 x 2,048 x 768 x 48 = 28,991,029,248
    assert routed_expert_params(m) == 28_991_029_248
    total, active = architecture_params(m)
    assert total == 622_329_856 + 905_969_664 + 12_582_912 + 28_991_029_248 == 30_531_911_680  # stated 30.5B
    # active: all but 120 of 128 experts: 30,531,911,680 - 28,991,029,248 x 120/128 = 3,352,821,760 (stated 3.3B)
    assert active == 3_352_821_760


def test_moe_with_shared_expert_and_dense_layers_deepseek_r1(shipped):
    from llmcost.memory import architecture_params, attention_params, ffn_params

    m = shipped.model("deepseek-r1")
    # MLA per layer: Q 7,168 x 1,536 + 1,536 x 128 x (128+64) = 48,758,784; KV 7,168 x (512+64)
    # + 512 x 128 x (128+128) = 20,905,984; O 128 x 128 x 7,168 = 117,440,512 -> 187,105,280 x 61
    assert attention_params(m) == 11_413_422_080
    # 3 dense layers 3 x 3 x 7,168 x 18,432 = 1,189,085,184; 58 MoE layers each with a router 7,168 x 256
    # = 1,835,008 and one shared expert 3 x 7,168 x 2,048 = 44,040,192 -> 58 x 45,875,200 = 2,660,761,600;
    # routed 58 x 256 x 44,040,192 = 653,908,770,816
    always, routed = ffn_params(m)
    assert (always, routed) == (1_189_085_184 + 2_660_761_600, 653_908_770_816)
    total, active = architecture_params(m)
    # + embeddings 2 x 129,280 x 7,168 = 1,853,358,080 -> 671,025,397,760 (stated 671B)
    assert total == 671_025_397_760
    # active = total - routed x 248/256 = 671,025,397,760 - 633,474,121,728 (stated 37B)
    assert active == 37_551_276_032


def test_every_shipped_model_counts_to_its_stated_size(shipped):
    """Architecture counts vs the stated sizes: totals within 10%; active counts within 10% with or
    without the input embedding (a lookup, which some vendors count as active and some do not:
    gpt-oss-120b's 5.1B is 5.71B minus its 0.58B embedding)."""
    from llmcost.memory import architecture_params

    # Qwen3-Next "A3B" is the name's nominal figure: 3.87B counted, 3.56B without the input embedding,
    # 3.25B without the embedding and the output head; GLM-4.7-Flash "30B-A3B" likewise: 3.90B counted,
    # 3.58B without the input embedding (154,880 x 2,048 = 317,194,240), 3.26B without the head too
    nominal_active = {"qwen3-next-80b-a3b-instruct", "qwen3-next-80b-a3b-thinking", "glm-4.7-flash"}
    for m in shipped.models.values():
        total, active = architecture_params(m)
        assert total == pytest.approx(m.params_total_b * 1e9, rel=0.1), m.id
        if m.id in nominal_active:
            assert active - m.vocab_size * m.hidden_size == pytest.approx(m.params_active_b * 1e9, rel=0.2)
            continue
        without_embedding = active - m.vocab_size * m.hidden_size * (0 if m.tied_embeddings else 1)
        best = min(abs(active / 1e9 - m.params_active_b), abs(without_embedding / 1e9 - m.params_active_b))
        assert best <= 0.1 * m.params_active_b, m.id


def test_linear_attention_kv_and_state_qwen3_next(shipped):
    from llmcost.memory import linear_state_elements, recurrent_state_bytes

    m = shipped.model("qwen3-next-80b-a3b-instruct")
    # only the 12 full-attention layers cache per token: 2 x 12 x 2 KV heads x 256 x 2 bytes = 24,576
    assert kv_bytes_per_token(m, 2) == 24_576
    # each of the 36 Gated DeltaNet layers holds 32 x 128 x 128 = 524,288 recurrent elements plus
    # (4-1) x (2 x 16 x 128 + 32 x 128) = 24,576 conv elements = 548,864; x 36 x 2 bytes = 39,518,208
    assert linear_state_elements(m) == 548_864
    assert recurrent_state_bytes(m, 2) == 39_518_208
    # a 32,768-token sequence: 24,576 x 32,768 + 39,518,208 = 805,306,368 + 39,518,208
    assert kv_bytes_per_sequence(m, 32_768, 2) == 844_824_576
    # the state does not grow: one token or 32,768 hold the same 39.5 MB of state
    assert kv_bytes_per_sequence(m, 1, 2) == 24_576 + 39_518_208


def test_linear_attention_state_in_fp32_where_the_config_says(shipped):
    from llmcost.memory import recurrent_state_bytes

    # Qwen3.5-35B-A3B keeps its state in float32 (mamba_ssm_dtype): 30 layers x (32 x 128 x 128
    # + 3 x (2 x 16 x 128 + 32 x 128)) = 30 x 548,864 elements x 4 bytes = 65,863,680, even with an 8-bit KV cache
    assert recurrent_state_bytes(shipped.model("qwen3.5-35b-a3b"), 1) == 65_863_680


def test_shared_prefix_does_not_share_the_linear_state(shipped):
    m, gpu = shipped.model("qwen3-next-80b-a3b-instruct"), shipped.gpu("h100-sxm")
    plan = plan_memory(m, BF16, gpu, 8_192, shared_prefix_tokens=4_096)
    # each sequence: its own 4,096 tokens (24,576 x 4,096 = 100,663,296) plus its own state 39,518,208
    assert plan.kv_gb_per_sequence * 1e9 == pytest.approx(100_663_296 + 39_518_208)


def test_llama4_chunked_layers_are_capped(shipped):
    from llmcost.memory import decode_kv_read_bytes

    m = shipped.model("llama-4-scout")
    per_layer = 2 * 8 * 128 * 2  # K+V x 8 KV heads x 128 x 2 bytes = 4,096 bytes/token/layer
    # 12 global layers hold 100,000 tokens; 36 chunked layers at most their 8,192-token chunk:
    # 4,096 x (1,200,000 + 294,912) = 6,123,159,552
    assert kv_bytes_per_sequence(m, 100_000, 2) == per_layer * (12 * 100_000 + 36 * 8_192) == 6_123_159_552
    # decoding 2,048 tokens after 3 whole chunks (24,576): global layers read 25,600 tokens on average,
    # chunked layers only the chunk so far, 0..2,048 -> 1,024 on average (a sliding window would read 8,192)
    assert decode_kv_read_bytes(m, 24_576, 2_048, 2) == per_layer * (12 * 25_600 + 36 * 1_024) == 1_409_286_144


def test_gemma4_global_layers_with_k_equal_v(shipped):
    m = shipped.model("gemma-4-31b")
    # 50 sliding layers: 2 x 16 x 256 x 2 bytes = 16,384 B/token each, capped at 1,024 tokens;
    # 10 global layers: K = V, one 4 x 512 vector x 2 bytes = 4,096 B/token each
    # 10,000 tokens: 40,960 x 10,000 + 819,200 x 1,024 = 409,600,000 + 838,860,800
    assert kv_bytes_per_sequence(m, 10_000, 2) == 1_248_460_800


def test_dsa_cache_keeps_every_latent_plus_indexer_keys(shipped):
    m = shipped.model("deepseek-v3.2")
    # MLA latent 61 x 576 x 2 = 70,272 plus the indexer key 61 x 128 x 2 = 15,616 bytes per token
    assert kv_bytes_per_token(m, 2) == 70_272 + 15_616
    assert kv_bytes_per_sequence(m, 100_000, 2) == 85_888 * 100_000
