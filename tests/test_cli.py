from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from llmcost.cli import main
from tests.test_compare import check_contract


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_compare_json_on_shipped_data(capsys):
    code, out, err = run(capsys, "compare", "--qpd", "50000", "--format", "json")
    assert code == 0 and err == ""
    data = json.loads(out)
    check_contract(data)
    kinds = {o["kind"] for o in data["options"]}
    assert kinds == {"api", "self_hosted"}


def test_compare_table_shows_costs_and_assumptions(capsys):
    code, out, _ = run(capsys, "compare", "--qpd", "50000", "--model", "llama-3.1-70b", "--api", "openai/gpt-4o")
    assert code == 0
    assert "Monthly cost at 50,000 queries/day" in out and "Assumptions" in out
    assert "openai/gpt-4o" in out and "llama-3.1-70b" in out


@pytest.mark.parametrize("fmt", ["csv", "markdown"])
def test_other_formats_render_the_same_options(capsys, fmt):
    code, out, _ = run(
        capsys,
        "compare",
        "--qpd",
        "1000",
        "--api",
        "openai/gpt-4o,openai/gpt-4o-mini",
        "--model",
        "llama-3.1-8b",
        "--format",
        fmt,
    )
    assert code == 0 and "openai/gpt-4o-mini" in out
    if fmt == "csv":
        assert out.splitlines()[0].startswith("id,kind,")


def test_commercial_only_drops_research_licence(capsys):
    _, out, _ = run(capsys, "compare", "--qpd", "50000", "--model", "mistral-large-2", "--format", "json")
    flagged = [o for o in json.loads(out)["options"] if o["kind"] == "self_hosted"]
    assert flagged and not any(o["commercial_use"] for o in flagged)
    _, out, _ = run(
        capsys,
        "compare",
        "--qpd",
        "50000",
        "--model",
        "mistral-large-2",
        "--commercial-only",
        "--format",
        "json",
    )
    assert not [o for o in json.loads(out)["options"] if o["kind"] == "self_hosted"]


def test_fit_and_capacity_json(capsys):
    code, out, _ = run(
        capsys,
        "fit",
        "llama-3.1-70b",
        "--quant",
        "int4",
        "--gpu",
        "a100-80gb",
        "--context",
        "4096",
        "--format",
        "json",
    )
    fit = json.loads(out)
    assert code == 0 and fit["fits"] and fit["gpus_per_replica"] == 1
    assert {"weights_gb", "kv_bytes_per_token", "max_concurrent_sequences", "reason"} <= set(fit)
    code, out, _ = run(
        capsys,
        "capacity",
        "llama-3.1-8b",
        "--quant",
        "fp8",
        "--gpu",
        "h100-sxm",
        "--input-tokens",
        "128",
        "--output-tokens",
        "128",
        "--format",
        "json",
    )
    cap = json.loads(out)
    assert code == 0 and cap["output_tokens_per_s"] > 0
    assert {"requests_per_s", "batch_size", "bound", "ttft_ms", "tpot_ms"} <= set(cap)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compare", "--qpd", "0"], "qpd must be > 0, got 0"),
        (["compare", "--qpd", "-5"], "qpd must be > 0, got -5"),
        (["compare", "--qpd", "nan"], "'nan' must be finite"),
        (["compare", "--qpd", "inf"], "'inf' must be finite"),
        (["compare", "--qpd", "lots"], "'lots' is not a number, a range low..high or a distribution"),
        (["compare", "--qpd", "10..5"], "uniform: low (10) is above high (5)"),
        (["compare", "--qpd", "weibull:1,2"], "unknown distribution 'weibull'"),
        (["compare", "--qpd", "normal:100,-1"], "normal sd: Input should be greater than or equal to 0"),
        (["compare", "--qpd", "10", "--monte-carlo", "0"], "--monte-carlo: Input should be greater than 0"),
        (
            ["compare", "--qpd", "10", "--monte-carlo", "5000000"],
            "--monte-carlo: Input should be less than or equal to 1,000,000",
        ),
        (["compare", "--qpd", "10", "--monte-carlo", "10", "--seed", "abc"], "Invalid value for '--seed'"),
        (["compare"], "qpd is required"),
        (["compare", "--qpd", "10", "--input-tokens", "-1"], "--input-tokens must be > 0, got -1"),
        (["compare", "--qpd", "10", "--output-tokens", "0"], "--output-tokens must be > 0, got 0"),
        (["compare", "--qpd", "10", "--input-tokens", "nan"], "'nan' must be finite"),
        (["compare", "--qpd", "10", "--input-tokens", "many"], "'many' is not a number"),
        (
            ["compare", "--qpd", "10", "--utilization", "1.5"],
            "--utilization must be <= 1, got 1.5",
        ),
        (["compare", "--scenario", "/nonexistent.yaml"], "--scenario /nonexistent.yaml: cannot read"),
        (["compare", "--qpd", "10", "--api", "openai/gpt4o"], "did you mean openai/gpt-4o"),
        (["compare", "--qpd", "10", "--gpu", "h100"], "unknown GPU 'h100'"),
        (["compare", "--qpd", "10", "--format", "xml"], "--format must be one of"),
        (["compare", "--qpd", "10", "--hidden-cost", "devops"], "LINE=USD_PER_MONTH"),
        (["fit", "llama-3.1-8b", "--quant", "int3"], "unknown quantization 'int3'"),
        (["fit", "llama-3.1-8b", "--context", "999999"], "exceeds llama-3.1-8b's maximum"),
        (["capacity", "llama-3.1-70b", "--gpu", "t4", "--gpus", "1"], "does not fit"),
        (["capacity", "llama-3.1-8b", "--gpus", "3"], "tensor-parallel size"),
    ],
)
def test_bad_usage_is_one_line_exit_2(capsys, args, message):
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("llmcost: error: ") and message in err


def test_bad_data_dir_is_one_line_exit_1(capsys, tmp_path):
    (tmp_path / "pricing.yaml").write_text("api: [\n")
    code, out, err = run(capsys, "compare", "--qpd", "10", "--data", str(tmp_path))
    assert code == 1 and out == "" and err.count("\n") == 1 and "malformed YAML" in err


def test_help_teaches(capsys):
    code, out, _ = run(capsys, "compare", "--help")
    assert code == 0 and "--qpd" in out and "--commercial-only" in out


@pytest.mark.parametrize("cmd", [[sys.executable, "-m", "llmcost"], [str(Path(sys.executable).parent / "llmcost")]])
def test_entry_points(cmd):
    proc = subprocess.run([*cmd, "compare", "--qpd", "-1"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr


def test_breakeven_json_contract(capsys):
    code, out, err = run(capsys, "breakeven", "--api", "openai/gpt-4o", "--model", "llama-3.1-70b", "--format", "json")
    assert code == 0 and err == ""
    pairs = json.loads(out)["pairs"]
    assert len(pairs) == 1
    p = pairs[0]
    assert {"api", "self_hosted", "crossings_qpd", "self_hosted_cheaper_above_qpd", "reason"} <= set(p)
    assert p["api"] == "openai/gpt-4o" and p["self_hosted_cheaper_above_qpd"] == p["crossings_qpd"][-1]


def test_breakeven_table_lists_quality_matched_pairs(capsys):
    code, out, _ = run(capsys, "breakeven", "--model", "llama-3.1-8b")
    assert code == 0 and "hosted version of" in out and "groq/llama-3.1-8b" in out


def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("llmcost ")
