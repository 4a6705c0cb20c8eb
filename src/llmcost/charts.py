"""Charts of break-even and compare results (matplotlib, imported lazily inside each function).

They read a result's JSON contract (`to_dict()`), so a saved JSON file plots the same as a live
result. Figures are built on matplotlib's object API with the Agg canvas: no pyplot, no global
state, nothing shown on screen.

>>> import llmcost
>>> from llmcost.charts import plot_breakeven
>>> result = llmcost.breakeven(apis=["openai/gpt-4o"], models=["llama-3.1-70b"])
>>> fig = plot_breakeven(result, "breakeven.png")  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from llmcost.errors import UsageError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Annotation

FIGSIZE_IN = (11.0, 6.5)  # slide-sized
PNG_DPI = 150  # 11 x 6.5 in -> 1650 x 975 px
FORMATS = (".png", ".svg")
FONT = 12  # body text; titles larger, never below 11
SMALL = 11

# Colour-blind-friendly (Okabe-Ito / Tableau); APIs dashed in cool colours, self-hosted solid in warm ones.
_API_COLOURS = ("#0072B2", "#56B4E9", "#6A3D9A", "#009E73", "#4D4D4D", "#17BECF")
_SELF_COLOURS = ("#D55E00", "#E69F00", "#CC79A7", "#B2182B", "#8C564B", "#BCBD22")
_SEGMENTS = (  # compare bars: (key, legend label, colour)
    ("monthly_token_cost_usd", "API tokens", "#0072B2"),
    ("monthly_gpu_cost_usd", "GPUs", "#D55E00"),
    ("monthly_hidden_cost_usd", "hidden costs (ops, monitoring, ...)", "#E69F00"),
)
_INK, _MUTED, _GRID = "#222222", "#555555", "#DDDDDD"


def check_path(out: str | Path) -> Path:
    """`out` as a chart path: .png or .svg in a directory that exists (a UsageError otherwise)."""
    from llmcost.text import shown

    path = Path(out)
    if path.suffix.lower() not in FORMATS:
        raise UsageError(f"cannot save a chart as '{shown(out)}': the file name must end in .png or .svg", param="out")
    if not path.parent.is_dir():
        raise UsageError(f"cannot save a chart to '{shown(out)}': its directory does not exist", param="out")
    return path


def save(fig: Figure, out: str | Path) -> Path:
    """Write `fig` to `out`: .png (150 dpi) or .svg (text kept as text, so it stays searchable).
    The chart is rendered in memory and replaces `out` atomically: a failed write leaves the old file."""
    import io

    import matplotlib

    from llmcost.io import atomic_write

    path = check_path(out)
    _attach_agg(fig)
    buf = io.BytesIO()
    # A local rc context: the caller's matplotlib settings are untouched.
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "llmcost"}):
        if path.suffix.lower() == ".svg":
            fig.savefig(buf, format="svg", metadata={"Date": None})
        else:
            fig.savefig(buf, format="png", dpi=PNG_DPI)
    atomic_write(path, buf.getvalue())
    return path


def inline(fig: Figure) -> Figure:
    """The figure with a PNG view, so Jupyter draws it inline without `%matplotlib inline`."""
    import io

    def png() -> bytes:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100)
        return buf.getvalue()

    fig._repr_png_ = png  # type: ignore[attr-defined]  # IPython looks the method up on the object
    return fig


def plot(result: Any, out: str | Path | None = None) -> Figure:
    """The chart of a result: breakeven -> cost against volume, compare -> cost breakdown, tco ->
    cumulative cost and payback, hybrid -> cost against the self-hosted share, sensitivity -> tornado,
    plan -> the cost-latency Pareto frontier."""
    charts = {
        "breakeven": plot_breakeven,
        "compare": plot_compare,
        "tco": plot_tco,
        "hybrid": plot_hybrid,
        "sensitivity": plot_tornado,
        "plan": plot_plan,
        "platforms": plot_platforms,
    }
    kind = getattr(result, "KIND", None)
    if kind not in charts:
        raise UsageError(f"charts exist for {', '.join(charts)} results, not {type(result).__name__}")
    return charts[kind](result, out)


_FAMILY_STYLE = {  # billing model -> (colour, line style)
    "api": (_API_COLOURS[0], "--"),
    "rented": (_SELF_COLOURS[0], "-"),
    "serverless": (_API_COLOURS[3], "-"),
    "dedicated": (_SELF_COLOURS[2], "-."),
}


def plot_platforms(data: Any, out: str | Path | None = None, ax: Axes | None = None) -> Figure:
    """Monthly cost [USD, log] against queries per day [log] of the four billing models (each its
    cheapest option at every volume: API, rented by the hour, serverless, dedicated), every
    crossing marked and the workload's volume drawn as a vertical line."""
    result = _as_dict(data)
    curves = result.get("curves") or {}
    if "qpd" not in curves or len(curves) < 2:
        raise UsageError("nothing to plot: the platforms result has no cost curves")
    fig, ax, own = _figure(ax)
    x = curves["qpd"]
    for name, ys in curves.items():
        if name == "qpd":
            continue
        colour, ls = _FAMILY_STYLE.get(name, (_MUTED, ":"))
        finite = [(a, b) for a, b in zip(x, ys, strict=True) if b is not None and b == b and b < 1e300 and b > 0]
        if finite:
            ax.plot([a for a, _ in finite], [b for _, b in finite], color=colour, ls=ls, lw=2.4, label=name)
    for c in result.get("crossings", []):
        ax.axvline(c["qpd"], color=_GRID, lw=0.8, zorder=0)
    q = result["workload"]["queries_per_day"]
    ax.axvline(q, color=_INK, lw=1.2, ls=":")
    ax.annotate(f"{_short(q)}/day", (q, 0.02), xycoords=("data", "axes fraction"), xytext=(4, 0),
                textcoords="offset points", fontsize=SMALL, color=_INK)  # fmt: skip
    ax.set_xscale("log")
    ax.set_yscale("log")
    _style(ax)
    _money_axis(ax, "y")
    ax.set_xlabel("queries per day", fontsize=FONT + 1, color=_INK)
    ax.set_ylabel("monthly cost (USD)", fontsize=FONT + 1, color=_INK)
    _legend(fig, ax, own, ax.get_legend_handles_labels()[0], ncol=4)
    wins = "; ".join(
        f"{w['billing_model']} {_short(w['from_qpd'])}-{_short(w['to_qpd'])}" for w in result.get("wins", [])[:6]
    )
    _titles(fig, ax, own, f"Four billing models for {result['model']} ({result['assumptions']['profile']} profile)",
            f"cheapest: {wins}")  # fmt: skip
    if out is not None:
        save(fig, out)
    return fig


def plot_tco(data: Any, out: str | Path | None = None, ax: Axes | None = None) -> Figure:
    """Cumulative cost [USD] of the API and the self-hosted model by month, the payback month marked."""
    result = _as_dict(data)
    months = result["months"]
    fig, ax, own = _figure(ax)
    x = [m["month"] for m in months]
    ax.plot(x, [m["cumulative_api_usd"] for m in months], color=_API_COLOURS[0], lw=2.4, ls="--", label=result["api"])
    ax.plot(x, [m["cumulative_self_hosted_usd"] for m in months], color=_SELF_COLOURS[0], lw=2.4,
            label=result["self_hosted"])  # fmt: skip
    payback = result.get("payback_month")
    if payback is not None:
        y = months[payback - 1]["cumulative_self_hosted_usd"]
        ax.scatter([payback], [y], s=60, color=_INK, zorder=5)
        ax.annotate(f"pays back in month {payback}", (payback, y), xytext=(8, -14), textcoords="offset points",
                    fontsize=SMALL, color=_INK)  # fmt: skip
    _style(ax)
    _money_axis(ax, "y")
    ax.set_xlabel("month", fontsize=FONT + 1, color=_INK)
    ax.set_ylabel("cumulative cost (USD)", fontsize=FONT + 1, color=_INK)
    _legend(fig, ax, own, ax.get_legend_handles_labels()[0], ncol=2)
    sub = result.get("reason", "")
    _titles(fig, ax, own, f"Total cost over {len(months)} months", sub)
    if out is not None:
        save(fig, out)
    return fig


def plot_hybrid(data: Any, out: str | Path | None = None, ax: Axes | None = None) -> Figure:
    """Monthly cost [USD] against the share of queries self-hosted: the chosen and the cheapest share."""
    result = _as_dict(data)
    fig, ax, own = _figure(ax)
    all_api = float(result["all_api_monthly_cost_usd"])
    ax.axhline(all_api, color=_API_COLOURS[0], lw=2, ls="--", label=f"all to {result['api']['id']}")
    curve = result.get("share_curve")
    if curve:  # steps where a replica is added, falling while each replica fills
        ax.plot(curve["share"], curve["monthly_cost_usd"], color=_MUTED, lw=1.8, label="cost at each share", zorder=2)
    for share, cost, label, colour in (
        (result["share"], result["monthly_cost_usd"], "your share", _SELF_COLOURS[0]),
        (result["optimal_share"], result["optimal_monthly_cost_usd"], "cheapest share", _SELF_COLOURS[1]),
    ):
        ax.scatter([share], [cost], s=70, color=colour, zorder=5, label=f"{label}: {share:.0%}, ${cost:,.0f}")
    _style(ax)
    _money_axis(ax, "y")
    ax.set_xlim(-0.02, 1.02)
    top = max([all_api, float(result["monthly_cost_usd"]), *(curve["monthly_cost_usd"] if curve else [])])
    ax.set_ylim(0, top * 1.15)
    ax.set_xlabel("share of queries self-hosted", fontsize=FONT + 1, color=_INK)
    ax.set_ylabel("monthly cost (USD)", fontsize=FONT + 1, color=_INK)
    _legend(fig, ax, own, ax.get_legend_handles_labels()[0], ncol=2)
    _titles(fig, ax, own, "Hybrid routing", f"{result['self_hosted']['id']} for the share, the rest to the API")
    if out is not None:
        save(fig, out)
    return fig


def plot_plan(data: Any, out: str | Path | None = None, ax: Axes | None = None) -> Figure:
    """The cost-latency Pareto frontier of a plan [USD/month against the slowest TPOT, ms], each
    GPU type alone at the target beside it, and the cheapest fleet marked."""
    result = _as_dict(data)
    front = result.get("frontier") or []
    if not front:
        raise UsageError("nothing to plot: no fleet meets any TPOT target tried")
    fig, ax, own = _figure(ax)
    x = [p["achieved_tpot_ms"] for p in front]
    y = [p["monthly_cost_usd"] for p in front]
    ax.step(x, y, where="post", color=_MUTED, lw=1.6, zorder=2)
    ax.scatter(x, y, s=40, color=_SELF_COLOURS[1], zorder=4, label="cheapest fleet at each TPOT target")
    if result.get("feasible") and result.get("monthly_cost_usd") is not None:
        slowest = max((r["max_tpot_ms"] or 0.0 for r in result["rows"]), default=0.0)
        single = result.get("best_single_type") or {}
        ax.scatter([slowest], [result["monthly_cost_usd"]], s=90, color=_SELF_COLOURS[0], zorder=5,
                   label=f"plan: ${result['monthly_cost_usd']:,.0f}/month")  # fmt: skip
        if single.get("monthly_cost_usd") is not None:
            ax.axhline(single["monthly_cost_usd"], color=_API_COLOURS[0], lw=1.6, ls="--",
                       label=f"best single GPU type ({single['gpu']}): ${single['monthly_cost_usd']:,.0f}")  # fmt: skip
    _style(ax)
    _money_axis(ax, "y")
    ax.set_ylim(0, max(y) * 1.1)
    ax.set_xlabel("slowest time per output token (ms)", fontsize=FONT + 1, color=_INK)
    ax.set_ylabel("monthly cost (USD)", fontsize=FONT + 1, color=_INK)
    _legend(fig, ax, own, ax.get_legend_handles_labels()[0], ncol=1)
    _titles(fig, ax, own, f"Fleet cost against latency: {result['model']}", "Pareto frontier (GPU rental)")
    if out is not None:
        save(fig, out)
    return fig


def plot_tornado(data: Any, out: str | Path | None = None, ax: Axes | None = None) -> Figure:
    """Each input's swing of the result, widest on top, around the point answer."""
    result = _as_dict(data)
    rows = [r for r in result["inputs"] if r["result_at_low"] is not None and r["result_at_high"] is not None]
    if not rows:
        raise UsageError("nothing to plot: no input moves the result within the range searched")
    fig, ax, own = _figure(ax)
    base = result["base"] if result["base"] is not None else 0.0
    for i, r in enumerate(rows):
        lo, hi = r["result_at_low"], r["result_at_high"]
        ax.barh(i, lo - base, left=base, color=_API_COLOURS[1], height=0.6, zorder=3)
        ax.barh(i, hi - base, left=base, color=_SELF_COLOURS[1], height=0.6, zorder=3)
    ax.axvline(base, color=_INK, lw=1)
    ax.set_yticks(range(len(rows)), [r["input"] for r in rows])
    ax.invert_yaxis()
    _style(ax, grid_axis="x")
    if result["metric"] == "cost_difference":
        _money_axis(ax, "x")
    else:
        _count_axis(ax, "x")
    ax.set_xlabel(result["unit"], fontsize=FONT + 1, color=_INK)
    _titles(fig, ax, own, "What moves the answer",
            f"{result['self_hosted']} vs {result['api']}; blue: input low, orange: high")  # fmt: skip
    if out is not None:
        save(fig, out)
    return fig


def plot_breakeven(data: Any, out: str | Path | None = None, ax: Axes | None = None) -> Figure:
    """Monthly cost [USD] against queries per day [log scale] for each pair of a breakeven result.

    APIs are straight lines (api_usd_per_qpd_month x qpd), self-hosted configurations step
    functions (n replicas cost `self_hosted_step_usd_per_month[n-1]` for qpd in ((n-1)c, nc], c =
    queries_per_day_per_replica), every crossing is marked and each pair's final break-even is
    annotated. Optional per-pair `bands` ({"qpd", "api_p10", "api_p90", "self_hosted_p10",
    "self_hosted_p90"}) are drawn as P10-P90 ranges.
    """
    import numpy as np

    result = _as_dict(data)
    pairs = [p for p in result.get("pairs", []) if p.get("api") and p.get("self_hosted")]
    if not pairs:
        raise UsageError("nothing to plot: the breakeven result has no (API, self-hosted) pair")
    fig, ax, own = _figure(ax)

    x_max = max(float(p.get("max_qpd") or 1e7) for p in pairs)
    crossings = [float(c["qpd"]) for p in pairs for c in _crossings(p)]
    x_min = x_max / 1e4
    if crossings and min(crossings) < 2 * x_min:
        x_min = min(crossings) / 3
    x_min = max(x_min, 1.0)

    api_colour: dict[str, str] = {}
    self_colour: dict[str, str] = {}
    for p in pairs:
        api_colour.setdefault(p["api"], _API_COLOURS[len(api_colour) % len(_API_COLOURS)])
        self_colour.setdefault(p["self_hosted"], _SELF_COLOURS[len(self_colour) % len(_SELF_COLOURS)])

    y_seen: list[float] = []
    drawn_x: list[Any] = []  # every drawn series, sampled, to keep the callouts clear of the data
    drawn_y: list[Any] = []
    api_handles: list[Any] = []
    handles: list[Any] = []  # self-hosted, then markers: APIs are listed first
    drawn_api: set[str] = set()
    drawn_self: set[str] = set()
    banded: set[str] = set()
    for p in pairs:
        api, cfg = p["api"], p["self_hosted"]
        if api not in drawn_api:
            drawn_api.add(api)
            slope = float(p["api_usd_per_qpd_month"])
            xs = np.array([x_min, x_max])
            (line,) = ax.plot(xs, slope * xs, color=api_colour[api], lw=2.4, ls=(0, (6, 3)), label=api, zorder=3)
            api_handles.append(line)
            y_seen += [slope * x_min, slope * x_max]
            sample = np.geomspace(x_min, x_max, 400)
            drawn_x.append(sample)
            drawn_y.append(slope * sample)
        if cfg not in drawn_self:
            drawn_self.add(cfg)
            edges, values = _steps(p, x_min, x_max)
            if len(values):
                art = ax.stairs(values, edges, baseline=None, color=self_colour[cfg], lw=2.2, label=cfg, zorder=4)
                handles.append(art)
                y_seen += [float(values.min()), float(values.max())]
                drawn_x += [edges[:-1], edges[1:]]
                drawn_y += [values, values]
        for key, colour in ((api, api_colour[api]), (cfg, self_colour[cfg])):
            side = "api" if key == api else "self_hosted"
            band = p.get("bands")
            if band and key not in banded and band.get(f"{side}_p10") and band.get(f"{side}_p90"):
                banded.add(key)
                q = np.asarray(band["qpd"], dtype=float)
                lo, hi = np.asarray(band[f"{side}_p10"], dtype=float), np.asarray(band[f"{side}_p90"], dtype=float)
                ax.fill_between(q, lo, hi, color=colour, alpha=0.16, lw=0, zorder=2)
                y_seen += [float(np.min(lo)), float(np.max(hi))]
                drawn_x.append(q)
                drawn_y.append(hi)

    callouts = _mark_crossings(ax, pairs, self_colour, multi=len(pairs) > 1)

    ax.set_xscale("log")
    ax.set_xlim(x_min, x_max)
    y_lo, y_hi = min(v for v in y_seen if v > 0), max(y_seen)
    if y_hi / y_lo > 30:
        ax.set_yscale("log")
        ax.set_ylim(y_lo / 1.6, y_hi * 1.6)
    else:
        ax.set_ylim(0, y_hi * 1.08)
    _style(ax)
    _money_axis(ax, "y")
    _count_axis(ax, "x")
    ax.set_xlabel("queries per day", fontsize=FONT + 1, color=_INK)
    ax.set_ylabel("monthly cost (USD)", fontsize=FONT + 1, color=_INK)

    from matplotlib.lines import Line2D

    if len(crossings) > len(callouts):
        handles.append(Line2D([], [], ls="", marker="o", ms=8, mfc="white", mec=_INK, mew=1.6, label="costs cross"))
    if callouts:
        handles.append(
            Line2D([], [], ls="", marker="o", ms=10, mfc=_INK, mec="white", mew=1.2, label="break-even (last crossing)")
        )
    if banded:
        from matplotlib.patches import Patch

        handles.append(Patch(color=_MUTED, alpha=0.25, lw=0, label="P10-P90 range"))
    _legend(fig, ax, own, api_handles + handles, ncol=3)
    _titles(fig, ax, own, "API vs self-hosted: monthly cost by volume", _workload_text(result))
    _make_room(fig, ax, callouts, np.concatenate(drawn_x), np.concatenate(drawn_y))
    if out is not None:
        save(fig, out)
    return fig


def plot_compare(data: Any, out: str | Path | None = None, ax: Axes | None = None, top: int = 15) -> Figure:
    """Horizontal stacked bars of the `top` cheapest feasible options: tokens, GPUs, hidden costs [USD/month]."""
    import numpy as np

    if top < 1:
        raise UsageError(f"top must be at least 1, got {top}")
    result = _as_dict(data)
    feasible = [
        o for o in result.get("options", []) if o.get("feasible", True) and o.get("monthly_cost_usd") is not None
    ]
    if not feasible:
        raise UsageError("nothing to plot: the compare result has no feasible option")
    shown = sorted(feasible, key=lambda o: float(o["monthly_cost_usd"]))[:top]
    fig, ax, own = _figure(ax)

    y = np.arange(len(shown))
    left = np.zeros(len(shown))
    totals = np.array([float(o["monthly_cost_usd"]) for o in shown])
    for key, label, colour in _SEGMENTS:
        width = np.array([float(o.get(key) or 0.0) for o in shown])
        if width.any():
            ax.barh(y, width, left=left, height=0.68, color=colour, label=label, zorder=3, edgecolor="white", lw=0.6)
            left += width
    other = totals - left
    if (other > 0.005 * totals).any():  # anything the three lines do not cover is shown, not hidden
        ax.barh(y, np.clip(other, 0, None), left=left, height=0.68, color="#999999", label="other", zorder=3)

    x_hi = float(totals.max())
    for yi, total in zip(y, totals, strict=True):
        ax.text(
            float(total) + x_hi * 0.01, float(yi), f"${total:,.0f}", va="center", ha="left", fontsize=SMALL, color=_INK
        )
    flagged = any(o.get("commercial_use") is False for o in shown)
    ax.set_yticks(y, [o["id"] + (" *" if o.get("commercial_use") is False else "") for o in shown])
    ax.invert_yaxis()  # cheapest on top
    ax.set_xlim(0, x_hi * 1.14)
    _style(ax, grid_axis="x")
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    _money_axis(ax, "x")
    ax.set_xlabel("monthly cost (USD)", fontsize=FONT + 1, color=_INK)
    _legend(fig, ax, own, ax.get_legend_handles_labels()[0], ncol=4)

    workload = result.get("workload", {})
    qpd = workload.get("queries_per_day")
    title = f"Monthly cost at {qpd:,.0f} queries/day" if qpd is not None else "Monthly cost"
    sub = f"{_workload_text(result)}; cheapest {len(shown)} of {len(feasible)} feasible options"
    if flagged:
        sub += "; * licence forbids commercial use"
    _titles(fig, ax, own, title, sub)
    if out is not None:
        save(fig, out)
    return fig


# --- helpers ---------------------------------------------------------------------------------------


def _as_dict(data: Any) -> Mapping[str, Any]:
    """A result's JSON contract (a saved JSON file plots the same as a live result)."""
    out: Mapping[str, Any] = data.to_dict() if hasattr(data, "to_dict") else data
    return out


def _figure(ax: Axes | None) -> tuple[Figure, Axes, bool]:
    """A new slide-sized Figure on the Agg canvas, or the figure of the caller's axes."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise UsageError("charts need matplotlib: pip install 'llmcost[plot]'") from None

    if ax is not None:
        parent = ax.get_figure()
        root = parent if isinstance(parent, Figure) else getattr(parent, "figure", None)  # a SubFigure's root
        if not isinstance(root, Figure):
            raise UsageError("the axes given to plot on belong to no figure")
        return root, ax, False

    fig = Figure(figsize=FIGSIZE_IN, layout="constrained", facecolor="white")
    _attach_agg(fig)
    fig.get_layout_engine().set(w_pad=0.15, h_pad=0.15)  # type: ignore[union-attr, call-arg]
    return fig, fig.add_subplot(), True


def _attach_agg(fig: Figure) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)


def _steps(pair: Mapping[str, Any], x_min: float, x_max: float) -> tuple[Any, Any]:
    """Stair edges and values of the self-hosted cost inside [x_min, x_max], up to the last reported step."""
    import numpy as np

    costs = np.asarray(pair.get("self_hosted_step_usd_per_month") or [], dtype=float)
    per = float(pair["queries_per_day_per_replica"])
    edges = np.arange(len(costs) + 1, dtype=float) * per
    keep = (edges[1:] > x_min) & (edges[:-1] < x_max)
    values = costs[keep]
    if not len(values):
        return np.array([]), values
    first = int(np.argmax(keep))
    cut = edges[first : first + len(values) + 1].copy()
    cut[0], cut[-1] = max(cut[0], x_min), min(cut[-1], x_max)
    return cut, values


def _crossings(pair: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = pair.get("crossings")
    if found is None:
        found = [{"qpd": q} for q in pair.get("crossings_qpd", [])]
    return list(found)


def _mark_crossings(
    ax: Axes, pairs: Sequence[Mapping[str, Any]], colour: Mapping[str, str], *, multi: bool
) -> list[Annotation]:
    """Markers on every crossing; the final break-even filled and annotated. Returns the callouts."""
    notes: list[tuple[float, float, str, str]] = []
    for p in pairs:
        slope, c = float(p["api_usd_per_qpd_month"]), colour[p["self_hosted"]]
        final = p.get("self_hosted_cheaper_above_qpd")
        for cross in _crossings(p):
            q = float(cross["qpd"])
            if final is not None and math.isclose(q, float(final)):
                continue
            ax.plot([q], [slope * q], ls="", marker="o", ms=8, mfc="white", mec=c, mew=1.8, zorder=6, clip_on=False)
        if final is not None:
            q = float(final)
            ax.plot([q], [slope * q], ls="", marker="o", ms=10, mfc=c, mec="white", mew=1.4, zorder=7, clip_on=False)
            text = f"self-hosting cheaper above {q:,.0f}/day"
            if multi:
                text = f"{p['self_hosted']} vs {p['api']}: {text}"
            notes.append((q, slope * q, text, c))
    # Stacked in the top-left corner (low volume, high cost: empty, since both costs rise with volume),
    # ordered by volume so the leader lines do not cross.
    notes.sort(key=lambda n: n[0])
    step = 0.075
    callouts = []
    for i, (q, cost, text, c) in enumerate(notes):
        callout = ax.annotate(
            text,
            xy=(q, cost),
            xytext=(0.02, 0.97 - i * step),
            textcoords="axes fraction",
            ha="left",
            va="top",
            fontsize=SMALL,
            color=_INK,
            bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": c, "lw": 1.2, "alpha": 0.95},
            arrowprops={"arrowstyle": "-", "color": c, "lw": 1.1, "shrinkB": 6, "alpha": 0.8},
            zorder=8,
        )
        callouts.append(callout)
    return callouts


def _make_room(fig: Figure, ax: Axes, callouts: Sequence[Annotation], xs: Any, ys: Any) -> None:
    """Raise the top of the y axis until the callouts (top left) sit above every drawn series.

    The series all rise with volume, so what could hide under the callouts is the highest value at
    or left of their right edge. Needs a canvas that can measure text (Agg: always ours).
    """
    import numpy as np

    get_renderer = getattr(fig.canvas, "get_renderer", None)
    if not callouts or get_renderer is None:
        return
    fig.draw_without_rendering()  # settles the layout, so the measured boxes are final
    renderer = get_renderer()
    boxes = [p.get_window_extent(renderer) for c in callouts if (p := c.get_bbox_patch()) is not None]
    if not boxes:
        return
    right = max(b.x1 for b in boxes)
    bottom = float(ax.transAxes.inverted().transform((right, min(b.y0 for b in boxes)))[1])
    x_right = float(ax.transData.inverted().transform((right, 0))[0])
    under = ys[xs <= x_right]
    if not len(under) or bottom <= 0.05:
        return
    lo, hi = ax.get_ylim()
    if ax.get_yscale() == "log":
        need = 10 ** (math.log10(lo) + (math.log10(float(under.max()) * 1.5) - math.log10(lo)) / bottom)
    else:
        need = lo + (float(under.max()) * 1.04 - lo) / bottom
    if need > hi and np.isfinite(need):
        ax.set_ylim(lo, need)


def _workload_text(result: Mapping[str, Any]) -> str:
    w = result.get("workload", {})
    text = f"{w.get('input_tokens', 0):,.0f} input + {w.get('output_tokens', 0):,.0f} output tokens per query"
    if w.get("cached_input_share"):
        text += f" ({w['cached_input_share']:.0%} of input cached)"
    a = result.get("assumptions", {})
    if "utilization_target" in a:
        text += f"; GPUs at {a['utilization_target']:.0%} target utilization"
    if a.get("pricing"):
        text += f", {str(a['pricing']).replace('_', '-')} pricing"
    return text


def _titles(fig: Figure, ax: Axes, own: bool, title: str, sub: str) -> None:
    """Bold title over a muted subtitle, both aligned with the plot's left edge."""
    import textwrap

    lines = textwrap.wrap(sub, width=100 if own else 70)
    size = 16 if own else FONT + 1
    ax.annotate(
        "\n".join(lines),
        xy=(0, 1),
        xycoords="axes fraction",
        xytext=(0, 8),
        textcoords="offset points",
        ha="left",
        va="bottom",
        fontsize=FONT if own else SMALL,
        color=_MUTED,
        linespacing=1.3,
        annotation_clip=False,
    )
    ax.set_title(title, loc="left", fontsize=size, fontweight="bold", color=_INK, pad=14 + 1.3 * FONT * len(lines))


def _legend(fig: Figure, ax: Axes, own: bool, handles: list[Any], ncol: int) -> None:
    """Under the plot on our own figure (the plot keeps its full width); inside, where it fits, otherwise."""
    if not handles:
        return
    if own:
        fig.legend(
            handles=handles,
            loc="outside lower center",
            ncol=min(ncol, len(handles)),
            frameon=False,
            fontsize=SMALL,
            handlelength=2.6,
            columnspacing=1.8,
        )
    else:
        ax.legend(handles=handles, loc="best", fontsize=SMALL, framealpha=0.95)


def _style(ax: Axes, grid_axis: Literal["both", "x", "y"] = "both") -> None:
    ax.set_facecolor("white")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#888888")
    ax.grid(True, which="major", axis=grid_axis, color=_GRID, lw=0.8, zorder=0)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=SMALL, colors=_INK, which="both")
    ax.tick_params(which="minor", length=2, color="#AAAAAA")


def _short(value: float) -> str:
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:,.3g}{suffix}"
    return f"{value:,.3g}"


def _money_axis(ax: Axes, which: str) -> None:
    from matplotlib.ticker import FuncFormatter, NullFormatter

    axis = ax.yaxis if which == "y" else ax.xaxis
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"${_short(v)}"))
    axis.set_minor_formatter(NullFormatter())


def _count_axis(ax: Axes, which: str) -> None:
    from matplotlib.ticker import FuncFormatter, NullFormatter

    axis = ax.xaxis if which == "x" else ax.yaxis
    axis.set_major_formatter(FuncFormatter(lambda v, _: _short(v)))
    axis.set_minor_formatter(NullFormatter())
