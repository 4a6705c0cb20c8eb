from __future__ import annotations

import pytest

import llmcost
from llmcost.errors import UsageError
from llmcost.timeline import timeline
from tests.test_breakeven import _curve


def test_payback_month_by_hand(cat):
    # replica: 10,000 queries/day for $1,460/month; fixed $4,100; updates $500/month; set-up $10,000;
    # API $0.30 per query-per-day-month; 30,000 queries/day growing 50% a month:
    # month 1: 30,000 -> 3 replicas: 4,380 + 4,100 + 500 + 10,000 = 18,980 vs API 9,000
    # month 2: 45,000 -> 5 replicas: 7,300 + 4,600 = 11,900 vs 13,500     cumulative 30,880 vs 22,500
    # month 3: 67,500 -> 7 replicas: 10,220 + 4,600 = 14,820 vs 20,250   cumulative 45,700 vs 42,750
    # month 4: 101,250 -> 11 replicas: 16,060 + 4,600 = 20,660 vs 30,375 cumulative 66,360 vs 73,125
    curve, f = _curve(cat, 2.0, 10_000, 4100)
    t = timeline(0.30, curve, 30_000, 4, 0.5, 10_000, 500, f)
    assert t.self_hosted_usd.tolist() == pytest.approx([18_980, 11_900, 14_820, 20_660])
    assert t.cumulative_api_usd.tolist() == pytest.approx([9_000, 22_500, 42_750, 73_125])
    assert t.payback_month == 4


def test_no_payback_within_horizon(cat):
    curve, f = _curve(cat, 2.0, 10_000, 4100)
    t = timeline(0.30, curve, 30_000, 3, 0.1, 10_000, 500, f)
    assert t.payback_month is None


def test_tco_result(cat):
    out = llmcost.tco(
        50_000, months=24, growth=0.05, models=["llama-3.1-70b"], apis=["openai/gpt-4o"], catalog=cat
    ).to_dict()
    assert len(out["months"]) == 24 and out["months"][-1]["queries_per_day"] == pytest.approx(50_000 * 1.05**23)
    assert out["total_api_usd"] == pytest.approx(out["months"][-1]["cumulative_api_usd"])
    # set-up: midpoint 3 weeks x 5 days x the midpoint loaded day rate (728-791 -> 759.5)
    assert out["one_time_setup_usd"] == pytest.approx(3 * 5 * 759.5)
    assert out["payback_month"] is not None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"months": 0}, "months: Input should be greater than 0"),
        ({"growth": -1.5}, "growth: Input should be greater than -1"),
    ],
)
def test_tco_bad_input(cat, kwargs, message):
    with pytest.raises(UsageError, match=message):
        llmcost.tco(1000, models=["llama-3.1-8b"], apis=["openai/gpt-4o"], catalog=cat, **kwargs)
