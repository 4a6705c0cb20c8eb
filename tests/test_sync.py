"""`llmcost data sync`: proposals from genai-prices or a LiteLLM price map, through the `data diff` gate.

Each test builds a small data directory in tmp_path (a pricing.yaml with a header comment, so
in-place edits can be seen to keep every line they do not change) and syncs it from
tests/fixtures/litellm_small.json, a price map written in the test, or the installed genai-prices.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

import llmcost.io
from llmcost.catalog import load_catalog
from llmcost.cli import main
from llmcost.datatools import GENAI_CHECK_AT, genai_api_model, sync, validate, write_sync
from llmcost.errors import CatalogError, OutputError, UsageError
from tests.conftest import FIXTURES

LITELLM = FIXTURES / "litellm_small.json"
TODAY = date(2026, 11, 28)

HEAD = "# my curated prices\n# (a comment sync must keep)\n\napi:\n"
GPT = """  - id: openai/gpt-4o
    provider: openai
    name: GPT-4o
    input_usd_per_mtok: 2.0
    output_usd_per_mtok: 10.0
    cached_input_usd_per_mtok: 1.25
    batch_discount: 0.5
    context_window_tokens: 128000
    quality:
      lmarena_elo: 1335.8
      source: "arena snapshot"
      as_of: "2025-12-11"
    source: "our own reading"
    as_of: "2026-08-21"
    notes: "curated note"
"""
CLAUDE = """
  # ---- Anthropic
  - id: anthropic/claude-sonnet-4.5
    provider: anthropic
    name: Claude Sonnet 4.5
    input_usd_per_mtok: 3.0
    output_usd_per_mtok: 15.0
    source: "our own reading"
    as_of: "2026-08-21"
"""
GROQ = """
  - id: groq/llama-3.1-8b
    provider: groq
    name: Llama 3.1 8B on Groq
    input_usd_per_mtok: 0.05
    output_usd_per_mtok: 0.08
    open_model: llama-3.1-8b
    source: "our own reading"
    as_of: "2026-08-21"
"""


def _data(tmp_path: Path, body: str = GPT + CLAUDE + GROQ) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    (d / "pricing.yaml").write_text(HEAD + body)
    return d


def _map(tmp_path: Path, doc: object) -> Path:
    path = tmp_path / "map.json"
    path.write_text(json.dumps(doc))
    return path


def _acme(input_usd: float, output_usd: float = 20.0, **extra: object) -> dict:
    return {
        "acme/acme-chat": {
            "litellm_provider": "acme",
            "mode": "chat",
            "input_cost_per_token": input_usd / 1e6,
            "output_cost_per_token": output_usd / 1e6,
            **extra,
        }
    }


ACME = """  - id: acme/acme-chat
    provider: acme
    name: Acme Chat
    input_usd_per_mtok: 10.0
    output_usd_per_mtok: 20.0
    source: "acme price page"
    as_of: "2026-08-21"
"""


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- the proposal


def test_litellm_sync_known_diff(tmp_path):
    d = _data(tmp_path)
    result = sync("litellm", d, LITELLM, TODAY)
    rows = {(c["id"], c["field"]): (c["old"], c["new"], c["large"]) for c in result["diff"]["changed"]}
    assert rows == {
        # 2.5e-06 USD per token x 1e6 = 2.5; ours 2.0
        ("openai/gpt-4o", "input_usd_per_mtok"): (2.0, 2.5, False),
        # claude-sonnet-4-5 maps to our claude-sonnet-4.5 ('.' and '-' compared alike): 3e-07, 3.75e-06
        ("anthropic/claude-sonnet-4.5", "cached_input_usd_per_mtok"): (None, 0.3, False),
        ("anthropic/claude-sonnet-4.5", "cache_write_usd_per_mtok"): (None, 3.75, False),
        ("anthropic/claude-sonnet-4.5", "batch_discount"): (None, 0.5, False),
        ("anthropic/claude-sonnet-4.5", "context_window_tokens"): (None, 200000.0, False),
    }
    # groq/openai/gpt-oss-120b -> groq/gpt-oss-120b: a provider we have, a model in models.yaml
    assert result["diff"]["added"] == [{"section": "api", "id": "groq/gpt-oss-120b"}]
    (new,) = result["new_entries"]
    assert (new["open_model"], new["input_usd_per_mtok"], new["output_usd_per_mtok"]) == ("gpt-oss-120b", 0.15, 0.6)
    # gemini-2.5-pro: google is not a provider of ours, so no new entry; groq/llama-3.1-8b: nothing maps
    assert {s["id"]: s["reason"] for s in result["skipped"]} == {"groq/llama-3.1-8b": "no LiteLLM entry maps to it"}
    gpt = next(e for e in result["changed_entries"] if e["id"] == "openai/gpt-4o")
    # what we curate is kept; source and as_of say where the new number came from
    assert gpt["quality"]["lmarena_elo"] == 1335.8 and gpt["batch_discount"] == 0.5
    assert gpt["notes"].startswith("curated note [synced 2026-11-28 from litellm: input_usd_per_mtok 2.0 -> 2.5]")
    assert gpt["source"] == f"LiteLLM model_prices_and_context_window.json ({LITELLM})"
    assert gpt["as_of"] == "2026-11-28"
    assert result["diff"]["large_changes"] == 0
    assert (d / "pricing.yaml").read_text() == HEAD + GPT + CLAUDE + GROQ  # nothing written


def test_exactly_ten_x_is_large_and_the_factor_is_an_option(tmp_path):
    d = _data(tmp_path, ACME)
    # a slipped digit: 10.0 -> 100.0 is exactly 10x, and 10x or more is large
    (change,) = sync("litellm", d, _map(tmp_path, _acme(100.0)), TODAY)["diff"]["changed"]
    assert (change["old"], change["new"], change["pct_change"], change["large"]) == (10.0, 100.0, 900.0, True)
    (change,) = sync("litellm", d, _map(tmp_path, _acme(1.0)), TODAY)["diff"]["changed"]
    assert change["large"] is True  # 10x down
    (change,) = sync("litellm", d, _map(tmp_path, _acme(150.0)), TODAY)["diff"]["changed"]
    assert change["large"] is True  # 15x: above the gate
    (change,) = sync("litellm", d, _map(tmp_path, _acme(99.0)), TODAY)["diff"]["changed"]
    assert change["large"] is False  # 9.9x
    (change,) = sync("litellm", d, _map(tmp_path, _acme(150.0)), TODAY, large_factor=20)["diff"]["changed"]
    assert change["large"] is False


def test_cli_gate_holds_large_changes_and_writes_nothing(tmp_path, capsys):
    d = _data(tmp_path, ACME)
    before = (d / "pricing.yaml").read_bytes()
    price_map = str(_map(tmp_path, _acme(100.0)))
    base = ["data", "sync", "litellm", "--file", price_map, "--data", str(d)]
    out = tmp_path / "overlay.yaml"
    code, text, err = run(capsys, "data", "sync", "litellm", "--file", price_map, "--data", str(d),
                          "--write", "overlay", "--out", str(out))  # fmt: skip
    assert code == 1 and "LARGE CHANGE" in text and "nothing written" in err
    assert "~ api acme/acme-chat input_usd_per_mtok: 10.0 -> 100.0 (+900.0%)  LARGE CHANGE" in text
    assert not out.exists() and (d / "pricing.yaml").read_bytes() == before
    code, text, err = run(capsys, "data", "sync", "litellm", "--file", price_map, "--data", str(d),
                          "--write", "overlay", "--out", str(out), "--allow-large-changes")  # fmt: skip
    assert code == 0 and err == f"wrote {out}\n"
    (entry,) = yaml.safe_load(out.read_text())["api"]
    assert entry["input_usd_per_mtok"] == 100.0
    code, text, _ = run(capsys, *base, "--large-factor", "11")
    assert code == 0 and "0 large (rule: 11x or more, or across zero)" in text
    code, text, _ = run(capsys, *base, "-f", "github")
    assert code == 1 and text.startswith("::error file=pricing.yaml,title=acme/acme-chat::input_usd_per_mtok: 10.0")


def test_data_diff_uses_the_same_gate(tmp_path, capsys):
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(HEAD + ACME)
    new.write_text(HEAD + ACME.replace("10.0", "100.0"))
    code, text, _ = run(capsys, "data", "diff", str(old), str(new))
    assert code == 1 and "1 large (rule: 10x or more, or across zero)" in text
    assert run(capsys, "data", "diff", str(old), str(new), "--large-factor", "10.5")[0] == 0
    assert run(capsys, "data", "diff", str(old), str(new), "--allow-large-changes")[0] == 0
    code, _, err = run(capsys, "data", "diff", str(old), str(new), "--large-factor", "1")
    assert code == 2 and "--large-factor must be a number above 1" in err


# ---------------------------------------------------------------- writing


def test_overlay_is_a_valid_data_directory_file(tmp_path):
    d = _data(tmp_path)
    result = sync("litellm", d, LITELLM, TODAY)
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    written = write_sync(result, "overlay", overlay)
    assert written == overlay / "pricing.yaml"
    doc = yaml.safe_load(written.read_text())
    assert [e["id"] for e in doc["api"]] == ["openai/gpt-4o", "anthropic/claude-sonnet-4.5", "groq/gpt-oss-120b"]
    checked = validate([written], TODAY)
    assert checked["errors"] == 0
    cat = load_catalog([overlay])
    assert cat.apis["openai/gpt-4o"].input_usd_per_mtok == 2.5
    assert cat.apis["groq/gpt-oss-120b"].open_model == "gpt-oss-120b"


def test_in_place_edits_only_the_changed_entries(tmp_path):
    d = _data(tmp_path)
    write_sync(sync("litellm", d, LITELLM, TODAY), "in-place")
    text = (d / "pricing.yaml").read_text()
    # the header comment, the section comment and the untouched groq entry are byte-identical
    assert text.startswith(HEAD) and "\n  # ---- Anthropic\n" in text and GROQ in text
    assert text.rstrip().endswith("open_model: gpt-oss-120b")  # the new entry is appended to api
    cat = load_catalog([d])  # merged over the shipped data
    assert cat.apis["openai/gpt-4o"].input_usd_per_mtok == 2.5
    assert cat.apis["openai/gpt-4o"].quality is not None
    assert cat.apis["anthropic/claude-sonnet-4.5"].cache_write_usd_per_mtok == 3.75
    again = sync("litellm", d, LITELLM, TODAY)  # synced: nothing more to propose
    assert again["diff"]["changed"] == [] and again["diff"]["added"] == []
    assert write_sync(again, "in-place") is None


@pytest.mark.parametrize("fail", ["replace", "fsync"])
def test_an_interrupted_write_leaves_the_file_as_it_was(tmp_path, monkeypatch, fail):
    d = _data(tmp_path)
    before = (d / "pricing.yaml").read_bytes()
    result = sync("litellm", d, LITELLM, TODAY)

    def boom(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(llmcost.io.os, fail, boom)
    with pytest.raises(OutputError, match="cannot write"):
        write_sync(result, "in-place")
    monkeypatch.undo()
    assert (d / "pricing.yaml").read_bytes() == before
    assert sorted(p.name for p in d.iterdir()) == ["pricing.yaml"]  # no temporary file left behind


def test_cli_write_options(tmp_path, capsys):
    d = _data(tmp_path)
    base = ["data", "sync", "litellm", "--file", str(LITELLM), "--data", str(d)]
    assert run(capsys, *base, "--write", "overlay")[2] == (
        "llmcost: error: --write overlay needs --out FILE (a pricing.yaml for a --data directory)\n"
    )
    assert run(capsys, *base, "--write", "sideways")[0] == 2
    assert "needs --data DIR" in run(capsys, "data", "sync", "genai-prices", "--write", "in-place")[2]
    code, _, err = run(capsys, *base, "--write", "in-place")
    assert (code, err) == (0, f"wrote {d / 'pricing.yaml'}\n")


# ---------------------------------------------------------------- bad sources


def test_litellm_needs_a_file_and_refuses_a_corrupt_one(tmp_path, capsys):
    d = _data(tmp_path)
    with pytest.raises(UsageError, match="needs --file"):
        sync("litellm", d, None, TODAY)
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with pytest.raises(CatalogError, match="not JSON: line 1"):
        sync("litellm", d, bad, TODAY)
    bad.write_text("[1, 2]")
    with pytest.raises(CatalogError, match="expected LiteLLM's price map"):
        sync("litellm", d, bad, TODAY)
    with pytest.raises(CatalogError, match="LiteLLM entry 'gpt-4o' is not a JSON object"):
        sync("litellm", d, _map(tmp_path, {"gpt-4o": 2.5}), TODAY)
    code, out, err = run(capsys, "data", "sync", "litellm", "--file", str(bad), "--data", str(d))
    assert (code, out) == (1, "") and err.count("\n") == 1 and err.startswith("llmcost: error: ")
    assert run(capsys, "data", "sync", "nope")[0] == 2


def test_unknown_fields_and_ambiguous_ids_stop_the_sync(tmp_path):
    d = _data(tmp_path, ACME)
    with pytest.raises(CatalogError, match=r"field\(s\) sync does not know: surge_multiplier"):
        sync("litellm", d, _map(tmp_path, _acme(10.0, surge_multiplier=2.0)), TODAY)
    two = {**_acme(12.0), "acme-chat": {**_acme(11.0)["acme/acme-chat"]}}  # two keys, one id, two prices
    with pytest.raises(CatalogError, match="'acme/acme-chat' and 'acme-chat' both map to acme/acme-chat"):
        sync("litellm", d, _map(tmp_path, two), TODAY)
    same = {**_acme(12.0), "acme-chat": {**_acme(12.0)["acme/acme-chat"]}}  # the same prices: no doubt
    assert len(sync("litellm", d, _map(tmp_path, same), TODAY)["diff"]["changed"]) == 1
    # our own file with an unknown field is refused before anything is read from the source
    (d / "pricing.yaml").write_text(HEAD + ACME + "    colour: red\n")
    with pytest.raises(CatalogError, match="colour: unknown field"):
        sync("litellm", d, LITELLM, TODAY)


def test_genai_prices_not_installed(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "genai_prices", None)  # makes the import fail
    d = _data(tmp_path)
    with pytest.raises(UsageError, match=r"not installed: pip install 'llmcost\[genai\]'"):
        sync("genai-prices", d, None, TODAY)
    code, out, err = run(capsys, "data", "sync", "genai-prices", "--data", str(d))
    assert (code, out) == (2, "") and err.count("\n") == 1 and "genai-prices, which is not installed" in err


def test_genai_prices_with_an_unexpected_shape(tmp_path, monkeypatch):
    gp = pytest.importorskip("genai_prices")

    class Broken:
        providers = "not a list"

    monkeypatch.setattr(gp.data_snapshot, "get_snapshot", lambda: Broken())
    with pytest.raises(CatalogError, match="its price data has an unexpected shape"):
        sync("genai-prices", _data(tmp_path), None, TODAY)


# ---------------------------------------------------------------- genai-prices


def test_genai_prices_sync(tmp_path):
    gp = pytest.importorskip("genai_prices")
    d = _data(tmp_path)
    result = sync("genai-prices", d, None, TODAY)
    assert result["source_text"].startswith(f"genai-prices {gp.__version__} (pydantic; package data ")
    assert result["prices_at"] == "2026-12-01T12:00:00Z"
    assert result["as_of"] == (result["stated_date"] or TODAY.isoformat())  # 0.2.x states no date: the sync day
    rows = {(c["id"], c["field"]): (c["old"], c["new"]) for c in result["diff"]["changed"]}
    # genai-prices lists gpt-4o at $2.50 in; ours says 2.0
    assert rows["openai/gpt-4o", "input_usd_per_mtok"] == (2.0, 2.5)
    gpt = next(e for e in result["changed_entries"] if e["id"] == "openai/gpt-4o")
    assert gpt["quality"]["lmarena_elo"] == 1335.8  # kept: genai-prices has no quality
    assert gpt["source"] == result["source_text"]


def test_genai_ids_with_colons_batch_and_tiers():
    pytest.importorskip("genai_prices")
    nova = genai_api_model("aws/amazon.nova-pro-v1:0", TODAY, at=GENAI_CHECK_AT)
    assert nova.id == "genai/aws/amazon.nova-pro-v1-0" and nova.name == "amazon.nova-pro-v1:0 (genai-prices)"
    assert nova.quality is None and "no quality score" in (nova.notes or "")
    claude = genai_api_model("anthropic/claude-sonnet-4-5", TODAY, at=GENAI_CHECK_AT)
    assert claude.long_context is not None and claude.long_context.above_prompt_tokens == 200_000
    assert claude.batch_discount is not None and 0 < claude.batch_discount < 1


def test_genai_ids_with_colons_in_compare(cat):
    pytest.importorskip("genai_prices")
    import llmcost

    result = llmcost.compare(1000, apis=["genai:aws/amazon.nova-pro-v1:0"], models=["llama-3.1-8b"], catalog=cat)
    assert "genai/aws/amazon.nova-pro-v1-0" in {o["id"] for o in result.to_dict()["options"]}


def test_cross_check_lists_every_entry_and_reads_time_of_day_prices_at_a_fixed_instant(shipped):
    pytest.importorskip("genai_prices")
    from llmcost.datatools import cross_check_genai

    findings = cross_check_genai(shipped)
    summary = findings[-1]
    assert summary["entry"] == "(genai-prices)" and "prices read at 2026-12-01T12:00:00Z" in summary["message"]
    m = re.search(r"compared (\d+) API entries, skipped (\d+)", summary["message"])
    assert m is not None
    compared, skipped = int(m.group(1)), int(m.group(2))
    assert compared + skipped == len(shipped.apis)
    not_compared = {f["entry"] for f in findings if f["message"].startswith("not compared: ")}
    assert len(not_compared) == skipped
    deepseek = [f for f in findings if f["entry"] == "deepseek/deepseek-chat" and f["level"] == "warning"]
    assert deepseek and all("at 2026-12-01T12:00:00Z (it has time-of-day prices)" in f["message"] for f in deepseek)
    # the pinned Small 3.2 entry, not the mistral-small-latest alias that moved to Small 4
    assert not [f for f in findings if f["entry"] == "mistral/mistral-small-3.2" and f["level"] == "warning"]
    assert cross_check_genai(shipped) == findings  # same answer on every run


def test_genai_batch_coverage_and_service_tiers_are_imported():
    pytest.importorskip("genai_prices")
    # Gemini 2.5 Pro's batch halves input and output but keeps cache reads at the standard $0.125
    gemini = genai_api_model("google/gemini-2.5-pro", TODAY, at=GENAI_CHECK_AT)
    assert gemini.batch_discount == 0.5 and gemini.batch_applies_to == ["input", "output"]
    # gpt-5's batch reaches every class it prices; its flex tier is half the standard price, priority double
    gpt5 = genai_api_model("openai/gpt-5", TODAY, at=GENAI_CHECK_AT)
    assert gpt5.batch_applies_to is None and gpt5.service_tiers is not None
    flex, priority = gpt5.service_tiers.flex, gpt5.service_tiers.priority
    assert flex is not None and (flex.input_usd_per_mtok, flex.output_usd_per_mtok) == (0.625, 5.0)
    assert priority is not None and (priority.input_usd_per_mtok, priority.output_usd_per_mtok) == (2.5, 20.0)
    assert flex.source.startswith("genai-prices ") and flex.as_of == TODAY.isoformat()
    claude = genai_api_model("anthropic/claude-sonnet-4-5", TODAY, at=GENAI_CHECK_AT)
    assert (claude.cache_write_usd_per_mtok, claude.cache_write_1h_usd_per_mtok) == (3.75, 6.0)  # 1.25x, 2x input


def test_genai_sync_proposes_batch_coverage_and_tiers_and_keeps_curated_ones(tmp_path):
    pytest.importorskip("genai_prices")
    result = sync("genai-prices", _data(tmp_path), None, TODAY)
    gpt = next(e for e in result["changed_entries"] if e["id"] == "openai/gpt-4o")
    # OpenAI's gpt-4o batch keeps cached input at the standard price; priority is sourced like any row
    assert gpt["batch_applies_to"] == ["input", "output"]
    rows = {(c["id"], c["field"]): (c["old"], c["new"]) for c in result["diff"]["changed"]}
    assert rows["openai/gpt-4o", "batch_applies_to"] == (None, ["input", "output"])  # shown in the diff too
    assert rows["openai/gpt-4o", "service_tiers.priority.output_usd_per_mtok"] == (None, 17.0)
    assert gpt["service_tiers"]["priority"]["input_usd_per_mtok"] == 4.25
    assert gpt["service_tiers"]["priority"]["source"] == result["source_text"]
    assert "batch_applies_to" in gpt["notes"] and "service_tiers" in gpt["notes"]
    # a curated coverage the package does not contradict is kept: the entry is already as synced
    curated = GPT.replace(
        "    batch_discount: 0.5\n", "    batch_discount: 0.5\n    batch_applies_to: [input, output]\n"
    )
    (tmp_path / "b").mkdir()
    again = sync("genai-prices", _data(tmp_path / "b", curated), None, TODAY)
    gpt = next(e for e in again["changed_entries"] if e["id"] == "openai/gpt-4o")
    assert "batch_applies_to" not in gpt["notes"].partition("[synced")[2]


def test_cross_check_compares_batch_coverage(tmp_path):
    pytest.importorskip("genai_prices")
    from llmcost.datatools import cross_check_genai

    gemini = """  - id: google/gemini-2.5-pro
    provider: google
    name: Gemini 2.5 Pro
    input_usd_per_mtok: 1.25
    output_usd_per_mtok: 10.0
    cached_input_usd_per_mtok: 0.125
    batch_discount: 0.5
    source: "our own reading"
    as_of: "2026-08-21"
"""
    cat = load_catalog(_data(tmp_path, gemini))
    found = [f["message"] for f in cross_check_genai(cat) if f["entry"] == "google/gemini-2.5-pro"]
    assert any(m.startswith("batch leaves none at the standard price;") and m.endswith(": cached_input") for m in found)
