from __future__ import annotations

import struct
import subprocess
import sys

import numpy as np
import pytest

import llmcost
from llmcost.errors import UsageError

pytest.importorskip("matplotlib")

from llmcost.charts import PNG_DPI, plot_breakeven, plot_compare, save

APIS = ["openai/gpt-4o", "openai/gpt-4o-mini"]
MODELS = ["llama-3.1-70b", "llama-3.1-8b"]


@pytest.fixture(scope="module")
def be(cat) -> dict:
    return llmcost.breakeven(apis=APIS, models=MODELS, catalog=cat).to_dict()


@pytest.fixture(scope="module")
def cmp(cat) -> dict:
    apis = [*APIS, "together/llama-3.1-70b", "anthropic/claude-sonnet-4"]
    return llmcost.compare(50_000, models=["llama-3.1-70b"], apis=apis, catalog=cat).to_dict()


def png_size(path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_breakeven_chart_png_and_svg(tmp_path, be):
    png, svg = tmp_path / "be.png", tmp_path / "be.svg"
    plot_breakeven(be, png)
    plot_breakeven(be, svg)
    assert png.stat().st_size > 20_000
    assert png_size(png) == (11 * PNG_DPI, int(6.5 * PNG_DPI))  # 11 x 6.5 in at 150 dpi = 1650 x 975 px
    text = svg.read_text()
    assert svg.stat().st_size > 20_000 and text.startswith("<?xml")
    for pair in be["pairs"]:
        assert pair["api"] in text and pair["self_hosted"] in text
    assert "queries per day" in text and "monthly cost (USD)" in text
    assert "2,000 input + 500 output tokens per query" in text  # the workload, in the subtitle
    finals = [p["self_hosted_cheaper_above_qpd"] for p in be["pairs"] if p["self_hosted_cheaper_above_qpd"]]
    assert finals
    for q in finals:
        assert f"self-hosting cheaper above {q:,.0f}/day" in text


def test_breakeven_chart_draws_the_result(be):
    from matplotlib.patches import StepPatch

    ax = plot_breakeven(be).axes[0]
    assert ax.get_xscale() == "log" and ax.get_xlim()[1] == pytest.approx(be["pairs"][0]["max_qpd"])
    lines = {line.get_label(): line for line in ax.lines}
    stairs = {p.get_label(): p for p in ax.patches if isinstance(p, StepPatch)}
    for pair in be["pairs"]:
        # API: a straight line through the origin, monthly = api_usd_per_qpd_month x qpd
        x, y = lines[pair["api"]].get_data()
        assert np.allclose(np.asarray(y) / np.asarray(x), pair["api_usd_per_qpd_month"])
        # self-hosted: n replicas cost step[n-1] on ((n-1)c, nc]; the first visible step starts at x_min
        drawn = stairs[pair["self_hosted"]].get_data()
        values, edges = np.asarray(drawn.values), np.asarray(drawn.edges)
        c, steps = pair["queries_per_day_per_replica"], pair["self_hosted_step_usd_per_month"]
        first = round(edges[1] / c) - 1  # index of the first visible step: it ends at (first + 1) c
        assert values[0] == pytest.approx(steps[first])
        assert values[-1] == pytest.approx(steps[-1])  # drawn up to the last reported step
        assert np.allclose(edges[1:-1], np.arange(first + 1, first + len(values)) * c)
    # every crossing marked, on the API line (where both costs are equal or the step jumps over it)
    marked = sorted(
        (float(m.get_xdata()[0]), float(m.get_ydata()[0]))
        for m in ax.lines
        if m.get_marker() == "o" and len(m.get_xdata()) == 1
    )
    expected = sorted((c["qpd"], p["api_usd_per_qpd_month"] * c["qpd"]) for p in be["pairs"] for c in p["crossings"])
    # fixture data: 70b fp8 on 4 x H100 never undercuts gpt-4o-mini since its KV cache is 16-bit (vLLM's
    # kv_cache_dtype=auto) and the engine's activation/graph memory is reserved; the other pairs cross once
    assert [len(p["crossings"]) for p in be["pairs"]] == [1, 0, 1, 1] and len(expected) == 3
    assert np.allclose(marked, expected)


def test_bands_are_drawn(tmp_path, be):
    from matplotlib.collections import PolyCollection

    data = {**be, "pairs": [dict(p) for p in be["pairs"][:1]]}
    pair = data["pairs"][0]
    qpd = np.geomspace(1_000, pair["max_qpd"], 50)
    api = pair["api_usd_per_qpd_month"] * qpd
    replicas = np.ceil(qpd / pair["queries_per_day_per_replica"]).astype(int)
    self_hosted = np.asarray(pair["self_hosted_step_usd_per_month"])[replicas - 1]
    pair["bands"] = {
        "qpd": qpd.tolist(),
        "api_p10": (api * 0.8).tolist(),
        "api_p90": (api * 1.25).tolist(),
        "self_hosted_p10": (self_hosted * 0.7).tolist(),
        "self_hosted_p90": (self_hosted * 1.3).tolist(),
    }
    fig = plot_breakeven(data, tmp_path / "bands.svg")
    bands = [c for c in fig.axes[0].collections if isinstance(c, PolyCollection)]
    assert len(bands) == 2  # one for the API, one for the self-hosted configuration
    text = (tmp_path / "bands.svg").read_text()
    assert "P10-P90 range" in text and "self-hosting cheaper above" in text
    plain = plot_breakeven(be)
    assert not [c for c in plain.axes[0].collections if isinstance(c, PolyCollection)]


def test_compare_chart_png_and_svg(tmp_path, cmp):
    png, svg = tmp_path / "cmp.png", tmp_path / "cmp.svg"
    plot_compare(cmp, png, top=5)
    fig = plot_compare(cmp, svg, top=5)
    assert png.stat().st_size > 20_000 and png_size(png) == (1650, 975)
    text = svg.read_text()
    ranked = sorted((o for o in cmp["options"] if o.get("feasible", True)), key=lambda o: o["monthly_cost_usd"])
    assert len(ranked) == 6
    for o in ranked[:5]:
        assert o["id"] in text and f"${o['monthly_cost_usd']:,.0f}" in text
    assert ranked[5]["id"] not in text  # only the cheapest `top`
    assert "Monthly cost at 50,000 queries/day" in text and "monthly cost (USD)" in text
    # stacked segments add up to each option's total: tokens + GPUs + hidden
    ax = fig.axes[0]
    ends: dict[float, float] = {}
    for bar in ax.patches:
        y = round(bar.get_y(), 6)
        ends[y] = max(ends.get(y, 0.0), bar.get_x() + bar.get_width())
    assert [ends[y] for y in sorted(ends)] == pytest.approx([o["monthly_cost_usd"] for o in ranked[:5]])
    self_hosted = next(o for o in ranked if o["kind"] == "self_hosted")
    assert self_hosted["monthly_gpu_cost_usd"] > 0 and self_hosted["monthly_hidden_cost_usd"] > 0
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["API tokens", "GPUs", "hidden costs (ops, monitoring, ...)"]


def test_bad_extension_is_a_usage_error(tmp_path, be, cmp):
    with pytest.raises(UsageError, match=r"\.png or \.svg"):
        plot_breakeven(be, tmp_path / "chart.pdf")
    with pytest.raises(UsageError, match=r"\.png or \.svg"):
        plot_compare(cmp, tmp_path / "chart")
    with pytest.raises(UsageError, match="does not exist"):
        save(plot_compare(cmp), tmp_path / "missing" / "chart.png")
    assert list(tmp_path.iterdir()) == []


def test_nothing_to_plot_is_a_usage_error():
    with pytest.raises(UsageError, match="nothing to plot"):
        plot_breakeven({"pairs": [{"api": None, "self_hosted": None, "model": "x", "reason": "cannot run"}]})
    with pytest.raises(UsageError, match="nothing to plot"):
        plot_compare({"options": [{"id": "x", "feasible": False, "reason": "does not fit"}]})


def test_plots_into_given_axes_without_touching_global_state(be, cmp):
    import matplotlib
    from matplotlib.figure import Figure

    before = dict(matplotlib.rcParams)
    fig = Figure(figsize=(16, 6))
    left, right = fig.subplots(1, 2)
    assert plot_breakeven(be, ax=left) is fig
    assert plot_compare(cmp, ax=right, top=3) is fig
    assert len(right.patches) >= 3 and left.get_xlabel() == "queries per day"
    assert dict(matplotlib.rcParams) == before


def test_import_is_lazy_and_plotting_uses_no_pyplot():
    code = (
        "import sys, llmcost.charts\n"
        "assert not [m for m in sys.modules if m.startswith('matplotlib')], 'matplotlib imported'\n"
        "from llmcost.charts import plot_compare\n"
        "plot_compare({'workload': {'queries_per_day': 10}, 'options': [{'id': 'a', 'kind': 'api', "
        "'monthly_cost_usd': 5.0, 'monthly_token_cost_usd': 5.0}]})\n"
        "assert 'matplotlib' in sys.modules and 'matplotlib.pyplot' not in sys.modules\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_notebook_views_are_for_people(cat):
    import re

    result = llmcost.compare(50_000, models=["llama-3.1-70b"], apis=["openai/gpt-4o"], catalog=cat)
    html = result._repr_html_()
    assert not re.search(r"\d[eE][+-]\d", html)  # no 1.521e+04
    assert "$15,208" in html and "$0.01<" in html  # monthly cost and cost per query, as money
    fig = result.plot()
    assert fig._repr_png_().startswith(b"\x89PNG")  # drawn inline in Jupyter, no %matplotlib needed


def test_tidy_frames(cat):
    pytest.importorskip("pandas")
    kw = dict(apis=["openai/gpt-4o"], models=["llama-3.1-70b"], catalog=cat)
    b = llmcost.breakeven(**kw, monte_carlo=200, seed=1)
    pairs, crossings, bands = b.to_frame(), b.to_frame("crossings"), b.to_frame("bands")
    assert "crossings" not in pairs.columns and len(pairs) == 1
    # one row per crossing (one 'equal' crossing for gpt-4o on the fixture data)
    assert list(crossings["kind"]) == [c["kind"] for c in b.to_dict()["pairs"][0]["crossings"]] == ["equal"]
    assert len(bands) == 60 and {"qpd", "api_p10", "self_hosted_p90"} <= set(bands.columns)
    with pytest.raises(llmcost.UsageError, match="table must be one of"):
        b.to_frame("months")
    h = llmcost.hybrid(100_000, share=0.7, models=["llama-3.1-70b"], apis=["openai/gpt-4o"], catalog=cat).to_frame()
    assert list(h["part"]) == ["self-hosted", "api", "blended", "cheapest share"] and h.shape[1] < 10
    t = llmcost.tco(20_000, months=3, models=["llama-3.1-70b"], apis=["openai/gpt-4o"], catalog=cat).to_frame()
    assert list(t.columns[:1]) == ["month"] and str(t["replicas"].dtype) == "Int64" and "paid_back" in t.columns
    c = llmcost.compare(50_000, **kw).to_frame()
    assert str(c["replicas"].dtype) == "Int64"  # counts stay whole, API rows <NA>


@pytest.mark.parametrize(
    ("chart", "args"),
    [
        ("tco", ["--qpd", "20000", "--model", "llama-3.1-70b", "--api", "openai/gpt-4o", "--months", "6"]),
        ("hybrid", ["--qpd", "100000", "--share", "0.7", "--model", "llama-3.1-70b", "--api", "openai/gpt-4o"]),
        ("sensitivity", ["--qpd", "50000", "--model", "llama-3.1-70b", "--api", "openai/gpt-4o"]),
    ],
)
def test_every_decision_has_a_chart(tmp_path, capsys, chart, args):
    from llmcost.cli import main

    out = tmp_path / f"{chart}.png"
    assert main(["plot", chart, *args, "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"\x89PNG") and out.stat().st_size > 20_000
    assert capsys.readouterr().err == f"wrote {out}\n"


def test_the_hybrid_share_curve_is_the_blended_cost(cat):
    h = llmcost.hybrid(100_000, share=0.7, models=["llama-3.1-70b"], apis=["openai/gpt-4o"], catalog=cat).to_dict()
    shares, costs = h["share_curve"]["share"], h["share_curve"]["monthly_cost_usd"]
    assert shares[0] == 0.0 and costs[0] == pytest.approx(h["all_api_monthly_cost_usd"])  # all API
    assert shares[70] == pytest.approx(0.7) and costs[70] == pytest.approx(h["monthly_cost_usd"])  # the share asked
