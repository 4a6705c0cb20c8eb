from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import llmcost
from llmcost.crossings import breakeven_volumes, solve
from llmcost.demand import Workload
from llmcost.inputs import SelfHostAssumptions
from llmcost.quantization import get_quantization
from llmcost.records import GpuOffer
from llmcost.results.breakeven import Pair
from llmcost.selfhost import CostCurve, Factors, sized_configs


def _curve(cat, usd_per_hour: float, qpd_per_replica: float, fixed: float, gpus_per_instance: int = 1):
    """A curve whose replica carries `qpd_per_replica` (at throughput, utilization and peak 1) for
    `usd_per_hour`, and the point factors with `fixed` hidden costs."""
    config = sized_configs(
        cat.model("llama-3.1-8b"),
        [get_quantization("fp8")],
        [cat.gpu("h100-sxm")],
        Workload(1000),
        SelfHostAssumptions(engine=cat.engine("vllm")),
    )[0][0]
    offer = GpuOffer(
        id="x/1",
        provider="x",
        instance="box",
        gpu="h100-sxm",
        gpus_per_instance=gpus_per_instance,
        pricing="on_demand",
        usd_per_instance_hour=usd_per_hour,
        source="test",
        as_of="2026",
    )
    f = Factors(1.0, 1.0, 1.0, 1.0, fixed, qpd_per_replica / 86_400)
    return CostCurve(config, (offer,), 730.0), f


def _costs(curve, f, alpha, q):
    return alpha * q, float(curve.monthly_cost_usd(q, f))


def test_single_crossing_is_exact_and_flips_the_ordering(cat):
    # one replica ($2/h x 730 h = $1,460) + $4,100 fixed = $5,560 until 100,000 queries/day;
    # API at $0.10 per query-per-day-month: equal at 5,560 / 0.10 = 55,600 queries/day
    curve, f = _curve(cat, 2.0, 100_000, 4100)
    sol = solve(0.10, curve, f, 1e6)
    assert [c.kind for c in sol.crossings] == ["equal"]
    q = sol.self_hosted_cheaper_above_qpd
    assert q == pytest.approx(55_600)
    api, own = _costs(curve, f, 0.10, q)
    assert abs(api - own) < 0.01  # within a cent per month
    below, above = _costs(curve, f, 0.10, q * 0.999), _costs(curve, f, 0.10, q * 1.001)
    assert below[0] < below[1] and above[0] > above[1]


def test_never_when_the_api_undercuts_the_gpus_at_full_use(cat):
    # a replica carries 100,000 queries/day for $1,460/month: $0.0146 per query-per-day; API $0.01
    curve, f = _curve(cat, 2.0, 100_000, 0)
    sol = solve(0.01, curve, f, 1e7)
    assert sol.crossings == () and sol.self_hosted_cheaper_above_qpd is None
    assert sol.outcome == "never"
    # $1,460 / 100,000 = $0.0146 per query-per-day-month, / 30.42 days x 1,000 = $0.48 per 1,000 queries
    assert sol.gpu_usd_per_1k_queries_at_full_use == pytest.approx(0.0146 / (730 / 24) * 1000)


def test_several_crossings_on_the_replica_steps(cat):
    # $100/month per replica of 100 queries/day, no fixed costs; API $1.05 per query-per-day.
    # Step n: equal at 100n / 1.05 = 95.2n (n = 1..20); at each edge 100n the next replica
    # ($100(n+1)) costs more than the API ($105n) while n < 20: 20 + 19 = 39 crossings, and from
    # 2,000 / 1.05 = 1,904.8 queries/day on self-hosting stays cheaper
    curve, f = _curve(cat, 100 / 730, 100, 0)
    sol = solve(1.05, curve, f, 10_000)
    kinds = [c.kind for c in sol.crossings]
    assert len(kinds) == 39 and kinds[:2] == ["equal", "step"] and kinds[-1] == "equal"
    assert sol.self_hosted_cheaper_above_qpd == pytest.approx(2000 / 1.05)


def test_not_within_the_maximum_says_where_it_would_be(cat):
    # slope 0.02 - 0.0146 = 0.0054 per query-per-day: $100,000 fixed is recovered from 18.5M queries/day
    curve, f = _curve(cat, 2.0, 100_000, 100_000)
    sol = solve(0.02, curve, f, 1e6)
    assert sol.self_hosted_cheaper_above_qpd is None and sol.outcome == "not_within_max"
    assert sol.recovered_from_qpd == pytest.approx(100_000 / (0.02 - 0.0146))


def test_work_is_bounded(cat):
    curve, f = _curve(cat, 2.0, 10, 0)
    with pytest.raises(llmcost.UsageError, match=r"max_qpd .* replica steps"):
        solve(1.0, curve, f, 1e12)


@settings(max_examples=60, deadline=None)
@given(
    usd_per_hour=st.floats(0.1, 50),
    per_replica=st.floats(10, 1e5),
    fixed=st.floats(0, 1e4),
    alpha=st.floats(1e-4, 10),
    gpus=st.sampled_from([1, 2, 8]),
)
def test_solver_properties(cat, usd_per_hour, per_replica, fixed, alpha, gpus):
    curve, f = _curve(cat, usd_per_hour, per_replica, fixed, gpus)
    max_qpd = per_replica * 50
    sol = solve(alpha, curve, f, max_qpd)
    qs = [c.qpd for c in sol.crossings]
    assert qs == sorted(qs)
    for c in sol.crossings:
        if c.kind == "equal":  # costs equal at the crossing
            api, own = _costs(curve, f, alpha, c.qpd)
            assert abs(api - own) <= 1e-6 * max(own, 1)
    # between consecutive crossings the cheaper side does not change; it alternates across them
    bounds = [0.0, *qs, max_qpd]
    sides = []
    for lo, hi in itertools.pairwise(bounds):
        if hi - lo < 1e-6 * max_qpd:
            continue
        mids = np.linspace(lo, hi, 7)[1:-1]
        cheaper = {bool(alpha * m > curve.monthly_cost_usd(m, f)) for m in mids}
        assert len(cheaper) == 1
        sides.append(cheaper.pop())
    assert sides[0] is False  # at small volume the API is cheaper (self-hosting has a fixed floor)
    if sol.self_hosted_cheaper_above_qpd is not None:
        assert sides[-1] is True
    if curve.marginal_usd_per_qpd(f) >= alpha:
        assert sol.self_hosted_cheaper_above_qpd is None and not math.isnan(curve.marginal_usd_per_qpd(f))
    # the Monte Carlo path is the same solver: one draw of these factors gives the same volume
    draws = breakeven_volumes(np.array([alpha]), curve, Factors(*(np.array([x]) for x in (1.0, 1.0, 1.0, 1.0, fixed)),
                              np.array([per_replica / 86_400])), max_qpd)  # fmt: skip
    assert (np.isnan(draws[0]) and sol.self_hosted_cheaper_above_qpd is None) or (
        draws[0] == sol.self_hosted_cheaper_above_qpd
    )


def test_breakeven_pairs_by_quality_and_by_request(cat):
    pairs = llmcost.breakeven(models=["llama-3.1-70b"], apis=["openai/gpt-4o"], catalog=cat).pairs
    assert isinstance(pairs[0], Pair) and pairs[0].api == "openai/gpt-4o"
    auto = llmcost.breakeven(models=["llama-3.1-70b"], catalog=cat).to_dict()["pairs"]
    by_api = {p["api"]: p for p in auto}
    assert by_api["together/llama-3.1-70b"]["pairing"] == "hosted version of the same model"
    # gpt-4o-mini (Elo 1317) is the cheapest API at least as good as Llama 3.1 70B (1294)
    assert by_api["openai/gpt-4o-mini"]["pairing"].startswith("cheapest API at least as good")
    one = llmcost.breakeven(models=["llama-3.1-70b"], apis=["openai/gpt-4o"], catalog=cat).to_dict()["pairs"]
    assert len(one) == 1 and one[0]["api"] == "openai/gpt-4o" and one[0]["self_hosted_cheaper_above_qpd"] > 0
    assert {"crossings_qpd", "self_hosted_cheaper_above_qpd", "reason", "self_hosted", "api"} <= set(one[0])
