"""One path through the model: every setting honoured or refused, one formula for a point and its
draws, the same configuration rule across commands, requested models that never vanish."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import llmcost
from llmcost.cli import main
from llmcost.commands.common import factors, inputs_for, model_curves
from llmcost.crossings import breakeven_volumes, solve
from llmcost.errors import UsageError
from llmcost.inputs import Autoscaling, profile_weights
from llmcost.selfhost import Factors, autoscaled, autoscaled_gpu_usd, fleet_cost_usd
from tests import strategies as s
from tests.test_breakeven import _curve

PAIR = dict(models=["llama-3.1-70b"], apis=["openai/gpt-4o"])
# every range collapsed to a point: Monte Carlo must then equal the point answer exactly
POINTS = dict(
    throughput_factor=1.0,
    gpu_price_factor=1.0,
    hidden_cost_overrides={"devops": 3500, "monitoring": 200, "load_balancing": 125, "storage": 75, "backup": 200},
)


def _self(result):
    return next(o for o in result.to_dict()["options"] if o["kind"] == "self_hosted" and o["feasible"])


# ---------------------------------------------------------------- every setting honoured or refused


@pytest.mark.parametrize(
    ("command", "setting", "takers"),
    [
        (llmcost.sensitivity, {"autoscale": True}, "compare, breakeven, hybrid, tco, platforms"),
        (llmcost.sensitivity, {"monte_carlo": 100}, "compare, breakeven, hybrid, tco, platforms"),
        (llmcost.compare, {"share": 0.5}, "hybrid"),
        (llmcost.compare, {"months": 6}, "tco"),
        (llmcost.tco, {"max_qpd": 1e6}, "breakeven, sensitivity, platforms"),
        (llmcost.hybrid, {"show_all": True}, "compare"),
    ],
)
def test_a_setting_a_command_does_not_use_is_refused(cat, command, setting, takers):
    name = next(iter(setting))
    with pytest.raises(UsageError, match=rf"setting '{name}' is not used by .*; it is taken by {takers}$"):
        command(50_000, **PAIR, catalog=cat, **setting)


def test_the_cli_refuses_a_scenario_setting_the_command_does_not_use(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text("qpd: 1000\nshare: 0.5\n")
    assert main(["compare", "--scenario", str(path)]) == 2
    assert capsys.readouterr().err.strip() == (
        "llmcost: error: setting 'share' is not used by compare; it is taken by hybrid"
    )


def test_autoscaling_works_in_every_decision(cat):
    auto = dict(autoscale=True, profile="business-day", **PAIR, catalog=cat)
    tco_fixed = llmcost.tco(50_000, months=3, **PAIR, catalog=cat).to_dict()
    tco_auto = llmcost.tco(50_000, months=3, **auto).to_dict()
    assert tco_auto["assumptions"]["autoscale"] == {"profile": "business-day", "min_replicas": 1}
    assert tco_auto["total_self_hosted_usd"] != tco_fixed["total_self_hosted_usd"]
    hybrid = llmcost.hybrid(50_000, share=0.5, **auto).to_dict()
    assert hybrid["assumptions"]["autoscale"]["profile"] == "business-day"
    pair = llmcost.breakeven(**auto).to_dict()["pairs"][0]
    fixed = llmcost.breakeven(**PAIR, catalog=cat).to_dict()["pairs"][0]
    assert pair["self_hosted_cheaper_above_qpd"] != fixed["self_hosted_cheaper_above_qpd"]
    notes = llmcost.compare(50_000, **auto).to_dict()["assumptions"]["notes"]
    assert not any("fixed" in n for n in notes) and any("business-day" in n for n in notes)


def test_monte_carlo_works_in_tco(cat):
    out = llmcost.tco(50_000, months=6, monte_carlo=500, seed=1, **PAIR, catalog=cat).to_dict()
    assert out["total_self_hosted_usd_p10"] < out["total_self_hosted_usd_p90"]
    assert 0 <= out["p_payback_within_horizon"] <= 1


def test_what_if_factors_change_the_point_answer(cat):
    base = dict(models=["llama-3.1-8b"], quants=["fp8"], gpus=["h100-sxm"], apis=["openai/gpt-4o"], catalog=cat)
    plain = _self(llmcost.compare(2_000_000, **base))
    cheap = _self(llmcost.compare(2_000_000, gpu_price_factor=0.5, **base))
    fast = _self(llmcost.compare(2_000_000, throughput_factor=2.0, **base))
    # half the GPU price: the same replicas at half the GPU line, the hidden costs unchanged
    assert cheap["replicas"] == plain["replicas"]
    assert cheap["monthly_gpu_cost_usd"] == pytest.approx(plain["monthly_gpu_cost_usd"] / 2)
    assert cheap["monthly_hidden_cost_usd"] == plain["monthly_hidden_cost_usd"]
    # twice the throughput: half the replicas (rounded up)
    assert fast["replicas"] == -(-plain["replicas"] // 2)


def test_hidden_costs_as_a_mapping_override_those_lines(cat):
    own = _self(llmcost.compare(10_000, hidden_costs={"devops": 1000}, **PAIR, catalog=cat))
    plain = _self(llmcost.compare(10_000, **PAIR, catalog=cat))
    # devops 1,000 instead of 3,500; the other lines as they were
    assert own["monthly_hidden_cost_usd"] == pytest.approx(plain["monthly_hidden_cost_usd"] - 2500)
    flat = _self(
        llmcost.compare(10_000, hidden_costs="flat", hidden_cost_overrides={"devops": 1000}, **PAIR, catalog=cat)
    )
    assert flat["monthly_hidden_cost_usd"] == pytest.approx(1000 + 200 + 125 + 75 + 200)


# ---------------------------------------------------------------- requested models never vanish


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown"])
def test_a_requested_model_that_cannot_run_gets_a_row_with_its_reason(capsys, fmt):
    code = main(["compare", "--qpd", "50000", "--model", "llama-3.1-405b", "--gpu", "t4", "--format", fmt])
    out = capsys.readouterr().out
    assert code == 0 and "llama-3.1-405b" in out and "does not fit" in out
    if fmt == "json":
        (row,) = [o for o in json.loads(out)["options"] if o["kind"] == "self_hosted"]
        assert not row["feasible"] and row["short_gb"] > 0 and "short by" in row["reason"]


# ---------------------------------------------------------------- one rule per choice, said


def test_the_same_rule_gives_the_same_configuration_across_commands(cat):
    compare = _self(llmcost.compare(50_000, **PAIR, catalog=cat))
    tornado = llmcost.sensitivity(50_000, **PAIR, catalog=cat).to_dict()
    assert tornado["selection_rule"] == llmcost.compare(50_000, **PAIR, catalog=cat).to_dict()["selection_rule"]
    assert tornado["self_hosted"] == compare["id"]  # both: cheapest at this volume
    pair = llmcost.breakeven(**PAIR, catalog=cat).to_dict()["pairs"][0]
    by_breakeven = llmcost.sensitivity(metric="breakeven", **PAIR, catalog=cat).to_dict()
    assert by_breakeven["selection_rule"] == llmcost.breakeven(**PAIR, catalog=cat).to_dict()["selection_rule"]
    assert by_breakeven["self_hosted"] == pair["self_hosted"]  # both: pays off soonest
    tco = llmcost.tco(50_000, **PAIR, catalog=cat).to_dict()
    assert tco["selection_rule"] == "cheapest over the horizon"


# ---------------------------------------------------------------- one formula for a point and its draws


def test_collapsed_monte_carlo_equals_the_point_answer_in_every_command(cat):
    mc = dict(monte_carlo=300, seed=7, **POINTS, **PAIR, catalog=cat)
    for o in llmcost.compare(50_000, **mc).to_dict()["options"]:
        assert o["monthly_cost_usd_p10"] == o["monthly_cost_usd"] == o["monthly_cost_usd_p90"]
    point = llmcost.breakeven(**POINTS, **PAIR, catalog=cat).to_dict()["pairs"][0]
    drawn = llmcost.breakeven(monte_carlo=300, seed=7, **POINTS, **PAIR, catalog=cat).to_dict()["pairs"][0]
    assert drawn["breakeven_qpd_p10"] == point["self_hosted_cheaper_above_qpd"] == drawn["breakeven_qpd_p90"]
    hybrid = llmcost.hybrid(50_000, share=0.6, **mc).to_dict()
    assert hybrid["monthly_cost_usd_p10"] == hybrid["monthly_cost_usd"] == hybrid["monthly_cost_usd_p90"]
    tco = llmcost.tco(50_000, months=4, **mc).to_dict()
    assert tco["total_self_hosted_usd_p50"] == tco["total_self_hosted_usd"]
    assert tco["total_api_usd_p50"] == tco["total_api_usd"]
    auto = llmcost.compare(50_000, autoscale=True, **mc).to_dict()["options"]
    assert all(o["monthly_cost_usd_p50"] == o["monthly_cost_usd"] for o in auto)


@settings(max_examples=40, deadline=None)
@given(n=s.draws, thr=s.factor, util=s.utilization, peak=s.peak, price=s.factor, hidden=s.usd, qpd=s.queries_per_day)
def test_array_in_array_out_and_each_draw_equals_its_point(cat, n, thr, util, peak, price, hidden, qpd):
    curve, _ = _curve(cat, 2.0, 10_000, 0)
    point = Factors(thr, util, peak, price, hidden)
    arrays = Factors(*(np.full(n, x) for x in (thr, util, peak, price, hidden)))
    q = np.full(n, qpd)
    for fn in (curve.replicas, curve.monthly_cost_usd, lambda v, f: fleet_cost_usd(curve, v, f)):
        many = fn(q, arrays)
        assert isinstance(many, np.ndarray) and many.shape == (n,) and np.all(many == fn(qpd, point))
    auto = Autoscaling(*profile_weights("business-day"), 1)
    many = autoscaled_gpu_usd(curve, q, auto, arrays)
    assert many.shape == (n,) and np.all(many == autoscaled_gpu_usd(curve, qpd, auto, point))
    sol = solve(0.5, curve, point, 2e6)
    volumes = breakeven_volumes(np.full(n, 0.5), curve, arrays, 2e6)
    expected = sol.self_hosted_cheaper_above_qpd
    assert volumes.shape == (n,) and (np.all(np.isnan(volumes)) if expected is None else np.all(volumes == expected))


# ---------------------------------------------------------------- properties that can fail


@settings(max_examples=60, deadline=None)
@given(weights=s.profile, qpd=s.queries_per_day, minimum=st.integers(1, 4))
def test_autoscaled_cost_never_exceeds_fixed_capacity_for_the_peak(cat, weights, qpd, minimum):
    curve, f = _curve(cat, 2.0, 10_000, 0)
    a = autoscaled(curve, qpd, Autoscaling(*profile_weights(weights), minimum), f)
    assert a.monthly_gpu_cost_usd <= a.fixed_peak_monthly_gpu_cost_usd + 1e-6
    assert min(a.replicas_by_hour) >= minimum


@settings(max_examples=60, deadline=None)
@given(qpd=s.queries_per_day, k=s.scale, price=s.factor, more=s.scale)
def test_self_hosted_cost_is_monotone_in_volume_and_gpu_price(cat, qpd, k, price, more):
    curve, _ = _curve(cat, 2.0, 10_000, 4100)
    lo_q, hi_q = sorted((qpd, qpd * k))
    lo_p, hi_p = sorted((price, price * more))
    f = Factors(1.0, 1.0, 1.0, lo_p, 4100.0, 10_000 / 86_400)
    g = Factors(1.0, 1.0, 1.0, hi_p, 4100.0, 10_000 / 86_400)
    assert curve.monthly_cost_usd(lo_q, f) <= curve.monthly_cost_usd(hi_q, f)
    assert curve.monthly_cost_usd(qpd, f) <= curve.monthly_cost_usd(qpd, g)


def test_the_point_factors_are_the_scenarios_central_values(cat):
    inp = inputs_for("compare", None, cat, {"qpd": 1000, "utilization": "0.5..0.7", "peak_factor": 2.0, **PAIR})
    f = factors(inp)
    assert (f.utilization, f.peak_factor, f.throughput, f.gpu_price) == (0.6, 2.0, 1.0, 1.0)
    assert model_curves(inp, inp.models[0])[0]


# ---------------------------------------------------------------- errors name the parameter, the CLI the flag


def test_library_errors_name_the_parameter_and_the_cli_the_flag(cat, capsys):
    with pytest.raises(UsageError, match=r"^cached_input_share: ") as info:
        llmcost.compare(1000, cached_input_share=2, catalog=cat)
    assert info.value.param == "cached_input_share"
    assert main(["compare", "--qpd", "1000", "--cached-share", "2"]) == 2
    assert capsys.readouterr().err.startswith("llmcost: error: --cached-share: ")
    assert main(["compare", "--qpd", "1000", "--api", "openai/gpt4o"]) == 2
    assert "unknown API model 'openai/gpt4o'" in capsys.readouterr().err
