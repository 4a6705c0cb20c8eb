"""Serving platforms under uncertainty: the tornado of a platform against the API (sensitivity
--platforms ID) and Monte Carlo of the platform rows in breakeven, tco and hybrid."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost.catalog import load_catalog
from llmcost.cli import main
from llmcost.commands.breakeven import breakeven
from llmcost.commands.common import inputs_for
from llmcost.commands.hybrid import hybrid
from llmcost.commands.platforms import cold_start_ranges, platforms, sensitivity_case
from llmcost.commands.sensitivity import sensitivity
from llmcost.commands.tco import tco
from llmcost.errors import UsageError
from llmcost.platforms import (
    PlatformBill,
    Replica,
    Rules,
    cheaper_above,
    gated_cost,
    platform_bill,
    rules_for,
    shaped_profile,
)
from tests import strategies as S

# a bursty internal assistant (the README's platforms example): office hours, nothing at night
BURSTY = [0, 0, 0, 0, 0, 0, 1, 3, 8, 10, 9, 6, 5, 7, 9, 8, 5, 3, 2, 1, 1, 0, 0, 0]
PAIR = {"models": ["llama-3.3-70b"], "apis": ["groq/llama-3.3-70b"], "profile": [float(x) for x in BURSTY]}


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


def _run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- model helpers


def test_shaped_profile_by_hand():
    w = [0.0] * 24
    w[9], w[10] = 0.75, 0.25  # peak 0.75 x 24 = 18 x the mean hour
    # lower to 10: mix with the flat day, t = (18 - 10) / (18 - 1) = 8/17; peak share (9/17) 0.75 + (8/17)/24
    low = shaped_profile(w, 10.0)
    assert low[9] == pytest.approx((9 / 17) * 0.75 + (8 / 17) / 24) == pytest.approx(10 / 24)
    assert low[0] == pytest.approx((8 / 17) / 24)
    # raise to 21: mix with all of the day at 09:00, t = (21 - 18) / (24 - 18) = 0.5; 0.5 x 0.75 + 0.5 = 0.875
    high = shaped_profile(w, 21.0)
    assert high[9] == pytest.approx(0.875) and high[10] == pytest.approx(0.125)
    assert np.allclose(shaped_profile(w, 1.0), 1 / 24)  # flat
    with pytest.raises(UsageError, match=r"1\.\.24"):
        shaped_profile(w, 30.0)


@given(S.profile, st.floats(min_value=1.0, max_value=24.0))
@settings(max_examples=60, deadline=None)
def test_shaped_profile_keeps_shares_and_hits_the_peak(weights, peak):
    w = np.asarray(weights) / sum(weights)
    out = shaped_profile(w, peak)
    assert out.min() >= -1e-15 and out.sum() == pytest.approx(1.0)
    assert out.max() * 24 == pytest.approx(peak)


def test_cheaper_above_by_hand():
    # an option costing $100 + $1 per query/day against one costing $2 per query/day: excess
    # 100 + q - 2q = 100 - q, cheaper above q = 100
    x = cheaper_above(lambda q: 100.0 - q, 1, 1.0, 1e7)
    assert x[0] == pytest.approx(100.0, rel=1e-7)
    assert cheaper_above(lambda q: -np.ones_like(q), 1, 1.0, 1e7)[0] == 1.0  # cheaper everywhere
    assert np.isnan(cheaper_above(lambda q: np.ones_like(q), 1, 1.0, 1e7)[0])  # never cheaper
    # cheaper between 10 and 1,000 only: not cheaper at the top, so no break-even
    assert np.isnan(cheaper_above(lambda q: np.where((q > 10) & (q < 1000), -1.0, 1.0), 1, 1.0, 1e7)[0])


@given(st.lists(st.floats(min_value=2.0, max_value=5e6), min_size=1, max_size=20))
@settings(max_examples=40, deadline=None)
def test_cheaper_above_finds_each_draws_own_volume(fixed):
    c = np.asarray(fixed)
    x = cheaper_above(lambda q: c - q, c.size, 1.0, 1e7)  # draw i is cheaper above c_i
    assert np.allclose(x, c, rtol=1e-6)


def test_gated_cost_rules_out_cold_starts():
    rules = Rules("t", "serverless", "h100-sxm", 0.001, 1, 1.0, 60.0, 60.0, 0, ("model_load",), 0.0, 0.0)
    rep = Replica(1.0, 2.0, 10.0, 200.0, 100.0, {"image_pull": 0.0, "model_load": 100.0})
    b = platform_bill(rules, rep, np.array([100.0, 2e6]), (1 / 24,) * 24, 30.0)
    assert isinstance(b, PlatformBill)
    cost = gated_cost(b, max_ttft_ms=5_000)  # the cold TTFT is 100.2 s
    waits = np.asarray(b.cold_wait_share)
    assert waits[0] > 0.01 and np.isinf(cost[0])  # 100 a day: most requests wait for a start
    assert waits[1] <= 0.01 and cost[1] == np.asarray(b.monthly_cost_usd)[1]
    assert np.array_equal(gated_cost(b, None), np.asarray(b.monthly_cost_usd))


# ---------------------------------------------------------------- the tornado


def _swing(result, prefix):
    return next(r for r in result.inputs if r.input.startswith(prefix))


def _row(result, option_id):
    return next(o for o in result.options if o.id == option_id)


def test_tornado_ends_are_the_point_model_there(cat):
    """Each swing's result at low and high equals the platforms command's point answer with that
    input set there (the platform row minus the API row)."""
    pin = {**PAIR, "gpus": ["rtx-pro-6000"], "quants": ["fp4"]}  # one configuration at every volume swung
    t = sensitivity(qpd="10000..40000", utilization="0.5..0.9", peak_factor="2..5", platforms=["modal"],
                    catalog=cat, **pin)  # fmt: skip
    assert t.self_hosted.startswith("modal:") and t.unit.startswith("USD/month (platform minus API)")
    base = platforms(qpd=25_000, utilization=0.7, platforms=["modal"], catalog=cat, **pin)
    assert t.base == pytest.approx(
        _row(base, t.self_hosted).monthly_cost_usd - _row(base, PAIR["apis"][0]).monthly_cost_usd
    )
    for prefix, setting, pick in (
        ("queries per day", "qpd", lambda x: {"qpd": x, "utilization": 0.7}),
        ("utilization target", "utilization", lambda x: {"qpd": 25_000, "utilization": x}),
    ):
        s = _swing(t, prefix)
        for x, got in ((s.low, s.result_at_low), (s.high, s.result_at_high)):
            p = platforms(platforms=["modal"], catalog=cat, **pin, **pick(x))
            want = _row(p, t.self_hosted).monthly_cost_usd - _row(p, PAIR["apis"][0]).monthly_cost_usd
            assert got == pytest.approx(want, rel=1e-9), (setting, x)
    s = _swing(t, "profile peak")
    assert (s.low, s.high) == (2.0, 5.0)
    for x, got in ((s.low, s.result_at_low), (s.high, s.result_at_high)):
        shaped = [float(v) for v in shaped_profile(np.asarray(BURSTY) / sum(BURSTY), x)]
        p = platforms(qpd=25_000, utilization=0.7, platforms=["modal"], catalog=cat, **{**pin, "profile": shaped})
        want = _row(p, t.self_hosted).monthly_cost_usd - _row(p, PAIR["apis"][0]).monthly_cost_usd
        assert got == pytest.approx(want, rel=1e-9)
    widths = [r.swing for r in t.inputs]
    assert widths == sorted(widths, reverse=True)


def test_cold_start_and_idle_swings_are_the_bill_with_that_input(cat):
    t = sensitivity(qpd=20_000, platforms=["modal:1xrtx-pro-6000"], catalog=cat, **PAIR)
    # the decomposed Tensorfuse measurements: 16 GB in 33 s (uncached) and 18 s (cached); engine
    # start 10 + 42 + 54 + 94 = 200 s and 10 + 13 + 7 + 34 = 64 s
    assert sorted(cold_start_ranges(cat)) == [pytest.approx((16 / 33, 200.0)), pytest.approx((16 / 18, 64.0))]
    inp = inputs_for("sensitivity", None, cat, {"qpd": 20_000, "platforms": ["modal:1xrtx-pro-6000"], **PAIR})
    case = sensitivity_case(inp, cat, inp.models[0], PAIR["apis"][0], "cost_difference")
    api_usd = _row(platforms(qpd=20_000, platforms=["modal"], catalog=cat, **PAIR), PAIR["apis"][0]).monthly_cost_usd
    gb, rep, days = case.weights_gb, case.replica, case.days_per_month
    # the point basis: model load = weights / (16/18 GB/s) + 64 s
    assert rep.phases_s["model_load"] == pytest.approx(gb * 18 / 16 + 64.0)

    def month(rules, model_load_s):
        r = replace(rep, cold_start_s=model_load_s, phases_s={"image_pull": 0.0, "model_load": model_load_s})
        return float(platform_bill(rules, r, 20_000.0, case.profile, days).monthly_cost_usd) - api_usd

    engine = _swing(t, "cold start: engine start")
    assert (engine.low, engine.high) == pytest.approx((64.0, 200.0))
    assert engine.result_at_low == pytest.approx(t.base)
    assert engine.result_at_high == pytest.approx(month(case.rules, gb * 18 / 16 + 200.0))  # 136 s longer
    assert engine.result_at_high > engine.result_at_low  # modal bills the model load
    load = _swing(t, "cold start: weights load")
    assert load.result_at_low == pytest.approx(month(case.rules, gb * 33 / 16 + 64.0))
    idle = _swing(t, "idle window")
    assert (idle.low, idle.high) == (2.0, 1200.0)  # Modal's documented 2-1200 s scaledown window
    modal = cat.platforms["modal"]
    for x, got in ((2.0, idle.result_at_low), (1200.0, idle.result_at_high)):
        assert got == pytest.approx(month(rules_for(modal, "rtx-pro-6000", 1, idle_window_s=x), gb * 18 / 16 + 64.0))
    assert idle.result_at_low < t.base  # a 2 s window bills less idle time than the default 60 s


def test_breakeven_tornado_matches_monte_carlo_at_a_point(cat):
    t = sensitivity(metric="breakeven", platforms=["modal"], peak_factor="2..5", catalog=cat, **PAIR)
    assert t.unit == "queries/day (platform break-even)" and t.base is not None
    # the point break-even: the platform's row and the API's swap there
    lo, hi = (
        platforms(qpd=t.base * 0.999, platforms=["modal"], catalog=cat, **PAIR),
        platforms(qpd=t.base * 1.001, platforms=["modal"], catalog=cat, **PAIR),
    )
    api = PAIR["apis"][0]
    assert _row(lo, t.self_hosted).monthly_cost_usd > _row(lo, api).monthly_cost_usd
    assert _row(hi, t.self_hosted).monthly_cost_usd < _row(hi, api).monthly_cost_usd
    assert "queries per day" not in {r.input for r in t.inputs}


# ---------------------------------------------------------------- Monte Carlo


def _ordered(band, key):
    a, b, c = (band[f"{key}_p{p}"] for p in (10, 50, 90))
    assert a is not None and c is not None
    assert a <= b <= c


def test_breakeven_monte_carlo_of_platform_rows(cat):
    r = breakeven(qpd=20_000, platforms=["all"], monte_carlo=500, seed=3, catalog=cat, **PAIR)
    mc = r.billing_models[0]["monte_carlo"]
    assert {m["billing_model"] for m in mc} == {"serverless", "dedicated"}
    for m in mc:
        _ordered(m, "breakeven_qpd")
        _ordered(m, "monthly_cost_usd")
        assert 0 <= m["p_breakeven_within_max"] <= 1 and m["draws"] == 500


def test_collapsed_ranges_draw_the_point_answer(cat):
    """With throughput and utilization fixed, every draw of a platform row is the point answer
    (one code path: the draws go through the same bill)."""
    fixed = {"throughput_factor": 1.0, "monte_carlo": 50, "seed": 1, "platforms": ["all"], "catalog": cat, **PAIR}
    t = tco(qpd=20_000, months=6, growth=0.05, **fixed)
    for row in t.platforms:
        m = row["monte_carlo"]
        assert m["total_usd_p10"] == pytest.approx(row["total_usd"]) == pytest.approx(m["total_usd_p90"])
        assert m["first_month_usd_p50"] == pytest.approx(row["monthly_usd"][0])
    h = hybrid(qpd=20_000, share=0.5, **fixed)
    for row in h.platforms:
        m = row["monte_carlo"]
        assert (
            m["monthly_cost_usd_p10"]
            == pytest.approx(row["monthly_cost_usd"])
            == pytest.approx(m["monthly_cost_usd_p90"])
        )
    b = breakeven(**{**fixed, "qpd": 20_000})
    point = {k: None for k in ("serverless", "dedicated")}
    for m in b.billing_models[0]["monte_carlo"]:
        point[m["billing_model"]] = m["breakeven_qpd_p10"]
        assert m["breakeven_qpd_p10"] == pytest.approx(m["breakeven_qpd_p90"])
    # the serverless break-even is where the modal-or-cheaper serverless row meets the API
    t2 = sensitivity(metric="breakeven", platforms=[b.billing_models[0]["monte_carlo"][0]["id"]], catalog=cat, **PAIR)
    assert t2.base == pytest.approx(point["serverless"], rel=1e-6)


def test_tco_and_hybrid_monte_carlo_bands_are_ordered(cat):
    t = tco(qpd=20_000, months=12, monte_carlo=400, seed=2, platforms=["all"], catalog=cat, **PAIR)
    for row in t.platforms:
        _ordered(row["monte_carlo"], "total_usd")
        assert 0 <= row["monte_carlo"]["p_cheaper_than_api_over_horizon"] <= 1
    h = hybrid(qpd=20_000, share=0.5, monte_carlo=400, seed=2, platforms=["all"], catalog=cat, **PAIR)
    for row in h.platforms:
        _ordered(row["monte_carlo"], "monthly_cost_usd")
        _ordered(row["monte_carlo"], "saving_vs_all_api_usd")


def test_monte_carlo_without_platforms_is_unchanged(cat):
    r = tco(
        qpd=20_000, months=3, monte_carlo=50, seed=1, catalog=cat, **{k: v for k, v in PAIR.items() if k != "profile"}
    )
    assert r.platforms == ()


# ---------------------------------------------------------------- the CLI


def test_sensitivity_platform_json(capsys):
    code, out, err = _run(capsys, "sensitivity", "--model", "llama-3.3-70b", "--api", "groq/llama-3.3-70b",
                          "--qpd", "20000", "--platforms", "modal", "--profile", ",".join(map(str, BURSTY)),
                          "--format", "json")  # fmt: skip
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["self_hosted"] == "modal:1xrtx-pro-6000" and data["metric"] == "cost_difference"
    names = {r["input"] for r in data["inputs"]}
    assert {"cold start: engine start (s)", "cold start: weights load (GB/s)", "idle window (s)"} <= names
    assert math.isfinite(data["base"])


def test_breakeven_cli_json_has_platform_bands(capsys):
    code, out, _ = _run(capsys, "breakeven", "--model", "llama-3.3-70b", "--api", "groq/llama-3.3-70b",
                        "--platforms", "fal-serverless", "--profile", ",".join(map(str, BURSTY)),
                        "--monte-carlo", "200", "--seed", "1", "--format", "json")  # fmt: skip
    assert code == 0
    mc = json.loads(out)["billing_models"][0]["monte_carlo"]
    assert [m["billing_model"] for m in mc] == ["serverless"]
    assert "monthly_cost_usd_p50" not in mc[0]  # no --qpd: only the break-even volume is drawn
    _ordered(mc[0], "breakeven_qpd")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--platforms", "rented:24x7"], "sensitivity cannot swing 'rented:24x7'"),
        (["--platforms", "all"], "sensitivity swings one serving platform"),
        (["--platforms", "modal,fal-serverless"], "sensitivity swings one serving platform"),
        (["--platforms", "vast-serverless"], "lists no"),
        (["--platforms", "modal:9xnope"], "no platform option 'modal:9xnope'"),
        (["--platforms", "nope"], "nope"),
        (["--profile", "flat"], "profile only with --platforms"),
    ],
)
def test_bad_platform_sensitivity_is_one_line(capsys, args, says):
    code, out, err = _run(capsys, "sensitivity", "--model", "llama-3.3-70b", "--api", "groq/llama-3.3-70b",
                          "--qpd", "20000", *args)  # fmt: skip
    assert code == 2 and out == ""
    assert err.startswith("llmcost: error: ") and err.count("\n") == 1 and says in err


def test_swing_of_a_fixed_range_is_left_out(cat):
    t = sensitivity(qpd=20_000, platforms=["modal"], throughput_factor=1.0, catalog=cat, **PAIR)
    assert "throughput (model error)" not in {r.input for r in t.inputs}


def test_spot_tornado_ends_are_the_platforms_spot_row(cat):
    """rented:spot swings the interruption rate (spares searched again at each end) and the volume;
    each end is the platforms command's spot row minus its API row with that input."""
    t = sensitivity(qpd="10000..30000", spot_preemption="0..1", platforms=["rented:spot"], catalog=cat, **PAIR)
    assert t.self_hosted == "rented:spot" and t.unit == "USD/month (spot with spares minus API)"
    for s in t.inputs:
        for x, got in ((s.low, s.result_at_low), (s.high, s.result_at_high)):
            kw = (
                {"qpd": x, "spot_preemption": 0.5}
                if s.input == "queries per day"
                else {"qpd": 20_000, "spot_preemption": x}
            )
            p = platforms(platforms=["none"], catalog=cat, **PAIR, **kw)
            assert got == pytest.approx(
                _row(p, "rented:spot").monthly_cost_usd - _row(p, PAIR["apis"][0]).monthly_cost_usd
            )
    assert {s.input for s in t.inputs} == {"queries per day", "spot interruptions per replica-month"}


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--platforms", "rented:spot", "--metric", "breakeven"], "does not apply to rented:spot"),
        (["--spot-preemption", "0..0.2"], "spot_preemption only with --platforms rented:spot"),
        (["--platforms", "rented:spot", "--spot-preemption", "1.5"], "--spot-preemption must be <= 1"),
    ],
)
def test_bad_spot_sensitivity_is_one_line(capsys, args, says):
    code, out, err = _run(capsys, "sensitivity", "--model", "llama-3.3-70b", "--api", "groq/llama-3.3-70b",
                          "--qpd", "20000", *args)  # fmt: skip
    assert code == 2 and out == ""
    assert err.startswith("llmcost: error: ") and err.count("\n") == 1 and says in err


def test_an_end_that_misses_the_ttft_target_has_no_cost(cat):
    # at 500 queries a day most of runpod's requests wait ~110 s for a cold start (target 5 s)
    t = sensitivity(qpd="500..30000", max_ttft_ms=5000, platforms=["runpod-serverless"], catalog=cat, **PAIR)
    s = _swing(t, "queries per day")
    assert s.result_at_low is None and s.result_at_high is not None and t.base is not None
    assert s.swing == pytest.approx(abs(s.result_at_high - t.base))  # the finite end's distance to the point
