from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost.cli import main
from llmcost.defaults import THROUGHPUT_LOG_SD
from llmcost.errors import UsageError
from llmcost.inputs import Scenario, make_scenario, scenario_json_schema
from llmcost.uncertainty import Uniform

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


def test_scenario_built_directly_is_validated_and_normalized():
    s = Scenario(qpd="10..20", apis="openai/gpt-4o", min_replicas="2", share="0.5")
    assert s.qpd == Uniform(low=10, high=20) and s.apis == ["openai/gpt-4o"]
    assert (s.min_replicas, s.share) == (2, 0.5) and s.fields_set == {"qpd", "apis", "min_replicas", "share"}
    with pytest.raises(UsageError, match=r"^qpd must be > 0, got -5$"):
        Scenario(qpd=-5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.qpd = 5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"colour": "red"}, "unknown setting 'colour'; valid settings: qpd, input_tokens, output_tokens, "),
        ({"qpd": True}, "qpd: Input should be a valid number, got True"),
        ({"qpd": [1, 2]}, "qpd: Input should be a valid number, got [1, 2]"),
        ({"qpd": "abc"}, "qpd: 'abc' is not a number, a range low..high or a distribution like normal:mean,sd"),
        ({"qpd": float("nan")}, "qpd: Input should be a finite number, got nan"),
        ({"qpd": "inf"}, "qpd: 'inf' must be finite"),
        ({"qpd": -5}, "qpd must be > 0, got -5"),
        ({"qpd": {"low": 5, "high": 1}}, "qpd: uniform: low (5) is above high (1)"),
        ({"utilization": 1.5}, "utilization must be <= 1, got 1.5"),
        ({"peak_factor": 0.5}, "peak_factor must be >= 1, got 0.5"),
        (
            {"cached_input_share": "x"},
            "cached_input_share: Input should be a valid number, unable to parse string as a number, got 'x'",
        ),
        ({"cached_input_share": True}, "cached_input_share: Input should be a valid number, got True"),
        ({"cached_input_share": float("inf")}, "cached_input_share: Input should be a finite number, got inf"),
        ({"cached_input_share": -0.1}, "cached_input_share: Input should be greater than or equal to 0, got -0.1"),
        ({"share": 2}, "share: Input should be less than or equal to 1, got 2"),
        ({"growth": -1}, "growth: Input should be greater than -1, got -1"),
        ({"max_ttft_ms": 0}, "max_ttft_ms: Input should be greater than 0, got 0"),
        ({"months": 1.5}, "months: Input should be a valid integer, got a number with a fractional part, got 1.5"),
        ({"seed": "x"}, "seed: Input should be a valid integer, unable to parse string as an integer, got 'x'"),
        ({"seed": True}, "seed: Input should be a valid integer, got True"),
        ({"monte_carlo": 0}, "monte_carlo: Input should be greater than 0, got 0"),
        ({"commercial_only": "maybe"}, "commercial_only: Input should be a valid boolean, got 'maybe'"),
        ({"usage_log": 5}, "usage_log: Input should be a valid string, got 5"),
        ({"apis": 5}, "apis: Input should be a valid list, got 5"),
        ({"apis": ["a", 1]}, "apis.1: Input should be a valid string, got 1"),
        ({"data_dirs": "x"}, "data_dirs: Input should be a valid list, got 'x'"),
        (
            {"pricing": "free"},
            "pricing: Input should be 'on_demand', 'reserved_1y', 'reserved_3y' or 'spot', got 'free'",
        ),
        ({"ownership": "lease"}, "ownership: Input should be 'rent' or 'buy', got 'lease'"),
        ({"profile": 5}, "profile: Input should be a profile name or a list of 24 hourly weights, got 5"),
        (
            {"profile": [1, "a"]},
            "profile.1: Input should be a valid number, unable to parse string as a number, got 'a'",
        ),
        ({"hidden_cost_overrides": 5}, "hidden_cost_overrides: Input should be a valid dictionary, got 5"),
        (
            {"hidden_cost_overrides": {"devops": True}},
            "hidden_cost_overrides.devops: Input should be a valid number, got True",
        ),
        ({"hidden_cost_overrides": {"devops": -1}}, "hidden_cost_overrides.devops must be >= 0, got -1"),
    ],
)
def test_each_bad_setting_is_one_line(options, message):
    with pytest.raises(UsageError) as exc:
        make_scenario(**options)
    text = str(exc.value)
    assert text.startswith(message) and "\n" not in text
    if not message.startswith("unknown setting"):
        assert text == message


def test_numbers_given_as_text_are_read_as_numbers():
    s = make_scenario(qpd="1e3", months="12", share="0.5", seed=1.0, quants=("fp8", "int4"))
    assert (s.qpd, s.months, s.share, s.seed, s.quants) == (1000.0, 12, 0.5, 1, ["fp8", "int4"])
    assert isinstance(s.months, int) and isinstance(s.qpd, float)


def test_given_settings_survive_a_scenario_base_and_replace():
    base = make_scenario({"qpd": 10, "input_tokens": 2000})  # 2000 is the default, but it was given
    assert base.fields_set == {"qpd", "input_tokens"}
    s = make_scenario(base, output_tokens=300)
    assert s.fields_set == {"qpd", "input_tokens", "output_tokens"}
    t = s.replace(apis="openai/gpt-4o")
    assert (
        t.apis == ["openai/gpt-4o"] and "apis" in t.fields_set and t == dataclasses.replace(s, apis=["openai/gpt-4o"])
    )
    with pytest.raises(UsageError, match="qpd must be > 0"):
        s.replace(qpd=0)


def test_the_usage_log_fills_only_what_was_not_given():
    log = str(Path(__file__).parent / "fixtures" / "usage_openai.csv")
    filled = make_scenario(usage_log=log)
    assert filled.input_tokens == pytest.approx(1150) and filled.peak_factor == pytest.approx(24 / 9)
    kept = make_scenario({"usage_log": log, "input_tokens": 2000})
    assert kept.input_tokens == 2000 and kept.peak_factor == pytest.approx(24 / 9)


def test_scenario_json_schema_describes_every_field():
    schema = scenario_json_schema()
    names = [f.name for f in dataclasses.fields(Scenario) if not f.name.startswith("_")]
    assert list(schema["properties"]) == names and schema["additionalProperties"] is False
    assert schema["title"] == "Scenario" and schema["description"]
    for name, prop in schema["properties"].items():
        assert prop["description"], name
        assert "default" in prop, name
    props = schema["properties"]
    assert props["pricing"]["enum"] == ["on_demand", "reserved_1y", "reserved_3y", "spot"]
    assert props["ownership"]["enum"] == ["rent", "buy"]
    assert (props["cached_input_share"]["minimum"], props["cached_input_share"]["maximum"]) == (0, 1)
    assert props["months"] == {**props["months"], "type": "integer", "exclusiveMinimum": 0, "maximum": 120}
    assert {"type": "null"} in props["qpd"]["anyOf"] and {"$ref": "#/$defs/Normal"} in props["qpd"]["anyOf"]
    assert props["throughput_factor"]["default"] == {"dist": "lognormal", "median": 1.0, "sigma": THROUGHPUT_LOG_SD}
    assert schema["$defs"]["LogNormal"]["properties"]["median"]["exclusiveMinimum"] == 0
    assert schema["$defs"]["Uniform"]["required"] == ["low", "high"]
    json.dumps(schema)  # serializable as is


def test_scenario_module_imports_neither_pydantic_nor_numpy():
    # catalog, selfhost, ... may still pull them in; scenario.py itself must not import them up front
    tree = ast.parse((Path(__file__).parent.parent / "src" / "llmcost" / "inputs.py").read_text())
    top = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    modules = {a.name for n in top if isinstance(n, ast.Import) for a in n.names}
    modules |= {n.module or "" for n in top if isinstance(n, ast.ImportFrom)}
    assert not {m for m in modules if m.split(".")[0] in {"pydantic", "numpy"}}


# ---------------------------------------------------------------- the validator and its JSON Schema agree

_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, 1, 2, 24, 0.5, 1.5, -1, 2.0, 100, 1e6, 1e12, 1e13]),
    st.text(alphabet="abcxyz_-/", max_size=6),
    st.sampled_from(["flat", "business-day", "on_demand", "spot", "rent", "buy", "vllm"]),
    st.lists(st.sampled_from([0, 1, 2.5, -1, "a"]), max_size=25),
    st.lists(st.floats(0, 5), min_size=24, max_size=24),
    st.dictionaries(st.sampled_from(["devops", "x"]), st.sampled_from([0, 5, -1, True, "a", 2e12]), max_size=2),
)
# Files and text stay out: usage_log and data_dirs name files; numeric strings (how CLI flags arrive) and
# the cross-parameter rules of a distribution (low <= high) are checks a JSON Schema cannot express.
_SETTINGS = [f.name for f in dataclasses.fields(Scenario) if not f.name.startswith("_")]
_PROPERTY = [n for n in _SETTINGS if n not in ("usage_log", "data_dirs")]


def _value(name: str):
    kind = next(f for f in dataclasses.fields(Scenario) if f.name == name).metadata["kind"]
    if kind.startswith("uncertain") and kind != "uncertain map":
        return _JUNK.filter(lambda v: not isinstance(v, str | dict))  # plain values: shorthands are text
    return _JUNK


def _agree(doc: dict) -> None:
    import jsonschema

    by_schema = jsonschema.Draft202012Validator(scenario_json_schema()).is_valid(doc)
    try:
        make_scenario(doc)
        by_validator = True
    except UsageError:
        by_validator = False
    assert by_schema == by_validator, doc


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_the_validator_accepts_exactly_what_the_json_schema_accepts(data):
    names = data.draw(st.lists(st.sampled_from(_PROPERTY), min_size=1, max_size=3, unique=True))
    doc = {n: data.draw(_value(n), label=n) for n in names}
    _agree(doc)


@pytest.mark.parametrize(
    "doc",
    [{"profile": [0.0] * 24}, {"profile": [0.0] * 23 + [1.0]}, {"profile": "weekend"}, {"qpd": 1e13}, {"seed": -1}],
)
def test_the_validator_and_schema_agree_on_the_edges(doc):
    _agree(doc)
