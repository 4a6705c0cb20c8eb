from __future__ import annotations

import pytest

import llmcost
from llmcost.commands.data import buy_vs_rent
from llmcost.ownership import owned_gpu_cost


def test_owned_h100_hourly_cost_by_hand(cat):
    cost = owned_gpu_cost(cat.gpu("h100-sxm"), cat.owned_gpus["h100-sxm"], cat.facility, pue=1.0)
    # purchase $27,500 (midpoint of 25-30k) over 5.5 years: 27,500 / (5.5 x 8,760) = $0.5708/h
    assert cost.capex_usd_per_hour == pytest.approx(0.5708, abs=1e-4)
    # (700 W TDP + 575 W server share) = 1.275 kW x $0.08795/kWh = $0.1121/h
    assert cost.power_usd_per_hour == pytest.approx(1.275 * 0.08795)
    # 1.275 kW x $200.68/kW-month / 730 h = $0.3505/h
    assert cost.colocation_usd_per_hour == pytest.approx(1.275 * 200.68 / 730)
    # support 20% a year: 0.2 x 27,500 / 8,760 = $0.6279/h
    assert cost.support_usd_per_hour == pytest.approx(0.2 * 27_500 / 8760)
    assert cost.usd_per_gpu_hour == pytest.approx(1.6613, abs=1e-4)
    # PUE scales the energy line only
    assert owned_gpu_cost(
        cat.gpu("h100-sxm"), cat.owned_gpus["h100-sxm"], cat.facility, pue=1.5
    ).power_usd_per_hour == (pytest.approx(1.5 * cost.power_usd_per_hour))


def test_buy_vs_rent_table_data(cat):
    rows = {g["gpu"]: g for g in buy_vs_rent(catalog=cat).to_dict()["gpus"]}
    assert rows["h100-sxm"]["cheapest_rental_usd_per_gpu_hour"]["on_demand"] == pytest.approx(23.6 / 8)
    assert (
        rows["h100-sxm"]["owned_usd_per_gpu_hour"] < rows["h100-sxm"]["cheapest_rental_usd_per_gpu_hour"]["on_demand"]
    )


def test_compare_with_owned_gpus(cat):
    opts = llmcost.compare(
        100_000, models=["llama-3.1-70b"], apis=["openai/gpt-4o"], ownership="buy", catalog=cat
    ).to_dict()["options"]
    owned = [o for o in opts if o["kind"] == "self_hosted"]
    assert owned and all(o["offer"]["provider"] == "owned" and o["offer"]["gpus_per_instance"] == 8 for o in owned)
    everything = llmcost.compare(
        100_000, models=["llama-3.1-8b"], gpus=["t4"], ownership="buy", show_all=True, catalog=cat
    ).to_dict()["options"]
    assert any("no purchase price for t4" in (o.get("reason") or "") for o in everything)
