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
    # its open model is not loaded yet: it bills that model's reasoning figures through reasoning_as
    assert apis["deepinfra/qwen3-235b-a22b-thinking-2507"].reasoning_as == "qwen3-235b-a22b-thinking-2507"


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
