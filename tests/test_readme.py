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

from llmcost.catalog import load_catalog
from llmcost.cli import main

README = Path(__file__).parent.parent / "README.md"
RUNS: dict[str, tuple[int, str, str]] = {}  # command -> (exit code, stdout, stderr)


def examples() -> list[tuple[str, list[str]]]:
    """(command, the output lines shown under it) for each `$ llmcost` line of a console block."""
    found: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", README.read_text(), flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            if line.startswith(("$ llmcost ", "$ COLUMNS=")):  # `$ COLUMNS=80 llmcost ...`: that terminal width
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
            width = re.match(r"COLUMNS=(\d+) ", command)
            monkeypatch.setenv("COLUMNS", width.group(1) if width else "250")
            args = shlex.split(command.removeprefix(width.group(0)) if width else command, comments=True)[1:]
            if "--out" in args:  # charts go to a temporary file, not over the README's image
                i = args.index("--out") + 1
                args[i] = str(tmp_path / Path(args[i]).name)
            capsys.readouterr()
            code = main(args)
            RUNS[command] = (code, *capsys.readouterr())
        return RUNS[command]

    return run


def close(figure: str, actual: object) -> bool:
    """`actual` rounds to the figure's number ("$1,702", "4.31", "56%", "57x slower"): within half a unit."""
    number = re.search(r"(?<![\w.-])\d[\d,]*(?:\.\d+)?", figure).group().replace(",", "")
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
    """The value of the first `key` in document order, at any depth (MISSING if none)."""
    if isinstance(node, dict) and key in node:
        return node[key]
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    return next((value for child in children if (value := find(child, key)) is not MISSING), MISSING)


def mismatches(expected: object, actual: object, where: str) -> list[str]:
    """Every way `actual` (the real JSON) differs from `expected` (a README excerpt)."""
    if isinstance(expected, Pairs):
        return [m for key, value in expected for m in mismatches(value, find(actual, key), f"{where}.{key}")]
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where}: README shows {expected}, real {actual}"]
        return [
            m for i, (e, a) in enumerate(zip(expected, actual, strict=True)) for m in mismatches(e, a, f"{where}[{i}]")
        ]
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
        if line in ("", "...") or set(line) <= set("─━═- "):  # blank, elided, or a rich rule
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

COMPARE = (
    "llmcost compare --qpd 50000 --model llama-3.1-70b --format json"
    " --api openai/gpt-4o,openai/gpt-4o-mini,together/llama-3.1-70b,anthropic/claude-sonnet-4.5"
)
BREAKEVEN = "llmcost breakeven --api openai/gpt-4o --model llama-3.1-70b --format json"
ENGINE = "llmcost capacity llama-3.1-8b --quant fp8 --gpu h100-sxm --format json --engine "
INT4 = "options[llama-3.1-70b:int4@1xmi300x]"


def lookup(node: object, path: str) -> object:
    """Walk "a.0.b" or "options[id].b": keys or list indices, else the first such key at any depth."""
    for item_id, part in re.findall(r"\[([^\]]+)\]|([^.\[\]]+)", path):
        if item_id:
            node = next(x for x in node if x["id"] == item_id)
        elif isinstance(node, list):
            node = node[int(part)]
        else:
            node = node[part] if part in node else find(node, part)
    return node


def deepseek():
    return load_catalog().models["deepseek-v3"]


def findings(word: str):
    return lambda d: sum(word in f["message"] for f in d["findings"])


def step(i: int):
    return lambda d: d["pairs"][0]["self_hosted_step_usd_per_month"][i]


# {command(s): {path, or function of the commands' JSON: the README figure, quoted with enough context to be unique}}
# fmt: off
PROSE = {
    COMPARE: {  # "What compare tells you", and the Vast.ai A100 of the break-even worked example
        f"{INT4}.vs_comparable_api_usd": "$3,717 a month more",
        lambda d: lookup(d, "options[openai/gpt-4o].monthly_cost_usd") - lookup(d, f"{INT4}.monthly_cost_usd"):
            "$10,579 cheaper",
        f"{INT4}.quality_elo": "(Elo 1292,", "options[together/llama-3.1-70b].quality_elo": "model's 1294 less",
        "options[llama-3.1-70b:fp4@1xrtx-pro-6000].monthly_hidden_cost_usd": "hidden costs ($3,535)",
        f"{INT4}.monthly_hidden_cost_usd": "MI300X's int4 ($3,534)",
        f"{INT4}.monthly_gpu_cost_usd": "= $1,095 a month", f"{INT4}.offer.usd_per_gpu_hour": "($1.50/h",
        "options[openai/gpt-4o-mini].quality_elo": "(1317)",
        "options[openai/gpt-4o].cost_per_query_usd": "$0.0100 a query",
    },
    BREAKEVEN: {  # the worked example
        "api_usd_per_qpd_month": "$0.3042 a month", "queries_per_day_per_replica": "carries 8,865 queries/day",
        lambda d: step(1)(d) - step(0)(d): "adds $382 a month", "self_hosted_fixed_usd_per_month": "$3,534 of hidden",
        step(0): "$3,899 a month", step(1): "($4,281 up to", "self_hosted_cheaper_above_qpd": "= 14,073 queries/day",
        "self_hosted_gpu_usd_per_1k_queries_at_full_use": "$1.42 per 1,000", "api_usd_per_1k_queries": "API's $10.00",
        lambda d: (step(0)(d) - d["pairs"][0]["self_hosted_fixed_usd_per_month"]) / 730: "$0.50/h x 730",
        lambda d: step(0)(d) - d["pairs"][0]["self_hosted_fixed_usd_per_month"]: "= $365 a",
    },
    BREAKEVEN.replace("--format", "--hidden-costs flat --format"): {"crossings_qpd.0": "the crossover is 15,879"},
    BREAKEVEN.replace("gpt-4o", "gpt-4o-mini"): {
        "crossings_qpd.0": "cross once, at 314,741",
        "self_hosted_cheaper_above_qpd": "only above 314,741",
    },
    "llmcost hybrid --qpd 100000 --share 0.7 --model llama-3.1-70b --api anthropic/claude-sonnet-4.5 --format json": {
        "monthly_cost_usd": "$16,948 a month", "blended_cost_per_query_usd": "$0.0056 per query",
        "saving_vs_all_api_usd": "$24,114 (59%)", "all_api_monthly_cost_usd": "($41,063)",
        lambda d: 100 * d["saving_vs_all_api_usd"] / d["all_api_monthly_cost_usd"]: "(59%)",
    },
    (ENGINE + "vllm", ENGINE + "ollama"): {
        "output_tokens_per_s": "5,294 output", lambda vllm, ollama: ollama["output_tokens_per_s"]: "(163 vs",
        lambda vllm, ollama: vllm["output_tokens_per_s"] / ollama["output_tokens_per_s"]: "32x slower",
        "batch_size": "batch of 201",
    },
    BREAKEVEN.replace("--format", "--monte-carlo 10000 --seed 1 --format"): {
        "breakeven_qpd_p10": "11,175 /", "breakeven_qpd_p50": "15,793 /", "breakeven_qpd_p90": "21,073 at P10",
    },
    "llmcost sensitivity --model llama-3.1-70b --api openai/gpt-4o --metric breakeven --format json": {
        "inputs.0.result_at_low": "DevOps cost: 9,142", "inputs.0.result_at_high": "20,259/day",
        "inputs.1.result_at_low": "A6000 price: 14,073", "inputs.1.result_at_high": "18,604/day",
    },
    "llmcost buy-vs-rent --gpu h100-sxm --format json": {
        "owned_usd_per_gpu_hour": "$1.66 per GPU-hour", "capex_usd_per_hour": "$0.57 capital",
        "power_usd_per_hour": "$0.11 power", "colocation_usd_per_hour": "$0.35 colocation",
        "support_usd_per_hour": "$0.63 support", "on_demand": "$2.67 on demand", "reserved_1y": "$1.79 reserved",
    },
    "llmcost validate --format json": {  # the comment on `$ llmcost validate`
        "errors": "0 errors", "warnings": "101 warnings", findings("undated"): "42 undated",
        findings("days old"): "32 older than a year", findings("the median"): "3 outliers",
        lambda d: sum("deprecat" in f["message"] or "retire" in f["message"] for f in d["findings"]):
            "24 deprecated or retired",
    },
    "llmcost fit deepseek-v3 --quant fp8 --gpu h200 --context 8192 --format json": {  # its comment, from the data
        lambda d: deepseek().layers: "MLA: 61 layers", "kv_bytes_per_element": "x 2 bytes, not",
        lambda d: deepseek().mla.kv_lora_rank: "x (512 + 64) x 2 bytes",
        lambda d: deepseek().mla.qk_rope_head_dim: "+ 64) x 2 bytes",
        lambda d: deepseek().kv_heads: "not 128 heads", lambda d: deepseek().head_dim: "heads x 128",
    },
    "llmcost fit deepseek-v3 --quant fp8 --gpu h200 --context 8192 --parallelism tp --format json": {
        "max_concurrent_sequences": "`--parallelism tp` gives 87",
    },
    "llmcost fit llama-3.1-405b --quant int4 --gpu a100-80gb --context 2500 --format json": {
        "weights_gb": "alone are 215.5 GB", lambda d: d["weights_gb"]: "at INT4 (215.5 GB)",
    },
    "llmcost fit llama-3.1-405b --quant bf16 --gpu a100-80gb --gpus 8 --format json": {"weights_gb": "(812 GB"},
    "llmcost compare --qpd 50000 --format json": {
        lambda d: sum(o["kind"] == "api" for o in d["options"]): "catalog: 115 current APIs",
        lambda d: sum(o["kind"] == "self_hosted" for o in d["options"]): "and 112 self-hosted rows",
    },
    "llmcost compare --qpd 10000 --api openai/gpt-4o --model llama-3.1-8b --format json": {
        "options[openai/gpt-4o].monthly_cost_usd": "$3,042 a month",
    },
}
# fmt: on


def prose_id(x: object) -> str:
    return (x if isinstance(x, str) else x[0] if isinstance(x, tuple) else "").removeprefix("llmcost ")[:50]


@pytest.mark.parametrize(("commands", "figures"), list(PROSE.items()), ids=prose_id)
def test_readme_prose_figures(cli, commands, figures):
    readme = " ".join(README.read_text().split())
    docs = []
    for command in (commands,) if isinstance(commands, str) else commands:
        code, out, err = cli(command)
        assert code == 0, err
        docs.append(json.loads(out))
    problems = []
    for key, figure in figures.items():
        if figure not in readme:  # the README was edited: this figure no longer stands there
            problems.append(f"README no longer says {figure!r}")
        actual = key(*docs) if callable(key) else lookup(docs[0], key)
        if not close(figure, actual):
            problems.append(f"{key if isinstance(key, str) else 'derived'}: README shows {figure}, real {actual}")
    assert not problems, "\n".join(problems)


def test_readme_python_examples_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
