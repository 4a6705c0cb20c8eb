from __future__ import annotations

import json
from pathlib import Path

import pytest

from llmcost.cli import main
from llmcost.errors import UsageError
from llmcost.scenario import Scenario, make_scenario

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_scenarios_run(capsys, path):
    command = path.name.split("-")[0]
    assert main([command, "--scenario", str(path), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and json.loads(out)


def test_examples_exist_for_each_decision_command():
    assert {p.name.split("-")[0] for p in EXAMPLES} == {"compare", "breakeven", "hybrid", "tco"}


def test_flags_override_the_file(capsys, tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text("qpd: 1000\napis: [openai/gpt-4o]\nmodels: [llama-3.1-8b]\n")
    main(["compare", "--scenario", str(f), "--qpd", "2000", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert data["workload"]["queries_per_day"] == 2000
    assert {o["id"] for o in data["options"] if o["kind"] == "api"} == {"openai/gpt-4o"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("qpd: 1000\ncolour: red\n", "unknown setting 'colour'; valid settings: qpd"),
        ("qpd: 1000\nmodels: [llama-9]\n", "unknown model 'llama-9'"),
        ("qpd: -3\n", "qpd must be > 0, got -3"),
        ("- qpd\n", "expected a mapping of settings"),
        ("qpd: [1000\n", "malformed YAML"),
        ("a: &x [1]\nb: *x\n", "aliases are not allowed"),
    ],
)
def test_bad_scenario_files(capsys, tmp_path, content, message):
    f = tmp_path / "s.yaml"
    f.write_text(content)
    code = main(["compare", "--scenario", str(f)])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


def test_schema_command_prints_the_scenario_schema(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["additionalProperties"] is False and "qpd" in schema["properties"]


def test_make_scenario_layers_options_over_a_base():
    base = Scenario(qpd=10, input_tokens=100)
    s = make_scenario(base, qpd=20)
    assert (s.qpd, s.input_tokens) == (20, 100)
    with pytest.raises(UsageError, match="share"):
        make_scenario(share=2)
