from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import llmcost
from llmcost.catalog import load_catalog
from llmcost.commands.sensitivity import sensitivity
from llmcost.errors import UsageError
from llmcost.inputs import make_scenario, resolve
from llmcost.montecarlo import draw_inputs, owned_price_factor
from llmcost.ownership import owned_gpu_cost
from llmcost.uncertainty import (
    LogNormal,
    Normal,
    Triangular,
    Uncertain,
    Uniform,
    central,
    draw,
    parse_uncertain,
)
from tests.conftest import FIXTURES

POINTS = dict(throughput_factor=1.0, gpu_price_factor=1.0, hidden_costs=False)  # every range collapsed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100", 100.0),
        ("10..20", Uniform(low=10, high=20)),
        ({"low": 1, "high": 2}, Uniform(low=1, high=2)),
        ("triangular:1,2,4", Triangular(dist="triangular", low=1, mode=2, high=4)),
        ("normal:5,1", Normal(dist="normal", mean=5, sd=1)),
        ("lognormal:5,0.2", LogNormal(dist="lognormal", median=5, sigma=0.2)),
    ],
)
def test_shorthands(text, expected):
    assert parse_uncertain(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("5..1", "above high"),
        ("gamma:1,2", "unknown distribution"),
        ("normal:1", "takes mean, sd"),
        ("normal:1,-2", "greater than or equal to 0"),
        ("x..2", "not a number"),
        ("triangular:3,1,2", r"mode \(1\) must lie between low \(3\) and high \(2\)"),
    ],
)
def test_bad_distributions(text, message):
    with pytest.raises(UsageError, match=message):
        parse_uncertain(text)


def test_central_values():
    assert central(Uniform(low=2, high=4)) == 3 and central(LogNormal(dist="lognormal", median=7, sigma=1)) == 7


def _mc(cat, **kw):
    base = dict(models=["llama-3.1-8b", "llama-3.1-70b"], apis=["openai/gpt-4o", "openai/gpt-4o-mini"], catalog=cat)
    return llmcost.compare(**{**base, **kw}).to_dict()["options"]


def test_same_seed_same_answer(cat):
    a = _mc(cat, qpd="30000..70000", monte_carlo=5000, seed=42)
    b = _mc(cat, qpd="30000..70000", monte_carlo=5000, seed=42)
    assert a == b
    c = _mc(cat, qpd="30000..70000", monte_carlo=5000, seed=43)
    assert a != c


def test_collapsed_ranges_reproduce_the_deterministic_answer(cat):
    for o in _mc(cat, qpd=50_000, monte_carlo=2000, seed=1, **POINTS):
        for p in ("p10", "p50", "p90"):
            assert o[f"monthly_cost_usd_{p}"] == o["monthly_cost_usd"]  # the same functions: exactly equal


def test_probability_matches_the_analytical_value(cat):
    # qpd ~ U(5,000, 15,000); API cost 0.30417 x qpd; self-hosting a flat $3.78/h x 730 h = $2,759.40
    # (one replica covers the range, no hidden costs): P(self cheaper) = P(qpd > 2,759.40 / 0.30417)
    # = (15,000 - 9,072.0) / 10,000 = 0.5928
    opts = llmcost.compare(
        qpd="5000..15000",
        models=["llama-3.1-8b"],
        quants=["fp8"],
        gpus=["h100-sxm"],
        apis=["openai/gpt-4o"],
        monte_carlo=200_000,
        seed=3,
        catalog=cat,
        **POINTS,
    ).to_dict()["options"]
    own = next(o for o in opts if o["kind"] == "self_hosted")
    assert own["replicas"] == 1 and own["monthly_cost_usd"] == pytest.approx(2759.4)
    expected = (15_000 - 2759.4 / (0.01 * 365 / 12)) / 10_000
    assert own["p_self_hosted_cheaper"]["openai/gpt-4o"] == pytest.approx(expected, abs=4 * np.sqrt(0.25 / 200_000))


def test_breakeven_distribution(cat):
    kw = dict(apis=["openai/gpt-4o"], models=["llama-3.1-70b"], catalog=cat, hidden_costs="flat")
    point = llmcost.breakeven(**kw).to_dict()["pairs"][0]
    collapsed = llmcost.breakeven(
        monte_carlo=500,
        seed=1,
        **kw,
        throughput_factor=1.0,
        gpu_price_factor=1.0,
        hidden_cost_overrides={
            k: v
            for k, v in {"devops": 3500, "monitoring": 200, "load_balancing": 125, "storage": 75, "backup": 200}.items()
        },
    ).to_dict()["pairs"][0]
    assert collapsed["breakeven_qpd_p10"] == pytest.approx(point["self_hosted_cheaper_above_qpd"])
    assert collapsed["breakeven_qpd_p90"] == pytest.approx(point["self_hosted_cheaper_above_qpd"])
    spread = llmcost.breakeven(monte_carlo=2000, seed=1, **kw).to_dict()["pairs"][0]
    assert spread["breakeven_qpd_p10"] < spread["breakeven_qpd_p90"]  # the draws move it
    assert 0 <= spread["p_breakeven_within_max"] <= 1 and len(spread["bands"]["qpd"]) == 60


def test_hybrid_monte_carlo(cat):
    out = llmcost.hybrid(
        50_000, share=0.7, models=["llama-3.1-70b"], apis=["openai/gpt-4o"], monte_carlo=3000, seed=5, catalog=cat
    ).to_dict()
    assert out["monthly_cost_usd_p10"] < out["monthly_cost_usd_p90"]  # the draws move it
    assert 0 <= out["p_hybrid_cheaper_than_all_api"] <= 1


def test_tornado_ranks_the_dominant_input_first(cat):
    out = sensitivity(
        50_000,
        models=["llama-3.1-70b"],
        apis=["openai/gpt-4o"],
        catalog=cat,
        hidden_cost_overrides={"devops": "0..100000"},
    ).to_dict()
    assert out["inputs"][0]["input"] == "hidden cost: devops" and out["inputs"][0]["swing"] == pytest.approx(100_000)
    swings = [r["swing"] for r in out["inputs"]]
    assert swings == sorted(swings, reverse=True)


def test_monte_carlo_bounds(cat):
    with pytest.raises(UsageError, match="monte_carlo: Input should be greater than 0"):
        _mc(cat, qpd=10, monte_carlo=-1)
    with pytest.raises(UsageError, match="monte_carlo: Input should be less than or equal to 1,000,000"):
        _mc(cat, qpd=10, monte_carlo=10**7)


def test_uncertain_token_counts(cat):
    opts = {
        o["id"]: o
        for o in llmcost.compare(
            10_000,
            input_tokens="1000..3000",
            models=["llama-3.1-8b"],
            gpus=["h100-sxm"],
            quants=["fp8"],
            apis=["openai/gpt-4o"],
            monte_carlo=40_000,
            seed=2,
            catalog=cat,
            **POINTS,
        ).to_dict()["options"]
    }
    api = opts["openai/gpt-4o"]
    # the API bill is linear in tokens: its P10 is the bill at the 10th percentile of U(1,000, 3,000) = 1,200
    # tokens: (1,200 x 2.50 + 500 x 10) / 1e6 x 10,000 x 365/12 = $2,433.33
    assert api["monthly_cost_usd_p10"] == pytest.approx(8000 / 1e6 * 10_000 * 365 / 12, rel=0.01)
    assert api["monthly_cost_usd"] == pytest.approx(10_000 / 1e6 * 10_000 * 365 / 12)  # at the central 2,000
    own = next(o for o in opts.values() if o["kind"] == "self_hosted")
    assert own["monthly_cost_usd_p10"] <= own["monthly_cost_usd_p90"]


def test_token_swings_in_the_tornado(cat):
    out = sensitivity(
        2_000_000, models=["llama-3.1-8b"], apis=["openai/gpt-4o"], catalog=cat, output_tokens="250..1000", **POINTS
    ).to_dict()
    row = next(r for r in out["inputs"] if r["input"] == "output tokens per query")
    # more output tokens: the API bill grows faster than the self-hosted one, so self-hosting gains
    assert row["result_at_high"] < row["result_at_low"]


def test_distributions_are_validated_when_built():
    assert Triangular(low=1, mode=2, high=4) == Triangular(dist="triangular", low=1.0, mode=2.0, high=4.0)
    assert isinstance(Uniform(low=1, high=2).low, float)
    for make, message in [
        (lambda: Uniform(low=3, high=2), "low (3) is above high (2)"),
        (lambda: Uniform(low=-1, high=2), "low: Input should be greater than or equal to 0"),
        (lambda: Uniform(low=True, high=2), "low: Input should be a valid number"),
        (lambda: Uniform(low="1", high=2), "low: Input should be a valid number"),
        (lambda: Uniform(low=float("nan"), high=2), "low: Input should be a finite number"),
        (lambda: Triangular(low=1, mode=5, high=4), "mode (5) must lie between low (1) and high (4)"),
        (lambda: Normal(mean=1, sd=-1), "sd: Input should be greater than or equal to 0"),
        (lambda: LogNormal(median=0, sigma=1), "median: Input should be greater than 0"),
        (lambda: LogNormal(median=1, sigma=-0.1), "sigma: Input should be greater than or equal to 0"),
        (lambda: Normal(dist="uniform", mean=1, sd=1), "dist: Input should be 'normal'"),
    ]:
        with pytest.raises(ValueError) as exc:
            make()
        assert str(exc.value) == message
    with pytest.raises(dataclasses.FrozenInstanceError):
        Uniform(low=1, high=2).low = 0  # type: ignore[misc]


def test_to_dict_describes_a_distribution():
    assert Normal(mean=5, sd=1).to_dict() == {"dist": "normal", "mean": 5.0, "sd": 1.0}
    assert Uniform(low=1, high=2).to_dict() == {"dist": "uniform", "low": 1.0, "high": 2.0}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"dist": "uniform", "low": 1}, "uniform high: Field required"),
        ({"low": 1, "high": 2, "x": 3}, "uniform x: Extra inputs are not permitted"),
        ({"low": "a", "high": 2}, "uniform low: Input should be a valid number, unable to parse string as a number"),
        ({"low": True, "high": 2}, "uniform low: Input should be a valid number"),
        ({"low": 1, "high": float("nan")}, "uniform high: Input should be a finite number"),
        ({"low": 5, "high": 1}, "uniform: low (5) is above high (1)"),
        ({"dist": "gamma"}, "unknown distribution 'gamma'; valid: uniform, triangular, normal, lognormal"),
        ({"dist": "lognormal", "median": 0, "sigma": 1}, "lognormal median: Input should be greater than 0"),
    ],
)
def test_bad_distribution_mappings_are_one_line(spec, message):
    with pytest.raises(UsageError) as exc:
        parse_uncertain(spec)
    assert str(exc.value) == message


def test_numbers_as_text_in_a_mapping():
    assert parse_uncertain({"low": "1", "high": "2"}) == Uniform(low=1, high=2)


def test_distributions_validate_inside_pydantic_dataclasses():
    # other modules may embed Uncertain values in stdlib dataclasses validated by pydantic
    import pydantic

    @dataclasses.dataclass
    class Holder:
        x: Uncertain
        lines: dict[str, Uncertain]

    ta = pydantic.TypeAdapter(Holder)
    h = ta.validate_python({"x": {"low": 1, "high": 2}, "lines": {"a": {"dist": "normal", "mean": 1, "sd": 0}, "b": 3}})
    assert h.x == Uniform(low=1, high=2) and h.lines == {"a": Normal(mean=1, sd=0), "b": 3.0}
    with pytest.raises(pydantic.ValidationError, match=r"low \(3\) is above high \(2\)"):
        ta.validate_python({"x": {"low": 3, "high": 2}, "lines": {}})
    with pytest.raises(pydantic.ValidationError):
        ta.validate_python({"x": {"dist": "uniform", "low": 1, "high": 2, "extra": 1}, "lines": {}})


def test_draws_match_numpy():
    rng = np.random.default_rng(7)
    assert np.array_equal(Uniform(low=1, high=3).draw(5, rng), np.random.default_rng(7).uniform(1, 3, 5))
    assert np.array_equal(draw(2.5, 3, rng), np.full(3, 2.5))
    assert np.array_equal(Triangular(low=2, mode=2, high=2).draw(2, rng), np.full(2, 2.0))
    assert (Normal(mean=0, sd=5).draw(1000, rng) >= 0).all()


def test_uncertainty_imports_neither_pydantic_nor_numpy():
    code = (
        "import sys\n"
        "import llmcost.uncertainty as u\n"
        "assert u.parse_uncertain('normal:5,1').central() == 5\n"
        "assert 'pydantic' not in sys.modules and 'numpy' not in sys.modules, 'imported too much'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


# ---------------------------------------------------------------- ranges in the data files


def _overlay(tmp_path: Path, pricing: str):
    d = tmp_path / "overlay"
    d.mkdir()
    (d / "pricing.yaml").write_text(pricing)
    return load_catalog([FIXTURES / "data", d], include_shipped=False)


GPT4O_RANGE = """api:
  - id: openai/gpt-4o
    provider: openai
    name: GPT-4o (negotiating)
    input_usd_per_mtok: {low: 2.0, high: 3.0}
    output_usd_per_mtok: 10.0
    source: "test: a quote we are negotiating"
    as_of: "2026-11-01"
"""


def test_an_api_price_range_in_the_data_is_drawn(tmp_path):
    # 10,000 q/day x 2,000 input tokens: the bill is linear in the input price, so its P10/P50/P90 sit
    # at the price's own quantiles: U(2, 3) -> 2.1, 2.5, 2.9 $/Mtok (sampling error well under 0.5%)
    cat = _overlay(tmp_path, GPT4O_RANGE)
    assert cat.api("openai/gpt-4o").input_usd_per_mtok == 2.5
    mc = dict(models=["llama-3.1-8b"], apis=["openai/gpt-4o"], catalog=cat, **POINTS)
    point = llmcost.compare(10_000, **mc).to_dict()["options"][0]
    api = llmcost.compare(10_000, monte_carlo=100_000, seed=1, **mc).to_dict()["options"][0]
    days = 365 / 12
    for p, price in ((10, 2.1), (50, 2.5), (90, 2.9)):
        expected = 10_000 * days * (2000 * price + 500 * 10.0) / 1e6
        assert api[f"monthly_cost_usd_p{p}"] == pytest.approx(expected, rel=5e-3)
    assert point["monthly_cost_usd"] == pytest.approx(10_000 * days * (2000 * 2.5 + 500 * 10.0) / 1e6)
    tornado = sensitivity(10_000, models=["llama-3.1-8b"], apis=["openai/gpt-4o"], catalog=cat).to_dict()
    row = next(r for r in tornado["inputs"] if r["input"] == "openai/gpt-4o input price (factor)")
    assert row["swing"] == pytest.approx(10_000 * days * 2000 * (3.0 - 2.0) / 1e6, rel=1e-6)  # a range: its ends


def test_an_offers_own_price_range_scales_its_gpus_price(tmp_path, cat):
    # the only on-demand A100 80GB offer, 1.64 $/h, with a source range up to 2.05 (mode 1.64):
    # the price factor is triangular(1, 1, 1.25), mean 1.0833; no provider spread with one offer
    pricing = (FIXTURES / "data" / "pricing.yaml").read_text()
    start = pricing.index("  - id: runpod/1x-a100-80gb/on-demand")
    entry = pricing[start : pricing.index("\n  - id:", start + 5)]
    ranged = entry.replace(
        "usd_per_instance_hour: 1.64", "usd_per_instance_hour: {dist: triangular, low: 1.64, mode: 1.64, high: 2.05}"
    )
    assert ranged != entry
    over = _overlay(tmp_path, "gpu_rental:\n" + ranged + "\n")
    drawn_prices = dict(qpd=10_000, throughput_factor=1.0, hidden_costs=False)  # GPU prices as the data gives
    d = draw_inputs(resolve(make_scenario(**drawn_prices), "compare", over), 200_000, 5, ["a100-80gb", "h100-sxm"])
    f = d.gpu_price_factor["a100-80gb"]
    assert f.min() >= 1.0 and f.max() <= 1.25 and f.mean() == pytest.approx(3.25 / 3, rel=2e-3)
    plain = draw_inputs(resolve(make_scenario(**drawn_prices), "compare", cat), 200_000, 5, ["a100-80gb", "h100-sxm"])
    assert np.array_equal(plain.gpu_price_factor["h100-sxm"], d.gpu_price_factor["h100-sxm"])  # other draws keep
    assert np.all(plain.gpu_price_factor["a100-80gb"] == 1.0)


def test_bought_gpus_draw_their_purchase_price_and_facility_figures(cat):
    st = resolve(make_scenario(qpd=10_000, ownership="buy", throughput_factor=1.0, hidden_costs=False), "compare", cat)
    f = draw_inputs(st, 50_000, 2, ["h100-sxm"]).gpu_price_factor["h100-sxm"]
    assert f.min() < 0.97 and f.max() > 1.03 and np.median(f) == pytest.approx(1.0, abs=0.02)
    assert owned_price_factor(st, "h100-sxm", {}) == pytest.approx(1.0)  # the central figures
    # the top of the purchase range alone: the factor is the owned hourly cost at $30,000 over $27,500
    owned = cat.owned_gpus["h100-sxm"]
    dearer = dataclasses.replace(owned, purchase_usd_per_gpu=30_000.0)
    gpu, facility = cat.gpu("h100-sxm"), cat.facility
    expected = (
        owned_gpu_cost(gpu, dearer, facility).usd_per_gpu_hour / owned_gpu_cost(gpu, owned, facility).usd_per_gpu_hour
    )
    top = owned_price_factor(st, "h100-sxm", {"purchase_usd_per_gpu": np.array([30_000.0])})
    assert owned.purchase_usd_per_gpu == 27_500 and top == pytest.approx([expected]) and expected > 1.05
    tornado = sensitivity(10_000, models=["llama-3.1-8b"], apis=["openai/gpt-4o"], ownership="buy", catalog=cat)
    rows = [r["input"] for r in tornado.to_dict()["inputs"]]
    # int4 and bf16 share the GPU; int4's smaller weights cost cents less to store and back up
    assert tornado.to_dict()["self_hosted"] == "llama-3.1-8b:int4@1xa100-80gb"
    assert rows[1] == "owned a100-80gb: purchase_usd_per_gpu"  # second only to the DevOps line
    assert "a100-80gb price over the cheapest offer" not in rows  # 1 .. 1 when buying: moves nothing
