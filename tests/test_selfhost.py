from __future__ import annotations

import pytest
from hypothesis import given, settings

from llmcost.catalog import GpuOffer
from llmcost.quantization import get_quantization
from llmcost.selfhost import SelfHostAssumptions, cheapest_offer, deploy, replicas_needed
from llmcost.workload import Workload
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


def test_replicas_at_utilization_target_hand_worked():
    # peak 10 req/s, a replica serves 4 req/s, target 70%: 10 / (4 x 0.7) = 3.57 -> 4 replicas
    assert replicas_needed(10, 4, 0.7) == 4
    assert replicas_needed(2.8, 4, 0.7) == 1  # exactly at the target: no extra replica
    assert replicas_needed(1e-6, 4, 0.7) == 1  # never fewer than one


def test_cheapest_offer_packs_replicas_into_instances():
    hours = 730.0
    one, eight = _offer(1, 3.0), _offer(8, 20.0)
    # 3 replicas of 2 GPUs: single-GPU instances cannot hold a 2-GPU replica; one 8-GPU box holds 4
    choice = cheapest_offer([one, eight], replicas=3, gpus_per_replica=2, hours_per_month=hours)
    assert choice is not None and choice.offer is eight and choice.instances == 1
    assert choice.monthly_cost_usd == pytest.approx(20.0 * hours)
    # 1 replica of 1 GPU: $3/h single beats $20/h for a whole 8-GPU box
    assert cheapest_offer([one, eight], 1, 1, hours).offer is one


def test_deploy_hand_checked_figures(cat):
    w = Workload(50_000)
    d = deploy(
        cat,
        cat.model("llama-3.1-70b"),
        get_quantization("int4"),
        cat.gpu("a100-80gb"),
        1,
        w,
        SelfHostAssumptions(),
        HIDDEN,
    )
    # GPU cost = replicas x $1.64/h x 24 h x 365/12 days
    assert d.monthly_gpu_cost_usd == pytest.approx(d.replicas * 1.64 * 24 * 365 / 12)
    assert d.monthly_cost_usd == pytest.approx(d.monthly_gpu_cost_usd + 3500)
    # utilization = average load / installed capacity, and stays under the 70% target
    assert d.utilization == pytest.approx(50_000 / 86_400 / (d.replicas * d.capacity.requests_per_s))
    assert d.utilization <= 0.7


@settings(max_examples=40, deadline=None)
@given(s.queries_per_day, s.scale)
def test_self_hosted_cost_never_decreases_with_volume(cat, qpd, k):
    m, q, g = cat.model("llama-3.1-8b"), get_quantization("fp8"), cat.gpu("h100-sxm")
    lo, hi = sorted((qpd, min(qpd * k, 5e6)))
    cost = [
        deploy(cat, m, q, g, 1, Workload(v), SelfHostAssumptions(), HIDDEN).monthly_cost_usd for v in (lo, hi)
    ]
    assert cost[0] <= cost[1]
