from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

from llmcost.api_cost import effective_prices, monthly_api_cost_usd
from tests import strategies as s


def test_gpt4o_at_10k_queries_per_day_hand_worked(cat):
    # (2,000 x $2.50 + 500 x $10.00) / 1e6 = $0.0100 per query
    # x 10,000 queries/day x 365/12 days = $3,041.67 per month
    # (the seed article says $2,250: that figure does not follow from current prices)
    prices = effective_prices(cat.api("openai/gpt-4o"), 2000)
    assert monthly_api_cost_usd(prices, 10_000, 2000, 500) == pytest.approx(3041.6667, abs=0.01)


def test_cached_input_and_batch_discount(cat):
    api = cat.api("openai/gpt-4o")
    # half the input cached: 1,000 x 2.50 + 1,000 x 1.25 + 500 x 10 = 8,750 per 1e6 = $0.00875
    cached = effective_prices(api, 2000)
    assert monthly_api_cost_usd(cached, 1, 2000, 500, 0.5, 1) == pytest.approx(0.00875)
    # batch API: 50% off everything
    batch = effective_prices(api, 2000, batch=True)
    assert monthly_api_cost_usd(batch, 1, 2000, 500, 0.5, 1) == pytest.approx(0.004375)


def test_long_context_tier_applies_above_threshold(cat):
    api = cat.api("anthropic/claude-sonnet-4")
    assert effective_prices(api, 200_000).tier == "standard"
    long = effective_prices(api, 250_000)
    assert long.tier == "long_context" and long.input_usd_per_mtok == 6.0


def test_missing_cached_price_bills_full_input_price(cat):
    prices = effective_prices(cat.api("together/llama-3.1-70b"), 2000, cached_input_share=0.5)
    assert prices.cached_input_usd_per_mtok == prices.input_usd_per_mtok
    assert any(n.code == "no_cached_price" for n in prices.notes)


@given(s.queries_per_day, s.tokens, s.tokens, s.share, s.scale)
def test_api_cost_is_linear_in_volume(cat, qpd, tin, tout, cached, k):
    prices = effective_prices(cat.api("openai/gpt-4o"), tin)
    one = monthly_api_cost_usd(prices, qpd, tin, tout, cached)
    assert monthly_api_cost_usd(prices, qpd * k, tin, tout, cached) == pytest.approx(one * k, rel=1e-9)


def test_accepts_numpy_arrays(cat):
    prices = effective_prices(cat.api("openai/gpt-4o"), 2000)
    qpd = np.array([1_000.0, 10_000.0, 100_000.0])
    out = monthly_api_cost_usd(prices, qpd, 2000, 500)
    assert out.shape == (3,) and out[1] == pytest.approx(3041.6667, abs=0.01)
