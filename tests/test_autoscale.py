from __future__ import annotations

import pytest

import llmcost
from llmcost.autoscale import autoscale, profile_weights
from llmcost.errors import UsageError
from tests.test_breakeven import _curve


def test_autoscaled_gpu_hours_by_hand(cat):
    curve = _curve(cat, 2.0, 10_000, 0)  # $2/h per replica
    per_replica_rps = curve.config.capacity.requests_per_s * 0.7
    # business day: the day's queries over 9 hours; choose a volume needing exactly 4 replicas then
    qpd = 4 * per_replica_rps * 3600 * 9
    auto = autoscale(curve, qpd, "business-day", min_replicas=1, utilization_target=0.7)
    assert auto.replicas_by_hour == [1] * 9 + [4] * 9 + [1] * 6 and auto.peak_replicas == 4
    # 15 hours x 1 + 9 hours x 4 = 51 replica-hours a day x 730/24 days = 1,551.25 GPU-hours
    assert auto.gpu_hours_per_month == pytest.approx(51 * 730 / 24)
    # cost: 51 replica-hours x $2 x 730/24 days = $3,102.50 vs fixed 4 x $2 x 730 = $5,840
    assert auto.monthly_gpu_cost_usd == pytest.approx(51 * 2 * 730 / 24)
    assert auto.fixed_peak_monthly_gpu_cost_usd == pytest.approx(5840)


def test_flat_profile_with_minimum(cat):
    curve = _curve(cat, 2.0, 10_000, 0)
    auto = autoscale(curve, 1.0, "flat", min_replicas=2, utilization_target=0.7)
    assert set(auto.replicas_by_hour) == {2} and auto.monthly_gpu_cost_usd == pytest.approx(
        auto.fixed_peak_monthly_gpu_cost_usd
    )


@pytest.mark.parametrize("bad", ["weekend", [1.0] * 23, [-1.0] + [1.0] * 23, [0.0] * 24])
def test_bad_profiles(bad):
    with pytest.raises(UsageError, match="profile"):
        profile_weights(bad)


def test_compare_reports_autoscaled_against_fixed(cat):
    base = dict(models=["llama-3.1-70b"], apis=["openai/gpt-4o"], gpus=["h100-sxm"], catalog=cat)
    fixed = next(o for o in llmcost.compare(50_000, **base).options() if o["kind"] == "self_hosted")
    auto = next(o for o in llmcost.compare(50_000, autoscale=True, **base).options() if o["kind"] == "self_hosted")
    a = auto["autoscaling"]
    assert fixed["autoscaling"] is None and a["profile"] == "business-day"
    assert auto["monthly_gpu_cost_usd"] == pytest.approx(a["monthly_gpu_cost_usd"])
    assert a["monthly_gpu_cost_usd"] <= a["fixed_peak_monthly_gpu_cost_usd"]
