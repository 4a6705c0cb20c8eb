"""Each billing rule with hand-worked arithmetic, on records built here (so data updates cannot move them)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

import llmcost
from llmcost.billing import RequestTokens, bill, cached_tokens, rates, request_usd
from llmcost.demand import Billing, Workload
from llmcost.errors import UsageError
from llmcost.records import ApiModel, LongContextTier, ServiceTier, ServiceTiers
from tests import strategies as s

SRC = {"source": "test", "as_of": "2026-12-01"}


def api(**fields) -> ApiModel:
    base = {"id": "t/m", "provider": "t", "name": "m", "input_usd_per_mtok": 3.0, "output_usd_per_mtok": 15.0}
    return ApiModel(**{**SRC, **base, **fields})


SONNET = api(  # Claude Sonnet 4's published prices
    cached_input_usd_per_mtok=0.3,
    cache_write_usd_per_mtok=3.75,
    cache_write_1h_usd_per_mtok=6.0,
    min_cacheable_prompt_tokens=1024,
    batch_discount=0.5,
    long_context=LongContextTier(
        above_prompt_tokens=200_000,
        input_usd_per_mtok=6.0,
        output_usd_per_mtok=22.5,
        cached_input_usd_per_mtok=0.6,
        cache_write_usd_per_mtok=7.5,
    ),
)


def per_query(a: ApiModel, w: Workload, billing: Billing | None = None, reasoning: float = 0.0) -> float:
    return float(bill(a, w, billing or Billing(), reasoning).usd_per_query)


def test_plain_request_hand_worked():
    # 2,000 x $3 + 500 x $15 = 6,000 + 7,500 = 13,500 per 1e6 = $0.0135
    assert per_query(SONNET, Workload(1, 2000, 500)) == pytest.approx(0.0135)


def test_reasoning_tokens_bill_as_output():
    # gpt-5 at 2,000 in / 500 out: 2,000 x 1.25 + 500 x 10 = 7,500 -> $0.0075;
    # with 3,509 reasoning tokens: + 3,509 x 10 = 35,090 -> $0.04259 (5.68x)
    gpt5 = api(input_usd_per_mtok=1.25, output_usd_per_mtok=10.0)
    w = Workload(1, 2000, 500)
    assert per_query(gpt5, w) == pytest.approx(0.0075)
    assert per_query(gpt5, w, reasoning=3509) == pytest.approx(0.04259)


def test_cache_writes_at_the_ttl_price():
    w = Workload(1, 3000, 500, cached_input_share=0.5)
    # reads 1,500 x 0.30 = 450; writes the other 1,500 x 3.75 = 5,625; output 7,500 -> $0.013575
    assert per_query(SONNET, w) == pytest.approx(0.013575)
    # 1-hour writes at 6.00: 450 + 9,000 + 7,500 = 16,950 -> $0.01695, +36% over free writes (12,450)
    assert per_query(SONNET, w, Billing(cache_ttl="1h")) == pytest.approx(0.01695)
    free = api(cached_input_usd_per_mtok=0.3)  # no write price: writes are free (OpenAI, Gemini implicit caching)
    assert per_query(free, w) == pytest.approx((1500 * 3 + 1500 * 0.3 + 7500) / 1e6)


def test_minimum_cacheable_prompt_and_granularity():
    haiku = api(input_usd_per_mtok=1.0, output_usd_per_mtok=5.0, cached_input_usd_per_mtok=0.1,
                cache_write_usd_per_mtok=1.25, min_cacheable_prompt_tokens=4096)  # fmt: skip
    w = Workload(1, 2000, 500, cached_input_share=0.5)
    b = bill(haiku, w, Billing())
    # a 1,000-token prefix is under Haiku 4.5's 4,096 minimum: nothing cached, nothing written
    assert b.cached_tokens == 0 and b.cache_write_tokens == 0
    assert float(b.usd_per_query) == pytest.approx((2000 * 1 + 500 * 5) / 1e6)
    (note,) = [n for n in b.notes if n.code == "cache_share_unattainable"]
    assert note.values["attainable"] == 0 and "4,096" in note.message
    # OpenAI: cached prefixes are whole 128-token blocks from 1,024 up: 1,500 wanted -> 1,408 cached
    oai = api(cached_input_usd_per_mtok=0.3, min_cacheable_prompt_tokens=1024, cache_granularity_tokens=128)
    assert cached_tokens(oai, 3000, 1500) == 1408
    assert cached_tokens(oai, 2000, 1000) == 0


def test_long_context_tier_is_chosen_per_request():
    # Gemini 2.5 Pro: 90% of requests at 20K tokens, 10% at 300K (mean 48K: the standard tier by the mean)
    pro = api(input_usd_per_mtok=1.25, output_usd_per_mtok=10.0,
              long_context=LongContextTier(above_prompt_tokens=200_000, input_usd_per_mtok=2.5,
                                           output_usd_per_mtok=15.0))  # fmt: skip
    mixed = Workload(1, output_tokens=500, prompt_mix=((0.9, 20_000), (0.1, 300_000)))
    assert mixed.input_tokens == pytest.approx(48_000)
    # 0.9 x (20,000 x 1.25 + 500 x 10) + 0.1 x (300,000 x 2.5 + 500 x 15) = 27,000 + 75,750 = 102,750
    assert per_query(pro, mixed) == pytest.approx(0.10275)
    by_mean = per_query(pro, Workload(1, 48_000, 500))  # 48,000 x 1.25 + 5,000 = 65,000
    assert by_mean == pytest.approx(0.065) and by_mean / per_query(pro, mixed) == pytest.approx(0.6326, abs=1e-4)
    b = bill(pro, mixed, Billing())
    assert b.long_context_share == pytest.approx(0.1)


def test_batch_reaches_only_the_classes_the_provider_lists():
    w = Workload(1, 2000, 500, cached_input_share=0.5)
    keeps_cache = api(cached_input_usd_per_mtok=0.3, batch_discount=0.5, batch_applies_to=["input", "output"])
    # 1,000 x 1.50 + 1,000 x 0.30 (standard cache price) + 500 x 7.50 = 1,500 + 300 + 3,750 = 5,550
    assert per_query(keeps_cache, w, Billing(batch=True)) == pytest.approx(0.00555)
    everything = api(cached_input_usd_per_mtok=0.3, batch_discount=0.5)
    assert per_query(everything, w, Billing(batch=True)) == pytest.approx(0.0054)  # cache halved: 150


def test_service_tiers_by_price_or_multiplier():
    w = Workload(1, 2000, 500)
    tiers = ServiceTiers(
        flex=ServiceTier(**SRC, input_usd_per_mtok=0.625, output_usd_per_mtok=5.0),
        priority=ServiceTier(**SRC, multiplier=1.8),
    )
    a = api(input_usd_per_mtok=1.25, output_usd_per_mtok=10.0, service_tiers=tiers)
    assert per_query(a, w, Billing(service_tier="flex")) == pytest.approx(0.00375)  # 1,250 + 2,500
    assert per_query(a, w, Billing(service_tier="priority")) == pytest.approx(0.0135)  # 7,500 x 1.8
    none = bill(api(), w, Billing(service_tier="flex"))
    assert any(n.code == "no_service_tier" for n in none.notes)
    with pytest.raises(UsageError, match="batch API is its own tier"):
        Billing(batch=True, service_tier="flex")


def test_shared_prefix_is_written_only_by_cold_requests():
    # 86,400 queries/day = 1 per second; a 5-minute TTL: P(gap > 300 s) = e^-300, so ~every request is warm
    warm = Workload(86_400, 3000, 300, shared_prefix_tokens=1500)
    b = bill(SONNET, warm, Billing())
    assert float(b.cached_tokens) == pytest.approx(1500) and float(b.cache_write_tokens) == pytest.approx(0, abs=1e-9)
    # 144 queries/day = one per 600 s: warm share 1 - e^-0.5 = 39.3%; a cold one writes the prefix
    sparse = Workload(144, 3000, 300, shared_prefix_tokens=1500)
    b = bill(SONNET, sparse, Billing())
    assert float(b.cached_tokens) == pytest.approx(1500 * (1 - np.exp(-0.5)))
    assert float(b.cache_write_tokens) == pytest.approx(1500 * np.exp(-0.5))
    with pytest.raises(UsageError, match="longer than the prompt"):
        Workload(1, 1000, 300, shared_prefix_tokens=2000)
    with pytest.raises(UsageError, match="not both"):
        Workload(1, 3000, 300, cached_input_share=0.2, shared_prefix_tokens=1000)


def test_one_request_as_a_usage_object_reports_it():
    # 250,000-token prompt (above 200K): every token at the long-context tier, writes at 7.50
    t = RequestTokens(input_tokens=250_000, cache_read_tokens=100_000, cache_write_tokens=50_000, output_tokens=1000)
    # 100,000 x 6 + 100,000 x 0.6 + 50,000 x 7.5 + 1,000 x 22.5 = 600,000 + 60,000 + 375,000 + 22,500
    assert request_usd(SONNET, t) == pytest.approx(1.0575)


def test_draws_cross_a_tier_one_by_one():
    pro = api(long_context=LongContextTier(above_prompt_tokens=200_000, input_usd_per_mtok=6.0,
                                           output_usd_per_mtok=22.5))  # fmt: skip
    w = Workload(1, 150_000, 500)
    scale = np.array([1.0, 1.5])  # the second draw's prompt is 225,000 tokens
    b = bill(pro, w, Billing(), input_scale=scale)
    assert np.allclose(b.usd_per_query, [(150_000 * 3 + 500 * 15) / 1e6, (225_000 * 6 + 500 * 22.5) / 1e6])


@given(s.tokens, s.tokens, s.share)
def test_arrays_equal_their_points(tin, tout, cached):
    w = Workload(1, tin, tout, cached_input_share=cached)
    point = per_query(SONNET, w, reasoning=100.0)
    many = bill(SONNET, w, Billing(), np.array([100.0, 100.0]), input_scale=np.ones(2)).usd_per_query
    assert np.all(np.asarray(many) == point)


def test_rates_fall_back_where_a_price_is_missing():
    r, notes = rates(api(), Billing())
    assert r.cached_input == 3.0 and r.cache_write == 0.0 and [n.code for n in notes] == ["no_cached_price"]
    r, notes = rates(api(cached_input_usd_per_mtok=0.3, cache_write_usd_per_mtok=3.75), Billing(cache_ttl="1h"))
    assert r.cache_write == 3.75 and any(n.code == "no_1h_write_price" for n in notes)


def test_compare_bills_gpt5_reasoning_at_the_default_effort():
    # the shipped data: gpt-5's documented default is medium, 3,509 reasoning tokens (AA median)
    r = llmcost.compare(50_000, apis=["openai/gpt-5"], models=["llama-3.1-8b"])
    (gpt5,) = [o for o in r.options if o.id == "openai/gpt-5"]
    assert gpt5.reasoning["effort"] == "medium" and gpt5.reasoning["reasoning_tokens"] == 3509
    assert r.assumptions["reasoning"]["openai/gpt-5"]["why"] == "provider default"
    minimal = llmcost.compare(50_000, apis=["openai/gpt-5"], models=["llama-3.1-8b"], reasoning_effort="minimal")
    (low,) = [o for o in minimal.options if o.id == "openai/gpt-5"]
    # minimal reasons 0 tokens: the bill is 2,000 x 1.25 + 500 x 10 per query again
    assert low.cost_per_query_usd == pytest.approx(0.0075)
    assert gpt5.cost_per_query_usd / low.cost_per_query_usd == pytest.approx(42_590 / 7_500)
