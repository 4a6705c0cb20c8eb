"""Price-data tooling: validate (CI gate), diff, LiteLLM import, genai-prices cross-check.

tests/fixtures/corrupt/ holds small broken data files, each listing its problems in a header
comment. Their names are not data-file names, so validate infers each file's kind from its sections;
they sit in one directory, so offers resolve their gpu against hardware_bad.yaml (only h100-sxm is
valid there) and the API's open_model against the shipped models.yaml.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import shutil
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml

from llmcost.catalog import SHIPPED_DATA_DIR, Catalog, load_catalog
from llmcost.datatools import cross_check_genai, diff, format_findings, import_litellm, to_yaml, validate
from llmcost.errors import UnknownIdError, UsageError
from tests.conftest import FIXTURES

CORRUPT = FIXTURES / "corrupt"
LITELLM = FIXTURES / "litellm_small.json"
TODAY = date(2026, 11, 28)


def _corrupt_files() -> list[Path]:
    return sorted(CORRUPT.glob("*.yaml"))


@pytest.fixture(scope="module")
def corrupt() -> dict:
    return validate(_corrupt_files(), TODAY)


def _has(result: dict, file: str, entry: str, level: str, text: str) -> bool:
    return any(
        Path(f["file"]).name == file and f["entry"] == entry and f["level"] == level and text in f["message"]
        for f in result["findings"]
    )


# (file, entry, level, part of the message): every problem the corpus headers list
EXPECTED = [
    ("aliases.yaml", "(file)", "error", "aliases are not allowed"),
    ("malformed.yaml", "(file)", "error", "malformed YAML: line 4"),
    ("unknown_kind.yaml", "(file)", "error", "cannot tell which data file this is"),
    ("hardware_bad.yaml", "H100 SXM", "error", "must be a lowercase slug"),
    ("hardware_bad.yaml", "no-bf16", "error", "dense_tflops needs at least bf16"),
    ("hardware_bad.yaml", "acme-gpu", "error", "vendor: Input should be 'nvidia', 'amd' or 'intel' (got 'acme')"),
    (
        "pricing_api_bad.yaml",
        "acme/cache-dearer",
        "error",
        "cached_input_usd_per_mtok 1.5 is above input_usd_per_mtok 1",
    ),
    ("pricing_api_bad.yaml", "acme/cheap-long", "error", "long_context.input_usd_per_mtok 0.5 is below the standard"),
    ("pricing_api_bad.yaml", "acme/future", "error", "as_of '2027-01-15' is in the future (today is 2026-11-28)"),
    ("pricing_api_bad.yaml", "acme/no-source", "error", "missing required field 'source'"),
    ("pricing_api_bad.yaml", "acme/no-source", "error", "missing required field 'as_of'"),
    (
        "pricing_api_bad.yaml",
        "acme/negative",
        "error",
        "input_usd_per_mtok: Input should be greater than or equal to 0",
    ),
    ("pricing_api_bad.yaml", "acme/zero", "error", "output_usd_per_mtok is 0"),
    (
        "pricing_api_bad.yaml",
        "acme/hosted",
        "error",
        "open_model 'llama-9' is not a model id in the shipped models.yaml",
    ),
    ("pricing_api_bad.yaml", "acme/good-model", "error", "duplicate id 'acme/good-model' in api (first at api[0])"),
    ("pricing_api_bad.yaml", "acme/old", "warning", "1032 days old (as_of 2024-01), over the 365-day limit"),
    ("pricing_api_bad.yaml", "acme/undated", "warning", "undated (as_of: undated): its age is unknown"),
    ("pricing_api_bad.yaml", "api[11]", "error", "each entry must be a mapping"),
    ("pricing_api_bad.yaml", "acme/typo", "error", "input_usd_per_mtok: 'cheap' is not a number"),
    ("pricing_api_bad.yaml", "acme/typo", "error", "colour: unknown field (not allowed here)"),
    ("pricing_api_bad.yaml", "gpu_rentals", "error", "unknown section 'gpu_rentals'; valid: api, gpu_rental"),
    # 96 / 8 = 12.0 per GPU-hour; the other three offers are 2.0, 2.5, 6.0 / 2 = 3.0, median 2.5; 12 / 2.5 = 4.8
    (
        "pricing_rental_bad.yaml",
        "acme/8x-h100/on-demand",
        "warning",
        "$12.000 per GPU-hour is 4.8x above the median $2.500",
    ),
    ("pricing_rental_bad.yaml", "acme/typo-gpu", "error", "gpu 'h100-sxm-typo' is not a GPU id in hardware_bad.yaml"),
    ("pricing_rental_bad.yaml", "acme/t4", "error", "gpu 't4' is not a GPU id in hardware_bad.yaml"),
    ("pricing_rental_bad.yaml", "acme/zero-gpus", "error", "gpus_per_instance: Input should be greater than 0"),
    ("pricing_rental_bad.yaml", "acme/monthly", "error", "pricing: Input should be 'on_demand'"),
    ("pricing_rental_bad.yaml", "acme/free", "error", "usd_per_instance_hour: Input should be greater than 0 (got 0)"),
    ("ownership_bad.yaml", "b300", "error", "owned GPU 'b300' is not a GPU id in hardware_bad.yaml"),
    ("ownership_bad.yaml", "a100-80gb", "error", "owned GPU 'a100-80gb' is not a GPU id"),
    ("ownership_bad.yaml", "a100-80gb", "warning", "2158 days old (as_of 2020)"),
    (
        "ownership_bad.yaml",
        "h100-sxm",
        "error",
        "purchase_usd_per_gpu: uniform low: Input should be greater than or equal",
    ),
    ("ownership_bad.yaml", "facility", "error", "electricity_usd_per_kwh: low is above high"),
    ("ownership_bad.yaml", "facility", "error", "missing required field 'colocation_usd_per_kw_month'"),
    ("ownership_bad.yaml", "facility", "error", "missing required field 'server_overhead_w_per_gpu'"),
]


@pytest.mark.parametrize(
    ("file", "entry", "level", "text"), EXPECTED, ids=[f"{e[0]}:{e[1]}:{e[3][:30]}" for e in EXPECTED]
)
def test_corrupt_corpus_is_rejected_entry_by_entry(corrupt, file, entry, level, text):
    assert _has(corrupt, file, entry, level, text), "\n".join(format_findings(corrupt))


def test_corrupt_corpus_reports_nothing_else(corrupt):
    # 32 errors + 4 warnings; the two missing facility blocks not listed above are the other 2 errors
    assert (corrupt["errors"], corrupt["warnings"]) == (32, 4)
    assert len(corrupt["findings"]) == 36
    assert not any(f["entry"] in {"acme/1x-h100/a", "acme/1x-h100/b", "acme/2x-h100/c"} for f in corrupt["findings"])
    # the first acme/good-model is clean: its only finding is the duplicate
    assert [f["message"][:12] for f in corrupt["findings"] if f["entry"] == "acme/good-model"] == ["duplicate id"]
    assert sorted(Path(f).name for f in corrupt["files"]) == [p.name for p in _corrupt_files()]


def test_a_lone_file_resolves_references_against_the_shipped_data():
    # alone, pricing_rental_bad.yaml's t4 offer resolves against the shipped hardware.yaml
    result = validate([CORRUPT / "pricing_rental_bad.yaml"], TODAY)
    assert not any(f["entry"] == "acme/t4" for f in result["findings"])
    assert _has(
        result, "pricing_rental_bad.yaml", "acme/typo-gpu", "error", "not a GPU id in the shipped hardware.yaml"
    )


def test_shipped_data_passes_with_no_errors():
    result = validate(None, TODAY)
    assert result["errors"] == 0, "\n".join(format_findings(result))
    assert len(result["files"]) == 9  # DATA_FILES, platforms.yaml included
    pattern = r"days old|is undated|per GPU-hour is|^retired on|^deprecated on"
    kinds = {re.search(pattern, f["message"]) is not None for f in result["findings"]}
    assert kinds == {True}  # the shipped data only has stale, undated, outlier-offer and lifecycle warnings


def test_missing_paths_and_empty_directories_are_errors(tmp_path):
    result = validate([tmp_path / "nope.yaml", tmp_path], TODAY)
    assert [f["message"][:10] for f in result["findings"]] == ["not found", "holds none"]
    assert result["errors"] == 2


def test_a_complete_directory_needs_every_section(tmp_path):
    d = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", d)
    text = (d / "pricing.yaml").read_text()
    (d / "pricing.yaml").write_text(text[: text.index("gpu_rental:")])
    result = validate([d], TODAY)
    assert _has(result, "pricing.yaml", "gpu_rental", "error", "missing section 'gpu_rental'")
    # the same file alone is an overlay: it may leave sections out
    assert not _has(validate([d / "pricing.yaml"], TODAY), "pricing.yaml", "gpu_rental", "error", "missing")


def test_partial_dates_are_future_only_when_their_first_day_is():
    # '2026-11' may mean any day of November 2026: not in the future on 2026-11-28; '2026-12' is
    entries = "\n".join(
        f"  - {{id: acme/m{i}, provider: acme, name: M, input_usd_per_mtok: 1, output_usd_per_mtok: 2,"
        f" source: fixture, as_of: '{as_of}'}}"
        for i, as_of in enumerate(["2026-11", "2026", "2026-12", "2027"])
    )
    result = validate_text(f"api:\n{entries}\n")
    assert [f["entry"] for f in result["findings"]] == ["acme/m2", "acme/m3"]


def validate_text(text: str, name: str = "pricing.yaml") -> dict:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_text(text)
        return validate([path], TODAY)


def test_stale_limit_is_the_max_age():
    text = "api:\n  - {id: a/b, provider: a, name: B, input_usd_per_mtok: 1, output_usd_per_mtok: 2,"
    text += " source: x-y, as_of: '2026-01-01'}\n"
    # 2026-01-01 to 2026-11-28 is 331 days
    assert validate_text(text)["warnings"] == 0
    with pytest.raises(UsageError):
        validate(None, TODAY, max_age_days=-1)


def _hashes(paths: list[Path]) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_validate_never_modifies_the_files():
    shipped = sorted(SHIPPED_DATA_DIR.glob("*.yaml"))
    before = _hashes(_corrupt_files() + shipped)
    stats = {p: p.stat().st_mtime_ns for p in before}
    validate(_corrupt_files(), TODAY)
    validate(None, TODAY)
    assert _hashes(_corrupt_files() + shipped) == before
    assert {p: p.stat().st_mtime_ns for p in before} == stats


# ---------------------------------------------------------------- format_findings


def test_text_and_github_formats():
    result = {
        "findings": [
            {"level": "error", "file": "data/pricing.yaml", "entry": "acme/x", "message": "input 100% off,\nreally"},
            {"level": "warning", "file": "data/pricing.yaml", "entry": "a,b:c", "message": "old: check it"},
        ]
    }
    assert format_findings(result, "text") == [
        "data/pricing.yaml: acme/x: error: input 100% off,\\nreally",  # a newline stays on one line
        "data/pricing.yaml: a,b:c: warning: old: check it",
    ]
    # GitHub workflow commands: %, CR, LF escaped everywhere; also ':' and ',' in properties
    assert format_findings(result, "github") == [
        "::error file=data/pricing.yaml,title=acme/x::input 100%25 off,%0Areally",
        "::warning file=data/pricing.yaml,title=a%2Cb%3Ac::old: check it",
    ]
    with pytest.raises(UsageError, match="valid: text, github"):
        format_findings(result, "xml")


def test_github_lines_for_the_corpus(corrupt):
    lines = format_findings(corrupt, "github")
    assert len(lines) == 36
    assert all(line.startswith(("::error file=", "::warning file=")) and ",title=" in line for line in lines)
    assert any(
        line.startswith("::error file=") and "title=acme/zero::output_usd_per_mtok is 0" in line for line in lines
    )


# ---------------------------------------------------------------- diff


def _api(entry_id: str, as_of: str, **prices: float) -> str:
    fields = ", ".join(f"{k}_usd_per_mtok: {v}" for k, v in prices.items())
    return f"  - {{id: {entry_id}, provider: acme, name: X, {fields}, source: s-s, as_of: '{as_of}'}}\n"


def _offer(usd_per_instance_hour: float, as_of: str) -> str:
    return (
        "  - {id: acme/h100, provider: acme, instance: x, gpu: h100-sxm, gpus_per_instance: 8, pricing: on_demand,"
        f" usd_per_instance_hour: {usd_per_instance_hour}, source: s-s, as_of: '{as_of}'}}\n"
    )


OLD = (
    "api:\n"
    + _api("acme/a", "2026-01", input=2.5, output=10.0)
    + _api("acme/b", "2026-01", input=1.0, output=2.0)
    + _api("acme/gone", "2026-01", input=1.0, output=2.0)
    + "gpu_rental:\n"
    + _offer(20.0, "2026-01")
)
NEW = (
    "api:\n"
    + _api("acme/a", "2026-06", input=30.0, output=10.0, cached_input=1.25)
    + _api("acme/b", "2026-06", input=0.1, output=0)
    + _api("acme/new", "2026-06", input=1.0, output=2.0)
    + "gpu_rental:\n"
    + _offer(16.0, "2026-06")
)


def test_diff_of_two_pricing_files(tmp_path):
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(OLD)
    new.write_text(NEW)
    result = diff(old, new)
    # each item names the file it stands in: the new one, the old one for a removal
    assert result["added"] == [{"section": "api", "id": "acme/new", "file": str(new)}]
    assert result["removed"] == [{"section": "api", "id": "acme/gone", "file": str(old)}]
    rows = {(c["id"], c["field"]): c for c in result["changed"]}
    assert set(rows) == {
        ("acme/a", "input_usd_per_mtok"),
        ("acme/a", "cached_input_usd_per_mtok"),
        ("acme/b", "input_usd_per_mtok"),
        ("acme/b", "output_usd_per_mtok"),
        ("acme/h100", "usd_per_instance_hour"),
    }
    # 2.5 -> 30: (30 - 2.5) / 2.5 = +1100%, 12x: large
    assert rows["acme/a", "input_usd_per_mtok"] == {
        "section": "api", "id": "acme/a", "field": "input_usd_per_mtok",
        "old": 2.5, "new": 30.0, "pct_change": 1100.0, "large": True, "file": str(new),
    }  # fmt: skip
    # 1.0 -> 0.1 is exactly 10x down: 10x or more is large; -90%
    assert (rows["acme/b", "input_usd_per_mtok"]["pct_change"], rows["acme/b", "input_usd_per_mtok"]["large"]) == (
        -90.0,
        True,
    )
    # 2.0 -> 0 crosses zero: large
    assert rows["acme/b", "output_usd_per_mtok"]["large"] is True
    assert rows["acme/b", "output_usd_per_mtok"]["pct_change"] == -100.0
    # a field that appears: old None, no percentage
    assert rows["acme/a", "cached_input_usd_per_mtok"] | {} == {
        "section": "api", "id": "acme/a", "field": "cached_input_usd_per_mtok",
        "old": None, "new": 1.25, "pct_change": None, "large": False, "file": str(new),
    }  # fmt: skip
    # 20 -> 16: -20%
    assert rows["acme/h100", "usd_per_instance_hour"]["pct_change"] == -20.0
    assert result["large_changes"] == 3
    # with a wider gate the exact 10x move is not large; crossing zero and 12x still are
    assert diff(old, new, large_factor=12.5)["large_changes"] == 1
    with pytest.raises(UsageError, match="large_factor must be a number above 1"):
        diff(old, new, large_factor=1.0)


def test_diff_compares_a_ranges_central_value(tmp_path):
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(OLD)
    new.write_text(OLD.replace("input_usd_per_mtok: 2.5", "input_usd_per_mtok: {low: 20, high: 40}", 1))
    rows = {c["field"]: c for c in diff(old, new)["changed"]}
    # 2.5 -> a range around 30: the point answer moves 12x, so the gate fires; the range is listed too
    assert rows["input_usd_per_mtok"]["new"] == 30.0 and rows["input_usd_per_mtok"]["large"] is True
    assert (rows["input_usd_per_mtok.low"]["new"], rows["input_usd_per_mtok.high"]["new"]) == (20.0, 40.0)
    new.write_text(OLD.replace("input_usd_per_mtok: 2.5", "input_usd_per_mtok: '2.0..3.0'", 1))
    rows = {c["field"]: c for c in diff(old, new)["changed"]}
    assert set(rows) == {"input_usd_per_mtok.low", "input_usd_per_mtok.high"}  # same central value


def test_diff_of_directories_and_identical_data(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(FIXTURES / "data", a)
    shutil.copytree(FIXTURES / "data", b)
    assert diff(a, b) == {"added": [], "removed": [], "changed": [], "large_changes": 0, "large_factor": 10.0}
    text = (b / "hardware.yaml").read_text()
    (b / "hardware.yaml").write_text(text.replace("memory_gb: 80", "memory_gb: 800", 1))
    changed = diff(a, b)["changed"]
    assert [(c["section"], c["field"], c["old"], c["new"], c["large"]) for c in changed] == [
        ("gpus", "memory_gb", 80.0, 800.0, True)  # exactly 10x: 10x or more is large
    ]
    with pytest.raises(UsageError, match="two files or two directories"):
        diff(a, b / "hardware.yaml")
    with pytest.raises(UsageError, match="not the same kind"):
        diff(a / "pricing.yaml", b / "hardware.yaml")


# ---------------------------------------------------------------- LiteLLM import


def test_import_litellm_converts_units_and_derives_batch_discount():
    result = import_litellm(LITELLM, ["gpt-4o", "claude-sonnet-4-5", "groq/openai/gpt-oss-120b"], None, TODAY)
    gpt, claude, groq = result["api"]
    # gpt-4o: 2.5e-06 USD per token x 1e6 = 2.5 USD per Mtok; 1e-05 -> 10; cache read 1.25e-06 -> 1.25
    assert gpt["id"] == "openai/gpt-4o" and gpt["provider"] == "openai" and gpt["name"] == "gpt-4o"
    assert (gpt["input_usd_per_mtok"], gpt["output_usd_per_mtok"], gpt["cached_input_usd_per_mtok"]) == (
        2.5,
        10.0,
        1.25,
    )
    # batch: 1 - 1.25e-06 / 2.5e-06 = 0.5
    assert gpt["batch_discount"] == 0.5 and "batch_discount derived" in gpt["notes"]
    assert gpt["context_window_tokens"] == 128000
    assert gpt["source"] == f"LiteLLM model_prices_and_context_window.json ({LITELLM})"
    assert gpt["as_of"] == "2026-11-28"
    assert (
        "input_cost_per_token 2.5e-06 -> 2.5" in gpt["notes"]
        and "LiteLLM cites https://developers.openai.com" in gpt["notes"]
    )
    assert "input_cost_per_token_priority" in gpt["notes"]  # listed as not imported
    # claude-sonnet-4-5: 3e-06 -> 3, 1.5e-05 -> 15, read 3e-07 -> 0.3, write 3.75e-06 -> 3.75
    assert claude["id"] == "anthropic/claude-sonnet-4-5"
    assert [claude[k] for k in ("input_usd_per_mtok", "output_usd_per_mtok")] == [3.0, 15.0]
    assert (claude["cached_input_usd_per_mtok"], claude["cache_write_usd_per_mtok"], claude["batch_discount"]) == (
        0.3,
        3.75,
        0.5,
    )
    # groq/openai/gpt-oss-120b: 1.5e-07 -> 0.15, 6e-07 -> 0.6, 7.5e-08 -> 0.075; no batch fields
    assert groq["id"] == "groq/gpt-oss-120b"
    assert (groq["input_usd_per_mtok"], groq["output_usd_per_mtok"], groq["cached_input_usd_per_mtok"]) == (
        0.15,
        0.6,
        0.075,
    )
    assert "batch_discount" not in groq


def test_import_litellm_long_context_tier_and_provider_override():
    (gemini,) = import_litellm(LITELLM, ["gemini-2.5-pro"], None, TODAY)["api"]
    assert gemini["id"] == "google/gemini-2.5-pro"  # litellm_provider vertex_ai-language-models
    # above 200k: input 2.5e-06 -> 2.5, output 1.5e-05 -> 15, cache read 2.5e-07 -> 0.25
    assert gemini["long_context"] == {
        "above_prompt_tokens": 200000,
        "input_usd_per_mtok": 2.5,
        "output_usd_per_mtok": 15.0,
        "cached_input_usd_per_mtok": 0.25,
    }
    assert gemini["batch_discount"] == 0.5  # 1 - 6.25e-07 / 1.25e-06
    (mine,) = import_litellm(LITELLM, ["GPT-4o"], "myco", TODAY)["api"]
    assert (mine["id"], mine["provider"]) == ("myco/gpt-4o", "myco")


def test_import_litellm_unknown_model_names_close_matches():
    with pytest.raises(UnknownIdError, match=r"unknown LiteLLM model 'gpt4o'; did you mean gpt-4o"):
        import_litellm(LITELLM, ["gpt4o"], None, TODAY)
    with pytest.raises(UsageError, match="at least one"):
        import_litellm(LITELLM, [], None, TODAY)


def test_import_litellm_reads_provenance_beside_the_map(tmp_path):
    path = tmp_path / "prices.json"
    shutil.copy(LITELLM, path)
    (tmp_path / "prices.SOURCE.txt").write_text(
        "prices.json - LiteLLM's model cost map, litellm 1.110.2\n\nRetrieved: 2026-11-20. sha256 abc\n"
    )
    (entry,) = import_litellm(path, ["gpt-4o"], None, TODAY)["api"]
    assert entry["source"] == (
        "LiteLLM model_prices_and_context_window.json (prices.json - LiteLLM's model cost map, litellm 1.110.2;"
        " retrieved 2026-11-20)"
    )
    assert entry["as_of"] == "2026-11-20" and "date the map was retrieved" in entry["notes"]


def test_import_litellm_refuses_bad_files(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    with pytest.raises(UsageError, match="expected LiteLLM's price map"):
        import_litellm(bad, ["gpt-4o"], None, TODAY)
    bad.write_text("{")
    with pytest.raises(UsageError, match="not JSON"):
        import_litellm(bad, ["gpt-4o"], None, TODAY)
    bad.write_text(json.dumps({"dall-e": {"mode": "image_generation", "output_cost_per_image": 0.04}}))
    with pytest.raises(UsageError, match="no per-token input and output price"):
        import_litellm(bad, ["dall-e"], None, TODAY)


def test_imported_yaml_passes_validation(tmp_path):
    result = import_litellm(
        LITELLM, ["gpt-4o", "claude-sonnet-4-5", "groq/openai/gpt-oss-120b", "gemini-2.5-pro"], None, TODAY
    )
    text = to_yaml(result["api"])
    assert text.startswith("api:\n- id: openai/gpt-4o\n")
    assert yaml.safe_load(text) == result == yaml.safe_load(to_yaml(result))
    path = tmp_path / "pricing.yaml"
    path.write_text(text)
    checked = validate([path], TODAY)
    assert (checked["errors"], checked["warnings"]) == (0, 0), format_findings(checked)


# ---------------------------------------------------------------- genai-prices cross-check


def test_cross_check_without_genai_prices_says_how_to_install(monkeypatch, cat):
    monkeypatch.setitem(sys.modules, "genai_prices", None)  # makes the import fail
    with pytest.raises(UsageError, match=r"not installed: pip install 'llmcost\[genai\]'"):
        cross_check_genai(cat)


def test_cross_check_with_genai_prices(cat: Catalog):
    pytest.importorskip("genai_prices")
    at = datetime(2026, 11, 28, 12, tzinfo=UTC)
    # the frozen fixture predates batch coverage and service tiers: give it the shipped ones
    shipped = load_catalog().apis["openai/gpt-4o"]
    fixture = cat.apis["openai/gpt-4o"]
    assert {f["message"][:28] for f in cross_check_genai(cat, at=at) if f["entry"] == "openai/gpt-4o"} == {
        "batch leaves none at the sta",
        "service_tiers.priority.input",
        "service_tiers.priority.outpu",
    }
    gpt = dataclasses.replace(fixture, batch_applies_to=shipped.batch_applies_to, service_tiers=shipped.service_tiers)
    base = dataclasses.replace(cat, apis={"openai/gpt-4o": gpt})
    assert not [f for f in cross_check_genai(base, at=at) if f["entry"] == "openai/gpt-4o"]
    changed = dataclasses.replace(cat, apis={"openai/gpt-4o": dataclasses.replace(gpt, input_usd_per_mtok=3.0)})
    (finding,) = [f for f in cross_check_genai(changed, at=at) if f["level"] == "warning"]
    # ours 3.0 vs genai-prices 2.5: (3 - 2.5) / 2.5 = +20%
    assert finding["entry"] == "openai/gpt-4o" and finding["level"] == "warning"
    assert (
        "input_usd_per_mtok 3 differs from genai-prices" in finding["message"] and "2.5 by +20.0%" in finding["message"]
    )


def test_genai_api_ids_in_compare(cat):
    pytest.importorskip("genai_prices")
    import llmcost

    opts = {
        o["id"]: o
        for o in llmcost.compare(10_000, apis=["genai:openai/gpt-4o"], models=["llama-3.1-8b"], catalog=cat).to_dict()[
            "options"
        ]
    }
    # genai-prices carries the same list price as our data: $2.50 / $10 per Mtok -> $0.01 per query
    assert opts["genai/openai/gpt-4o"]["cost_per_query_usd"] == pytest.approx(0.01)
    with pytest.raises(llmcost.UsageError, match="genai-prices does not know"):
        llmcost.compare(10, apis=["genai:nope/model"], catalog=cat)
