"""Fixed per-layer decode cost per engine release (engines.yaml engine_overhead) and the NVFP4 KV cache."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json

import pytest

from llmcost.catalog import SHIPPED_DATA_DIR, load_catalog
from llmcost.cli import main
from llmcost.errors import CatalogError


def main_json(args: list[str]) -> dict:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main([*args, "--format", "json"]) == 0
    return json.loads(buf.getvalue())


def test_engine_overhead_records_are_sourced_and_validated(shipped, tmp_path):
    from llmcost.records import EngineOverhead, InvalidRecord, validate_record

    for prof in shipped.engine_overhead.values():
        assert prof.source and prof.as_of and "derived:" in (prof.notes or "") and prof.evidence
    prof = shipped.overhead_profile("vllm")
    assert prof is not None and prof.id == "vllm-v1"
    row = {k: v for k, v in dataclasses.asdict(prof).items() if k != "spread"}
    assert validate_record(EngineOverhead, row) == prof
    with pytest.raises(InvalidRecord, match="layer_overhead_us"):
        validate_record(EngineOverhead, {**row, "layer_overhead_us": -1})
    text = (SHIPPED_DATA_DIR / "engines.yaml").read_text()
    (tmp_path / "engines.yaml").write_text(
        text.replace("  - id: sglang-2025\n    engine: sglang", "  - id: sglang-2025\n    engine: sglangx")
    )
    with pytest.raises(CatalogError, match="engine_overhead sglang-2025: unknown engine 'sglangx'"):
        load_catalog([tmp_path])
    (tmp_path / "engines.yaml").write_text(
        text.replace("  - id: sglang-2025\n    engine: sglang", "  - id: sglang-2025\n    engine: vllm")
    )
    with pytest.raises(CatalogError, match="engine_overhead sglang-2025: vllm already has a default"):
        load_catalog([tmp_path])


def test_compare_assumptions_show_the_engines_fixed_cost():
    out = main_json(
        ["compare", "--qpd", "50000", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--engine", "trt-llm"]
    )
    assert out["assumptions"]["efficiency"]["layer_overhead_us"] == 64


def test_capacity_is_faster_at_low_load_on_a_newer_release():
    """TPOT at one client: vLLM V1 (64 us per layer) against the fitted figure (100 us, TGI has no record);
    both 1024-sequence-capable, same physics otherwise: 32 layers x 36 us = 1.15 ms less per token."""
    new = main_json(["capacity", "llama-3.1-8b", "--gpu", "h100-sxm", "--concurrency", "1"])
    old = main_json(["capacity", "llama-3.1-8b", "--gpu", "h100-sxm", "--concurrency", "1", "--engine", "tgi"])
    assert old["at_concurrency"]["tpot_ms"] - new["at_concurrency"]["tpot_ms"] == pytest.approx(32 * (100 - 64) * 1e-3)
    assert new["fixed_cost"] == {
        "layer_overhead_us": 64,
        "sequence_overhead_us": 7,
        "first_token_overhead_ms": 48,
        "from": "engines.yaml engine_overhead vllm-v1",
    }
    assert old["fixed_cost"]["from"] == "fitted (defaults.Efficiency)"
    # vLLM's TTFT carries its 48 ms of server time; TGI (no record) none: an 8B prefill of 2,000 tokens
    # on an H100 is ~30 ms
    assert new["at_concurrency"]["ttft_ms"] - old["at_concurrency"]["ttft_ms"] > 44


def test_nvfp4_kv_cache_on_tensorrt_llm_and_blackwell_holds_more_sequences():
    """4.5 bits per element against FP8's 8: the KV pool holds 8 / 4.5 = 1.78x the sequences."""
    args = ["fit", "llama-3.1-8b", "--quant", "fp4", "--gpu", "b200", "--engine", "trt-llm", "--context", "8192"]
    fp4 = main_json([*args, "--kv-cache", "fp4"])
    fp8 = main_json([*args, "--kv-cache", "fp8"])
    assert fp4["kv_bytes_per_element"] == 0.5625
    ratio = fp4["max_concurrent_sequences"] / fp8["max_concurrent_sequences"]
    assert ratio == pytest.approx(8 / 4.5, rel=0.01)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--gpu", "b200", "--engine", "vllm"], "vllm documents no 4-bit KV cache"),
        (["--gpu", "h100-sxm", "--engine", "trt-llm"], "h100-sxm has no FP4 tensor cores"),
    ],
)
@pytest.mark.parametrize("command", ["fit", "capacity"])
def test_nvfp4_kv_cache_is_refused_where_no_engine_documents_it(capsys, command, args, message):
    assert main([command, "llama-3.1-8b", "--quant", "fp4", "--kv-cache", "fp4", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("llmcost: error:") and message in err and "Traceback" not in err
