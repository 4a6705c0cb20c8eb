from __future__ import annotations

import json

import pytest
from hypothesis import given, settings

import llmcost
from llmcost.commands.compare import quality_tier
from llmcost.errors import UnknownIdError, UsageError
from tests import strategies as s

OPTION_KEYS = {"id", "kind", "monthly_cost_usd", "cost_per_query_usd"}
SELF_KEYS = {
    "model",
    "quantization",
    "gpu",
    "gpus_per_replica",
    "replicas",
    "gpu_count",
    "monthly_gpu_cost_usd",
    "monthly_hidden_cost_usd",
    "utilization",
}


def check_contract(data: dict) -> None:
    assert set(data) == {"workload", "assumptions", "options", "selection_rule"}
    json.dumps(data, allow_nan=False)  # strictly valid JSON: no NaN or infinity
    for o in data["options"]:
        assert set(o) >= OPTION_KEYS and o["kind"] in {"api", "self_hosted"}
        if o["kind"] == "self_hosted" and o["feasible"]:
            assert set(o) >= SELF_KEYS
            assert o["gpu_count"] >= o["replicas"] * o["gpus_per_replica"]
        if o["feasible"]:
            assert o["monthly_cost_usd"] >= 0
            q = data["workload"]["queries_per_month"]
            assert o["cost_per_query_usd"] == pytest.approx(o["monthly_cost_usd"] / q)


@settings(max_examples=25, deadline=None)
@given(s.queries_per_day, s.tokens, s.tokens, s.share)
def test_json_contract_holds_for_any_valid_input(cat, qpd, tin, tout, cached):
    r = llmcost.compare(
        qpd,
        input_tokens=tin,
        output_tokens=tout,
        cached_input_share=cached,
        models=["llama-3.1-8b", "deepseek-v3"],
        catalog=cat,
    )
    check_contract(r.to_dict())


def test_default_view_is_a_selection_and_all_shows_infeasible(cat):
    default = llmcost.compare(50_000, catalog=cat).to_dict()["options"]
    everything = llmcost.compare(50_000, catalog=cat, show_all=True).to_dict()["options"]
    per_model = {}
    for o in default:
        if o["kind"] == "self_hosted":
            per_model[o["model"]] = per_model.get(o["model"], 0) + 1
    assert max(per_model.values()) <= 2
    infeasible = [o for o in everything if not o["feasible"]]
    assert infeasible and all(o["reason"] and o["monthly_cost_usd"] is None for o in infeasible)
    assert any("does not fit" in o["reason"] for o in infeasible)


def test_non_commercial_licence_is_flagged_or_dropped(cat):
    flagged = [
        o for o in llmcost.compare(50_000, catalog=cat).to_dict()["options"] if o.get("model") == "mistral-large-2"
    ]
    assert flagged and all(not o["commercial_use"] for o in flagged)
    assert all(any("commercial" in n["message"] for n in o["notes"]) for o in flagged)
    kept = llmcost.compare(50_000, catalog=cat, commercial_only=True).to_dict()["options"]
    assert not any(o.get("model") == "mistral-large-2" for o in kept)


def test_comparable_api_is_cheapest_api_of_similar_or_better_quality(cat):
    opts = {o["id"]: o for o in llmcost.compare(50_000, catalog=cat, models=["llama-3.1-70b"]).to_dict()["options"]}
    llama = next(o for o in opts.values() if o.get("model") == "llama-3.1-70b")
    # Llama 3.1 70B's Elo is 1294.3; gpt-4o-mini (1317.3) is the cheapest API at or above 1284.3
    assert llama["comparable_api"] == "openai/gpt-4o-mini"
    assert llama["vs_comparable_api_usd"] == pytest.approx(
        llama["monthly_cost_usd"] - opts["openai/gpt-4o-mini"]["monthly_cost_usd"]
    )


def test_hidden_costs_toggle_and_override(cat):
    base = dict(models=["llama-3.1-8b"], quants=["fp8"], gpus=["h100-sxm"], catalog=cat)
    flat = llmcost.compare(10_000, hidden_costs="flat", **base).to_dict()["options"][-1]
    on = llmcost.compare(10_000, **base).to_dict()["options"][-1]
    off = llmcost.compare(10_000, hidden_costs=False, **base).to_dict()["options"][-1]
    over = llmcost.compare(10_000, hidden_cost_overrides={"devops": 0}, **base).to_dict()["options"][-1]
    # flat, the seed's midpoints: 3,500 + 200 + 125 + 75 + 200 = 4,100 per month
    assert flat["monthly_hidden_cost_usd"] == pytest.approx(4100)
    # scaled (the default), one H100 host, 10,000 queries/day of 2,000 in + 500 out tokens:
    #   devops 3,500 + monitoring 16.50/host + balancer 0.0225 x 730 h = 16.425
    #   + weights 8.03 GB x (storage 0.020 + backup 0.010) per GiB-month (1 GB = 0.931 GiB)
    #   + capacity units: max(1/86,400/25 new connections, 2,500 x 4 B / 1e9 / 24 GB an hour) = 4.63e-7 LCU
    #     per query/day x 0.008 x 730 h; egress 500 x 4 B / 1e9 x 30.4167 days x 0.09 per GB
    hosts = on["offer"]["instances"]
    weights = on["memory"]["weights_gb"]
    per_qpd = max(1 / 86_400 / 25, 2_500 * 4 / 1e9 / 24) * 0.008 * 730 + 500 * 4 / 1e9 * (365 / 12) * 0.09
    expected = 3500 + 16.5 * hosts + 0.0225 * 730 + weights * 0.03 * 1e9 / 2**30 + 10_000 * per_qpd
    assert hosts == 1 and on["monthly_hidden_cost_usd"] == pytest.approx(expected)
    assert sum(on["hidden_costs_usd"].values()) == pytest.approx(expected)
    assert off["monthly_hidden_cost_usd"] == 0
    assert over["monthly_hidden_cost_usd"] == pytest.approx(expected - 3500)
    with pytest.raises(UnknownIdError, match="hidden-cost line"):
        llmcost.compare(10_000, hidden_cost_overrides={"devopz": 1}, **base)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"qpd": 0}, "qpd must be > 0, got 0"),
        ({"qpd": -5}, "qpd must be > 0, got -5"),
        ({"qpd": float("nan")}, "qpd: Input should be a finite number"),
        ({"qpd": float("inf")}, "qpd: Input should be a finite number"),
        ({"qpd": "lots"}, "'lots' is not a number"),
        ({"qpd": 10, "input_tokens": 0}, "input_tokens must be > 0"),
        (
            {"qpd": 10, "cached_input_share": 1.5},
            "cached_input_share: Input should be less than or equal to 1",
        ),
        ({"qpd": 10, "utilization": 0}, "utilization must be > 0"),
        ({"qpd": 10, "peak_factor": 0.5}, "peak_factor must be >= 1"),
        ({"qpd": 10, "pricing": "free"}, "pricing: Input should be 'on_demand'"),
        ({"qpd": 10, "colour": "red"}, "unknown setting 'colour'; valid settings: qpd, input_tokens"),
        ({"qpd": 10, "models": ["llama-3.1-7b"]}, "did you mean"),
        ({"qpd": 10, "quants": ["int3"]}, "unknown quantization"),
    ],
)
def test_bad_input_raises_usage_error(cat, kwargs, error):
    qpd = kwargs.pop("qpd")
    with pytest.raises(UsageError, match=error):
        llmcost.compare(qpd, catalog=cat, **kwargs)


def test_quality_tiers():
    assert [quality_tier(e) for e in (1468, 1402, 1335, 1212, None)] == [
        "frontier",
        "high",
        "mid",
        "small",
        None,
    ]


def test_to_frame_has_units_in_column_names(cat):
    frame = llmcost.compare(50_000, catalog=cat, models=["llama-3.1-8b"]).to_frame()
    assert {"monthly_cost_usd", "cost_per_query_usd", "monthly_gpu_cost_usd"} <= set(frame.columns)
    assert len(frame) == len(llmcost.compare(50_000, catalog=cat, models=["llama-3.1-8b"]).to_dict()["options"])


def test_latency_target_and_engine_change_the_sizing(cat):
    base = dict(models=["llama-3.1-8b"], quants=["fp8"], gpus=["h100-sxm"], catalog=cat)
    free = llmcost.compare(2_000_000, **base).to_dict()["options"][-1]
    tight = llmcost.compare(2_000_000, max_tpot_ms=20, **base).to_dict()["options"][-1]
    assert tight["capacity"]["tpot_ms"] <= 20 and tight["capacity"]["bound"] == "latency_target"
    assert tight["replicas"] >= free["replicas"]
    one_at_a_time = llmcost.compare(2_000_000, engine="ollama", **base).to_dict()["options"][-1]
    assert one_at_a_time["replicas"] > 10 * free["replicas"]
    with pytest.raises(UnknownIdError, match="engine"):
        llmcost.compare(10, engine="vllm2", **base)
