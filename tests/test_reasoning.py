"""Reasoning tokens per option, self-hosted prefix caching, and hidden costs that scale with the fleet."""

from __future__ import annotations

import math

import numpy as np
import pytest

import llmcost
from llmcost.catalog import load_catalog
from llmcost.demand import Workload
from llmcost.errors import UsageError
from llmcost.inputs import SelfHostAssumptions, make_scenario, resolve
from llmcost.montecarlo import api_usd_per_qpd, draw_inputs
from llmcost.reasoning import choose, default_effort
from llmcost.selfhost import replica_capacity, sized_configs
from llmcost.throughput import prefill_s, serving_shape

SHIPPED = load_catalog()


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run the CLI in-process: (exit code, stdout, stderr)."""
    import shlex

    from llmcost.cli import main

    monkeypatch.setenv("COLUMNS", "250")

    def run(command: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(shlex.split(command))
        return (code, *capsys.readouterr())

    return run


def _api(result, api_id):
    return next(o for o in result.options if o.id == api_id)


# ---------------------------------------------------------------- which effort is costed


def test_default_effort_rules():
    gpt5 = SHIPPED.efforts("openai/gpt-5")
    assert default_effort(gpt5)[0].effort == "medium"  # documented: 'All models before gpt-5.1 default to medium'
    assert default_effort(SHIPPED.efforts("openai/o3"))[0].effort == "unspecified"
    # gpt-oss: harmony's default is medium, which has no figures; low and high are equally near: the higher
    figure, why = default_effort(SHIPPED.efforts("gpt-oss-120b"))
    assert figure.effort == "high" and "nearest to medium" in why
    assert choose("x", {}).tokens == 0 and choose("x", {}).effort is None  # a model that does not reason


def test_reasoning_effort_everywhere_per_option_and_given_tokens():
    apis = ["openai/gpt-5", "anthropic/claude-sonnet-4.5", "openai/gpt-4.1"]
    r = llmcost.compare(1000, apis=apis, models=["llama-3.1-8b"], reasoning_effort="high")
    got = {o: r.assumptions["reasoning"].get(o, {}).get("effort") for o in apis}
    # gpt-5 has 'high'; Claude has thinking-on/off, not 'high', so it keeps its default; gpt-4.1 does not reason
    assert got == {"openai/gpt-5": "high", "anthropic/claude-sonnet-4.5": "thinking-off", "openai/gpt-4.1": None}
    one = llmcost.compare(1000, apis=apis, models=["llama-3.1-8b"],
                          reasoning_effort={"anthropic/claude-sonnet-4.5": "thinking-on"})  # fmt: skip
    assert one.assumptions["reasoning"]["anthropic/claude-sonnet-4.5"]["reasoning_tokens"] == 5037
    given = llmcost.compare(1000, apis=["openai/gpt-5"], models=["llama-3.1-8b"],
                            reasoning_tokens={"openai/gpt-5": 1200})  # fmt: skip
    # 2,000 x 1.25 + (500 + 1,200) x 10 = 19,500 per 1e6
    assert _api(given, "openai/gpt-5").cost_per_query_usd == pytest.approx(0.0195)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"reasoning_effort": "hgh"}, "reasoning_effort: unknown reasoning effort; valid: none, thinking-off"),
        ({"reasoning_effort": "thinking-on", "apis": ["openai/gpt-4.1"]}, "no option in this comparison has effort"),
        ({"reasoning_effort": {"openai/gpt-5": "thinking-on"}}, "openai/gpt-5 has no reasoning effort 'thinking-on'"),
        ({"reasoning_effort": {"openai/gpt-4.1": "high"}}, "openai/gpt-4.1 has no reasoning figures"),
        ({"reasoning_tokens": {"openai/o3": 10}}, "reasoning_tokens: 'openai/o3' is not an option in this comparison"),
        ({"reasoning_tokens": {"openai/gpt-5": -5}}, "reasoning_tokens.openai/gpt-5 must be >= 0"),
        ({"reasoning_tokens": {"openai/gpt-5": "many"}}, "reasoning_tokens.openai/gpt-5"),
        ({"cached_input_share": 1.5}, "cached_input_share: Input should be less than or equal to 1"),
        ({"shared_prefix_tokens": 5000}, "shared_prefix_tokens (5,000) is longer than the prompt (2,000 tokens)"),
        ({"service_tier": "turbo"}, "service_tier: Input should be 'standard', 'flex' or 'priority'"),
        ({"service_tier": "flex", "batch_api": True}, "the batch API is its own tier"),
        (
            {"prompt_mix": [[0.5, 100], [0.5]]},
            "prompt_mix.1: each entry should be a [share of requests, prompt tokens]",
        ),
        ({"prompt_mix": [[0.5, 100]], "input_tokens": 900}, "give input_tokens or prompt_mix, not both"),
    ],
)
def test_bad_billing_input_is_one_clear_error(options, message):
    kw = {"apis": ["openai/gpt-5", "openai/gpt-4.1"], "models": ["llama-3.1-8b"], **options}
    with pytest.raises(UsageError) as exc:
        llmcost.compare(1000, **kw)
    assert message in str(exc.value) and "\n" not in str(exc.value)


def test_cli_flags_and_bad_input(cli):
    code, out, _ = cli("compare --qpd 50000 --api openai/gpt-5 --model llama-3.1-8b --reasoning-effort minimal")
    assert code == 0 and "$11,406" in out  # 0 reasoning tokens: today's 2,000 in / 500 out bill
    code, out, err = cli("compare --qpd 1000 --api openai/gpt-5 --model llama-3.1-8b --reasoning-effort high,low")
    assert code == 2 and out == "" and err.count("\n") == 1
    code, _, err = cli("compare --qpd 1000 --api openai/gpt-5 --reasoning-tokens openai/gpt-5")
    assert code == 2 and "--reasoning-tokens takes ID=TOKENS" in err
    code, _, err = cli("compare --qpd 1000 --api openai/gpt-5 --prompt-mix 0.9-20000")
    assert code == 2 and "--prompt-mix takes SHARE:TOKENS pairs" in err
    code, out, _ = cli(
        "compare --qpd 1000 --api google/gemini-2.5-pro --model llama-3.1-8b --prompt-mix 0.9:20000,0.1:300000"
    )
    assert code == 0 and "long-context tier" in out


def test_reasoning_tokens_are_decode_steps_for_a_deployment():
    cat, a = SHIPPED, SelfHostAssumptions()
    model, gpu = cat.model("gpt-oss-120b"), cat.gpu("h200")
    from llmcost.quantization import get_quantization

    q = get_quantization("fp8")
    _, plain = replica_capacity(model, q, gpu, 1, 2000, 500, a)
    _, thinking = replica_capacity(model, q, gpu, 1, 2000, 500 + 5219, a)
    # ~11x the decode steps per request: well under a tenth of the requests a second
    assert thinking.requests_per_s < plain.requests_per_s / 8
    w = Workload(1000, 2000, 500)
    (cfg, *_), _ = sized_configs(model, [q], [gpu], w, a, reasoning_tokens=5219)
    assert cfg.capacity.requests_per_s == pytest.approx(thinking.requests_per_s)


def test_prefix_caching_skips_prefill_of_the_cached_share():
    cat = SHIPPED
    from llmcost.defaults import Efficiency
    from llmcost.quantization import get_quantization

    model, gpu, q = cat.model("llama-3.1-70b"), cat.gpu("h100-sxm"), get_quantization("fp8")
    full = serving_shape(model, q, gpu, 1, 8000, 200)
    half = serving_shape(model, q, gpu, 1, 8000, 200, cached_tokens=4000)
    # new tokens 4,000: linear FLOPs halve; attention FLOPs over (8,000^2 - 4,000^2) = 3/4 of 8,000^2
    attn = model.attention_heads * model.head_dim * model.layers
    from llmcost.memory import params_active

    active = params_active(model)
    assert full.flops_per_prefill == pytest.approx(2 * active * 8000 + 2 * attn * 8000**2)
    assert half.flops_per_prefill == pytest.approx(2 * active * 4000 + 2 * attn * (8000**2 - 4000**2))
    eff = Efficiency()
    assert prefill_s(half, eff) < 0.55 * prefill_s(full, eff)
    kw = dict(models=["llama-3.1-70b"], quants=["fp8"], gpus=["h100-sxm"], apis=["openai/gpt-4o"],
              input_tokens=8000, output_tokens=200, cached_input_share=0.5)  # fmt: skip
    on = llmcost.compare(10_000, **kw)
    off = llmcost.compare(10_000, prefix_caching=False, **kw)
    cap_on = next(o for o in on.options if o.kind == "self_hosted").capacity["requests_per_s"]
    cap_off = next(o for o in off.options if o.kind == "self_hosted").capacity["requests_per_s"]
    assert cap_on > cap_off and on.assumptions["prefix_caching"] and not off.assumptions["prefix_caching"]


def test_a_shared_prefix_is_held_once_in_kv_memory():
    from llmcost.memory import plan_memory
    from llmcost.quantization import get_quantization

    m, g, q = SHIPPED.model("llama-3.1-8b"), SHIPPED.gpu("l4"), get_quantization("bf16")
    alone = plan_memory(m, q, g, 8000, gpus=1)
    shared = plan_memory(m, q, g, 8000, gpus=1, shared_prefix_tokens=6000)
    # each sequence now holds 2,000 tokens of its own: about 4x the sequences (less one prefix copy)
    assert shared.max_concurrent_sequences > 3.5 * alone.max_concurrent_sequences


def test_monte_carlo_draws_reasoning_and_collapses_to_the_point():
    kw = dict(qpd=50_000, apis=["openai/gpt-5"], models=["llama-3.1-8b"])
    inp = resolve(make_scenario(**kw), "compare")
    d = draw_inputs(inp, 4000, 3, [], ["openai/gpt-5"])
    drawn = d.reasoning_tokens["openai/gpt-5"]
    # lognormal median 3,509, sigma 0.76 (across the benchmarks' workload types)
    assert np.median(drawn) == pytest.approx(3509, rel=0.05) and np.std(np.log(drawn)) == pytest.approx(0.76, rel=0.05)
    costs = api_usd_per_qpd(inp, "openai/gpt-5", d)
    assert costs.min() < costs.max()
    fixed = resolve(make_scenario(**kw, reasoning_tokens={"openai/gpt-5": 3509}), "compare")
    d = draw_inputs(fixed, 10, 3, [], ["openai/gpt-5"])
    point = llmcost.compare(reasoning_tokens={"openai/gpt-5": 3509}, **kw)
    assert np.all(api_usd_per_qpd(fixed, "openai/gpt-5", d) * 50_000 == _api(point, "openai/gpt-5").monthly_cost_usd)


def test_price_reversal_is_said():
    r = llmcost.compare(50_000, apis=["openai/gpt-5", "openai/gpt-4.1"], models=["llama-3.1-8b"])
    gpt5 = _api(r, "openai/gpt-5")
    # list price per query (no reasoning): gpt-5 2,000 x 1.25 + 500 x 10 = 7,500 < gpt-4.1 2,000 x 2 + 500 x 8 = 8,000
    assert gpt5.list_price_usd_per_query == pytest.approx(0.0075)
    assert _api(r, "openai/gpt-4.1").list_price_usd_per_query == pytest.approx(0.008)
    (note,) = [n for n in gpt5.notes if n.code == "price_reversal"]
    assert note.values["other"] == "openai/gpt-4.1" and note.values["ratio"] == pytest.approx(42_590 / 8_000)


def test_quality_is_that_of_the_costed_effort():
    r = llmcost.compare(1000, apis=["openai/gpt-5"], models=["llama-3.1-8b"])
    assert _api(r, "openai/gpt-5").quality_elo is None  # scored at high, costed at medium
    high = llmcost.compare(1000, apis=["openai/gpt-5"], models=["llama-3.1-8b"], reasoning_effort="high")
    assert _api(high, "openai/gpt-5").quality_elo == pytest.approx(1436.8)


# ---------------------------------------------------------------- hidden costs that scale with the fleet


def test_hidden_costs_scale_with_hosts_gpus_and_steps():
    kw = dict(models=["llama-3.1-70b"], quants=["bf16"], gpus=["h100-sxm"], apis=["openai/gpt-4o"], show_all=True)
    base = next(o for o in llmcost.compare(1_000_000, **kw).options if o.kind == "self_hosted" and o.feasible)
    lic = next(o for o in llmcost.compare(1_000_000, nvidia_ai_enterprise=True, **kw).options
               if o.id == base.id)  # fmt: skip
    # NVIDIA AI Enterprise: $4,500 per GPU-year = $375 per GPU-month on every rented GPU
    assert lic.monthly_hidden_cost_usd - base.monthly_hidden_cost_usd == pytest.approx(375 * base.gpu_count)
    hosts = base.offer["instances"]
    step = next(o for o in llmcost.compare(1_000_000, hosts_per_devops_step=1, **kw).options if o.id == base.id)
    # one DevOps range ($3,500 midpoint) per host instead of one per deployment
    assert step.monthly_hidden_cost_usd - base.monthly_hidden_cost_usd == pytest.approx(3500 * (hosts - 1))
    assert hosts > 1 and step.hidden_costs_usd["devops"] == pytest.approx(3500 * hosts)
    assert base.hidden_costs_usd["monitoring"] == pytest.approx(16.5 * hosts)


def test_breakeven_is_exact_with_volume_driven_hidden_costs():
    r = llmcost.breakeven(apis=["openai/gpt-4o-mini"], models=["llama-3.1-8b"], gpus=["l4"], quants=["bf16"])
    pair = r.pairs[0]
    for c in pair.crossings:
        if c.kind == "equal":
            own = llmcost.compare(c.qpd, apis=["openai/gpt-4o-mini"], models=["llama-3.1-8b"], gpus=["l4"],
                                  quants=["bf16"], show_all=True)  # fmt: skip
            mine = next(o for o in own.options if o.id == pair.self_hosted)
            api = _api(own, "openai/gpt-4o-mini")
            assert mine.monthly_cost_usd == pytest.approx(api.monthly_cost_usd, rel=1e-9)
    assert math.isfinite(pair.api_usd_per_1k_queries)


def test_a_host_of_an_unloaded_open_model_bills_its_reasoning():
    # DeepInfra serves Qwen3 235B Thinking-2507, which models.yaml does not size yet: reasoning_as links it
    r = llmcost.compare(1000, apis=["deepinfra/qwen3-235b-a22b-thinking-2507"], models=["llama-3.1-8b"])
    got = r.assumptions["reasoning"]["deepinfra/qwen3-235b-a22b-thinking-2507"]
    assert got["effort"] == "thinking-on" and got["reasoning_tokens"] == 5666
