"""The CI gate: annotations on the changed line, a baseline so only new findings count, budget gates."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from llmcost import catalog
from llmcost.cli import main
from tests.conftest import FIXTURES

SCENARIO = Path(__file__).parent.parent / "examples" / "compare-support-bot.yaml"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _data(tmp_path: Path, name: str = "data") -> Path:
    d = tmp_path / name
    shutil.copytree(FIXTURES / "data", d)
    return d


def test_annotations_carry_the_line_of_the_entry_or_the_field(tmp_path, capsys, monkeypatch):
    d = _data(tmp_path)
    path = d / "pricing.yaml"
    lines = path.read_text().splitlines()
    # a negative price: the finding names the field, so the annotation points at the field's own line
    i = next(n for n, line in enumerate(lines) if line.strip() == "input_usd_per_mtok: 2.5")
    lines[i] = lines[i].replace("2.5", "-2.5")
    path.write_text("\n".join(lines) + "\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "validate", str(path), "--format", "github")
    first = out.splitlines()[0]
    assert code == 1 and first.startswith(f"::error file=data/pricing.yaml,line={i + 1},title=openai/gpt-4o::")


def test_a_baseline_reports_only_new_findings(tmp_path, capsys):
    d = _data(tmp_path)
    code, before, _ = run(capsys, "validate", str(d), "--format", "json")
    baseline = tmp_path / "baseline.json"
    baseline.write_text(before)
    old = json.loads(before)
    code, out, _ = run(capsys, "validate", str(d), "--baseline", str(baseline))
    assert code == 0 and out.strip() == (
        f"0 error(s), 0 warning(s) in {len(old['files'])} file(s) ({len(old['findings'])} known from the baseline, "
        "not shown)"
    )
    path = d / "pricing.yaml"  # a pull request makes one price undated: only that is reported
    path.write_text(path.read_text().replace('as_of: "2026-08-21"', 'as_of: "undated"', 1))
    code, out, _ = run(capsys, "validate", str(d), "--baseline", str(baseline))
    assert code == 0 and out.count("warning:") == 1 and "undated" in out
    code, _, err = run(capsys, "validate", str(d), "--baseline", str(path))
    assert code == 2 and "not the JSON of `llmcost validate --format json`" in err


def test_the_budget_gate(tmp_path, capsys):
    code, out, _ = run(capsys, "check", "--scenario", str(SCENARIO), "--fail-above", "100")
    assert code == 1 and "above the $100 budget" in out and out.endswith("budget check failed\n")
    code, out, _ = run(capsys, "check", "--scenario", str(SCENARIO), "--fail-above", "1e9")
    assert code == 0 and out.endswith("budget check passed\n")
    # the base data had gpt-4o-mini at half the price: the cost doubled, over a 5% allowance
    base = tmp_path / "base"
    shutil.copytree(Path(__file__).parent.parent / "data", base)
    pricing = base / "pricing.yaml"
    text = pricing.read_text()
    start = text.index("  - id: openai/gpt-4o-mini")
    entry = text[start : text.index("\n  - id:", start + 5)]
    cheaper = entry.replace("input_usd_per_mtok: 0.15", "input_usd_per_mtok: 0.075").replace(
        "output_usd_per_mtok: 0.6", "output_usd_per_mtok: 0.3"
    )
    cheaper = cheaper.replace("cached_input_usd_per_mtok: 0.075", "cached_input_usd_per_mtok: 0.0375")
    pricing.write_text(text.replace(entry, cheaper))
    code, out, _ = run(capsys, "check", "--scenario", str(SCENARIO), "--option", "openai/gpt-4o-mini",
                       "--fail-on-increase", "5", "--base-data", str(base), "--format", "github")  # fmt: skip
    assert code == 1 and out.startswith("::error file=examples/compare-support-bot.yaml,title=llmcost budget::")
    assert "rose 100.0%" in out
    code, _, err = run(capsys, "check", "--scenario", str(SCENARIO), "--fail-on-increase", "5")
    assert code == 2 and "base data" in err


@pytest.mark.parametrize(
    "args",
    [
        ["compare", "--qpd", "10"],
        ["breakeven", "--api", "openai/gpt-4o", "--model", "llama-3.1-8b"],
        ["fit", "llama-3.1-8b"],
        ["capacity", "llama-3.1-8b"],
        ["buy-vs-rent"],
        ["workload", str(FIXTURES / "usage_openai.csv")],
        ["validate"],
        ["data", "diff", "data", "data"],
        ["list", "gpus"],
        ["check", "--scenario", str(SCENARIO), "--fail-above", "1"],
    ],
)
def test_an_unknown_format_is_refused_everywhere(capsys, args):
    code, out, err = run(capsys, *args, "--format", "xml")
    assert code == 2 and out == "" and "--format must be one of" in err


def test_a_removed_model_is_annotated_and_a_scenario_that_uses_it_fails(tmp_path, capsys, monkeypatch):
    new = tmp_path / "new"
    shutil.copytree(Path(__file__).parent.parent / "data", new)
    pricing = new / "pricing.yaml"
    text = pricing.read_text()
    start = text.index("  - id: openai/gpt-4o-mini")
    pricing.write_text(text[:start] + text[text.index("\n  - id:", start + 5) + 1 :])
    code, out, _ = run(capsys, "data", "diff", "data", str(new), "--format", "github")
    assert code == 0  # a removal is not a typo in a price: reported, not held
    line = 1 + text[:start].count("\n")  # its id line in the old file, where it was
    assert out == f"::notice file=data/pricing.yaml,line={line},title=openai/gpt-4o-mini::removed from api\n"
    # once merged, a checked-in scenario that names the model fails its budget gate in one line
    monkeypatch.setattr(catalog, "SHIPPED_DATA_DIR", new)
    code, out, err = run(capsys, "check", "--scenario", str(SCENARIO), "--fail-above", "1e9")
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and "openai/gpt-4o-mini" in err, err
