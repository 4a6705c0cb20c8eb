"""`capacity --backend aiconfigurator`: refused in one line outside its coverage (with or without the
extra), lazily imported, and, where the extra is installed, AIConfigurator's figures carried through."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmcost import aiconfigurator_backend as aic
from llmcost.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# --- without the extra -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("mixtral-8x22b",), "model 'mixtral-8x22b'"),
        (("llama-3.1-8b", "--gpu", "l40s"), "gpu 'l40s'"),
        (("llama-3.1-8b", "--engine", "tgi"), "engine 'tgi'"),
        (("llama-3.1-8b", "--quant", "int4"), "quant 'int4'"),
    ],
)
def test_outside_coverage_is_refused_in_one_line_naming_what_is_covered(capsys, args, named):
    code, out, err = run(capsys, "capacity", *args, "--backend", "aiconfigurator")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("llmcost: error: ")
    assert named in err and "gpus h100-sxm, h200, b200" in err and "engines trt-llm, vllm, sglang" in err


def test_missing_extra_is_one_line_with_the_install_command(capsys, monkeypatch):
    monkeypatch.setattr(aic, "available", lambda: False)
    code, out, err = run(capsys, "capacity", "llama-3.1-8b", "--quant", "fp8", "--backend", "aiconfigurator")
    assert code == 2 and out == ""
    assert "pip install 'llmcost[aiconfigurator]'" in err and err.count("\n") == 1


@pytest.mark.parametrize("flag", [("--rate", "2"), ("--max-ttft-ms", "500"), ("--max-num-batched-tokens", "4096")])
def test_settings_it_cannot_honour_are_refused(capsys, flag):
    code, _, err = run(capsys, "capacity", "llama-3.1-8b", "--quant", "fp8", "--backend", "aiconfigurator", *flag)
    assert code == 2 and flag[0] in err and "cannot honour" in err


def test_unknown_backend_is_refused(capsys):
    code, _, err = run(capsys, "capacity", "llama-3.1-8b", "--backend", "genz")
    assert code == 2 and "backend 'genz' is not one of llmcost, aiconfigurator" in err


def test_coverage_tables_name_ids_the_catalog_has(shipped):
    for model in aic.MODELS:
        shipped.model(model)
    for gpu in aic.GPUS:
        shipped.gpu(gpu)
    for engine in aic.ENGINES:
        shipped.engine(engine)
    assert aic.coverage_error("llama-3.1-8b", "fp8", "h100-sxm", "trt-llm") is None


def test_default_capacity_never_imports_the_package():
    """The default backend, and even the refusal path, never import aiconfigurator_core (or pandas)."""
    for extra in ((), ("--backend", "aiconfigurator", "--gpu", "l40s")):
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "llmcost", "capacity", "llama-3.1-8b", *extra],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert proc.returncode == (2 if extra else 0), proc.stderr[-500:]
        modules = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if "|" in line}
        assert not {m for m in modules if m.startswith(("aiconfigurator_core", "pandas", "pyarrow"))}


def measured(tokens_per_s: float, req_s: float, batch: int, ttft: float, tpot: float) -> aic.MeasuredCapacity:
    return aic.MeasuredCapacity(tokens_per_s, req_s, batch, 512, ttft, tpot, 40.0)


def test_queue_wait_beyond_the_batch_by_littles_law():
    at = measured(879.4, 1.762, 64, 1582.3, 89.0)
    # 100 clients at 1.762 req/s cycle every 100 / 1.762 = 56.754 s; 499 decode steps of 89.0 ms = 44.411 s
    # leaves 12.343 s to the first token
    assert aic.queued(at, 100, 500).ttft_ms == pytest.approx(100 / 1.762 * 1e3 - 499 * 89.0)
    assert aic.queued(at, 100, 500).ttft_ms == pytest.approx(12_342.6, abs=0.1)
    assert aic.queued(at, 64, 500) is at  # every client in the batch: no wait
    assert aic.queued(at, 65, 500).ttft_ms == at.ttft_ms  # a cycle shorter than the run's: never below its TTFT


@given(st.integers(1, 2000), st.integers(1, 2000))
def test_queue_wait_grows_with_clients(a, b):
    at = measured(879.4, 1.762, 64, 1582.3, 89.0)
    lo, hi = sorted((a, b))
    assert aic.queued(at, lo, 500).ttft_ms <= aic.queued(at, hi, 500).ttft_ms


# --- with the extra --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def estimate_8b() -> aic.Estimate:
    pytest.importorskip("aiconfigurator_core")
    return aic.estimate("llama-3.1-8b", "fp8", "h100-sxm", 1, 128, 128, "trt-llm", 1.0, 2048, concurrency=64)


def test_saturation_beats_a_partial_load(estimate_8b):
    sat, at = estimate_8b.saturated, estimate_8b.at_concurrency
    assert at is not None and at.batch_size == 64 <= sat.batch_size <= 2048
    assert at.output_tokens_per_s < sat.output_tokens_per_s
    assert at.tpot_ms < sat.tpot_ms  # a smaller batch steps faster
    # output tokens/s = requests/s x 128 output tokens, as llmcost counts them (AIConfigurator's own counts 127)
    assert sat.output_tokens_per_s == pytest.approx(sat.requests_per_s * 128)


def test_answer_names_its_measurements(estimate_8b):
    s = estimate_8b.source
    assert (s.system, s.engine, s.kv_cache) == ("h100_sxm", "trtllm", "fp8")
    assert s.model_config == "meta-llama/Meta-Llama-3.1-8B" and s.engine_version


def test_capacity_json_carries_the_backend(capsys):
    pytest.importorskip("aiconfigurator_core")
    code, out, err = run(
        capsys, "capacity", "llama-3.3-70b", "--quant", "fp8", "--gpus", "2", "--engine", "trt-llm",
        "--input-tokens", "5000", "--output-tokens", "500", "--concurrency", "100", "--backend", "aiconfigurator",
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    d = json.loads(out)
    assert d["backend"]["name"] == "aiconfigurator" and d["backend"]["model_config"].endswith("Llama-3.1-70B")
    at = d["at_concurrency"]
    assert at["concurrency"] == 100 and at["queued"] == 100 - at["batch_size"] > 0
    assert 0 < at["share_of_saturated"] <= 1
    assert at["ttft_ms"] > d["ttft_ms"]  # 100 clients queue beyond the batch


def test_too_big_to_fit_is_one_line(capsys):
    pytest.importorskip("aiconfigurator_core")
    code, _, err = run(capsys, "capacity", "llama-3.1-405b", "--quant", "bf16", "--backend", "aiconfigurator")
    assert code == 2 and err.startswith("llmcost: error: ") and err.count("\n") == 1


def test_a_kernel_it_has_not_measured_is_one_line(capsys):
    """SGLang's tables in 0.12.0 have no context attention with an FP8 KV cache: its error, in one line."""
    pytest.importorskip("aiconfigurator_core")
    code, out, err = run(
        capsys, "capacity", "llama-3.1-8b", "--quant", "fp8", "--engine", "sglang", "--kv-cache", "fp8",
        "--backend", "aiconfigurator",
    )  # fmt: skip
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("llmcost: error: aiconfigurator cannot estimate llama-3.1-8b fp8 on 1 x h100-sxm with sglang")
