"""Tables read at 80 columns: no line wider than the terminal, no id split across lines."""

from __future__ import annotations

import json

import pytest

from llmcost.cli import main
from llmcost.defaults import TABLE_ROWS_PER_KIND

COMMANDS = {
    "compare": ["compare", "--qpd", "50000"],
    "compare-mc": ["compare", "--qpd", "40000..60000", "--model", "llama-3.1-70b", "--monte-carlo", "500",
                   "--seed", "1"],
    "breakeven": ["breakeven", "--model", "llama-3.1-70b,llama-3.1-8b"],
    "tco": ["tco", "--qpd", "20000", "--model", "llama-3.3-70b", "--api", "openai/gpt-4.1-mini", "--months", "24",
            "--growth", "0.08"],
    "hybrid": ["hybrid", "--qpd", "100000", "--share", "0.7", "--model", "llama-3.1-70b", "--api",
               "anthropic/claude-sonnet-4.5"],
    "capacity": ["capacity", "llama-3.1-70b", "--quant", "fp8", "--gpu", "h100-sxm", "--gpus", "2"],
    "fit": ["fit", "llama-3.1-405b", "--quant", "int4", "--gpu", "a100-80gb", "--context", "2500"],
    "sensitivity": ["sensitivity", "--model", "llama-3.1-70b", "--api", "openai/gpt-4o", "--qpd", "50000"],
    "buy-vs-rent": ["buy-vs-rent"],
}  # fmt: skip


def _ids(args: list[str], capsys) -> set[str]:
    """The ids a result names (options, pairs, configurations), from its JSON."""
    assert main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    options = data.get("options", [])
    if "--model" in args and "--api" not in args:  # the table shows the models and the APIs they are compared with
        own = [o for o in options if o["kind"] == "self_hosted"]
        wanted = {o["comparable_api"] for o in own} | {o["model"] for o in own}
        options = own + [o for o in options if o["kind"] == "api" and (o["id"] in wanted or o["open_model"] in wanted)]
    elif args[0] == "compare" and "--api" not in args:  # unfiltered: the cheapest of each kind
        by_kind = [[o for o in options if o["kind"] == kind] for kind in ("api", "self_hosted")]
        options = [o for kind in by_kind for o in kind[:TABLE_ROWS_PER_KIND]]
    ids = {o["id"].split("@")[0] for o in options}
    ids |= {p[k] for p in data.get("pairs", []) for k in ("api", "self_hosted") if p.get(k)}
    ids |= {g["gpu"] for g in data["gpus"]} if isinstance(data.get("gpus"), list) else set()
    ids |= {data[k] for k in ("api", "self_hosted") if isinstance(data.get(k), str)}
    return ids


@pytest.mark.parametrize("width", [80, 100])
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_tables_fit_the_terminal_and_keep_ids_whole(name, width, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", str(width))
    args = COMMANDS[name]
    assert main(args) == 0
    out = capsys.readouterr().out
    too_wide = [line for line in out.splitlines() if len(line.encode()) > width]
    assert not too_wide, f"{len(too_wide)} line(s) over {width} columns, e.g. {too_wide[0]!r}"
    lines = out.splitlines()
    for ident in _ids(args, capsys):
        assert any(ident in line for line in lines), f"{ident} is split across lines (or missing)"


def test_named_models_come_first_and_other_apis_are_counted(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    assert main(["compare", "--qpd", "50000", "--model", "llama-3.1-70b"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = [line.split()[0] for line in lines if line.startswith("  ") and "/mo" not in line and line.split()]
    assert rows[0].startswith("llama-3.1-70b:")  # the model asked about, first
    shown_apis = [r for r in rows if "/" in r and not r.startswith("$")]
    # its hosted versions and the cheapest API of comparable quality follow; the other APIs are counted
    assert {"fireworks/llama-3.1-70b", "mistral/mistral-small-3.2"} <= set(shown_apis)  # together's is retired
    assert any(line.endswith("other APIs not shown: --api ID adds one, --format json or csv lists every option")
               for line in lines)  # fmt: skip


def test_compare_says_the_answer_in_a_sentence(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    main(["compare", "--qpd", "50000", "--model", "llama-3.1-70b", "--api", "openai/gpt-4o,openai/gpt-4o-mini"])
    text = " ".join(capsys.readouterr().out.split())
    # the cheapest self-hosted option: one MI300X at TensorWave's $1.50/GPU-h (a 2026-12 rental):
    # 1.50 x 24 h x 365/12 days = $1,095.00 + $3,534.44 hidden = $4,629.44; less gpt-4o-mini's $912.50 = $3,717
    assert (
        "At 50,000 queries/day, openai/gpt-4o-mini is cheapest at $912 a month. The cheapest self-hosted option, "
        "llama-3.1-70b:int4 at $4,629, costs $3,717 a month more than the API of comparable quality "
        "(openai/gpt-4o-mini)." in text
    )


def test_volume_per_minute_or_second(capsys):
    base = ["compare", "--model", "llama-3.1-8b", "--api", "openai/gpt-4o", "--format", "json"]

    def qpd(*args: str) -> float:
        assert main([*base, *args]) == 0
        return float(json.loads(capsys.readouterr().out)["workload"]["queries_per_day"])

    assert qpd("--qpm", "10") == 14_400  # 10 a minute x 1,440 minutes
    assert qpd("--qps", "0.5..1") == 64_800  # the midpoint 0.75 a second x 86,400
    assert main([*base, "--qpd", "5", "--qps", "1"]) == 2
    assert capsys.readouterr().err == "llmcost: error: give one of --qpd, --qpm or --qps, not --qpd and --qps\n"


def test_help_is_text_not_markup(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["plot", "--help"]) == 0
    out = capsys.readouterr().out
    assert "pip install 'llmcost[plot]'" in " ".join(out.split())
    assert max(len(line) for line in out.splitlines()) <= 80


@pytest.mark.parametrize("columns", ["80", "160"])
def test_breakeven_hybrid_and_tco_answer_first_with_their_own_numbers(capsys, monkeypatch, columns):
    """The verdict opens the output, and its figures are the result's (read from its JSON)."""
    monkeypatch.setenv("COLUMNS", columns)

    def run(name: str) -> tuple[dict, str]:
        assert main([*COMMANDS[name], "--format", "json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert main(COMMANDS[name]) == 0
        head = " ".join(capsys.readouterr().out.split("\n\n")[0:2]).split()
        return data, " ".join(head)

    data, text = run("breakeven")
    first = min((p for p in data["pairs"] if p.get("self_hosted_cheaper_above_qpd")),
                key=lambda p: p["self_hosted_cheaper_above_qpd"])  # fmt: skip
    assert (f"Self-hosting pays off soonest with {first['self_hosted']} against {first['api']}: it is cheaper "
            f"from {first['self_hosted_cheaper_above_qpd']:,.0f} queries/day") in text  # fmt: skip
    data, text = run("hybrid")
    assert (f"Routing 70% of 100,000 queries/day to {data['self_hosted']['id']} costs "
            f"${data['monthly_cost_usd']:,.0f} a month, ${data['saving_vs_all_api_usd']:,.0f} less than sending "
            "all to anthropic/claude-sonnet-4.5.") in text  # fmt: skip
    data, text = run("tco")
    gap = data["total_api_usd"] - data["total_self_hosted_usd"]
    assert (f"Over 24 months, self-hosting {data['self_hosted']} costs ${data['total_self_hosted_usd']:,.0f} in "
            f"total, ${abs(gap):,.0f} {'less' if gap >= 0 else 'more'} than openai/gpt-4.1-mini") in text  # fmt: skip
    assert (f"paid back by month {data['payback_month']}" if data["payback_month"] else "does not pay back") in text


def _json_and_table(args: list[str], capsys) -> tuple[dict, str]:
    """The result's JSON, and its table as one line of words."""
    assert main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert main(args) == 0
    return data, " ".join(capsys.readouterr().out.split())


def test_hybrid_monte_carlo_rows_are_dollars_not_keys(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    args = [*COMMANDS["hybrid"], "--monte-carlo", "500", "--seed", "1"]
    mc, text = _json_and_table(args, capsys)
    band = " / ".join(f"${mc[f'monthly_cost_usd_p{p}']:,.0f}" for p in (10, 50, 90))
    assert f"blended, drawn {band} a month (P10 / P50 / P90)" in text
    assert "e+0" not in text and "monthly_cost_usd_p10" not in text


def test_tco_monte_carlo_bands_are_in_the_table(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    args = [*COMMANDS["tco"], "--monte-carlo", "300", "--seed", "2"]
    mc, text = _json_and_table(args, capsys)
    band = " / ".join(f"${mc[f'total_self_hosted_usd_p{p}']:,.0f}" for p in (10, 50, 90))
    assert f"Over 300 draws (P10 / P50 / P90): self-hosted total {band};" in text
    assert f"cheaper over the horizon in {mc['p_self_hosted_cheaper_over_horizon']:.0%} of draws" in text


def test_an_unfiltered_table_shows_the_cheapest_of_each_kind_and_counts_the_rest(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    assert main(["compare", "--qpd", "50000", "--format", "json"]) == 0
    options = json.loads(capsys.readouterr().out)["options"]
    apis = [o["id"] for o in options if o["kind"] == "api"]
    own = [o["id"] for o in options if o["kind"] == "self_hosted"]
    assert main(["compare", "--qpd", "50000"]) == 0
    out = capsys.readouterr().out
    shown = {line.split()[0] for line in out.splitlines() if line.startswith("  ") and line.split()}
    cut = f"the cheapest {TABLE_ROWS_PER_KIND} of each kind are shown; {len(apis) - TABLE_ROWS_PER_KIND} APIs and "
    assert cut + f"{len(own) - TABLE_ROWS_PER_KIND} self-hosted options more" in out
    assert apis[TABLE_ROWS_PER_KIND - 1] in shown and apis[TABLE_ROWS_PER_KIND] not in shown
    assert main(["compare", "--qpd", "50000", "--all"]) == 0
    assert "of each kind are shown" not in capsys.readouterr().out
