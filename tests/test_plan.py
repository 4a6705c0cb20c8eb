"""`plan`: the Python API on frozen fixture data, and the command line (formats, exit codes, errors)."""

from __future__ import annotations

import csv
import io
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import llmcost
from llmcost.catalog import load_catalog
from llmcost.cli import main
from llmcost.commands.plan import plan
from llmcost.defaults import DAYS_PER_MONTH
from llmcost.inputs import SelfHostAssumptions
from llmcost.quantization import get_quantization
from llmcost.selfhost import replica_capacity
from tests.conftest import FIXTURES

MIX = [[0.8, 400], [0.2, 6000]]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_one_option_is_sized_as_compare_sizes_it(cat):
    # one configuration: llama-3.1-8b bf16 on 1 x a100-80gb (vLLM), runpod at $1.64/h on demand.
    # 2,000,000 queries/day = 23.148 req/s; each replica carries rps x 0.7 (utilization target);
    # instances = ceil(23.148 / (0.7 rps)); cost = instances x 1.64 x 24 x 365/12.
    r = plan(2_000_000, models=["llama-3.1-8b"], gpus=["a100-80gb"], quants=["bf16"], engine="vllm",
             pricing="on_demand", max_tpot_ms=40, catalog=cat)  # fmt: skip
    a = SelfHostAssumptions(engine=cat.engine("vllm"), max_tpot_ms=40)
    m, q, g = cat.models["llama-3.1-8b"], get_quantization("bf16"), cat.gpus["a100-80gb"]
    _, c = replica_capacity(m, q, g, 1, 2000, 500, a)
    n = math.ceil(2_000_000 / 86_400 / (0.7 * c.requests_per_s))
    assert r.feasible and r.rows[0].instances == n
    assert r.monthly_cost_usd == pytest.approx(n * 1.64 * 24 * DAYS_PER_MONTH)
    assert r.saving_from_mixing_usd == pytest.approx(0.0)


def test_the_plan_shows_its_work(cat):
    r = plan(3_000_000, models=["llama-3.1-8b"], prompt_mix=MIX, output_tokens=300, max_tpot_ms=40, catalog=cat)
    assert r.feasible and r.monthly_cost_usd == pytest.approx(sum(x.monthly_cost_usd for x in r.rows))
    assert all(0 < x.utilization <= 0.7 + 1e-6 for x in r.rows)  # the utilization target holds
    assert all(x.max_tpot_ms is not None and x.max_tpot_ms <= 40 for x in r.rows)
    assert r.monthly_cost_usd <= min(s["monthly_cost_usd"] for s in r.single_types if s["monthly_cost_usd"])
    costs = [p["monthly_cost_usd"] for p in r.frontier]
    lat = [p["achieved_tpot_ms"] for p in r.frontier]
    assert costs == sorted(costs, reverse=True) and lat == sorted(lat)  # Pareto: slower is cheaper
    assert {b["input_tokens"] for b in r.buckets} == {400, 6000}
    assert r.searched["configurations"] > 0 and json.loads(r.to_json())["feasible"] is True


@settings(max_examples=8, deadline=None)
@given(st.floats(50_000, 5_000_000), st.sampled_from([None, 30.0, 60.0]))
def test_a_plan_never_costs_more_than_any_single_gpu_type(cat, qpd, tpot):
    r = plan(qpd, models=["llama-3.1-8b"], prompt_mix=MIX, output_tokens=300, max_tpot_ms=tpot, catalog=cat)
    for s in r.single_types:
        if s["monthly_cost_usd"] is not None:
            assert r.monthly_cost_usd is not None and r.monthly_cost_usd <= s["monthly_cost_usd"] + 1e-6


def test_an_unreachable_target_says_what_came_closest(cat):
    r = plan(100_000, models=["llama-3.1-8b"], max_tpot_ms=0.5, catalog=cat)
    assert not r.feasible and r.monthly_cost_usd is None and r.rows == ()
    assert r.closest is not None and r.closest["best_ms"] > 0.5 and r.closest["over_ms"] > 0
    assert "closest" in (r.reason or "") and f"{r.closest['over_ms']:.1f} ms over" in (r.reason or "")


def test_public_api():
    assert "plan" in llmcost.__all__ and llmcost.plan is plan and "PlanResult" in llmcost.__all__


def test_plan_chart(cat, tmp_path):
    pytest.importorskip("matplotlib")
    r = plan(1_000_000, models=["llama-3.1-8b"], prompt_mix=MIX, max_tpot_ms=40, catalog=cat)
    out = tmp_path / "plan.svg"
    r.plot(str(out))
    assert out.stat().st_size > 1000


ARGS = ("plan", "--model", "llama-3.1-8b", "--qpd", "2000000", "--prompt-mix", "0.8:400,0.2:6000",
        "--output-tokens", "300", "--max-tpot-ms", "40", "--gpu", "l4,a10g,a100-80gb,h100-sxm")  # fmt: skip


def test_cli_json_and_csv(capsys):
    code, out, err = run(capsys, *ARGS, "--format", "json")
    d = json.loads(out)
    assert code == 0 and err == "" and d["feasible"] and d["rows"]
    assert d["monthly_cost_usd"] == pytest.approx(sum(r["monthly_cost_usd"] for r in d["rows"]))
    assert d["best_single_type"]["monthly_cost_usd"] >= d["monthly_cost_usd"] - 1e-6
    assert {"frontier", "single_types", "buckets", "searched", "assumptions"} <= set(d)
    code, out, _ = run(capsys, *ARGS, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == len(d["rows"]) and {"gpu", "instances", "monthly_cost_usd"} <= set(rows[0])


def test_cli_table_fits_80_columns_and_markdown(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run(capsys, *ARGS)
    assert code == 0 and out.startswith("Cheapest fleet for llama-3.1-8b")
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "Pareto frontier" in out
    code, out, _ = run(capsys, *ARGS, "--format", "markdown")
    assert code == 0 and out.startswith("**Cheapest fleet") and "| GPUs | TP |" in out


def test_cli_unreachable_target_prints_the_answer_and_exits_2(capsys):
    code, out, err = run(capsys, "plan", "--model", "llama-3.1-8b", "--qpd", "100000", "--max-tpot-ms", "0.5",
                         "--gpu", "a100-80gb", "--format", "json")  # fmt: skip
    d = json.loads(out)
    assert code == 2 and not d["feasible"] and d["closest"]["over_ms"] > 0
    assert err.startswith("llmcost: error: no fleet meets the targets") and err.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--model", "llama-9-1b", "--qpd", "1000"), "unknown model"),
        (("--model", "llama-3.1-8b", "--qpd", "1000", "--gpu", "h900"), "unknown GPU"),
        (("--model", "llama-3.1-8b", "--qpd", "-5"), "qpd"),
        (("--model", "llama-3.1-8b", "--qpd", "1000", "--max-tpot-ms", "-1"), "max_tpot_ms"),
        (("--model", "llama-3.1-8b", "--qpd", "1000", "--max-ttft-ms", "nan"), "max_ttft_ms"),
        (("--model", "llama-3.1-8b", "--qpd", "inf"), "qpd"),
        (("--qpd", "1000",), "one --model"),
        (("--model", "llama-3.1-8b,llama-3.1-70b", "--qpd", "1000"), "one --model"),
        (("--model", "llama-3.1-8b", "--qpd", "1000", "--pricing", "cheap"), "pricing"),
        (("--model", "llama-3.1-8b", "--qpd", "1000", "--engine", "warp"), "engine"),
        (("--model", "llama-3.1-8b", "--qpd", "1000", "--prompt-mix", "0.5:-3"), "prompt_mix"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_exit_2(capsys, args, needle):
    code, out, err = run(capsys, "plan", *args)
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("llmcost: error:")
    assert needle.lower() in err.lower() or needle.replace("_", "-") in err


def test_a_usage_log_sets_the_buckets_and_the_peak(capsys):
    code, out, _ = run(capsys, "plan", "--model", "llama-3.1-8b", "--workload", str(FIXTURES / "usage_openai.csv"),
                         "--max-tpot-ms", "50", "--gpu", "l4,a100-80gb", "--format", "json")  # fmt: skip
    d = json.loads(out)
    assert code == 0 and len(d["buckets"]) > 1 and d["assumptions"]["peak_factor"] > 1
    assert any("profile is not followed" in n for n in d["notes"])
    assert all(len(r["bucket_shares"]) == len(d["buckets"]) for r in d["rows"])
    # every bucket's requests are all placed: the shares of the groups add up to one per bucket
    for b in range(len(d["buckets"])):
        assert sum(r["bucket_shares"][b] for r in d["rows"]) == pytest.approx(1.0, abs=1e-6)


def test_trt_llm_is_searched_on_nvidia_gpus_only(cat):
    from llmcost.fleet import engine_runs_on

    trt = cat.engine("trt-llm")
    assert engine_runs_on(trt, cat.gpus["h100-sxm"]) and engine_runs_on(cat.engine("vllm"), cat.gpus["t4"])
    amd = [g for g in load_catalog().gpus.values() if g.vendor == "amd"]
    assert amd and not any(engine_runs_on(trt, g) for g in amd)


def test_plot_plan_from_the_command_line(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "frontier.png"
    code, _, err = run(capsys, "plot", "plan", "--model", "llama-3.1-8b", "--qpd", "1000000", "--gpu", "l4,a100-80gb",
                       "--out", str(out))  # fmt: skip
    assert code == 0 and out.stat().st_size > 1000 and "wrote" in err


def test_an_infeasible_plan_still_has_a_csv_header(capsys):
    code, out, _ = run(capsys, "plan", "--model", "llama-3.1-8b", "--qpd", "1000", "--max-tpot-ms", "0.5",
                       "--gpu", "l4", "--format", "csv")  # fmt: skip
    assert code == 2 and out.splitlines()[0].startswith("id,gpu,gpus_per_replica") and len(out.splitlines()) == 1
