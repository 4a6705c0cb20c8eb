from __future__ import annotations

import pytest

import llmcost
from llmcost.errors import UsageError
from llmcost.routing import best_share, blended_monthly_usd
from tests.test_breakeven import _curve


def test_hybrid_arithmetic_by_hand(cat):
    # a replica carries 10,000 queries/day for $2/h x 730 h = $1,460/month; fixed costs $4,100;
    # the API costs $0.30 per query-per-day per month; 50,000 queries/day, 70% self-hosted:
    # 35,000 -> 4 replicas: 4 x 1,460 + 4,100 = 9,940; API: 0.30 x 15,000 = 4,500; total 14,440
    curve, f = _curve(cat, 2.0, 10_000, 4100)
    assert blended_monthly_usd(0.30, curve, 50_000, 0.7, f) == pytest.approx(14_440)
    assert blended_monthly_usd(0.30, curve, 50_000, 0.0, f) == pytest.approx(15_000)  # all API, no fixed costs


def test_optimal_share_sits_on_a_replica_boundary(cat):
    # allowed up to 65%: 0 -> 15,000; 20% -> 5,560 + 12,000 = 17,560; 40% -> 7,020 + 9,000 = 16,020;
    # 60% -> 8,480 + 6,000 = 14,480; 65% -> 9,940 + 5,250 = 15,190: the best is 60% (three full replicas)
    curve, f = _curve(cat, 2.0, 10_000, 4100)
    share, cost = best_share(0.30, curve, 50_000, 0.65, f)
    assert share == pytest.approx(0.6) and cost == pytest.approx(14_480)


def test_hybrid_result_keys_and_consistency(cat):
    out = llmcost.hybrid(50_000, share=0.7, models=["llama-3.1-70b"], apis=["openai/gpt-4o"], catalog=cat).to_dict()
    assert {
        "blended_cost_per_query_usd",
        "monthly_cost_usd",
        "saving_vs_all_api_usd",
        "optimal_share",
    } <= set(out)
    assert out["optimal_monthly_cost_usd"] <= min(out["monthly_cost_usd"], out["all_api_monthly_cost_usd"]) + 1e-6


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"share": 1.5}, "share: Input should be less than or equal to 1"),
        ({"share": -0.1}, "share: Input should be greater than or equal to 0"),
        ({"share": None}, "hybrid needs --share"),
    ],
)
def test_hybrid_bad_input(cat, kwargs, message):
    with pytest.raises(UsageError, match=message):
        llmcost.hybrid(1000, models=["llama-3.1-8b"], apis=["openai/gpt-4o"], catalog=cat, **kwargs)
