"""Serving platforms: platforms.yaml as data, each billing rule worked by hand, spot, reserved plus
burst, properties, and the `platforms` command."""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost.catalog import load_catalog
from llmcost.cli import main
from llmcost.errors import CatalogError, UsageError
from llmcost.platforms import (
    Replica,
    Rules,
    SpotPolicy,
    best_spot,
    check_preemption,
    cold_start_from,
    crossings,
    meets_ttft,
    platform_bill,
    poisson_tail,
    reserved_plus_burst,
    rules_for,
    spot_bill,
)
from llmcost.records import InvalidRecord, PlatformPrice, validate_record
from tests import strategies as S

FLAT = (1 / 24,) * 24


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


def _rules(**kw):
    base = dict(
        platform="test", kind="serverless", gpu="h100-sxm", usd_per_gpu_second=0.001, gpus_per_replica=1,
        granularity_s=1.0, idle_window_s=60.0, last_window_s=60.0, min_replicas=0,
        billed_start_phases=("model_load",), plan_fee_usd_per_month=0.0, per_request_fee_usd=0.0,
    )  # fmt: skip
    base.update(kw)
    return Rules(**base)


REPLICA = Replica(
    requests_per_s=1.0, saturated_requests_per_s=2.0, request_s=10.0, warm_ttft_ms=200.0, cold_start_s=100.0,
    phases_s={"image_pull": 0.0, "model_load": 100.0},
)  # fmt: skip


# ---------------------------------------------------------------- data


def test_every_platform_record_is_sourced_and_its_gpus_resolve(cat):
    assert len(cat.platforms) == 10 and len(cat.spot_facts) == 8 and len(cat.cold_start_components) == 4
    for p in cat.platforms.values():
        assert p.source and p.as_of
        for price in p.prices:
            assert price.gpu in cat.gpus, (p.id, price.gpu)
            assert p.prices_source and p.prices_as_of
        for fig in p.cold_start:
            assert fig.source and fig.as_of
    # the staged file's prices, read back: Modal H100 $0.001097/s; Together H100 $3.99/h metered per minute
    assert cat.platform("modal").price_for("h100-sxm").list_usd_per_gpu_second == 0.001097
    together = cat.platform("together-dedicated")
    assert together.price_for("h100-sxm").list_usd_per_gpu_second == pytest.approx(3.99 / 3600)
    assert together.billing.granularity_s == 60 and not together.billing.scale_to_zero
    # fal's H100 has only an 'as low as' rate: not a list price, so no price for it
    assert cat.platform("fal-serverless").price_for("h100-sxm") is None


def test_a_price_row_gives_one_unit():
    row = {"gpu": "t4", "gpu_name": "T4", "usd_per_gpu_second": 0.0002, "usd_per_gpu_hour": 0.72}
    with pytest.raises(InvalidRecord, match="one of usd_per_gpu_second and usd_per_gpu_hour"):
        validate_record(PlatformPrice, row)


def test_a_platform_price_for_an_unknown_gpu_is_a_data_error(tmp_path, cat):
    d = tmp_path / "data"
    shutil.copytree("tests/fixtures/data", d)
    text = (d / "platforms.yaml").read_text()
    (d / "platforms.yaml").write_text(text.replace("{gpu: t4,", "{gpu: t5,", 1))
    with pytest.raises(CatalogError, match="unknown gpu 't5'"):
        load_catalog([d], include_shipped=False)


# ---------------------------------------------------------------- cold start


def test_cold_start_from_the_decomposed_measurement(cat):
    cached = cold_start_from(cat.cold_start_components["tensorfuse-llama31-8b-l40s-cached"])
    # weights 16 GB in 18 s = 0.889 GB/s; engine 10 + 13 + 7 + 34 = 64 s; no download
    assert cached.load_gb_per_s == pytest.approx(16 / 18) and cached.engine_start_s == 64
    assert cached.seconds(16) == pytest.approx(82)  # 18 + 64, the measured total
    assert cached.seconds(140) == pytest.approx(140 / (16 / 18) + 64)  # 157.5 + 64 = 221.5 s for a 70B bf16
    uncached = cold_start_from(cat.cold_start_components["tensorfuse-llama31-8b-l40s-uncached"], image_pull_s=30)
    # download 16 GB / 61 s, load 16 / 33 s, engine 10 + 42 + 54 + 94 = 200 s; + 30 s image pull
    assert uncached.seconds(16) == pytest.approx(61 + 33 + 200 + 30)
    with pytest.raises(UsageError, match="no weights_load component"):
        cold_start_from(cat.cold_start_components["vllm-44881"])


# ---------------------------------------------------------------- billing rules, by hand


def test_serverless_one_request_an_hour():
    # lam = 24 / 86400 = 1/3600 per s; window L = d + W = 10 + 60 = 70 s; billed window 70.5 s (1 s meter).
    # z = e^(-70.5/3600) = 0.980607; billed share = (1 - z + lam*b*z) / (lam*T*z + 1)
    #   = (0.019393 + 0.027239) / 1.027239 = 0.045395 -> 163.4 s an hour, x 24 x 30 days x $0.001 = $117.66
    b = platform_bill(_rules(), REPLICA, 24.0, FLAT, 30.0)
    assert b.monthly_cost_usd == pytest.approx(117.665, rel=1e-4)
    # cold starts: lam*z/(lam*T*z + 1) with z = e^(-70/3600) = 0.980743 -> 2.652e-4/s = 22.91 a day
    assert b.cold_starts_per_day == pytest.approx(22.9136, rel=1e-4)
    # share waiting: (1 + lam*T) z / (lam*T*z + 1) = 1.027778 x 0.980743 / 1.027243 = 0.98125
    assert b.cold_wait_share == pytest.approx(0.981254, rel=1e-5)
    assert b.cold_ttft_ms == 200 + 100_000  # warm TTFT + the 100 s start


def test_an_unbilled_start_costs_only_the_window():
    # b = 0 (start-up not billed, as Fireworks or Together bill): share = (1 - z)/(lam*T*z + 1)
    #   = 0.019393 / 1.027239 = 0.018879 -> 48.93 USD a month
    b = platform_bill(_rules(billed_start_phases=()), REPLICA, 24.0, FLAT, 30.0)
    assert b.monthly_cost_usd == pytest.approx(48.933, rel=1e-4)


def test_per_minute_metering_rounds_each_up_period():
    # per minute: the billed window is 70 + 30 = 100 s: z = e^(-100/3600) = 0.972604,
    # share = (0.027396 + 0.027017) / 1.027017 = 0.052981 -> 137.33 USD a month
    b = platform_bill(_rules(granularity_s=60.0), REPLICA, 24.0, FLAT, 30.0)
    z = math.exp(-100 / 3600)
    expected = (1 - z + 100 / 3600 * z) / (100 / 3600 * z + 1) * 3600 * 24 * 0.001 * 30
    assert expected == pytest.approx(137.33, rel=1e-3)
    assert b.monthly_cost_usd == pytest.approx(expected, rel=1e-9)


def test_always_on_dedicated_bills_every_minute():
    # no scale to zero, 1 minimum replica, load far below it: 24 h x 30 days x $3.99/h = $2,872.80
    r = _rules(kind="dedicated", usd_per_gpu_second=3.99 / 3600, granularity_s=60.0, idle_window_s=math.inf,
               last_window_s=math.inf, min_replicas=1, billed_start_phases=())  # fmt: skip
    b = platform_bill(r, REPLICA, 1000.0, FLAT, 30.0)
    assert b.monthly_cost_usd == pytest.approx(2872.8)
    assert b.cold_starts_per_day == 0 and b.cold_wait_share == 0


def test_whole_replicas_are_always_up_and_the_rest_starts_on_demand():
    # lam = 2.5 req/s with c = 1: 2 replicas always up + a marginal one at 0.5 req/s whose 70 s window
    # is almost never bridged-out: z = e^(-0.5 x 70.5) ~ 5e-16, so its share is ~1: 3 x 3600 s an hour
    qpd = 2.5 * 86400
    b = platform_bill(_rules(), REPLICA, qpd, FLAT, 30.0)
    assert b.monthly_cost_usd == pytest.approx(3 * 3600 * 24 * 0.001 * 30, rel=1e-9)
    assert b.cold_wait_share == 0  # a warm replica always exists
    # 3 minimum replicas cover the load: exactly 3 always up
    b3 = platform_bill(_rules(min_replicas=3), REPLICA, qpd, FLAT, 30.0)
    assert b3.monthly_cost_usd == pytest.approx(3 * 3600 * 24 * 0.001 * 30)


def test_plan_and_request_fees_add():
    # $250 plan + $0.0001 per request x 24 a day x 30 days = $250.072 over the compute
    base = platform_bill(_rules(), REPLICA, 24.0, FLAT, 30.0).monthly_cost_usd
    fees = platform_bill(_rules(plan_fee_usd_per_month=250.0, per_request_fee_usd=1e-4), REPLICA, 24.0, FLAT, 30.0)
    assert fees.monthly_cost_usd - base == pytest.approx(250.072)


def test_rules_from_the_data(cat):
    modal = rules_for(cat.platform("modal"), "h100-sxm", 2)
    assert modal.idle_window_s == 60 and modal.min_replicas == 0 and modal.billed_start_phases == ("model_load",)
    assert modal.plan_fee_usd_per_month == 0  # the starter plan
    assert rules_for(cat.platform("modal"), "h100-sxm", 1, plan="team").plan_fee_usd_per_month == 250
    fw = rules_for(cat.platform("fireworks-on-demand"), "h100-sxm", 1)
    # scale-down window 600 s for extra replicas, 3600 s before the last goes; start-up not billed
    assert (fw.idle_window_s, fw.last_window_s, fw.billed_start_phases) == (600, 3600, ())
    together = rules_for(cat.platform("together-dedicated"), "h100-sxm", 1, min_replicas=0)
    assert together.min_replicas == 1 and together.last_window_s == math.inf
    with pytest.raises(UsageError, match="lists no price for GPU 't4'; it prices b200, h100-sxm, h200"):
        rules_for(cat.platform("together-dedicated"), "t4", 1)
    with pytest.raises(UsageError, match="below its minimum 2 s"):
        rules_for(cat.platform("modal"), "t4", 1, idle_window_s=1)


def test_a_latency_target_rules_out_cold_starts():
    b = platform_bill(_rules(), REPLICA, 24.0, FLAT, 30.0)  # 98% of requests wait 100 s
    assert meets_ttft(b, None) and meets_ttft(b, 200_000)
    assert not meets_ttft(b, 2000)
    warm = platform_bill(_rules(min_replicas=1), REPLICA, 24.0, FLAT, 30.0)
    assert meets_ttft(warm, 2000)  # a minimum replica: nobody waits


# ---------------------------------------------------------------- spot


def test_poisson_tail():
    # m = 0.5: P(X > 0) = 1 - e^-0.5 = 0.393469; P(X > 1) = 1 - 1.5 e^-0.5 = 0.090204
    assert poisson_tail(np.array(0.5), 0) == pytest.approx(0.393469, rel=1e-5)
    assert poisson_tail(np.array(0.5), 1) == pytest.approx(0.090204, rel=1e-5)


def test_spot_fleet_cost_and_time_short():
    # 10 replicas all day, 0.1 interruptions per replica-month over 730 h, each down 1 h:
    # m = 10 x 0.1/730 x 1 = 0.0013699 -> short 1 - e^-m = 0.0013689 of the time; 10 x $1,000 spot a month
    need = np.full(24, 10.0)
    bill = spot_bill(need, lambda n: n * 1000.0, lambda n: n * 3000.0, SpotPolicy(0.1, 3600.0), 730.0)
    assert bill.monthly_cost_usd == pytest.approx(10_000)
    assert bill.short_time_share == pytest.approx(1 - math.exp(-10 * 0.1 / 730), rel=1e-9)
    # one on-demand spare: 11 replicas' worth, short only when two are down: 1 - e^-m (1 + m)
    od = spot_bill(need, lambda n: n * 1000.0, lambda n: n * 3000.0, SpotPolicy(0.1, 3600.0, 0, 1), 730.0)
    m = 10 * 0.1 / 730
    assert od.monthly_cost_usd == pytest.approx(13_000) and od.short_time_share == pytest.approx(
        1 - math.exp(-m) * (1 + m)
    )


def test_best_spot_buys_spares_only_when_needed():
    need = np.full(24, 10.0)
    calm = best_spot(need, lambda n: n * 1000.0, lambda n: n * 3000.0, 0.1, 300.0, 730.0)
    assert (calm.policy.spare_spot, calm.policy.spare_on_demand) == (0, 0)
    # every replica interrupted once a month and down 3 days: m = 10 x 1/730 x 72 = 0.986: one spare spot
    # replica leaves P(X > 1) = 0.26, not enough; the search settles on the cheapest pair at or under 1%
    rough = best_spot(need, lambda n: n * 1000.0, lambda n: n * 3000.0, 1.0, 72 * 3600.0, 730.0)
    assert rough.short_time_share <= 0.01 and rough.policy.spare_spot + rough.policy.spare_on_demand >= 3


def test_preemption_rate_outside_unit_interval_is_refused():
    assert check_preemption(0) == 0 and check_preemption(1) == 1
    for bad in (-0.1, 1.5, True, "x"):
        with pytest.raises(UsageError, match="between 0 and 1"):
            check_preemption(bad)


# ---------------------------------------------------------------- reserved plus burst


def test_reserved_plus_burst_by_hand():
    # 12 hours at 1 replica, 12 at 3. Reserved $400 per replica-month; on-demand $1,000 per replica-month,
    # so one hour-of-day slot of one replica costs 1000/24. R=0: (12x1 + 12x3) x 1000/24 = 2,000;
    # R=1: 400 + 12x2x1000/24 = 1,400; R=3: 1,200 + 0 = 1,200 (cheapest)
    n = [1.0] * 12 + [3.0] * 12

    def burst(r):
        return sum(max(x - r, 0) for x in n) * 1000 / 24

    plan = reserved_plus_burst(n, lambda r: 400 * r, burst)
    assert (plan.reserved, plan.monthly_cost_usd, plan.all_burst_usd) == (3, pytest.approx(1200), pytest.approx(2000))
    # at $600 reserved: R=1: 600 + 1000 = 1,600 beats R=3: 1,800 and R=0: 2,000
    assert reserved_plus_burst(n, lambda r: 600 * r, burst).reserved == 1
    with pytest.raises(UsageError, match="24 non-negative"):
        reserved_plus_burst(n[:5], lambda r: 0.0, burst)


@settings(max_examples=60, deadline=None)
@given(S.profile, st.floats(0.05, 0.99), st.integers(1, 40))
def test_reserved_plus_burst_is_exact_and_never_above_all_on_demand(weights, ratio, peak):
    n = [math.ceil(w / max(weights) * peak) for w in weights]
    od = 1000.0

    def burst(r):
        return sum(max(x - r, 0) for x in n) * od / 24

    plan = reserved_plus_burst(n, lambda r: ratio * od * r, burst)
    brute = min(ratio * od * r + burst(r) for r in range(max(n) + 1))
    assert plan.monthly_cost_usd == pytest.approx(brute)  # the breakpoints hold the minimum
    assert plan.monthly_cost_usd <= plan.all_burst_usd + 1e-9


# ---------------------------------------------------------------- properties of the serverless bill


@settings(max_examples=80, deadline=None)
@given(
    S.profile, st.floats(1, 2e6), st.floats(1.01, 3), st.floats(0, 600), st.floats(1, 400), st.sampled_from([1.0, 60.0])
)
def test_serverless_monotone_in_volume_and_never_below_busy_time(weights, qpd, grow, window, start, meter):
    w = tuple(x / sum(weights) for x in weights)
    rules = _rules(idle_window_s=window, last_window_s=window, granularity_s=meter)
    rep = replace(REPLICA, cold_start_s=start, phases_s={"model_load": start})
    lo, hi = platform_bill(rules, rep, qpd, w, 30.0), platform_bill(rules, rep, qpd * grow, w, 30.0)
    assert hi.monthly_cost_usd >= lo.monthly_cost_usd * (1 - 1e-12)
    for b in (lo, hi):
        assert b.billed_gpu_hours_per_month >= b.busy_gpu_hours_per_month * (1 - 1e-12)
        assert b.monthly_cost_usd >= b.busy_gpu_hours_per_month * 3600 * rules.usd_per_gpu_second * (1 - 1e-12)
        assert 0 <= b.cold_wait_share <= 1


def test_arrays_of_draws_match_single_answers():
    qpd = np.array([10.0, 1e4, 3e5])
    many = platform_bill(_rules(), REPLICA, qpd, FLAT, 30.0)
    one = [platform_bill(_rules(), REPLICA, float(q), FLAT, 30.0).monthly_cost_usd for q in qpd]
    assert np.allclose(many.monthly_cost_usd, one, rtol=1e-12)


def test_crossings_find_where_two_lines_swap():
    # API 0.01 x q against a flat $1,000: they cross at q = 100,000
    found = crossings({"api": lambda q: 0.01 * q, "flat": lambda q: np.full(np.shape(q), 1000.0)}, 1, 1e7)
    assert len(found) == 1 and found[0][1:] == ("api", "flat")
    assert found[0][0] == pytest.approx(1e5, rel=1e-4)


# ---------------------------------------------------------------- the command


def _run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_platforms_command_json(capsys):
    code, out, err = _run(capsys, "platforms", "--model", "llama-3.1-8b", "--qpd", "2000", "--format", "json")
    assert code == 0 and err == ""
    data = json.loads(out)
    kinds = {o["billing_model"] for o in data["options"]}
    assert {"api", "rented", "serverless", "dedicated", "spot", "reserved_plus_burst"} <= kinds
    costs = [o["monthly_cost_usd"] for o in data["options"] if o["meets_latency"]]
    assert costs == sorted(costs)
    assert data["wins"][0]["billing_model"] == "api" and data["crossings"]
    modal = next(o for o in data["options"] if o["id"].startswith("modal:"))
    assert modal["cold_starts_per_day"] > 0 and modal["cold_ttft_ms"] > 60_000


def test_a_ttft_target_rules_out_the_cold_platforms(capsys):
    code, out, _ = _run(capsys, "platforms", "--model", "llama-3.1-8b", "--qpd", "200", "--max-ttft-ms", "2000",
                        "--format", "json")  # fmt: skip
    assert code == 0
    options = json.loads(out)["options"]
    rows = {o["id"].split(":")[0]: o for o in options}
    assert not rows["runpod-serverless"]["meets_latency"]  # most requests wait ~80 s at 200 a day
    assert rows["runpod-serverless"]["cold_wait_share"] > 0.5
    assert rows["together-dedicated"]["meets_latency"]  # always on
    ruled_out = [o["meets_latency"] for o in options]
    assert ruled_out == sorted(ruled_out, reverse=True)  # the options that miss the target come last


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--spot-preemption", "1.5"], "--spot-preemption must be <= 1"),
        (["--profile", "1,2,3"], "24 non-negative hourly weights"),
        (["--profile=-1," + ",".join(["1"] * 23)], "24 non-negative hourly weights"),
        (["--gpu", "t4", "--platforms", "together-dedicated"], "lists no price for the GPU(s) llama-3.1-8b runs on"),
        (["--platforms", "nope"], "unknown serving platform 'nope'"),
    ],
)
def test_bad_input_is_one_line_exit_2(capsys, args, message):
    code, out, err = _run(capsys, "platforms", "--model", "llama-3.1-8b", "--qpd", "2000", *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("llmcost: error:") and message in err


def test_monte_carlo_draws_spot_preemption(capsys):
    code, out, _ = _run(capsys, "platforms", "--model", "llama-3.1-8b", "--qpd", "2000", "--monte-carlo", "200",
                        "--seed", "1", "--format", "json")  # fmt: skip
    assert code == 0
    rows = {o["id"]: o for o in json.loads(out)["options"]}
    band = rows["rented:spot"]["band"]
    assert band["short_time_share_p90"] > band["short_time_share_p10"]  # drawn over 0-20% a month
    assert all(o["band"] for k, o in rows.items() if "reserved" not in k)


def test_compare_prices_platforms_only_when_asked(capsys):
    code, out, _ = _run(capsys, "compare", "--qpd", "20000", "--model", "llama-3.3-70b", "--format", "json")
    assert code == 0 and "platforms" not in json.loads(out)  # default none: the plain contract
    code, out, _ = _run(capsys, "compare", "--qpd", "20000", "--model", "llama-3.3-70b", "--platforms",
                        "modal,together-dedicated", "--format", "json")  # fmt: skip
    rows = json.loads(out)["platforms"]
    assert [r["id"].split("@")[1].split(":")[0] for r in rows] == ["modal", "together-dedicated"]
    # Together bills an always-on H100 per minute: 730 GPU-hours a month x $3.99 = $2,912.70 (24 x 365/12 h)
    assert rows[1]["monthly_cost_usd"] == pytest.approx(3.99 * 24 * 365 / 12)


def test_platforms_chart(tmp_path):
    pytest.importorskip("matplotlib")
    from llmcost.commands.plot import plot

    out = plot("platforms", tmp_path / "p.svg", qpd=20000, models=["llama-3.3-70b"], max_qpd=1e6)
    text = out.read_text()
    assert "serverless" in text and "dedicated" in text and "rented" in text


def test_breakeven_reports_every_crossing_among_billing_models(capsys):
    code, out, _ = _run(capsys, "breakeven", "--model", "llama-3.3-70b", "--api", "groq/llama-3.3-70b", "--format",
                        "json")  # fmt: skip
    assert code == 0 and "billing_models" not in json.loads(out)  # default none: the contract is unchanged
    code, out, _ = _run(capsys, "breakeven", "--model", "llama-3.3-70b", "--api", "groq/llama-3.3-70b",
                        "--platforms", "all", "--format", "json")  # fmt: skip
    data = json.loads(out)
    (pair,), (models,) = data["pairs"], data["billing_models"]
    kinds = {c["cheaper_below"] for c in models["crossings"]} | {c["cheaper_above"] for c in models["crossings"]}
    assert kinds == {"api", "rented", "serverless", "dedicated"}
    # the API-rented crossing is the pair's exact break-even (a grid search refined to 0.1%)
    api_rented = [
        c["qpd"] for c in models["crossings"] if {c["cheaper_below"], c["cheaper_above"]} == {"api", "rented"}
    ]
    assert any(q == pytest.approx(pair["self_hosted_cheaper_above_qpd"], rel=2e-3) for q in api_rented)


def test_tco_adds_the_cheapest_platforms_over_the_months(capsys):
    code, out, _ = _run(capsys, "tco", "--model", "llama-3.3-70b", "--api", "groq/llama-3.3-70b", "--qpd", "20000",
                        "--growth", "0.2", "--platforms", "all", "--format", "json")  # fmt: skip
    assert code == 0
    data = json.loads(out)
    rows = {p["billing_model"]: p for p in data["platforms"]}
    assert set(rows) == {"serverless", "dedicated"}
    for p in rows.values():
        assert len(p["monthly_usd"]) == 12 and p["total_usd"] == pytest.approx(sum(p["monthly_usd"]))
        assert p["monthly_usd"] == sorted(p["monthly_usd"])  # volume grows 20% a month: bills never fall


def test_hybrid_with_a_platform_as_the_self_hosted_side(capsys):
    args = ["hybrid", "--model", "llama-3.3-70b", "--api", "groq/llama-3.3-70b", "--qpd", "100000", "--share", "0.5"]
    code, out, _ = _run(capsys, *args, "--format", "json")
    assert code == 0 and "platforms" not in json.loads(out)
    code, out, _ = _run(capsys, *args, "--platforms", "all", "--format", "json")
    data = json.loads(out)
    rows = {p["billing_model"]: p for p in data["platforms"]}
    api_month = data["all_api_monthly_cost_usd"]
    for p in rows.values():
        # the grid includes share 0 (all API), so the cheapest split never costs more than all-API
        assert p["optimal_monthly_cost_usd"] <= api_month + 1e-6
        assert p["optimal_monthly_cost_usd"] <= p["monthly_cost_usd"] + 1e-6


def test_a_model_that_cannot_run_says_why(capsys):
    code, out, err = _run(
        capsys, "platforms", "--model", "llama-3.3-70b", "--qpd", "1000", "--gpu", "t4", "--quant", "bf16"
    )
    assert code == 2 and out == "" and "cannot run on the selected GPUs: does not fit" in err


def test_compare_verdict_names_the_cheapest_platform(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    _, out, _ = _run(capsys, "compare", "--qpd", "20000", "--model", "llama-3.3-70b", "--api", "groq/llama-3.3-70b",
                        "--platforms", "all", "--format", "json")  # fmt: skip
    d = json.loads(out)
    best_api = min(o["monthly_cost_usd"] for o in d["options"] if o["kind"] == "api")
    run = min((r for r in d["platforms"] if r["meets_latency"]), key=lambda r: r["monthly_cost_usd"])
    _, out, _ = _run(capsys, "compare", "--qpd", "20000", "--model", "llama-3.3-70b", "--api", "groq/llama-3.3-70b",
                        "--platforms", "all")  # fmt: skip
    text = " ".join(out.split())
    # the platform is cheaper than every API and rented row here, so the verdict says so with the gap
    assert run["monthly_cost_usd"] < best_api
    gap = round(best_api) - round(run["monthly_cost_usd"])
    assert f"Cheaper still: {run['label']} ({run['billing_model']}) at ${run['monthly_cost_usd']:,.0f}" in text
    assert abs(int(text.split(f"at ${run['monthly_cost_usd']:,.0f}, $")[1].split(" ")[0].replace(",", "")) - gap) <= 1
