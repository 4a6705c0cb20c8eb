"""Bucketed usage exports (OpenAI dashboard CSV, OpenAI usage API pages), calendar days, the peak factor
and its warnings, the cached share, and the missing-column error. Every expected value worked out by hand."""

from __future__ import annotations

import json

import pytest

from llmcost.cli import main
from llmcost.commands.data import workload as workload_from_log
from llmcost.errors import UsageError
from tests.conftest import FIXTURES

USAGE = FIXTURES / "usage"
DAY0 = 1_793_577_600  # 2026-11-02T00:00:00Z


def test_dashboard_csv_buckets_count_as_their_requests():
    # six minute buckets on 2026-11-02 (09:00, 09:01, 10:30, 12:00, 14:15, 16:45) of
    # 10, 20, 4, 16, 12, 12 requests with mean input 1,800, 2,000, 3,000, 2,200, 1,900, 2,100
    # and mean output 300, 250, 500, 300, 200, 400: 74 requests, not 6 of ~25,500 tokens
    out = workload_from_log(USAGE / "openai_dashboard.csv").to_dict()
    assert out["requests"] == 74 and out["days"] == 1 and out["queries_per_day"] == 74
    inputs = 18_000 + 40_000 + 12_000 + 35_200 + 22_800 + 25_200
    outputs = 3_000 + 5_000 + 2_000 + 4_800 + 2_400 + 4_800
    assert out["input_tokens"]["mean"] == pytest.approx(inputs / 74)  # 2,070.3
    assert out["output_tokens"]["mean"] == pytest.approx(outputs / 74)  # 297.3
    # sorted, the 37th and 38th of 74 inputs are both 2,000 (1,800 x10, 1,900 x12, 2,000 x20, ...)
    assert out["input_tokens"]["p50"] == 2000 and out["input_tokens"]["p99"] == 3000
    profile = out["hourly_profile"]
    assert profile[9] == pytest.approx(30 / 74) and profile[10] == pytest.approx(4 / 74)
    assert sum(profile) == pytest.approx(1)
    # 09:00 to 16:46: under a day, so no peak factor
    assert out["peak_to_average"] == 1.0 and not out["peak_supported"]
    assert any("less than a day" in w for w in out["warnings"])
    assert out["cached_input_share"] is None


def test_openai_usage_api_page():
    # hourly buckets 09:00-14:00 on two days (08:00 empty), 10 requests each of 1,000 in / 100 out /
    # 250 cached, except day one 14:00: 30 requests of 2,000 in / 400 out / 0 cached
    out = workload_from_log(USAGE / "openai_usage_api.json").to_dict()
    assert out["format"] == "openai-usage"
    assert out["requests"] == 140 and out["days"] == 2 and out["queries_per_day"] == 70
    assert out["input_tokens"]["mean"] == pytest.approx((110 * 1000 + 30 * 2000) / 140)
    assert out["output_tokens"]["mean"] == pytest.approx((110 * 100 + 30 * 400) / 140)
    assert out["cached_input_share"] == pytest.approx(110 * 250 / 170_000)
    # 48 hours: 36 empty, 11 of 10 requests, 1 of 30; P95 (position 44.65 of 0..47) is 10; mean 140 / 48
    assert out["peak_supported"] and out["peak_to_average"] == pytest.approx(10 / (140 / 48))
    assert out["hourly_profile"][14] == pytest.approx(40 / 140)
    assert len(out["warnings"]) == 1 and "bucket means" in out["warnings"][0]


def _pages():
    page = json.loads((USAGE / "openai_usage_api.json").read_text())
    half = len(page["data"]) // 2
    first = {**page, "data": page["data"][:half], "has_more": True, "next_page": "page_AAAA"}
    return first, {**page, "data": page["data"][half:]}


@pytest.mark.parametrize("layout", ["array", "lines"])
def test_concatenated_pages_read_as_one(tmp_path, layout):
    pages = _pages()
    f = tmp_path / "usage.json"
    f.write_text(json.dumps(pages) if layout == "array" else "".join(json.dumps(p) + "\n" for p in pages))
    whole = workload_from_log(USAGE / "openai_usage_api.json").to_dict()
    out = workload_from_log(f).to_dict()
    assert out["format"] == "openai-usage"
    for key in ("requests", "days", "queries_per_day", "input_tokens", "peak_to_average", "cached_input_share"):
        assert out[key] == whole[key], key


def test_day_buckets_have_no_hourly_profile(tmp_path):
    buckets = [
        {"object": "bucket", "start_time": DAY0 + d * 86_400, "end_time": DAY0 + (d + 1) * 86_400,
         "results": [{"input_tokens": 500 * (d + 1), "output_tokens": 50 * (d + 1), "num_model_requests": 5 * (d + 1)}]}
        for d in range(7)
    ]  # fmt: skip
    f = tmp_path / "daily.json"
    f.write_text(json.dumps({"object": "page", "data": buckets, "has_more": False, "next_page": None}))
    out = workload_from_log(f).to_dict()
    # 5 + 10 + ... + 35 = 140 requests over 7 days, each of 100 in / 10 out
    assert out["requests"] == 140 and out["days"] == 7 and out["queries_per_day"] == 20
    assert out["input_tokens"]["mean"] == pytest.approx(100) and out["output_tokens"]["mean"] == pytest.approx(10)
    assert out["peak_to_average"] == 1.0 and not out["peak_supported"]
    assert out["hourly_profile"] == [pytest.approx(1 / 24)] * 24
    assert any("24 hours wide" in w for w in out["warnings"])


def test_one_business_day_is_one_day(tmp_path):
    f = tmp_path / "log.csv"
    rows = [f"2026-11-02T{h:02d}:{m:02d}:00Z,100,10" for h in range(9, 17) for m in (0, 30)]
    f.write_text("timestamp,input_tokens,output_tokens\n" + "\n".join(rows) + "\n")
    out = workload_from_log(f).to_dict()
    # 16 requests 09:00-16:30: 16 a day (the 7.5-hour span would have said 51.2)
    assert out["days"] == 1 and out["queries_per_day"] == 16
    assert out["peak_to_average"] == 1.0 and out["warnings"] == [
        "The log covers 7.5 hours, less than a day: peak_to_average is 1.0, not derived."
    ]


def test_too_few_hours_for_a_peak(tmp_path):
    f = tmp_path / "log.csv"
    rows = [f"2026-11-0{d}T10:00:00Z,100,10" for d in (2, 3, 4)] * 2
    f.write_text("timestamp,input_tokens,output_tokens\n" + "\n".join(rows) + "\n")
    out = workload_from_log(f).to_dict()
    assert out["days"] == 3 and out["queries_per_day"] == 2
    assert not out["peak_supported"] and "only 3 distinct hours" in out["warnings"][0]


def test_workload_prints_the_warnings(capsys):
    assert main(["workload", str(USAGE / "openai_dashboard.csv")]) == 0
    assert "less than a day" in " ".join(capsys.readouterr().out.split())


def _compare(log, *extra):
    args = ["compare", "--workload", str(log), "--api", "openai/gpt-4o", "--model", "llama-3.1-8b"]
    return [*args, *extra, "--format", "json"]


def test_compare_uses_the_buckets_and_cached_share(capsys):
    assert main(_compare(USAGE / "openai_usage_api.json")) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["workload"]["queries_per_day"] == 70
    assert data["workload"]["cached_input_share"] == pytest.approx(27_500 / 170_000)
    assert data["assumptions"]["peak_factor"] == pytest.approx(48 / 14)
    # a share the user sets wins
    assert main(_compare(USAGE / "openai_usage_api.json", "--cached-share", "0.5")) == 0
    assert json.loads(capsys.readouterr().out)["workload"]["cached_input_share"] == 0.5


def test_compare_does_not_use_an_unsupported_peak(capsys):
    assert main(_compare(USAGE / "openai_dashboard.csv")) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["workload"]["queries_per_day"] == 74
    assert data["assumptions"]["peak_factor"] == 1.0  # the default, not a factor from 8 hours of log


def test_missing_columns_are_named(tmp_path):
    f = tmp_path / "log.csv"
    f.write_text("when,tokens_in,completion_tokens\n2026-11-02T10:00:00Z,1,1\n")
    with pytest.raises(UsageError) as err:
        workload_from_log(f)
    message = str(err.value)
    assert "\n" not in message
    assert "no time column (looked for timestamp, created" in message
    assert "no input-token column (looked for input_tokens, prompt_tokens" in message
    assert "output-token" not in message and "the file has when, tokens_in, completion_tokens" in message


def test_hostile_column_names_are_shown_safely(tmp_path):
    f = tmp_path / "log.csv"
    f.write_text("a\x1b[2J,b\n1,2\n")
    with pytest.raises(UsageError) as err:
        workload_from_log(f)
    assert "\x1b" not in str(err.value) and "\n" not in str(err.value)


def test_bucket_of_no_requests(tmp_path):
    f = tmp_path / "log.csv"
    rows = ["1793610000,0,0,0", "1793610060,5,500,50", "1793610120,0,10,1", "1793610180,5,1500,150"]
    f.write_text("timestamp,num_model_requests,n_context_tokens_total,n_generated_tokens_total\n" + "\n".join(rows))
    out = workload_from_log(f).to_dict()
    # an empty bucket is skipped; one with tokens but no requests is a bad row
    assert out["requests"] == 10 and out["bad_lines"] == [4]
    assert out["input_tokens"]["mean"] == pytest.approx(200) and out["input_tokens"]["p50"] == pytest.approx(200)


@pytest.mark.parametrize(
    ("name", "fmt"), [("json", "langfuse-json"), ("jsonl", "langfuse-jsonl"), ("csv", "langfuse-csv")]
)
def test_langfuse_observations_count_generations_only(name, fmt):
    # Langfuse observations (GET /api/public/observations page; its records as JSON lines; as CSV columns):
    # a SPAN and an EVENT (zero tokens) skipped, not bad rows; 4 GENERATIONs, 2 on 2026-11-02 (1,000 in /
    # 200 out, 1,200 / 100) and 2 on 2026-11-03 (800 / 300 from usageDetails only, 1,000 / 200)
    out = workload_from_log(USAGE / f"langfuse_observations.{name}").to_dict()
    assert out["format"] == fmt
    assert out["requests"] == 4 and out["bad_rows"] == 0 and out["days"] == 2 and out["queries_per_day"] == 2
    assert out["input_tokens"]["mean"] == pytest.approx((1000 + 1200 + 800 + 1000) / 4)  # 1,000
    assert out["output_tokens"]["mean"] == pytest.approx((200 + 100 + 300 + 200) / 4)  # 200
    assert out["input_tokens"]["p50"] == 1000 and out["output_tokens"]["p50"] == 200
    assert out["cached_input_share"] is None


def test_openrouter_activity_csv():
    # OpenRouter activity export: 6 generations over 2026-11-02..04, the last with no tokens_completion
    # (a bad row, line 7); the 5 read are 500/50, 700/70, 600/60, 400/40, 800/80 on 3 days, with 200 and
    # 100 of their prompt tokens cached (tokens_cached): 300 of 3,000
    out = workload_from_log(USAGE / "openrouter_activity.csv").to_dict()
    assert out["format"] == "openrouter-csv"
    assert out["requests"] == 5 and out["bad_lines"] == [7] and out["days"] == 3
    assert out["queries_per_day"] == pytest.approx(5 / 3)
    assert out["input_tokens"]["mean"] == pytest.approx(600) and out["output_tokens"]["mean"] == pytest.approx(60)
    assert out["input_tokens"]["p50"] == 600 and out["cached_input_share"] == pytest.approx(0.1)
    assert not out["peak_supported"] and "only 5 distinct hours" in out["warnings"][0]


def test_helicone_request_export():
    # Helicone request export (JSON array): 5 requests on 2026-11-02 of 1,000/2,000/1,500/500/1,000 prompt
    # tokens (0/1,000/500/0/0 of them cache reads) and 100/200/300/400/0 completion tokens
    out = workload_from_log(USAGE / "helicone_requests.json").to_dict()
    assert out["format"] == "helicone-json"
    assert out["requests"] == 5 and out["days"] == 1 and out["queries_per_day"] == 5 and out["bad_rows"] == 0
    assert out["input_tokens"]["mean"] == pytest.approx(6000 / 5) and out["output_tokens"]["mean"] == pytest.approx(200)
    assert out["cached_input_share"] == pytest.approx(1500 / 6000)
    assert out["hourly_profile"][9] == pytest.approx(1 / 5) and not out["peak_supported"]  # 7.7 hours


def test_anthropic_usage_report_is_refused_with_its_cached_share():
    # Anthropic usage report: two day buckets of 40,000 + 30,000 uncached, 50,000 + 70,000 cache-read and
    # 10,000 + 0 cache-write input tokens, and no request count: no volume or tokens per query to derive,
    # but the cached share is 120,000 / 200,000 = 60%
    with pytest.raises(UsageError) as err:
        workload_from_log(USAGE / "anthropic_usage_report.json")
    message = str(err.value)
    assert "\n" not in message
    assert "token totals but no request counts" in message and "give --qpd and the tokens per query" in message
    assert "cache reads are 60% of input tokens: --cached-share 0.6)" in message


def test_litellm_spend_logs_json_array():
    # LiteLLM /spend/logs (a JSON array): 4 requests, 300/30 and 500/50 on 2026-11-02, 400/40 twice on 11-03
    out = workload_from_log(USAGE / "litellm_spend_logs.json").to_dict()
    assert out["format"] == "litellm-json"
    assert out["requests"] == 4 and out["days"] == 2 and out["queries_per_day"] == 2 and out["bad_rows"] == 0
    assert out["input_tokens"]["mean"] == pytest.approx(400) and out["output_tokens"]["mean"] == pytest.approx(40)
    assert out["cached_input_share"] is None
