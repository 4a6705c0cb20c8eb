from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from llmcost.demand import Workload
from llmcost.inputs import SelfHostAssumptions
from llmcost.quantization import get_quantization
from llmcost.records import GpuOffer
from llmcost.selfhost import CostCurve, Factors, cost_curve, deployment_at, point_factors, sized_configs
from tests import strategies as s

HIDDEN = {"devops": 3500.0}


def _offer(gpus: int, usd: float) -> GpuOffer:
    return GpuOffer(
        id=f"x/{gpus}",
        provider="x",
        instance=f"{gpus}gpu",
        gpu="h100-sxm",
        gpus_per_instance=gpus,
        pricing="on_demand",
        usd_per_instance_hour=usd,
        source="test",
        as_of="2026",
    )


def _config(cat, model: str, quant: str, tp: int):
    runs, _ = sized_configs(
        cat.model(model),
        [get_quantization(quant)],
        [cat.gpu("h100-sxm")],
        Workload(1000),
        SelfHostAssumptions(engine=cat.engine("vllm")),
    )
    return next(c for c in runs if c.gpus_per_replica == tp)


def test_replicas_at_utilization_target_hand_worked(cat):
    # peak 10 req/s (864,000 queries/day), a replica serves 4 req/s, target 70%: 10 / (4 x 0.7) = 3.57 -> 4
    curve = CostCurve(_config(cat, "llama-3.1-8b", "fp8", 1), (_offer(1, 3.0),), 730)
    f = Factors(1.0, 0.7, 1.0, 1.0, 0.0, 4.0)
    assert curve.replicas(10 * 86_400, f) == 4
    assert curve.replicas(2.8 * 86_400, f) == 1  # exactly at the target: no extra replica
    assert curve.replicas(1e-6, f) == 1  # never fewer than one
    # a peak of 2x the average needs twice the capacity: 5 req/s average -> 10 req/s peak -> 4 replicas
    assert curve.replicas(5 * 86_400, Factors(1.0, 0.7, 2.0, 1.0, 0.0, 4.0)) == 4


def _flat(qpd_per_replica: float, hidden: float = 0.0) -> Factors:
    return Factors(1.0, 1.0, 1.0, 1.0, hidden, qpd_per_replica / 86_400)


def test_cheapest_offer_packs_replicas_into_instances(cat):
    two, eight = _offer(2, 6.0), _offer(8, 20.0)
    curve = CostCurve(_config(cat, "llama-3.1-70b", "fp8", 2), (two, eight), 730)
    f = _flat(1000)
    # 2-GPU replicas: one per 2-GPU box at $6/h, four per 8-GPU box at $20/h.
    # 1 replica: $6; 3: 3 x $6 = $18 < $20; 4: one 8-GPU box, $20 < $24; 5: min(5 x $6, 2 x $20) = $30
    assert curve.offer_for(1, f).offer is two
    choice = curve.offer_for(4, f)
    assert choice.offer is eight and choice.instances == 1 and choice.monthly_cost_usd == pytest.approx(20 * 730)
    assert curve.gpu_cost_usd(np.array([1, 3, 4, 5])) == pytest.approx([6 * 730, 18 * 730, 20 * 730, 30 * 730])


def test_cost_curve_steps_with_whole_replicas(cat):
    curve = CostCurve(_config(cat, "llama-3.1-8b", "fp8", 1), (_offer(1, 3.0),), 730)
    f = _flat(1000, 100)
    # 1,000 queries/day per replica: 1,000 -> 1 replica, 1,001 -> 2; 0.5 -> still 1
    assert curve.replicas(np.array([0.5, 1000, 1001]), f).tolist() == [1, 1, 2]
    assert curve.monthly_cost_usd(1001, f) == pytest.approx(2 * 3.0 * 730 + 100)
    assert curve.marginal_usd_per_qpd(f) == pytest.approx(3.0 * 730 / 1000)
    # a GPU price factor scales the GPU line, not the hidden costs
    half = Factors(1.0, 1.0, 1.0, 0.5, 100, 1000 / 86_400)
    assert curve.monthly_cost_usd(1001, half) == pytest.approx(3.0 * 730 + 100)


def deploy(cat, model, quant, gpu, tp, w, hidden):
    a = SelfHostAssumptions(engine=cat.engine("vllm"))
    config = next(c for c in sized_configs(model, [quant], [gpu], w, a)[0] if c.gpus_per_replica == tp)
    curve = cost_curve(config, cat.offers_for(gpu.id, "on_demand"), "on_demand", w.days_per_month)
    return deployment_at(curve, w, point_factors(a, hidden))


def test_deploy_hand_checked_figures(cat):
    w = Workload(50_000)
    d = deploy(
        cat,
        cat.model("llama-3.1-70b"),
        get_quantization("int4"),
        cat.gpu("a100-80gb"),
        1,
        w,
        HIDDEN,
    )
    # GPU cost = replicas x $1.64/h x 24 h x 365/12 days
    assert d.monthly_gpu_cost_usd == pytest.approx(d.replicas * 1.64 * 24 * 365 / 12)
    # utilization = average load / installed capacity, and stays under the 70% target
    assert d.utilization == pytest.approx(50_000 / 86_400 / (d.replicas * d.config.capacity.requests_per_s))
    assert d.utilization <= 0.7


@settings(max_examples=40, deadline=None)
@given(s.queries_per_day, s.scale)
def test_self_hosted_cost_never_decreases_with_volume(cat, qpd, k):
    m, q, g = cat.model("llama-3.1-8b"), get_quantization("fp8"), cat.gpu("h100-sxm")
    lo, hi = sorted((qpd, min(qpd * k, 5e6)))
    cost = [deploy(cat, m, q, g, 1, Workload(v), HIDDEN).monthly_cost_usd for v in (lo, hi)]
    assert cost[0] <= cost[1]
