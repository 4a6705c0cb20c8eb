"""Hostile and odd input: one line on stderr, a documented exit code, nothing on stdout on error,
nothing read without bound, every number finite, nothing written unsafely."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import llmcost
from llmcost.cli import main
from llmcost.errors import LLMCostError

EXIT_CODES = {0, 1, 2}  # 2 usage, 1 data files or output, 0 fine (or a closed pipe)
FAST = ["--model", "llama-3.1-8b", "--quant", "fp8", "--gpu", "h100-sxm", "--api", "openai/gpt-4o"]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code: int, out: str, err: str) -> None:
    assert code in EXIT_CODES
    if code:
        assert out == "" and err.count("\n") == 1 and err.startswith("llmcost: error: "), (code, out, err)
        assert "\x1b" not in err and len(err) < 2500


# ---------------------------------------------------------------- fuzzing the command line

_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["1e308", "-1", "nan", "inf", "0", "1e12", "1e13", "5..1", "normal:1e308,1e308", "lognormal:1,50",
                     "triangular:1,2,3", "10..20", "x" * 5000, "openai/gpt-4o\nllmcost: error: forged", "\x1b[31mred",
                     "::error::x", "9" * 400, "0x10", "1_000"]),
)  # fmt: skip
_FLAGS = ["--qpd", "--input-tokens", "--output-tokens", "--utilization", "--peak-factor", "--model", "--api",
          "--gpu", "--quant", "--profile", "--hidden-cost", "--cached-share", "--max-ttft-ms", "--engine",
          "--gpu-price-factor", "--throughput-factor", "--days-per-month", "--min-replicas"]  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flags=st.lists(st.tuples(st.sampled_from(_FLAGS), _TEXT), min_size=1, max_size=3))
def test_compare_flags_fuzz(capsys, flags):
    args = ["compare", "--format", "json", *FAST]
    for flag, value in flags:
        args += [flag, value]
    if "--qpd" not in args:
        args += ["--qpd", "1000"]
    code, out, err = run(capsys, *args)
    one_line_error(code, out, err)
    if code == 0:
        json.loads(out)  # strict JSON: json.loads refuses nothing, so check the floats
        assert "Infinity" not in out and "NaN" not in out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    command=st.sampled_from(["breakeven", "hybrid", "tco", "sensitivity"]),
    flag=st.sampled_from(["--qpd", "--max-qpd", "--share", "--months", "--growth", "--utilization", "--seed",
                          "--monte-carlo"]),
    value=_TEXT,
)  # fmt: skip
def test_decision_flags_fuzz(capsys, command, flag, value):
    code, out, err = run(capsys, command, "--format", "json", *FAST, "--qpd", "1000", flag, value)
    one_line_error(code, out, err)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.text(max_size=200))
def test_scenario_file_fuzz(capsys, tmp_path, body):
    path = tmp_path / "s.yaml"
    path.write_text(body)
    code, out, err = run(capsys, "compare", "--scenario", str(path), *FAST, "--qpd", "1000", "--format", "json")
    one_line_error(code, out, err)


_ROW = st.fixed_dictionaries(
    {
        "timestamp": st.one_of(st.floats(), st.integers(-(10**20), 10**20), st.text(max_size=25)),
        "input_tokens": st.one_of(st.floats(), st.integers(-5, 10**6), st.text(max_size=5)),
        "output_tokens": st.one_of(st.floats(), st.integers(-5, 10**6)),
    }
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(_ROW, max_size=30))
def test_usage_log_rows_fuzz(capsys, tmp_path, rows):
    path = tmp_path / "log.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) or "\n")
    code, out, err = run(capsys, "workload", str(path), "--format", "json")
    one_line_error(code, out, err)
    if code == 0:
        d = json.loads(out)
        assert math.isfinite(d["queries_per_day"]) and d["queries_per_day"] > 0


# ---------------------------------------------------------------- fuzzing the Python API

_JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**30), 10**30), st.floats(), st.text(max_size=8),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.sampled_from([np.int64(3), np.float32(0.5), np.float64(1e308), object(), b"bytes", Path("/dev/zero")]),
)  # fmt: skip
_CALLS = {
    "compare": (llmcost.compare, ["qpd", "input_tokens", "utilization", "models", "hidden_costs", "catalog",
                                  "gpu_price_factor", "seed", "profile"]),
    "fit": (llmcost.fit, ["model", "quant", "gpu", "context", "concurrency", "gpus", "kv_cache", "catalog"]),
    "capacity": (llmcost.capacity, ["model", "quant", "gpu", "gpus", "input_tokens", "max_tpot_ms", "engine"]),
    "workload": (llmcost.workload, ["path"]),
    "buy_vs_rent": (llmcost.buy_vs_rent, ["gpus", "pue", "catalog", "data_dirs"]),
    "validate": (llmcost.validate, ["paths", "max_age_days", "cross_check"]),
}  # fmt: skip
_GOOD = {
    "compare": dict(qpd=1000, models=["llama-3.1-8b"], quants=["fp8"], gpus=["h100-sxm"], apis=["openai/gpt-4o"]),
    "fit": {"model": "llama-3.1-8b", "quant": "fp8", "gpu": "h100-sxm"},
    "capacity": {"model": "llama-3.1-8b", "quant": "fp8", "gpu": "h100-sxm"},
    "workload": {"path": str(Path(__file__).parent / "fixtures" / "usage_openai.csv")},
    "buy_vs_rent": {},
    "validate": {"paths": [str(Path(__file__).parent / "fixtures" / "data" / "pricing.yaml")]},
}  # fmt: skip


@settings(max_examples=120, deadline=None)
@given(name=st.sampled_from(sorted(_CALLS)), data=st.data())
def test_python_api_raises_only_llmcost_errors_and_returns_strict_json(name, data):
    fn, params = _CALLS[name]
    param = data.draw(st.sampled_from(params))
    kwargs = {**_GOOD[name], param: data.draw(_JUNK, label=param)}
    try:
        result = fn(**kwargs)
    except LLMCostError as exc:
        assert "\n" not in str(exc)
        return
    json.dumps(result.to_dict(), allow_nan=False)


def test_numpy_scalars_are_numbers(cat):
    a = llmcost.compare(np.int64(1000), input_tokens=np.float32(2000), utilization=np.float64(0.7), catalog=cat)
    b = llmcost.compare(1000, input_tokens=2000, utilization=0.7, catalog=cat)
    assert a.to_dict() == b.to_dict()


# ---------------------------------------------------------------- each root cause


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_devices_are_refused_not_read(capsys, device):
    for args in (["compare", "--scenario", device], ["workload", device], ["compare", "--qpd", "1", "--data", device]):
        code, out, err = run(capsys, *args)
        assert code in (1, 2) and out == "" and ("not a regular file" in err or "must be a directory" in err)


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result: list[int] = []
    t = threading.Thread(target=lambda: result.append(main(["workload", str(fifo)])), daemon=True)
    t.start()
    t.join(10)
    assert result == [2]


def test_huge_volumes_are_bounded_errors_not_internal_errors(capsys):
    for args in (["compare", "--qpd", "1e308"], ["compare", "--qpd", "1000", "--input-tokens", "1e300"],
                 ["compare", "--qpd", "1000", "--hidden-cost", "devops=1e300"],
                 ["breakeven", *FAST, "--max-qpd", "1e300"]):  # fmt: skip
        code, out, err = run(capsys, *args, "--format", "json")
        assert code == 2 and out == "" and err.count("\n") == 1, (args, err)


def test_break_even_work_is_bounded(capsys):
    code, _, err = run(capsys, "breakeven", *FAST, "--max-qpd", "1e12")
    assert code == 2 and "replica steps" in err and "--max-qpd" in err


def test_scenario_file_numbers_duplicates_and_seeds(capsys, tmp_path):
    cases = {
        "qpd: " + "9" * 400 + "\n": "qpd",
        "qpd: 1000\nqpd: 2000\n": "duplicate key",
        "qpd: 1000\nseed: -1\nmonte_carlo: 10\n": "seed",
        "qpd: 1000\ngpu_price_factor: -0.5\n": "gpu_price_factor",
        "qpd: 1000\nmonte_carlo: 10\ngpu_price_factor: '-1..2'\n": "greater than or equal to 0",
    }
    for i, (body, word) in enumerate(cases.items()):
        path = tmp_path / f"s{i}.yaml"
        path.write_text(body)
        code, out, err = run(capsys, "compare", "--scenario", str(path), *FAST)
        assert code == 2 and out == "" and err.count("\n") == 1, (body, err)
        assert word in err.replace("-", "_") or word in err, (body, err)  # the setting, or its flag


def test_bad_as_of_dates_are_findings_not_crashes(tmp_path, capsys):
    src = (Path(__file__).parent / "fixtures" / "data" / "pricing.yaml").read_text()
    for bad in ("2025-13", "2025-02-30"):
        path = tmp_path / "pricing.yaml"
        path.write_text(src.replace('as_of: "2026-08-21"', f'as_of: "{bad}"', 1))
        code, out, err = run(capsys, "validate", str(path))
        assert code == 1 and "not a real date" in out and err == ""


def test_usage_log_timestamps(tmp_path, capsys):
    base = 1_767_225_600  # 2026-01-01 UTC, seconds
    rows = [{"timestamp": base + 60 * i, "input_tokens": 100, "output_tokens": 10} for i in range(100)]
    rows[7]["timestamp"] = (base + 420) * 1000  # one row in milliseconds: read as the same instant
    rows[8]["timestamp"] = 1_000  # 1970: an outlier, reported and left out of the span
    rows[9]["timestamp"] = float("nan")  # a bad row
    path = tmp_path / "log.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows).replace("NaN", "NaN"))
    code, out, _ = run(capsys, "workload", str(path), "--format", "json")
    d = json.loads(out)
    assert code == 0 and d["bad_rows"] == 1 and d["outlier_rows"] == 1 and d["outlier_lines"] == [9]
    # 98 requests on one calendar day (not 5e-6 a day from a 56-year span): 98 a day
    assert d["queries_per_day"] == pytest.approx(98) and d["days"] == 1


def test_buy_vs_rent_pue_is_checked(capsys):
    for pue in ("nan", "50", "0.5", "inf"):
        code, out, err = run(capsys, "buy-vs-rent", "--pue", pue)
        assert code == 2 and out == "" and "pue" in err


def test_user_values_are_echoed_safely(capsys):
    code, out, err = run(capsys, "compare", "--qpd", "10", "--api", "openai/x\nllmcost: error: forged\x1b[2J")
    assert code == 2 and out == "" and err.count("\n") == 1 and "\x1b" not in err and "\\n" in err
    code, _, err = run(capsys, "compare", "--qpd", "10", "--model", "m" * 100_000)
    assert code == 2 and len(err) < 500


def test_validate_text_cannot_emit_workflow_commands(tmp_path, capsys):
    evil = tmp_path / "::error file=x::owned"
    evil.mkdir()
    (evil / "pricing.yaml").write_text("api: [\n")
    code, out, _ = run(capsys, "validate", str(evil / "pricing.yaml"))
    assert code == 1 and not any(line.lstrip().startswith("::") for line in out.splitlines())


def test_a_failed_chart_write_keeps_the_old_chart(tmp_path, capsys, monkeypatch):
    pytest.importorskip("matplotlib")
    out = tmp_path / "chart.png"
    out.write_bytes(b"old chart")
    import llmcost.io

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(llmcost.io.os, "fsync", full)
    code, _, err = run(capsys, "plot", "compare", "--qpd", "1000", *FAST, "--out", str(out))
    assert code == 1 and out.read_bytes() == b"old chart" and "No space left on device" in err
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind


def _cli(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "llmcost", *args], capture_output=True, text=True, **kwargs)


def test_output_channels(tmp_path):
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "llmcost", "schema"], stdout=full, stderr=subprocess.PIPE, text=True
        )
    assert proc.returncode == 1 and proc.stderr == "llmcost: error: cannot write the output (No space left on device)\n"
    closed = subprocess.run([sys.executable, "-m", "llmcost", "schema"], capture_output=True)
    assert closed.returncode == 0
    # a reader that closes the pipe early: quiet, exit 0
    head = subprocess.run(f"{sys.executable} -m llmcost schema | head -c 10 >/dev/null; echo ${{PIPESTATUS[0]}}",
                          shell=True, executable="/bin/bash", capture_output=True, text=True)  # fmt: skip
    assert head.stdout.strip() == "0" and head.stderr == ""
