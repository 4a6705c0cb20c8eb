"""The shipped data: what the issues require to be there, and what it says about the seed article."""

from __future__ import annotations

import pytest

import llmcost

REQUIRED_APIS = [
    "openai/gpt-4o",
    "openai/gpt-4o-mini",
    "openai/gpt-4.1",
    "openai/gpt-4.1-mini",
    "openai/gpt-5",
    "openai/gpt-5-mini",
    "openai/o3",
    "openai/o4-mini",
    "anthropic/claude-sonnet-4",
    "anthropic/claude-sonnet-4.5",
    "anthropic/claude-haiku-4.5",
    "anthropic/claude-opus-4.1",
    "anthropic/claude-opus-4.5",
    "google/gemini-2.5-pro",
    "google/gemini-2.5-flash",
    "together/llama-3.1-70b",
    "together/llama-3.3-70b",
]
REQUIRED_GPUS = [
    "t4",
    "a10g",
    "l4",
    "l40s",
    "a100-40gb",
    "a100-80gb",
    "h100-pcie",
    "h100-sxm",
    "h200",
    "b200",
    "mi300x",
    "rtx-4090",
    # 2026-12 (data/incoming/hardware_2026.yaml)
    "h100-nvl",
    "h20",
    "gh200",
    "b300",
    "gb200",
    "gb300",
    "a100-80gb-pcie",
    "a30",
    "a10",
    "rtx-a6000",
    "rtx-6000-ada",
    "rtx-pro-6000",
    "rtx-5090",
    "mi325x",
    "mi355x",
    "mi250x",
    "gaudi-3",
    "arc-pro-b60",
]
REQUIRED_MODELS = [
    "llama-3.1-8b",
    "llama-3.1-70b",
    "llama-3.1-405b",
    "llama-3.3-70b",
    "mistral-large-2",
    "mixtral-8x22b",
    "qwen-2.5-7b",
    "qwen-2.5-72b",
    "deepseek-v3",
    "gpt-oss-20b",
    "gpt-oss-120b",
    "gemma-2-27b",
    # 2025-2026 additions: one of each architecture the memory model handles
    "qwen3-30b-a3b",  # MoE, many small experts
    "deepseek-r1",  # MLA + shared expert + leading dense layers
    "deepseek-v3.2",  # sparse attention (DSA)
    "qwen3-next-80b-a3b-instruct",  # hybrid linear attention
    "llama-4-scout",  # chunked attention + shared expert
    "gemma-4-31b",  # sliding window with differently shaped global layers (K = V)
]


def test_coverage(shipped):
    assert len(shipped.apis) >= 25 and len(shipped.offers) >= 40
    assert set(REQUIRED_APIS) <= set(shipped.apis)
    assert set(REQUIRED_GPUS) == set(shipped.gpus)
    assert set(REQUIRED_MODELS) <= set(shipped.models) and len(shipped.models) >= 30  # issue 13: >= 30 open models
    providers = {a.provider for a in shipped.apis.values()}
    assert {
        "openai",
        "anthropic",
        "google",
        "mistral",
        "deepseek",
        "together",
        "fireworks",
        "groq",
    } <= providers
    assert {o.pricing for o in shipped.offers.values()} == {"on_demand", "reserved_1y", "reserved_3y", "spot"}


def test_every_row_has_source_and_as_of(shipped):
    tables = [
        shipped.apis,
        shipped.offers,
        shipped.gpus,
        shipped.models,
        shipped.hidden_costs,
        shipped.engines,
    ]
    for table in tables:
        for row in table.values():
            assert row.source.strip() and row.as_of, row.id


def test_gemini_pro_long_context_tier(shipped):
    tier = shipped.api("google/gemini-2.5-pro").long_context
    assert tier is not None and tier.above_prompt_tokens == 200_000 and tier.input_usd_per_mtok > 1.25


def test_cached_input_never_above_input(shipped):
    for api in shipped.apis.values():
        if api.cached_input_usd_per_mtok is not None:
            assert api.cached_input_usd_per_mtok <= api.input_usd_per_mtok, api.id


def test_mistral_large_2_is_not_commercial_and_the_seed_is_wrong(shipped):
    # the seed article says Apache 2.0; it is the Mistral Research Licence
    assert not shipped.model("mistral-large-2").licence.commercial_use
    assert "Research" in shipped.model("mistral-large-2").licence.name


@pytest.mark.parametrize(
    ("model", "quant", "gpu", "gpus", "fits"),
    [
        ("llama-3.1-8b", "bf16", "a10g", 1, True),  # seed: 8B FP16 on 1x A10G
        ("llama-3.1-8b", "int4", "t4", 1, True),  # seed: 8B INT4 on 1x T4
        ("llama-3.1-70b", "bf16", "a100-80gb", 2, True),  # seed: 70B FP16 on 2x A100 80GB (barely)
        ("llama-3.1-70b", "int4", "a100-80gb", 1, True),  # seed: 70B INT4 on 1x A100 80GB
        ("llama-3.1-405b", "int4", "a100-80gb", 2, False),  # seed: 405B INT4 on 2x A100 80GB: no
        ("llama-3.1-405b", "bf16", "a100-80gb", 8, False),  # seed: 405B FP16 on 8x A100 80GB: no
    ],
)
def test_seed_hardware_table_is_checked(shipped, model, quant, gpu, gpus, fits):
    plan = llmcost.fit(model, quant, gpu, context=2500, gpus=gpus, catalog=shipped).to_dict()
    assert plan["fits"] is fits, plan["reason"]
