"""`llmcost list`: the catalog's ids and key facts, filtered; refused filters; every format; 80 columns.

Counts and rows are checked by hand against tests/fixtures/data (5 models, 4 APIs, 3 GPUs, 4 offers).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json

import pytest

import llmcost
from llmcost import render
from llmcost.cli import main
from llmcost.errors import UsageError
from llmcost.results.listing import KINDS, ApiRow, GpuRow, ModelRow, OfferRow

FILTERS = {"provider": "x", "min_memory_gb": 80, "reasoning": True, "commercial_only": True}


def ids(result) -> list[str]:
    return [r.id for r in result.rows]


# ---------------------------------------------------------------- rows and filters (fixture data)


def test_models_sorted_by_id_with_typed_rows(cat):
    result = llmcost.list_catalog("models", catalog=cat)
    assert ids(result) == ["deepseek-v3", "gpt-oss-120b", "llama-3.1-70b", "llama-3.1-8b", "mistral-large-2"]
    assert result.rows[2] == ModelRow(
        id="llama-3.1-70b",
        name="Llama 3.1 70B Instruct",
        params_total_b=70,
        params_active_b=70,
        max_context_tokens=131072,
        native_precision="bf16",
        licence="Llama 3.1 Community License",
        commercial_use=True,
        lmarena_elo=1294.3,
        as_of="undated",
    )
    assert result.rows[0].lmarena_elo is None  # deepseek-v3 has no quality score in the fixture


def test_models_provider_is_the_hugging_face_org(cat):
    assert ids(llmcost.list_catalog("models", provider="meta-llama", catalog=cat)) == ["llama-3.1-70b", "llama-3.1-8b"]
    assert ids(llmcost.list_catalog("models", provider="OpenAI", catalog=cat)) == ["gpt-oss-120b"]  # case-insensitive
    assert ids(llmcost.list_catalog("models", provider="mistralai", catalog=cat)) == ["mistral-large-2"]


def test_models_commercial_only_drops_the_research_licence(cat):
    result = llmcost.list_catalog("models", commercial_only=True, catalog=cat)
    assert ids(result) == ["deepseek-v3", "gpt-oss-120b", "llama-3.1-70b", "llama-3.1-8b"]
    both = llmcost.list_catalog("models", provider="mistralai", commercial_only=True, catalog=cat)
    assert both.rows == ()


def test_apis_rows_and_provider(cat):
    result = llmcost.list_catalog("apis", catalog=cat)
    assert ids(result) == ["anthropic/claude-sonnet-4", "openai/gpt-4o", "openai/gpt-4o-mini", "together/llama-3.1-70b"]
    gpt4o = result.rows[1]
    assert isinstance(gpt4o, ApiRow)
    assert (gpt4o.provider, gpt4o.cached_input_usd_per_mtok, gpt4o.batch_discount, gpt4o.context_window_tokens) == (
        "openai",
        1.25,
        0.5,
        128000,
    )
    assert result.rows[3].open_model == "llama-3.1-70b" and result.rows[3].cached_input_usd_per_mtok is None
    assert ids(llmcost.list_catalog("apis", provider="openai", catalog=cat)) == ["openai/gpt-4o", "openai/gpt-4o-mini"]


def test_apis_commercial_only_follows_the_open_models_licence(cat):
    # every fixture API is either proprietary (no licence in the data: kept) or serves Llama 3.1 70B
    assert len(llmcost.list_catalog("apis", commercial_only=True, catalog=cat).rows) == 4
    hosted = cat.apis["together/llama-3.1-70b"]
    research = dataclasses.replace(hosted, id="together/mistral-large-2", open_model="mistral-large-2")
    with_research = dataclasses.replace(cat, apis={**cat.apis, research.id: research})
    assert len(llmcost.list_catalog("apis", catalog=with_research).rows) == 5
    kept = llmcost.list_catalog("apis", commercial_only=True, catalog=with_research)
    assert "together/mistral-large-2" not in ids(kept) and len(kept.rows) == 4


def test_gpus_tflops_none_when_absent_and_min_memory(cat):
    result = llmcost.list_catalog("gpus", catalog=cat)
    assert ids(result) == ["a100-80gb", "h100-sxm", "t4"]
    t4 = result.rows[2]
    assert t4 == GpuRow(
        id="t4",
        name="NVIDIA T4",
        vendor="nvidia",
        memory_gb=16,
        memory_bandwidth_tb_per_s=0.32,
        bf16_dense_tflops=65,
        fp8_dense_tflops=None,
        int4_dense_tflops=260,
        interconnect="PCIe 3.0 x16",
        tdp_w=70,
    )
    assert result.rows[1].int4_dense_tflops is None and result.rows[1].fp8_dense_tflops == 1978.9
    assert ids(llmcost.list_catalog("gpus", min_memory_gb=80, catalog=cat)) == ["a100-80gb", "h100-sxm"]
    assert len(llmcost.list_catalog("gpus", min_memory_gb=16, catalog=cat).rows) == 3  # at least, inclusive
    assert llmcost.list_catalog("gpus", min_memory_gb=80.5, catalog=cat).rows == ()


def test_offers_per_gpu_price_provider_and_memory_per_gpu(cat):
    result = llmcost.list_catalog("offers", catalog=cat)
    assert len(result.rows) == 4 and ids(result) == sorted(ids(result))
    (nebius,) = llmcost.list_catalog("offers", provider="nebius", catalog=cat).rows
    assert nebius == OfferRow(
        id="nebius/gpu-h100-sxm-8gpu/on-demand/eu-north1",
        provider="nebius",
        gpu="h100-sxm",
        gpus_per_instance=8,
        pricing="on_demand",
        usd_per_instance_hour=23.6,
        usd_per_gpu_hour=pytest.approx(2.95),
        region="eu-north1",
        as_of="undated",
    )
    # memory is per GPU: the 8 x H100 instance counts as 80 GB, the T4 (16 GB) drops out
    big = llmcost.list_catalog("offers", min_memory_gb=80, catalog=cat)
    assert [r.gpu for r in big.rows] == ["h100-sxm", "h100-sxm", "a100-80gb"]
    assert ids(llmcost.list_catalog("offers", provider="aws", min_memory_gb=80, catalog=cat)) == []


def test_to_dict_is_the_json_contract(cat):
    d = llmcost.list_catalog("gpus", min_memory_gb=80, catalog=cat).to_dict()
    assert d["kind"] == "gpus" and d["count"] == 2 and len(d["rows"]) == 2
    assert d["filters"] == {"provider": None, "min_memory_gb": 80.0, "reasoning": None, "commercial_only": False}
    assert list(d["rows"][0]) == [f.name for f in dataclasses.fields(GpuRow)]
    json.dumps(d, allow_nan=False)


def test_shipped_data_lists_every_record(shipped):
    for kind, table in (("models", shipped.models), ("apis", shipped.apis), ("gpus", shipped.gpus),
                        ("offers", shipped.offers)):  # fmt: skip
        assert ids(llmcost.list_catalog(kind, catalog=shipped)) == sorted(table)


# ---------------------------------------------------------------- refused


@pytest.mark.parametrize(
    ("kind", "name", "takers"),
    [
        ("gpus", "provider", "models, apis, offers"),
        ("models", "min_memory_gb", "gpus, offers"),
        ("apis", "min_memory_gb", "gpus, offers"),
        ("gpus", "commercial_only", "models, apis"),
        ("offers", "commercial_only", "models, apis"),
    ],
)
def test_a_filter_a_kind_cannot_honour_is_refused(cat, kind, name, takers):
    with pytest.raises(UsageError, match=rf"^{name} does not apply to {kind}; it is taken by {takers}$") as exc:
        llmcost.list_catalog(kind, catalog=cat, **{name: FILTERS[name]})
    assert exc.value.param == name


def test_reasoning_filters_models_and_apis_by_their_figures(cat):
    # the fixture's reasoning.yaml: Claude Sonnet 4 thinks when asked (4,849 tokens), gpt-oss-120b always does
    thinking = llmcost.list_catalog("apis", reasoning=True, catalog=cat)
    assert [r.id for r in thinking.rows] == ["anthropic/claude-sonnet-4"]
    never = llmcost.list_catalog("apis", reasoning=False, catalog=cat)
    assert "anthropic/claude-sonnet-4" not in [r.id for r in never.rows] and len(never.rows) == len(cat.apis) - 1
    assert [r.id for r in llmcost.list_catalog("models", reasoning=True, catalog=cat).rows] == ["gpt-oss-120b"]
    for kind in ("gpus", "offers", "reasoning"):
        with pytest.raises(UsageError, match=rf"^reasoning does not apply to {kind}; it is taken by models, apis$"):
            llmcost.list_catalog(kind, reasoning=True, catalog=cat)


def test_list_reasoning_shows_each_effort_with_its_spread(cat):
    rows = {r.id: r for r in llmcost.list_catalog("reasoning", catalog=cat).rows}
    high = rows["gpt-oss-120b/high"]
    assert high.reasoning_tokens == 5219 and high.reasoning_tokens_p10 < 5219 < high.reasoning_tokens_p90
    assert rows["anthropic/claude-sonnet-4/thinking-off"].provider_default == "yes"


@pytest.mark.parametrize(
    ("kwargs", "message", "param"),
    [
        (
            {"kind": "model"},
            "unknown kind 'model'; did you mean models? valid kinds: models, apis, gpus, offers, reasoning",
            "kind",
        ),
        ({"kind": "tpus"}, "unknown kind 'tpus'; did you mean gpus? valid kinds: models, apis, gpus, offers", "kind"),
        ({"kind": "everything"}, "unknown kind 'everything'; valid kinds: models, apis, gpus, offers", "kind"),
        ({"kind": 3}, "unknown kind '3'", "kind"),
        ({"kind": "offers", "provider": "aw"}, "unknown provider 'aw'; did you mean aws?", "provider"),
        ({"kind": "apis", "provider": "aws"}, "unknown provider 'aws'", "provider"),  # an offer provider, not an API's
        ({"kind": "apis", "provider": " "}, "provider must be a provider name", "provider"),
        ({"kind": "gpus", "min_memory_gb": 0}, "min_memory_gb must be > 0", "min_memory_gb"),
        ({"kind": "gpus", "min_memory_gb": float("nan")}, "min_memory_gb must be finite", "min_memory_gb"),
        ({"kind": "gpus", "min_memory_gb": True}, "min_memory_gb must be a number", "min_memory_gb"),
        ({"kind": "models", "commercial_only": "yes"}, "commercial_only must be true or false", "commercial_only"),
        ({"kind": "models", "catalog": {}}, "catalog must be a llmcost.Catalog", "catalog"),
    ],
)
def test_bad_arguments_name_the_parameter(cat, kwargs, message, param):
    kwargs = {"catalog": cat, **kwargs}
    with pytest.raises(UsageError) as exc:
        llmcost.list_catalog(**kwargs)
    assert str(exc.value).startswith(message) and exc.value.param == param
    assert "\n" not in str(exc.value)


# ---------------------------------------------------------------- formats


@pytest.mark.parametrize("kind", KINDS)
def test_every_format_parses(cat, kind):
    result = llmcost.list_catalog(kind, catalog=cat)
    columns = [f.name for f in dataclasses.fields(type(result.rows[0]))]
    data = json.loads(render.render(result, "json", render.list_table, render.list_markdown))
    assert data["count"] == len(result.rows) and [r["id"] for r in data["rows"]] == ids(result)
    rows = list(csv.DictReader(io.StringIO(render.render(result, "csv", render.list_table, render.list_markdown))))
    assert [r["id"] for r in rows] == ids(result) and list(rows[0]) == columns
    md = render.render(result, "markdown", render.list_table, render.list_markdown).splitlines()
    table = [line for line in md if line.startswith("|")]
    assert table[0] == "| " + " | ".join(columns) + " |" and len(table) == 2 + len(result.rows)
    assert all(line.count(" | ") == len(columns) - 1 for line in table[2:])
    text = render.render(result, "table", render.list_table, render.list_markdown)
    assert all(i in text for i in ids(result))


def test_csv_has_its_header_when_nothing_matches(cat):
    result = llmcost.list_catalog("gpus", min_memory_gb=500, catalog=cat)
    assert render.to_csv(result).splitlines() == [",".join(f.name for f in dataclasses.fields(GpuRow))]
    assert "No gpus match" in render.list_table(result, width=80)


def test_to_frame_has_one_row_per_record(cat):
    pytest.importorskip("pandas")
    frame = llmcost.list_catalog("offers", catalog=cat).to_frame()
    assert list(frame["id"]) == ids(llmcost.list_catalog("offers", catalog=cat))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("data", ["cat", "shipped"])
def test_the_table_reads_at_80_columns(request, kind, data):
    result = llmcost.list_catalog(kind, catalog=request.getfixturevalue(data))
    lines = render.list_table(result, width=80).splitlines()
    assert max(len(line) for line in lines) <= 80
    tokens = [line.split() for line in lines]
    for row_id in ids(result):  # every id whole, on one line (not wrapped, not cut with an ellipsis)
        assert any(row_id in words for words in tokens), row_id
    assert "…" not in "\n".join(lines)


def test_a_wide_terminal_shows_every_column(cat):
    narrow = render.list_table(llmcost.list_catalog("models", catalog=cat), width=80)
    wide = render.list_table(llmcost.list_catalog("models", catalog=cat), width=250)
    assert "Not shown at this width:" in narrow and "licence" not in narrow.splitlines()[1]
    assert "Not shown" not in wide and "Llama 3.1 Community License" in wide


# ---------------------------------------------------------------- command line


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("kind", KINDS)
def test_cli_lists_each_kind_at_80_columns(capsys, monkeypatch, shipped, kind):
    monkeypatch.setenv("COLUMNS", "80")
    code, out, err = run(capsys, "list", kind)
    assert (code, err) == (0, "")
    assert max(len(line) for line in out.splitlines()) <= 80
    assert out.startswith(f"{len(llmcost.list_catalog(kind, catalog=shipped).rows)} {kind}")


@pytest.mark.parametrize("fmt", ["json", "csv", "markdown"])
def test_cli_formats(capsys, fmt):
    code, out, err = run(capsys, "list", "offers", "--provider", "lambda", "--min-memory-gb", "80", "--format", fmt)
    assert (code, err) == (0, "")
    if fmt == "json":
        data = json.loads(out)
        assert data["filters"]["provider"] == "lambda" and data["count"] == len(data["rows"]) > 0
        assert all(r["provider"] == "lambda" for r in data["rows"])
    elif fmt == "csv":
        assert out.splitlines()[0] == ",".join(f.name for f in dataclasses.fields(OfferRow))
    else:
        assert out.startswith("**") and "| id | provider | gpu |" in out


def test_cli_data_dir_is_merged(capsys, tmp_path):
    (tmp_path / "hardware.yaml").write_text(
        "gpus:\n  - id: t4\n    name: My T4\n    vendor: nvidia\n    memory_gb: 16\n"
        "    memory_bandwidth_tb_per_s: 0.32\n    dense_tflops: {bf16: 65}\n    tdp_w: 70\n"
        "    interconnect: PCIe\n    source: my own\n    as_of: undated\n"
    )
    code, out, _ = run(capsys, "list", "gpus", "--data", str(tmp_path), "--format", "json")
    assert code == 0 and next(r for r in json.loads(out)["rows"] if r["id"] == "t4")["name"] == "My T4"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["list", "model"],
            "unknown kind 'model'; did you mean models? valid kinds: models, apis, gpus, offers, reasoning",
        ),
        (
            ["list", "gpus", "--provider", "aws"],
            "--provider does not apply to gpus; it is taken by models, apis, offers",
        ),
        (["list", "models", "--min-memory-gb", "80"], "--min-memory-gb does not apply to models; it is taken by gpus"),
        (["list", "offers", "--commercial-only"], "--commercial-only does not apply to offers; it is taken by models"),
        (["list", "gpus", "--reasoning"], "--reasoning does not apply to gpus; it is taken by models, apis"),
        (["list", "gpus", "--min-memory-gb", "-5"], "--min-memory-gb must be > 0"),
        (["list", "gpus", "--format", "yaml"], "--format must be one of table, json, csv, markdown, got 'yaml'"),
        (["list", "offers", "--provider", "aw"], "unknown provider 'aw'; did you mean aws?"),
        (["list"], "Missing argument 'KIND'"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(capsys, args, message):
    code, out, err = run(capsys, *args)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("llmcost: error: ")
    assert message.lower() in err.lower()
