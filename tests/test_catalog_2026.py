"""The 2026 API catalog: size, provenance, provider ids with ':', and hand-worked bills of new rows.

These read the shipped data on purpose (they check what was moved into pricing.yaml), so a price
update that changes a row must update the arithmetic here too.
"""

from __future__ import annotations

from typing import Any

import pytest

import llmcost
from llmcost.billing import RequestTokens, request_usd
from llmcost.catalog import Catalog
from llmcost.memory import architecture_params, embedding_params, kv_bytes_per_token, params_total, weight_bytes
from llmcost.quantization import get_quantization
from llmcost.records import ApiModel, ApiQuality, InvalidRecord, Sourced, from_plain, to_plain, validate_record

BEDROCK = {
    "id": "aws-bedrock/nova-pro",
    "provider": "aws-bedrock",
    "name": "Amazon Nova Pro",
    "provider_model_id": "amazon.nova-pro-v1:0",
    "input_usd_per_mtok": 0.8,
    "output_usd_per_mtok": 3.2,
    "source": "test",
    "as_of": "2026-11-04",
}


def _sourced_parts(record: Any) -> list[Sourced]:
    """The record and every nested sourced block (service tiers, quality, AA index)."""
    out: list[Sourced] = [record]
    for tier in (record.service_tiers.flex, record.service_tiers.priority) if record.service_tiers else ():
        if tier is not None:
            out.append(tier)
    if record.quality is not None:
        out.append(record.quality)
        if record.quality.aa_index_v4_1 is not None:
            out.append(record.quality.aa_index_v4_1)
    return out


def test_catalog_has_the_2026_lineups(shipped: Catalog):
    apis = shipped.apis
    hosted = [a for a in apis.values() if a.open_model is not None]
    assert len(apis) >= 80
    assert len(hosted) >= 20
    # the hosts that compete with self-hosting, each serving open models
    assert {"deepinfra", "together", "fireworks", "groq", "cerebras"} <= {a.provider for a in hosted}
    assert apis["groq/qwen3-32b"].open_model == "qwen3-32b"
    # its open model is loaded now (moved from data/incoming): the host pairs with it and bills its reasoning
    thinking = apis["deepinfra/qwen3-235b-a22b-thinking-2507"]
    assert thinking.open_model == "qwen3-235b-a22b-thinking-2507" and thinking.reasoning_as is None
    # DeepSeek V4 is still staged: its hosts bill V4's reasoning figures through reasoning_as
    assert apis["deepseek/deepseek-v4-flash"].reasoning_as == "deepseek-v4-flash"


# rows from before the 2026 update whose source page states no date (the tool flags them); no new row may join
UNDATED_BEFORE_2026 = {
    "anthropic/claude-sonnet-4", "anthropic/claude-sonnet-4.5", "anthropic/claude-haiku-4.5",
    "anthropic/claude-haiku-3.5", "anthropic/claude-sonnet-3.5", "anthropic/claude-opus-4",
    "anthropic/claude-opus-4.1", "anthropic/claude-opus-4.5", "deepseek/deepseek-reasoner",
    "fireworks/llama-3.1-70b", "fireworks/llama-3.3-70b",
}  # fmt: skip


def test_every_api_row_is_sourced_and_dated(shipped: Catalog):
    undated = set()
    for api in shipped.apis.values():
        for part in _sourced_parts(api):
            assert len(part.source) >= 3, api.id
            if part.as_of_date is None:
                undated.add(api.id)
        if api.deprecation_date or api.retirement_date:
            assert api.lifecycle_source, api.id
    assert undated <= UNDATED_BEFORE_2026


def test_not_modelled_facts_are_kept_in_notes(shipped: Catalog):
    # time-of-day prices, a scheduled price change and 12-hour cache writes have no field: notes keep them
    assert "NOT MODELLED: time-of-day pricing" in (shipped.apis["deepseek/deepseek-v4-flash"].notes or "")
    assert "NOT MODELLED: scheduled list-price change from 2027-01-01" in (
        shipped.apis["google/gemini-3.8-flash"].notes or ""
    )
    assert "12-hour-retention cache write 5" in (shipped.apis["openai/gpt-6-sol"].notes or "")


def test_a_bedrock_id_with_a_colon_loads_and_survives_the_cache(shipped: Catalog):
    assert shipped.apis["aws-bedrock/nova-pro"].provider_model_id == "amazon.nova-pro-v1:0"
    record = validate_record(ApiModel, BEDROCK)
    assert record.provider_model_id == "amazon.nova-pro-v1:0"
    assert from_plain(ApiModel, to_plain(record)) == record  # the catalog cache round trip


def test_genai_ids_with_colons_still_work_next_to_the_curated_row(shipped: Catalog):
    pytest.importorskip("genai_prices")
    result = llmcost.compare(
        1000, apis=["genai:aws/amazon.nova-pro-v1:0", "aws-bedrock/nova-pro"], models=[], catalog=shipped
    )
    options = {o["id"]: o for o in result.to_dict()["options"]}
    assert {"genai/aws/amazon.nova-pro-v1-0", "aws-bedrock/nova-pro"} <= set(options)


def test_quality_takes_an_elo_or_an_aa_index():
    aa = {"score": 19.9, "estimated": True, "row": "gpt-5-nano (high)", "source": "AA v4.1", "as_of": "2026-07-10"}
    only_aa = validate_record(ApiQuality, {"aa_index_v4_1": aa, "source": "AA v4.1", "as_of": "2026-07-10"})
    assert only_aa.lmarena_elo is None and only_aa.aa_index_v4_1 is not None
    with pytest.raises(InvalidRecord, match="lmarena_elo or aa_index_v4_1"):
        validate_record(ApiQuality, {"source": "x-y", "as_of": "2026"})
    with pytest.raises(InvalidRecord, match="effort / lmarena_row describe lmarena_elo"):
        validate_record(ApiQuality, {"aa_index_v4_1": aa, "effort": "high", "source": "AA v4.1", "as_of": "2026"})


def test_gpt5_nano_bill_standard_flex_and_batch(shipped: Catalog):
    nano = shipped.apis["openai/gpt-5-nano"]
    t = RequestTokens(input_tokens=10_000, cache_read_tokens=4_096, output_tokens=2_000)
    # standard: 5,904 x 0.05 + 4,096 x 0.005 + 2,000 x 0.40 = 295.2 + 20.48 + 800 = 1,115.68 per 1e6
    assert request_usd(nano, t) == pytest.approx(0.00111568)
    # flex (its own prices): 5,904 x 0.025 + 4,096 x 0.0025 + 2,000 x 0.20 = 147.6 + 10.24 + 400 = 557.84
    assert request_usd(nano, t, service_tier="flex") == pytest.approx(0.00055784)
    # batch: 50% off input, cached input and output (batch_applies_to lists all three) -> the same 557.84
    assert nano.batch_applies_to == ["input", "output", "cached_input"]
    assert request_usd(nano, t, batch=True) == pytest.approx(0.00055784)


def test_gpt6_sol_flex_bills_cache_writes_at_its_own_price(shipped: Catalog):
    sol = shipped.apis["openai/gpt-6-sol"]
    t = RequestTokens(input_tokens=20_000, cache_write_tokens=8_000, output_tokens=1_000)
    # standard: 12,000 x 2.00 + 8,000 x 2.50 (write) + 1,000 x 10 = 24,000 + 20,000 + 10,000 = 54,000
    assert request_usd(sol, t) == pytest.approx(0.054)
    # flex: 12,000 x 1.00 + 8,000 x 1.25 (the tier's write price) + 1,000 x 5 = 12,000 + 10,000 + 5,000
    assert request_usd(sol, t, service_tier="flex") == pytest.approx(0.027)


def test_hosted_qwen3_bill_and_reasoning(shipped: Catalog):
    qwen = shipped.apis["groq/qwen3-32b"]
    # no cached price published: cache reads bill at the input price
    t = RequestTokens(input_tokens=3_000, cache_read_tokens=1_000, output_tokens=800)
    # 3,000 x 0.29 + 800 x 0.59 = 870 + 472 = 1,342 per 1e6
    assert request_usd(qwen, t) == pytest.approx(0.001342)
    # DeepInfra's Qwen3-235B-A22B Instruct-2507 (a non-reasoning checkpoint): 3,000 x 0.09 + 800 x 0.55 = 710
    instruct = shipped.apis["deepinfra/qwen3-235b-a22b-instruct-2507"]
    assert request_usd(instruct, t) == pytest.approx(0.00071)
    assert instruct.quality is not None and instruct.quality.effort is None
    # the hosted Qwen3-32B reasons with the open model's figures (reasoning.yaml), and its Elo is the thinking row
    assert qwen.quality is not None and qwen.quality.effort == "thinking-on"
    assert "thinking-on" in shipped.efforts("qwen3-32b")


# rows moved from data/incoming/models_2026.yaml in the models13 pass; each names what it was sourced from
MOVED_FROM_INCOMING = (
    "qwen3-235b-a22b-instruct-2507", "qwen3-235b-a22b-thinking-2507", "qwen3-30b-a3b-instruct-2507", "glm-4.6",
    "glm-4.7-flash", "gemma-3-12b", "phi-4-reasoning", "deepseek-r1-distill-qwen-32b",
)  # fmt: skip


def test_moved_models_are_loaded_sourced_and_licensed(shipped: Catalog):
    for model_id in MOVED_FROM_INCOMING:
        m = shipped.models[model_id]
        assert len(m.source) > 20 and m.as_of, model_id
        assert m.licence.commercial_use, model_id
        assert m.notes, model_id  # each says what was read (and SECONDARY where a copy was)
    # the 2507 split: Instruct never thinks, Thinking always does, and its Elo is the thinking row
    assert shipped.models["qwen3-235b-a22b-instruct-2507"].reasoning.mode == "none"  # type: ignore[union-attr]
    thinking = shipped.models["qwen3-235b-a22b-thinking-2507"]
    assert thinking.reasoning is not None and thinking.reasoning.mode == "always"
    assert thinking.quality is not None and thinking.quality.effort == "thinking-on"
    assert "thinking-on" in shipped.efforts("qwen3-235b-a22b-thinking-2507")


def test_gemma_3_12b_count_matches_keras_hub_to_the_norms(shipped: Catalog):
    m = shipped.models["gemma-3-12b"]
    total, active = architecture_params(m)
    # embeddings (tied): 262,144 x 3,840 = 1,006,632,960
    # per layer: Q 3,840 x 4,096 + K, V 2 x 3,840 x 2,048 + O 4,096 x 3,840 = 47,185,920;
    #            MLP 3 x 3,840 x 15,360 = 176,947,200; together 224,133,120; x 48 = 10,758,389,760
    # total 11,765,022,720 = active (dense)
    assert total == active == 11_765_022_720
    # Keras Hub's gemma3_instruct_12b_text counts 11,765,788,416; the 765,696 difference is exactly the
    # RMSNorm weights llmcost leaves out: per layer 4 x 3,840 + q/k norms 2 x 256 = 15,872; x 48 = 761,856;
    # plus the final norm 3,840
    assert 11_765_788_416 - total == 48 * (4 * 3840 + 2 * 256) + 3840
    assert params_total(m) == total


def test_qwen3_2507_counts_match_the_model_cards(shipped: Catalog):
    # the cards: 235B total / 22B active, 234B non-embedding; 30.5B / 3.3B, 29.9B non-embedding
    for model_id, total_b, active_b, non_embedding_b in (
        ("qwen3-235b-a22b-instruct-2507", 235, 22, 234),
        ("qwen3-235b-a22b-thinking-2507", 235, 22, 234),
        ("qwen3-30b-a3b-instruct-2507", 30.5, 3.3, 29.9),
    ):
        m = shipped.models[model_id]
        total, active = architecture_params(m)
        assert total == pytest.approx(total_b * 1e9, rel=0.002), model_id
        assert active == pytest.approx(active_b * 1e9, rel=0.02), model_id
        assert total - embedding_params(m) == pytest.approx(non_embedding_b * 1e9, rel=0.003), model_id
        assert params_total(m) == total_b * 1e9  # MoE weights use the sourced total
    # 235B: embeddings 2 x 151,936 x 4,096 = 1,244,659,712, so 235.09e9 - 1.24e9 = 233.85e9 (card: 234B)
    assert embedding_params(shipped.models["qwen3-235b-a22b-instruct-2507"]) == 1_244_659_712


def test_the_other_moved_counts_match_their_sourced_sizes(shipped: Catalog):
    # GLM-4.6: Z.ai's 355B-A32B; the GLM-4.7 shape counts 352.8B (norms, biases, MTP left out)
    assert architecture_params(shipped.models["glm-4.6"])[0] == pytest.approx(355e9, rel=0.01)
    # GLM-4.7-Flash: Z.ai's "30B-A3B"; Ollama's GGUF counts 29.9B
    assert architecture_params(shipped.models["glm-4.7-flash"])[0] == pytest.approx(29.9e9, rel=0.005)
    # DeepSeek-R1-Distill-Qwen-32B (dense, counted): 2 x 152,064 x 5,120 embeddings = 1,557,135,360
    # + 64 x (5,120 x 5,120 + 2 x 5,120 x 1,024 + 5,120 x 5,120 + 3 x 5,120 x 27,648) = 64 x 487,587,840
    # = 31,205,621,760; total 32,762,757,120 (the nominal "32B"; QKV biases left out)
    assert architecture_params(shipped.models["deepseek-r1-distill-qwen-32b"])[0] == 32_762_757_120
    # Phi-4-reasoning is Phi-4's network with a longer context (LitGPT's transcription of both configs)
    phi4, reasoning = shipped.models["phi-4"], shipped.models["phi-4-reasoning"]
    assert architecture_params(reasoning) == architecture_params(phi4)
    assert kv_bytes_per_token(reasoning, 2.0) == kv_bytes_per_token(phi4, 2.0) == 204_800  # 2 x 40 x 10 x 128 x 2
    assert (phi4.max_context_tokens, reasoning.max_context_tokens) == (16_384, 32_768)


def test_moved_weights_match_the_hub_checkpoint_sizes(shipped: Catalog):
    """16-bit weights vs the HF hub's safetensors parameter counts (rounded to 1B there) x 2 bytes."""
    bf16 = get_quantization("bf16")
    hub_params_b = {  # HF hub model listings / collections (see each row's notes)
        "qwen3-235b-a22b-instruct-2507": 235, "qwen3-235b-a22b-thinking-2507": 235,
        "qwen3-30b-a3b-instruct-2507": 31, "deepseek-r1-distill-qwen-32b": 33, "glm-4.6": 357,
    }  # fmt: skip
    for model_id, hub_b in hub_params_b.items():
        m = shipped.models[model_id]
        # e.g. GLM-4.6: 355e9 x 2 B = 710 GB vs 357e9 x 2 B = 714 GB (-0.6%: the hub counts the MTP layer)
        assert weight_bytes(m, bf16) == pytest.approx(hub_b * 1e9 * 2, rel=0.02), model_id
    # GLM-4.6's 357B is the counted 352.8B plus one MTP layer: 160 experts x 3 x 5,120 x 1,536 = 3,774,873,600,
    # a shared expert 3 x 5,120 x 1,536 = 23,592,960, router 5,120 x 160 = 819,200, attention 5,120 x 12,288 x 2
    # + 2 x 5,120 x 1,024 = 136,314,880 and the 2 x 5,120 -> 5,120 input projection 52,428,800: 3,988,029,440
    mtp = 160 * 3 * 5120 * 1536 + 3 * 5120 * 1536 + 5120 * 160 + 2 * 5120 * 12288 + 2 * 5120 * 1024 + 2 * 5120 * 5120
    assert mtp == 3_988_029_440
    assert round((architecture_params(shipped.models["glm-4.6"])[0] + mtp) / 1e9) == 357


def test_deepseek_v4_stays_staged_until_its_kv_cache_is_modelled(shipped: Catalog):
    assert "deepseek-v4-flash" not in shipped.models and "deepseek-v4-pro" not in shipped.models
