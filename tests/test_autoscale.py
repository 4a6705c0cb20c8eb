from __future__ import annotations

import pytest

import llmcost
from llmcost.errors import UsageError
from llmcost.inputs import Autoscaling, profile_weights
from llmcost.selfhost import autoscaled
from tests.test_breakeven import _curve


def _auto(profile, min_replicas=1):
    name, weights = profile_weights(profile)
    return Autoscaling(name, weights, min_replicas)


def test_autoscaled_gpu_hours_by_hand(cat):
    curve, f = _curve(cat, 2.0, 10_000, 0)  # $2/h per replica; 10,000 queries/day = 0.1157 requests/s
    # business day: the day's queries over 9 hours; choose a volume needing exactly 4 replicas then
    qpd = 4 * (10_000 / 86_400) * 3600 * 9
    auto = autoscaled(curve, qpd, _auto("business-day"), f)
    assert auto.replicas_by_hour == (1,) * 9 + (4,) * 9 + (1,) * 6 and auto.peak_replicas == 4
    # 15 hours x 1 + 9 hours x 4 = 51 replica-hours a day x 730/24 days = 1,551.25 GPU-hours
    assert auto.gpu_hours_per_month == pytest.approx(51 * 730 / 24)
    # cost: 51 replica-hours x $2 x 730/24 days = $3,102.50 vs fixed 4 x $2 x 730 = $5,840
    assert auto.monthly_gpu_cost_usd == pytest.approx(51 * 2 * 730 / 24)
    assert auto.fixed_peak_monthly_gpu_cost_usd == pytest.approx(5840)


def test_flat_profile_with_minimum(cat):
    curve, f = _curve(cat, 2.0, 10_000, 0)
    auto = autoscaled(curve, 1.0, _auto("flat", 2), f)
    assert set(auto.replicas_by_hour) == {2} and auto.monthly_gpu_cost_usd == pytest.approx(
        auto.fixed_peak_monthly_gpu_cost_usd
    )


@pytest.mark.parametrize("bad", ["weekend", [1.0] * 23, [-1.0] + [1.0] * 23, [0.0] * 24])
def test_bad_profiles(bad):
    with pytest.raises(UsageError, match="profile"):
        profile_weights(bad)


def test_compare_reports_autoscaled_against_fixed(cat):
    base = dict(models=["llama-3.1-70b"], apis=["openai/gpt-4o"], gpus=["h100-sxm"], catalog=cat)
    fixed = next(o for o in llmcost.compare(50_000, **base).to_dict()["options"] if o["kind"] == "self_hosted")
    auto = next(
        o for o in llmcost.compare(50_000, autoscale=True, **base).to_dict()["options"] if o["kind"] == "self_hosted"
    )
    a = auto["autoscaling"]
    assert fixed["autoscaling"] is None and a["profile"] == "business-day"
    assert auto["monthly_gpu_cost_usd"] == pytest.approx(a["monthly_gpu_cost_usd"])
    assert a["monthly_gpu_cost_usd"] <= a["fixed_peak_monthly_gpu_cost_usd"]
