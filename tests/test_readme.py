"""The README's examples and the figures quoted around them match what llmcost really prints.

Each `$ llmcost ...` example in a ```console block is run once (results are cached per command);
every figure its block shows is compared with the real output, so changing a README number breaks
a test. Figures quoted in prose are checked against the JSON of the commands that produce them.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from llmcost.cli import main

README = Path(__file__).parent.parent / "README.md"
RUNS: dict[str, tuple[int, str, str]] = {}  # command -> (exit code, stdout, stderr)


def examples() -> list[tuple[str, list[str]]]:
    """(command, the output lines shown under it) for each `$ llmcost` line of a console block."""
    found: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", README.read_text(), flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            if line.startswith("$ llmcost "):
                found.append((line[2:], []))
            elif found:
                found[-1][1].append(line)
    return found


@pytest.fixture
def cli(capsys, monkeypatch, tmp_path):
    """Runs a command in-process (once per session); a wide terminal keeps rich tables unwrapped."""
    monkeypatch.setenv("COLUMNS", "250")

    def run(command: str) -> tuple[int, str, str]:
        if command not in RUNS:
            args = shlex.split(command, comments=True)[1:]
            if "--out" in args:  # charts go to a temporary file, not over the README's image
                i = args.index("--out") + 1
                args[i] = str(tmp_path / Path(args[i]).name)
            capsys.readouterr()
            code = main(args)
            RUNS[command] = (code, *capsys.readouterr())
        return RUNS[command]

    return run


def close(figure: str, actual: object) -> bool:
    """`actual` rounds to the printed figure ("$1,702", "4.31", "56%", "57x"): within half a unit."""
    number = figure.strip("$%x").replace(",", "")
    half_unit = 0.5 * 10 ** -len(number.partition(".")[2])
    ok_type = isinstance(actual, (int, float)) and not isinstance(actual, bool)
    return ok_type and abs(actual - float(number)) <= half_unit * (1 + 1e-9)


# --- JSON excerpts -------------------------------------------------------------------------------


class Printed(float):
    """A number from the README that remembers how it was printed (for its precision)."""

    def __new__(cls, text: str) -> Printed:
        self = super().__new__(cls, text)
        self.text = text
        return self


class Pairs(list):
    """A JSON object from the README as (key, value) pairs, in order."""


def parse_excerpt(lines: list[str]) -> Pairs:
    """`"key": value, ...  # comment` lines -> Pairs; "..." marks elided keys."""
    text = " ".join(re.sub(r"\s#.*$", "", line) for line in lines)
    text = re.sub(r",?\s*\.\.\.", "", text).strip().rstrip(",")
    return json.loads("{" + text + "}", parse_float=Printed, parse_int=Printed, object_pairs_hook=Pairs)


MISSING = object()


def find(node: object, key: str) -> object:
    """The value of the first `key` in document order, at any depth."""
    if isinstance(node, dict):
        if key in node:
            return node[key]
        children = list(node.values())
    else:
        children = node if isinstance(node, list) else []
    for child in children:
        if (value := find(child, key)) is not MISSING:
            return value
    return MISSING


def mismatches(expected: object, actual: object, where: str) -> list[str]:
    """Every way `actual` (the real JSON) differs from `expected` (a README excerpt)."""
    if isinstance(expected, Pairs):
        return [m for key, value in expected for m in mismatches(value, find(actual, key), f"{where}.{key}")]
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where}: README shows {expected}, real {actual}"]
        return [m for i, (e, a) in enumerate(zip(expected, actual)) for m in mismatches(e, a, f"{where}[{i}]")]
    ok = close(expected.text, actual) if isinstance(expected, Printed) else actual == expected
    shown = expected.text if isinstance(expected, Printed) else json.dumps(expected)
    return [] if ok else [f"{where}: README shows {shown}, real {'(missing)' if actual is MISSING else actual}"]


# --- table and text excerpts ---------------------------------------------------------------------


def normalise(line: str) -> str:
    return " ".join(line.split())


def text_mismatches(shown: list[str], out: str) -> list[str]:
    """Each shown line must be a real line (whitespace-normalised); "x ..." is a prefix of one."""
    real = [normalise(line) for line in out.splitlines()]
    missing = []
    for line in map(normalise, shown):
        if line in ("", "...") or set(line) <= set("─━═ "):  # blank, elided, or a rich rule
            continue
        if line.endswith("...") and any(r.startswith(line[:-3].rstrip()) for r in real):
            continue
        if line not in real:
            missing.append(f"README line not in the output: {line!r}")
    return missing


@pytest.mark.parametrize(("command", "shown"), examples(), ids=lambda x: x[:60] if isinstance(x, str) else "")
def test_readme_example_matches_real_output(cli, command, shown):
    code, out, err = cli(command)
    shown = [line for line in shown if line.strip()]
    if shown and shown[0].startswith("llmcost: error:"):
        assert (code, out, err.strip()) == (2, "", shown[0].strip())
        return
    assert code == 0 and (err == "" or err.startswith("wrote ")), err
    if "--format json" in command and shown:
        problems = mismatches(parse_excerpt(shown), json.loads(out), "json")
    else:
        problems = text_mismatches(shown, out)
    assert not problems, "\n".join(problems)


# --- figures quoted in prose ---------------------------------------------------------------------

COMPARE = "llmcost compare --qpd 50000 --model llama-3.1-70b --format json --api openai/gpt-4o,openai/gpt-4o-mini,together/llama-3.1-70b,anthropic/claude-sonnet-4.5"
BREAKEVEN = "llmcost breakeven --api openai/gpt-4o --model llama-3.1-70b --format json"
HYBRID = "llmcost hybrid --qpd 100000 --share 0.7 --model llama-3.1-70b --api anthropic/claude-sonnet-4.5 --format json"
ENGINE = "llmcost capacity llama-3.1-8b --quant fp8 --gpu h100-sxm --format json --engine "


def option(doc: dict, option_id: str) -> dict:
    return next(o for o in doc["options"] if o["id"] == option_id)


def steps(doc: dict) -> list[float]:
    return doc["pairs"][0]["self_hosted_step_usd_per_month"]


def findings(doc: dict, word: str) -> int:
    return sum(word in f["message"] for f in doc["findings"])


# (command or commands, [(key, path "a.0.b" or function of the commands' JSON, README figure)])
PROSE = [
    (COMPARE, [  # "What compare tells you"
        (lambda d: option(d, "llama-3.1-70b:int4@1xa100-80gb")["vs_comparable_api_usd"], "$4,890"),
        (lambda d: option(d, "openai/gpt-4o")["monthly_cost_usd"] - option(d, "llama-3.1-70b:int4@1xa100-80gb")["monthly_cost_usd"], "$9,406"),
        (lambda d: option(d, "llama-3.1-70b:bf16@1xmi300x")["quality_elo"], "1294"),
        (lambda d: option(d, "openai/gpt-4o-mini")["quality_elo"], "1317"),
        ("usd_per_gpu_hour", "$1.166"),  # the break-even worked example's Vast.ai A100
    ]),
    (BREAKEVEN, [  # the worked example
        (lambda d: d["pairs"][0]["api_usd_per_1k_queries"] / 1000, "$0.0100"),
        ("api_usd_per_qpd_month", "$0.3042"),
        ("queries_per_day_per_replica", "26,959"),
        (lambda d: steps(d)[1] - steps(d)[0], "$851"),
        ("self_hosted_fixed_usd_per_month", "$4,100"),
        (lambda d: steps(d)[0], "$4,951"),
        ("self_hosted_cheaper_above_qpd", "16,278"),
        ("self_hosted_gpu_usd_per_1k_queries_at_full_use", "$1.04"),
        ("api_usd_per_1k_queries", "$10.00"),
    ]),
    (BREAKEVEN.replace("gpt-4o", "gpt-4o-mini"), [
        ("crossings_qpd.0", "423,858"), ("crossings_qpd.1", "436,047"), ("crossings_qpd.2", "523,458"),
        ("self_hosted_cheaper_above_qpd", "523,458"),
    ]),
    (HYBRID, [
        ("monthly_cost_usd", "$18,236"), ("blended_cost_per_query_usd", "$0.0060"),
        ("saving_vs_all_api_usd", "$22,826"), ("all_api_monthly_cost_usd", "$41,063"),
        (lambda d: 100 * d["saving_vs_all_api_usd"] / d["all_api_monthly_cost_usd"], "56%"),
    ]),
    ((ENGINE + "vllm", ENGINE + "ollama"), [
        ("output_tokens_per_s", "8,007"),
        (lambda vllm, ollama: ollama["output_tokens_per_s"], "139"),
        (lambda vllm, ollama: vllm["output_tokens_per_s"] / ollama["output_tokens_per_s"], "57x"),
    ]),
    (BREAKEVEN.replace("--format", "--monte-carlo 10000 --seed 1 --format"), [
        ("breakeven_qpd_p10", "15,380"), ("breakeven_qpd_p50", "23,401"), ("breakeven_qpd_p90", "34,892"),
    ]),
    ("llmcost sensitivity --model llama-3.1-70b --api openai/gpt-4o --metric breakeven --format json", [
        ("inputs.0.result_at_low", "16,278"), ("inputs.0.result_at_high", "34,981"),
        ("inputs.1.result_at_low", "11,346"), ("inputs.1.result_at_high", "21,209"),
    ]),
    ("llmcost buy-vs-rent --gpu h100-sxm --format json", [
        ("owned_usd_per_gpu_hour", "$1.66"), ("capex_usd_per_hour", "$0.57"),
        ("power_usd_per_hour", "$0.11"), ("colocation_usd_per_hour", "$0.35"),
        ("support_usd_per_hour", "$0.63"), ("on_demand", "$2.79"), ("reserved_1y", "$1.79"),
    ]),
    ("llmcost validate --format json", [  # the comment on `$ llmcost validate`
        ("errors", "0"), ("warnings", "80"), (lambda d: findings(d, "undated"), "41"),
        (lambda d: findings(d, "days old"), "35"), (lambda d: findings(d, "the median"), "4"),
    ]),
    ("llmcost compare --qpd 10000 --api openai/gpt-4o --model llama-3.1-8b --format json", [
        (lambda d: option(d, "openai/gpt-4o")["monthly_cost_usd"], "$3,042"),  # "Data"
    ]),
    ("llmcost fit llama-3.1-405b --quant bf16 --gpu a100-80gb --gpus 8 --format json", [
        ("weights_gb", "812"),
    ]),
]


def lookup(node: object, path: str) -> object:
    """Walk "a.0.b": list indices, dict keys, or else the first such key at any depth."""
    for part in path.split("."):
        if isinstance(node, list):
            node = node[int(part)]
        else:
            node = node[part] if part in node else find(node, part)
    return node


@pytest.mark.parametrize(("commands", "figures"), PROSE, ids=lambda x: str(x)[8:60] if isinstance(x, str | tuple) else "")
def test_readme_prose_figures(cli, commands, figures):
    docs = []
    for command in (commands,) if isinstance(commands, str) else commands:
        code, out, err = cli(command)
        assert code == 0, err
        docs.append(json.loads(out))
    problems = []
    for key, figure in figures:
        actual = key(*docs) if callable(key) else lookup(docs[0], key)
        if not close(figure, actual):
            problems.append(f"{key if isinstance(key, str) else 'derived'}: README shows {figure}, real {actual}")
    assert not problems, "\n".join(problems)


def test_readme_python_examples_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
