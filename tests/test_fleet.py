"""The fleet model: the integer programme by hand, its exactness and the mixing property, and the
vectorised replica profile against the scalar sizing every other command uses."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost.defaults import Efficiency
from llmcost.errors import UsageError
from llmcost.fleet import RequestBucket, profile_replica, slo_exempt, solve_assignment, undominated
from llmcost.inputs import SelfHostAssumptions
from llmcost.quantization import get_quantization
from llmcost.selfhost import replica_capacity
from tests.strategies import fleets


def test_one_bucket_mixes_two_sizes_of_instance():
    # A: $100 for 10 req/s, B: $180 for 25 req/s, 30 req/s to carry at utilization 1.
    # A alone: ceil(30/10) = 3 -> $300; B alone: ceil(30/25) = 2 -> $360;
    # 1 A + 1 B = 35 req/s >= 30 -> $280, the cheapest (0A+2B 360, 3A 300, 2A+1B 380).
    s = solve_assignment(np.array([100.0, 180.0]), np.array([[10.0], [25.0]]), np.array([30.0]))
    assert s.feasible and s.monthly_cost_usd == pytest.approx(280.0)
    assert list(s.instances) == [1.0, 1.0]


def test_short_requests_go_to_the_cheap_gpu_long_ones_to_the_big_one():
    # cheap: $100, 20 req/s of short requests, cannot hold long ones to the target (0);
    # big: $300, 40 short or 4 long req/s. Load: 20 short + 4 long req/s.
    # big alone: 20/40 + 4/4 = 1.5 instances of load -> 2 -> $600 (cheap alone cannot serve long);
    # mixed: 1 cheap carries all short (20/20 = 1), 1 big all long (4/4 = 1) -> $400, a third less.
    usd = np.array([100.0, 300.0])
    cap = np.array([[20.0, 0.0], [40.0, 4.0]])
    load = np.array([20.0, 4.0])
    mixed = solve_assignment(usd, cap, load)
    big = solve_assignment(usd[1:], cap[1:], load)
    assert mixed.monthly_cost_usd == pytest.approx(400.0) and big.monthly_cost_usd == pytest.approx(600.0)
    assert mixed.shares[0, 0] == pytest.approx(1.0) and mixed.shares[1, 1] == pytest.approx(1.0)
    assert not solve_assignment(usd[:1], cap[:1], load).feasible


def test_the_utilization_target_leaves_headroom():
    # 12 req/s on 10 req/s instances held to 50%: 12 / (0.5 x 10) = 2.4 -> 3 instances of $7 = $21
    s = solve_assignment(np.array([7.0]), np.array([[10.0]]), np.array([12.0]), utilization=0.5)
    assert s.monthly_cost_usd == pytest.approx(21.0) and s.instances[0] == 3


def test_a_bucket_no_option_serves_is_an_answer_not_a_crash():
    s = solve_assignment(np.array([1.0]), np.array([[5.0, 0.0]]), np.array([1.0, 1.0]))
    assert not s.feasible and "bucket(s) 1" in s.reason and math.isnan(s.monthly_cost_usd)


def test_bad_solver_inputs_are_usage_errors():
    with pytest.raises(UsageError):
        solve_assignment(np.array([1.0]), np.array([[-1.0]]), np.array([1.0]))
    with pytest.raises(UsageError):
        solve_assignment(np.array([1.0]), np.array([[1.0]]), np.array([math.inf]))
    with pytest.raises(UsageError):
        solve_assignment(np.array([1.0]), np.array([[1.0]]), np.array([1.0]), utilization=0.0)


def test_dominated_options_are_dropped():
    # 1 costs more than 0 and carries less of both buckets: dominated; 2 is dearer but carries more
    usd = np.array([10.0, 12.0, 20.0, 10.0])
    cap = np.array([[5.0, 1.0], [4.0, 1.0], [9.0, 1.0], [5.0, 1.0]])  # 3 ties 0: the first is kept
    assert list(undominated(usd, cap)) == [0, 2]


def test_the_largest_half_percent_is_exempt_from_the_target():
    small, huge = RequestBucket(0.996, 500, 200), RequestBucket(0.004, 60_000, 200)
    assert list(slo_exempt([small, huge], 0.995)) == [0.0, 1.0]
    assert list(slo_exempt([RequestBucket(0.99, 500, 200), RequestBucket(0.01, 60_000, 200)], 0.995)) == [0.0, 0.0]


@settings(max_examples=60, deadline=None)
@given(fleets())
def test_a_mixed_fleet_never_costs_more_than_the_best_single_type_it_contains(f):
    usd, cap, load, types = np.array(f[0]), np.array(f[1]), np.array(f[2]), f[3]
    mixed = solve_assignment(usd, cap, load)
    for t in set(types):
        idx = [i for i, g in enumerate(types) if g == t]
        alone = solve_assignment(usd[idx], cap[idx], load)
        if alone.feasible:
            assert mixed.feasible and mixed.monthly_cost_usd <= alone.monthly_cost_usd + 1e-6


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(1.0, 50.0), st.floats(0.5, 8.0)), min_size=1, max_size=3), st.floats(0.1, 20.0))
def test_one_bucket_optimum_equals_brute_force(opts, load):
    # one bucket: the cheapest whole-instance combination whose capacity covers the load
    usd = np.array([c for c, _ in opts])
    cap = np.array([[r] for _, r in opts])
    s = solve_assignment(usd, cap, np.array([load]))
    ranges = [range(math.ceil(load / r - 1e-9) + 1) for _, r in opts]
    best = min(
        sum(n * c for n, (c, _) in zip(ns, opts, strict=True))
        for ns in itertools.product(*ranges)
        if sum(n * r for n, (_, r) in zip(ns, opts, strict=True)) >= load * (1 - 1e-7)
    )
    assert s.monthly_cost_usd == pytest.approx(best, rel=1e-6)


@pytest.mark.parametrize(
    ("gpu", "tp", "target"), [("a100-80gb", 1, None), ("a100-80gb", 1, 30.0), ("h100-sxm", 2, 20.0)]
)
def test_the_vectorised_profile_is_the_scalar_sizing(cat, gpu, tp, target):
    """Each bucket's rate, TPOT and batch are what replica_capacity (compare's sizing) gives."""
    model, quant, g, engine = cat.models["llama-3.1-8b"], get_quantization("bf16"), cat.gpus[gpu], cat.engine("vllm")
    buckets = [RequestBucket(0.7, 400, 250), RequestBucket(0.3, 6000, 300)]
    eff = Efficiency()
    p = profile_replica(model, quant, g, tp, engine, buckets, eff, [target, None])
    for j, b in enumerate(buckets):
        a = SelfHostAssumptions(engine=engine, max_tpot_ms=target, efficiency=eff)
        _, c = replica_capacity(model, quant, g, tp, b.input_tokens, b.output_tokens, a)
        assert p.requests_per_s[0, j] == pytest.approx(c.requests_per_s, rel=1e-9)
        assert p.tpot_ms[0, j] == pytest.approx(c.tpot_ms, rel=1e-9)
        assert p.batch[0, j] == c.batch_size


def test_a_target_no_batch_meets_leaves_the_bucket_unserved(cat):
    model, quant, g = cat.models["llama-3.1-8b"], get_quantization("bf16"), cat.gpus["t4"]
    p = profile_replica(model, quant, g, 1, None, [RequestBucket(1.0, 2000, 500)], Efficiency(), [1.0, None])
    # bf16 8B weights (16 GB) do not fit a 16 GB T4: nothing runs, and the reason says so
    assert p.requests_per_s.sum() == 0 and "t4" in p.reasons[0]
