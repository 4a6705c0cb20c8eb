from __future__ import annotations

import json
import warnings

import pytest

import llmcost
from llmcost.cli import main
from llmcost.commands.data import workload as workload_from_log
from llmcost.errors import UsageError
from tests.conftest import FIXTURES


@pytest.mark.parametrize("name", ["usage_openai.csv", "usage_litellm.jsonl"])
def test_workload_from_log(name):
    out = workload_from_log(FIXTURES / name).to_dict()
    # 72 requests: 4 an hour, 09:00-17:45 on two calendar days (not the 1 day + 8.75 hours first to last)
    assert out["requests"] == 72
    assert out["days"] == 2
    assert out["queries_per_day"] == pytest.approx(36)
    # tokens: 1,000/1,100/1,200/1,300 in equal numbers -> mean 1,150; output 200-230 -> 215
    assert out["input_tokens"]["mean"] == pytest.approx(1150) and out["output_tokens"]["mean"] == pytest.approx(215)
    assert out["input_tokens"]["p50"] == pytest.approx(1150) and out["input_tokens"]["p99"] <= 1300
    # traffic in 9 of 24 hours: P95 of the 48 hours of the two days is 4 requests, the mean 72 / 48
    assert out["peak_to_average"] == pytest.approx(24 / 9) and out["peak_supported"]
    assert out["warnings"] == [] and out["cached_input_share"] is None
    assert out["bad_rows"] in (1, 2) and out["bad_lines"]


def test_bad_rows_are_counted_with_line_numbers():
    out = workload_from_log(FIXTURES / "usage_openai.csv").to_dict()
    assert out["bad_rows"] == 2 and out["bad_lines"] == [74, 75]


@pytest.mark.parametrize(
    ("content", "message"),
    [("", "not a CSV"), ("just some words\n", "not a CSV"), ("timestamp,input_tokens,output_tokens\n", "0 usable")],
)
def test_unusable_logs(tmp_path, content, message):
    f = tmp_path / "log.csv"
    f.write_text(content)
    with pytest.raises(UsageError, match=message):
        workload_from_log(f)


def test_missing_log_is_a_usage_error(capsys):
    assert main(["workload", "/nonexistent.csv"]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_compare_with_a_usage_log(capsys):
    code = main(
        [
            "compare",
            "--workload",
            str(FIXTURES / "usage_openai.csv"),
            "--api",
            "openai/gpt-4o",
            "--model",
            "llama-3.1-8b",
            "--format",
            "json",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["workload"]["input_tokens"] == pytest.approx(1150)
    assert data["assumptions"]["peak_factor"] == pytest.approx(24 / 9)
    # an explicit flag still wins over the log
    main(
        [
            "compare",
            "--workload",
            str(FIXTURES / "usage_openai.csv"),
            "--qpd",
            "5000",
            "--api",
            "openai/gpt-4o",
            "--model",
            "llama-3.1-8b",
            "--format",
            "json",
        ]
    )
    assert json.loads(capsys.readouterr().out)["workload"]["queries_per_day"] == 5000


def test_autoscale_follows_the_logged_profile(cat):
    opts = llmcost.compare(
        usage_log=str(FIXTURES / "usage_litellm.jsonl"),
        qpd=500_000,
        autoscale=True,
        models=["llama-3.1-8b"],
        apis=["openai/gpt-4o"],
        catalog=cat,
    ).to_dict()["options"]
    auto = next(o for o in opts if o["kind"] == "self_hosted")["autoscaling"]
    hours = auto["replicas_by_hour"]
    assert auto["profile"] == "custom" and max(hours[9:18]) > max(hours[:9] + hours[18:])


def test_huge_log_is_refused(tmp_path, monkeypatch):
    import llmcost.usage

    f = tmp_path / "log.csv"
    f.write_text("timestamp,input_tokens,output_tokens\n" + "2026-11-01T00:00:00Z,1,1\n" * 100)
    monkeypatch.setattr(llmcost.usage, "MAX_LOG_BYTES", 1000)
    with pytest.raises(UsageError, match="over the 1,000-byte limit"):
        workload_from_log(f)


def test_compare_says_why_a_short_log_gives_no_peak_factor(capsys):
    """The log's warnings reach the person running compare: one notice line each on stderr."""
    log = FIXTURES / "usage" / "openai_dashboard.csv"
    args = ["compare", "--workload", str(log), "--api", "openai/gpt-4o", "--model", "llama-3.1-8b", "-f", "json"]
    with warnings.catch_warnings():
        warnings.simplefilter("always")  # the CLI's notice, whatever filters pytest set
        assert main(args) == 0
    err = capsys.readouterr().err
    notices = [line for line in err.splitlines() if line.startswith("llmcost: notice: --workload ")]
    assert notices and any("less than a day" in line for line in notices), err
