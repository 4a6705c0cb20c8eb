"""Every decision and data command from the command line: exit codes, JSON shapes, files written."""

from __future__ import annotations

import json
import shutil

import pytest

from llmcost.cli import main
from tests.conftest import FIXTURES


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_hybrid_and_tco_json(capsys):
    code, out, _ = run(
        capsys,
        "hybrid",
        "--qpd",
        "50000",
        "--share",
        "0.7",
        "--model",
        "llama-3.1-70b",
        "--api",
        "openai/gpt-4o",
        "--format",
        "json",
    )
    assert code == 0 and {"blended_cost_per_query_usd", "saving_vs_all_api_usd"} <= set(json.loads(out))
    code, out, _ = run(
        capsys,
        "tco",
        "--qpd",
        "20000",
        "--months",
        "6",
        "--growth",
        "0.1",
        "--model",
        "llama-3.1-70b",
        "--api",
        "openai/gpt-4o",
        "--format",
        "json",
    )
    assert code == 0 and len(json.loads(out)["months"]) == 6
    code, out, _ = run(
        capsys, "tco", "--qpd", "20000", "--growth", "-2", "--model", "llama-3.1-70b", "--api", "openai/gpt-4o"
    )
    assert code == 2 and out == ""


def test_sensitivity_and_monte_carlo_tables(capsys):
    code, out, _ = run(
        capsys, "sensitivity", "--model", "llama-3.1-70b", "--api", "openai/gpt-4o", "--metric", "breakeven"
    )
    assert code == 0 and "hidden cost: devops" in out and "#" in out
    code, out, _ = run(
        capsys,
        "compare",
        "--qpd",
        "40000..60000",
        "--model",
        "llama-3.1-8b",
        "--api",
        "openai/gpt-4o",
        "--monte-carlo",
        "2000",
        "--seed",
        "1",
    )
    assert code == 0 and "P10-P90/mo" in out and "Monte Carlo: 2,000 draws (seed 1)" in out


def test_buy_vs_rent(capsys):
    code, out, _ = run(capsys, "buy-vs-rent", "--format", "json")
    gpus = {g["gpu"] for g in json.loads(out)["gpus"]}
    assert code == 0 and gpus == {"h100-sxm", "a100-80gb"}


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_plot_writes_a_chart(capsys, tmp_path, suffix):
    out_file = tmp_path / f"chart.{suffix}"
    code, out, err = run(
        capsys, "plot", "breakeven", "--api", "openai/gpt-4o", "--model", "llama-3.1-70b", "--out", str(out_file)
    )
    assert code == 0 and out == "" and out_file.stat().st_size > 10_000 and "wrote" in err
    code, _, err = run(capsys, "plot", "compare", "--qpd", "50000", "--out", str(tmp_path / "c.gif"))
    assert code == 2 and err.count("\n") == 1


def test_validate_gate(capsys, tmp_path):
    code, out, _ = run(capsys, "validate")
    assert code == 0 and out.rstrip().endswith("file(s)") and "0 error(s)" in out
    bad = tmp_path / "pricing.yaml"
    shutil.copy(FIXTURES / "corrupt" / "pricing_api_bad.yaml", bad)
    before = bad.read_bytes()
    code, out, _ = run(capsys, "validate", str(bad), "--format", "github")
    assert code == 1 and out.startswith("::error file=") and bad.read_bytes() == before


def test_data_diff_and_import(capsys, tmp_path):
    old = FIXTURES / "data" / "pricing.yaml"
    new = tmp_path / "pricing.yaml"
    new.write_text(old.read_text().replace("input_usd_per_mtok: 2.5\n", "input_usd_per_mtok: 30.0\n", 1))
    code, out, _ = run(capsys, "data", "diff", str(old), str(new))
    assert code == 1 and "LARGE CHANGE" in out and "+1100.0%" in out
    assert run(capsys, "data", "diff", str(old), str(new), "--allow-large-changes")[0] == 0
    code, out, _ = run(capsys, "data", "import-litellm", str(FIXTURES / "litellm_small.json"), "--model", "gpt-4o")
    assert code == 0 and "input_usd_per_mtok: 2.5" in out
