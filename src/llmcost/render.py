"""Render typed results as a rich table, JSON, CSV or Markdown: functions over the result objects."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from llmcost.defaults import TABLE_ROWS_PER_KIND
from llmcost.frames import flatten, records
from llmcost.results import Result
from llmcost.results.compare import Comparison, Infeasible, SelfHostedOption

if TYPE_CHECKING:  # the other commands' result types: imported where those tables are drawn
    from collections.abc import Callable

    from llmcost.results.breakeven import BreakEvenResult
    from llmcost.results.decisions import HybridResult, TcoResult, TornadoResult
    from llmcost.results.listing import CatalogList
    from llmcost.results.records import BuyVsRentResult

FORMATS = ("table", "json", "csv", "markdown")


def usd(x: float | None) -> str:
    if x is None:
        return "-"
    return f"${x:,.0f}" if abs(x) >= 100 else f"${x:,.2f}"


def signed_usd(x: float | None) -> str:
    if x is None:
        return "-"
    return ("+" if x > 0 else "-" if x < 0 else "") + usd(abs(x))


def shown_options(data: Comparison) -> tuple[list[Any], str]:
    """The options a table shows, and a line saying what it leaves out (JSON and CSV have them all).

    When you named models but no APIs, the models come first and only the APIs they are compared
    with (the cheapest comparable one, their hosted versions) follow. When you named neither, each
    kind shows its cheapest TABLE_ROWS_PER_KIND options, so the answer fits a screen (`--all` shows all).
    """
    settings = data.assumptions.get("settings", {})
    if settings.get("apis") or settings.get("show_all"):
        return list(data.options), ""
    own = [o for o in data.options if o.kind == "self_hosted"]
    apis = [o for o in data.options if o.kind == "api"]
    if settings.get("models"):
        models = {o.model for o in own}
        wanted = {o.comparable_api for o in own if o.comparable_api}
        shown = [o for o in apis if o.id in wanted or o.open_model in models]
        left = len(apis) - len(shown)
        return [
            *own,
            *shown,
        ], f"{left} other APIs not shown: --api ID adds one, --format json or csv lists every option" if left else ""
    shown_apis, shown_own = apis[:TABLE_ROWS_PER_KIND], own[:TABLE_ROWS_PER_KIND]
    parts = [f"{n} {what}" for n, what in ((len(apis) - len(shown_apis), "APIs"), (len(own) - len(shown_own),
             "self-hosted options")) if n]  # fmt: skip
    if not parts:
        return list(data.options), ""
    note = f"the cheapest {TABLE_ROWS_PER_KIND} of each kind are shown; {' and '.join(parts)} more: --api and --model "
    return [
        *shown_apis,
        *shown_own,
    ], note + "choose, --all shows every configuration, --format json or csv lists every option"


def _left_out(note: str) -> list[str]:
    return [note] if note else []


def _compare_rows(data: Comparison, options: list[Any] | None = None) -> tuple[list[str], list[list[str]], list[str]]:
    headers = [
        "option",
        "configuration",
        "util",
        "GPUs/mo",
        "hidden/mo",
        "total/mo",
        "per 1k q",
        "vs cheapest comparable API",
    ]
    mc = bool(data.assumptions.get("monte_carlo"))
    latency = data.assumptions.get("max_ttft_ms") is not None or data.assumptions.get("max_tpot_ms") is not None
    if mc:
        headers += ["P10-P90/mo", "P(cheaper than comparable API)"]
    rows, footnotes = [], []
    for o in data.options if options is None else options:
        marks = ""
        for note in [n.message for n in o.notes] + ([o.reason] if isinstance(o, Infeasible) else []):
            if note not in footnotes:
                footnotes.append(note)
            marks += f" [{footnotes.index(note) + 1}]"
        vs = "-"
        if o.comparable_api:
            vs = (
                "is cheapest"
                if o.comparable_api == o.id
                else f"{signed_usd(o.vs_comparable_api_usd)} {o.comparable_api}"
            )
        if isinstance(o, SelfHostedOption):
            config = (
                f"{o.replicas} x {o.gpus_per_replica} {o.gpu}, {o.quantization}, "
                f"{o.offer['provider']} ${o.offer['usd_per_gpu_hour']:.2f}/GPU-h"
            )
            if latency:  # what a latency target left: the figures reached at the batch it allows
                config += f", TTFT {o.capacity['ttft_ms']:,.0f} ms, TPOT {o.capacity['tpot_ms']:.1f} ms"
            cells = [config, f"{o.utilization:.0%}", usd(o.monthly_gpu_cost_usd), usd(o.monthly_hidden_cost_usd)]
            name = o.id.split("@")[0]
        elif isinstance(o, Infeasible):
            cells, name = ["does not run", "", "", ""], o.id.split("@")[0] or o.id
        else:
            p = o.prices_usd_per_mtok
            cells, name = [f"${p['input']:g} in / ${p['output']:g} out per Mtok", "", "", ""], o.id
        row = [name + marks, *cells, usd(o.monthly_cost_usd), usd(o.cost_per_1k_queries_usd), vs]
        if mc:
            band = getattr(o, "band", None) or {}
            cell = f"{usd(band['monthly_cost_usd_p10'])}-{usd(band['monthly_cost_usd_p90'])}" if band else ""
            share = (getattr(o, "p_self_hosted_cheaper", None) or {}).get(o.comparable_api or "")
            row += [cell, f"{share:.0%}" if share is not None else ""]
        rows.append(row)
    return headers, rows, footnotes


def _dist_text(value: Any) -> str:
    if not isinstance(value, dict):
        return "fixed" if value is None else f"{value:g}"
    args = ", ".join(f"{k} {v:g}" for k, v in value.items() if k != "dist")
    return f"{value['dist']}({args})"


def _workload_line(w: Mapping[str, Any]) -> str:
    volume = f"{w['queries_per_day']:,.0f} queries/day x " if "queries_per_day" in w else ""
    prefix = w.get("shared_prefix_tokens") or 0
    cache = (
        f"a {prefix:,.0f}-token prefix shared by every request"
        if prefix
        else f"{w['cached_input_share']:.0%} of input tokens from the prompt cache"
    )
    mix = f" (mean of a {len(w['prompt_mix'])}-size prompt mix)" if w.get("prompt_mix") else ""
    return (
        f"workload: {volume}{w['days_per_month']:.2f} days/month; {w['input_tokens']:,.0f} input{mix} + "
        f"{w['output_tokens']:,.0f} output tokens per query; {cache}"
    )


_PER = {"deployment": "", "host": "/host", "gpu": "/GPU", "weight_gb": "/GB of weights", "devops_step": "/step"}


def hidden_costs_text(h: Mapping[str, Any]) -> str:
    """The hidden-cost rates per month, one phrase per line (volume-driven parts per 1,000 queries/day)."""
    if not h["parts"]:
        return "hidden costs: off"
    parts: dict[str, list[str]] = {}
    for p in h["parts"]:
        rate = p["usd"] * 1000 if p["driver"] == "qpd" else p["usd"]
        money = usd(rate) if rate >= 1 or rate == 0 else f"${rate:.2g}"  # cents and below: two significant digits
        text = f"{money} per 1k queries/day" if p["driver"] == "qpd" else f"{money}{_PER[p['driver']]}"
        parts.setdefault(p["line"], []).append(text)
    lines = "; ".join(f"{line} {' + '.join(t)}" for line, t in parts.items())
    return f"hidden costs per month ({h['mode']}): {lines}"


def _sizing_text(a: Mapping[str, Any]) -> str:
    """Which rule sized the replicas: the utilization target, or P99 latency at each replica's load."""
    if a.get("replica_sizing") != "p99_latency":
        return f"at {a['utilization_target']:.0%} utilization"
    targets = [f"{k} <= {a[f'p99_{k.lower()}_ms']:g} ms" for k in ("TTFT", "TPOT") if a.get(f"p99_{k.lower()}_ms")]
    return f"so that P99 {' and '.join(targets)} at each replica's load (queueing model, no utilization target)"


def _moe_overhead(eff: Mapping[str, Any]) -> str:
    """The MoE layers' fixed cost, where the engine release has its own figure for them."""
    moe = eff.get("moe_layer_overhead_us")
    return f" ({moe:g} per MoE layer)" if moe is not None else ""


def _first_token(eff: Mapping[str, Any]) -> str:
    """The online server's non-GPU time to the first token, where the engine release has one."""
    ms = eff.get("first_token_overhead_ms") or 0.0
    return f", {ms:g} ms of server time to the first token" if ms else ""


def assumption_lines(data: Comparison | BreakEvenResult) -> list[str]:
    w, a = data.workload, data.assumptions
    eff, eng = a["efficiency"], a["engine"]
    caps = [f"TTFT <= {a['max_ttft_ms']:g} ms"] if a["max_ttft_ms"] else []
    caps += [f"TPOT <= {a['max_tpot_ms']:g} ms"] if a["max_tpot_ms"] else []
    latency = f"; batch capped for {' and '.join(caps)}" if caps else ""
    hidden = hidden_costs_text(a["hidden_costs"])
    lines = [
        _workload_line(w),
        f"self-hosted: {a['pricing']} GPU prices, cheapest matching offer; sized for peak = "
        f"{a['peak_factor']:g} x average {_sizing_text(a)}",
        f"engine {eng['id']}: max batch {eng['max_batch']}, {eng['gpu_memory_utilization']:.0%} of GPU "
        f"memory budgeted{_accounting(eng)}, throughput x{eng['relative_throughput']:g} of vLLM{latency}",
        f"throughput model (fitted, see README accuracy): bandwidth {eff['bandwidth']:g} and compute "
        f"{eff['decode_compute']:g} (decode) / {eff['prefill_compute']:g} (prefill) of peak, "
        f"{eff['layer_overhead_us']:g} us per layer per decode step{_moe_overhead(eff)}"
        f"{_first_token(eff)}; KV cache {a['kv_cache_precision']}",
        hidden,
        f"comparable API: the cheapest with LMArena Elo >= the option's minus {a['quality_tolerance_elo']:g}",
        *a["notes"],
    ]
    if a["batch_api"]:
        lines.append("API prices include each provider's batch discount, on the token classes it covers")
    if a.get("service_tier", "standard") != "standard":
        lines.append(f"API calls on the {a['service_tier']} service tier")
    if a.get("reasoning"):
        parts = [
            f"{o} {r['reasoning_tokens']:,.0f} ({r['effort'] or 'given'}; {r['why']})"
            for o, r in a["reasoning"].items()
        ]
        lines.append("reasoning tokens per query: " + ", ".join(parts))
    if a.get("parallelism", "auto") != "auto":
        lines.append(f"MoE replicas split as {a['parallelism']} (--parallelism)")
    if not a.get("prefix_caching", True):
        lines.append("self-hosted prefix caching off: every prompt token is prefilled")
    elif w.get("cached_input_share") or w.get("shared_prefix_tokens"):
        lines.append("self-hosted prefix caching on (vLLM's default): cached prompt tokens skip prefill")
    if a.get("monte_carlo"):
        m = a["monte_carlo"]
        drawn = [f"{g} price x {_dist_text(v)}" for g, v in m["gpu_price_factor"].items() if isinstance(v, dict)]
        drawn += [f"{g} offer's own range x {_dist_text(v)}" for g, v in m["offer_price_factor"].items()]
        drawn += [
            f"{api} {k} price x {_dist_text(v)}" for api, f in m["api_price_factor"].items() for k, v in f.items()
        ]
        ranged = list(dict.fromkeys(p["line"] for p in m["hidden"] if isinstance(p["drawn"], dict)))
        if ranged:
            drawn.append(f"hidden costs over their ranges ({', '.join(ranged)})")
        lines.append(
            f"Monte Carlo: {m['draws']:,} draws (seed {m['seed']}); "
            f"throughput factor {_dist_text(m['throughput_factor'])}, "
            f"utilization {_dist_text(m['utilization'])}, peak factor {_dist_text(m['peak_factor'])}, queries/day "
            f"{_dist_text(m['qpd'])}" + (f"; also drawn: {'; '.join(drawn)}" if drawn else "")
        )
    if a.get("autoscale"):
        lines.append(
            f"replicas follow the '{a['autoscale']['profile']}' hourly load profile (at least "
            f"{a['autoscale']['min_replicas']}), billed by the hour; the peak factor is replaced by the profile's peak"
        )
    return lines


WIDE_COLUMNS = 120  # from this width the full tables; below it the compact layouts
# rich's SIMPLE_HEAD with an ASCII rule: one byte a column, so a width in characters is one in bytes
HEAD_RULE = box.Box("    \n    \n -- \n    \n    \n    \n    \n    \n", ascii=True)
MIN_COLUMNS = 40


def _width() -> int:
    """The terminal's width (COLUMNS honoured), or 160 columns when writing to a pipe or file."""
    return max(MIN_COLUMNS, shutil.get_terminal_size((160, 40)).columns)


def _trimmed(text: str) -> str:
    """rich pads every line to the console width: drop the trailing blanks."""
    return "\n".join(line.rstrip() for line in text.split("\n"))


def _narrow() -> dict[str, object]:
    """Table settings that leave more room for the cells on a narrow terminal."""
    return {"pad_edge": False, "padding": (0, 1)} if _width() < WIDE_COLUMNS else {}


def _wrap(text: str, width: int, indent: str = "", then: str | None = None) -> list[str]:
    """`text` wrapped to `width` at spaces only: an id or a number is never split across lines."""
    import textwrap

    return textwrap.wrap(
        text,
        width,
        initial_indent=indent,
        subsequent_indent=indent if then is None else then,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent]


def _columns(cells: list[tuple[str, int, str]]) -> str:
    """One line of fixed-width cells: (text, width, '<' or '>')."""
    return "  ".join(f"{t:{a}{w}}" for t, w, a in cells).rstrip()


def compare_verdict(data: Comparison) -> str:
    """The answer in a sentence: the cheapest option shown, and how the best self-hosted one compares."""
    w = data.workload
    options, _ = shown_options(data)
    feasible = [o for o in options if o.feasible and o.monthly_cost_usd is not None]
    if not feasible:
        return f"At {w['queries_per_day']:,.0f} queries/day no selected option can run."
    best = min(feasible, key=lambda o: o.monthly_cost_usd or 0.0)
    out = f"At {w['queries_per_day']:,.0f} queries/day, {best.id} is cheapest at {usd(best.monthly_cost_usd)} a month."
    own = [o for o in feasible if isinstance(o, SelfHostedOption)]
    if own and own[0] is not best:
        o = own[0]
        if o.comparable_api and o.vs_comparable_api_usd is not None:
            gap = o.vs_comparable_api_usd
            side = "more" if gap > 0 else "less"
            out += (
                f" The cheapest self-hosted option, {o.id.split('@')[0]} at {usd(o.monthly_cost_usd)}, costs "
                f"{usd(abs(gap))} a month {side} than the API of comparable quality ({o.comparable_api})."
            )
        else:
            out += f" The cheapest self-hosted option, {o.id.split('@')[0]}, costs {usd(o.monthly_cost_usd)}."
    runs = [p for p in data.platforms if p.meets_latency]
    if runs:  # --platforms: the cheapest serverless platform or dedicated endpoint, against the best row
        p = min(runs, key=lambda r: r.monthly_cost_usd)
        cost, apart = usd(p.monthly_cost_usd), usd(abs(p.monthly_cost_usd - best.monthly_cost_usd))
        if p.monthly_cost_usd < best.monthly_cost_usd:
            out += f" Cheaper still: {p.label} ({p.billing_model}) at {cost}, {apart} less."
        else:
            out += f" The cheapest platform, {p.label} ({p.billing_model}), costs {cost}, {apart} more."
    missing = [o for o in options if isinstance(o, Infeasible)]
    if missing and not any(isinstance(o, SelfHostedOption) for o in options):
        out += f" {missing[0].label} cannot run: see its row."
    return out


def breakeven_verdict(data: BreakEvenResult) -> str:
    """The answer in a sentence: the pair that pays off soonest, and at what volume."""
    from llmcost.results.breakeven import Pair

    pairs = [p for p in data.pairs if isinstance(p, Pair)]
    paying = sorted((p for p in pairs if p.self_hosted_cheaper_above_qpd is not None),
                    key=lambda p: p.self_hosted_cheaper_above_qpd or 0.0)  # fmt: skip
    if not pairs:
        return "No selected model can be paired with an API and run on the selected GPUs."
    if not paying:
        return f"Self-hosting never becomes cheaper than the API within {pairs[0].max_qpd:,.0f} queries/day."
    p = paying[0]
    out = (
        f"Self-hosting pays off soonest with {p.self_hosted} against {p.api}: it is cheaper from "
        f"{p.self_hosted_cheaper_above_qpd:,.0f} queries/day (API ${p.api_usd_per_1k_queries:,.2f} per 1,000 "
        f"queries)."
    )
    if len(paying) < len(pairs):
        out += f" {len(pairs) - len(paying)} of {len(pairs)} pairs never pay off within {p.max_qpd:,.0f}/day."
    return out


def hybrid_verdict(data: HybridResult) -> str:
    saving = data.saving_vs_all_api_usd
    out = (
        f"Routing {data.share:.0%} of {data.workload['queries_per_day']:,.0f} queries/day to "
        f"{data.self_hosted['id']} costs {usd(data.monthly_cost_usd)} a month, "
        f"{usd(abs(saving))} {'less' if saving >= 0 else 'more'} than sending all to {data.api['id']}."
    )
    if abs(data.optimal_share - data.share) >= 0.005:
        out += f" The cheapest share is {data.optimal_share:.0%}, at {usd(data.optimal_monthly_cost_usd)}."
    return out


def tco_verdict(data: TcoResult) -> str:
    n, gap = len(data.months), data.total_api_usd - data.total_self_hosted_usd
    side = "less" if gap >= 0 else "more"
    out = (
        f"Over {n} months, self-hosting {data.self_hosted} costs {usd(data.total_self_hosted_usd)} in total, "
        f"{usd(abs(gap))} {side} than {data.api} ({usd(data.total_api_usd)})"
    )
    if data.payback_month is not None:
        return out + f"; it has paid back by month {data.payback_month}."
    return out + f"; it does not pay back within {n} months."


def compare_table(data: Comparison, width: int | None = None) -> str:
    width = width or _width()
    if width < WIDE_COLUMNS:
        return _compact_compare(data, width)
    options, hidden = shown_options(data)
    headers, rows, footnotes = _compare_rows(data, options)
    w = data.workload
    table = Table(
        title=f"Monthly cost at {w['queries_per_day']:,.0f} queries/day",
        box=HEAD_RULE,
        title_justify="left",
    )
    for i, h in enumerate(headers):
        table.add_column(h, justify="left" if i < 2 else "right", overflow="fold")
    kinds = [o.kind for o in options]
    for i, row in enumerate(rows):
        table.add_row(*map(Text, row), end_section=i + 1 < len(kinds) and kinds[i] != kinds[i + 1])
    console = Console(width=width, highlight=False, file=io.StringIO())
    with console.capture() as cap:
        console.print(table)
        if data.platforms:
            console.print(_platform_rows_table(data.platforms, "Serving platforms (daily profile; no hidden costs)"))
        for line in _left_out(hidden):
            console.print(line, markup=False)
        console.print(compare_verdict(data), markup=False)
        if footnotes:
            console.print("Notes", style="bold")
        for i, note in enumerate(footnotes, 1):
            console.print(f"[{i}] {note}", markup=False)
        console.print("\nAssumptions", style="bold")
        for line in assumption_lines(data):
            console.print(f"  - {line}", markup=False)
    return _trimmed(cap.get())


def _compact_compare(data: Comparison, width: int) -> str:
    """compare for a narrow terminal: option, total, per 1,000 queries and the comparison on one line,
    how a self-hosted row was reached on the next; nothing wider than `width`, no id split."""
    options, hidden = shown_options(data)
    _, rows, footnotes = _compare_rows(data, options)
    mc = bool(data.assumptions.get("monte_carlo"))
    names = [r[0] for r in rows]
    num_w = 10
    # the comparison column must hold its longest word (an API id); the option column takes the rest
    longest = max((len(word) for r in rows for word in r[7].split()), default=8)
    id_w = min(max((len(n) for n in names), default=6), max(12, width - 2 * num_w - 6 - longest))
    rest = max(longest, width - id_w - 2 * num_w - 6)
    out = [f"Monthly cost at {data.workload['queries_per_day']:,.0f} queries/day", ""]
    out += _wrap(compare_verdict(data), width)
    out += ["", _columns([("option", id_w, "<"), ("total/mo", num_w, ">"), ("per 1k q", num_w, ">"),
                           ("vs comparable API", rest, "<")])]  # fmt: skip
    previous = None
    for o, row in zip(options, rows, strict=True):
        if previous is not None and o.kind != previous:
            out.append("")
        previous = o.kind
        vs = _wrap(row[7], rest)
        head = [(row[5], num_w, ">"), (row[6], num_w, ">"), (vs[0], rest, "<")]
        if len(row[0]) > id_w:  # a long id gets its own line rather than being split
            out += [row[0], _columns([("", id_w, "<"), *head])]
        else:
            out.append(_columns([(row[0], id_w, "<"), *head]))
        out += [_columns([("", id_w, "<"), ("", num_w, ">"), ("", num_w, ">"), (v, rest, "<")]) for v in vs[1:]]
        detail = ""
        if isinstance(o, SelfHostedOption):
            detail = f"{row[1]}; {row[2]} utilization; GPUs {row[3]} + hidden {row[4]} a month"
        if mc and row[8]:
            chance = f", P(cheaper than {o.comparable_api}) {row[9]}" if row[9] else ""
            detail += ("; " if detail else "") + f"P10-P90 {row[8]}{chance}"
        if detail:
            out += _wrap(detail, width, "    ")
    out += [line for text in _left_out(hidden) for line in _wrap(text, width)]
    if footnotes:
        out += ["Notes"] + [line for i, n in enumerate(footnotes, 1) for line in _wrap(f"[{i}] {n}", width, "", "    ")]
    out += ["", "Assumptions"]
    out += [line for a in assumption_lines(data) for line in _wrap(a, width, "  - ", "    ")]
    return "\n".join(out) + "\n"


def compare_markdown(data: Comparison) -> str:
    headers, rows, footnotes = _compare_rows(data)
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    out += [""] + [f"[{i}] {n}  " for i, n in enumerate(footnotes, 1)]
    out += ["", "**Assumptions**", ""] + [f"- {line}" for line in assumption_lines(data)]
    return "\n".join(out) + "\n"


def _breakeven_rows(data: BreakEvenResult) -> tuple[list[str], list[list[str]]]:
    headers = [
        "API",
        "self-hosted",
        "pairing",
        "API $/1k q",
        "GPUs $/1k q at full use",
        "self-hosting cheaper from",
        "note",
    ]
    rows = []
    from llmcost.results.breakeven import NoPair

    for p in data.pairs:
        if isinstance(p, NoPair):
            rows.append(["-", p.model, "", "", "", "-", p.reason])
            continue
        above, n = p.self_hosted_cheaper_above_qpd, len(p.crossings_qpd)
        if above is not None:
            cell, note = f"{above:,.0f} queries/day", (f"costs cross {n} times (whole replicas)" if n > 1 else "")
        else:
            cell, note = ("never" if p.outcome == "never" else "-"), p.reason
        mc = p.monte_carlo or {}
        if mc.get("breakeven_qpd_p10") is not None:
            band = f"P10-P90 {mc['breakeven_qpd_p10']:,.0f}-{mc['breakeven_qpd_p90']:,.0f}/day"
            note = "; ".join(x for x in (band, f"{mc['p_breakeven_within_max']:.0%} of draws cross", note) if x)
        if not p.commercial_use:
            note = "; ".join(x for x in (note, "licence forbids commercial use") if x)
        rows.append(
            [
                p.api,
                p.self_hosted,
                p.pairing,
                f"${p.api_usd_per_1k_queries:,.2f}",
                f"${p.self_hosted_gpu_usd_per_1k_queries_at_full_use:,.2f}",
                cell,
                note,
            ]
        )
    return headers, rows


def _compact_breakeven(data: BreakEvenResult, width: int) -> str:
    """breakeven for a narrow terminal: each pair on a line, its answer and figures wrapped below."""
    _, rows = _breakeven_rows(data)
    out = ["Break-even volume: where self-hosting becomes cheaper", "", *_wrap(breakeven_verdict(data), width), ""]
    for api, own, pairing, api_1k, gpu_1k, cell, note in rows:
        out += _wrap(f"{api} vs {own}" + (f" ({pairing})" if pairing else ""), width, "", "    ")
        answer = f"cheaper from {cell}" if cell[:1].isdigit() else f"self-hosting cheaper: {cell}"
        figures = f"; per 1,000 queries: API {api_1k}, GPUs {gpu_1k} at full use" if api_1k else ""
        out += _wrap(answer + figures + (f"; {note}" if note else ""), width, "    ")
    out += ["", "Assumptions"]
    out += [line for a in assumption_lines(data) for line in _wrap(a, width, "  - ", "    ")]
    return "\n".join(out) + "\n"


def breakeven_table(data: BreakEvenResult) -> str:
    if _width() < WIDE_COLUMNS:
        return _compact_breakeven(data, _width())
    headers, rows = _breakeven_rows(data)
    table = Table(
        title="Break-even volume: where self-hosting becomes cheaper",
        box=HEAD_RULE,
        title_justify="left",
    )
    for i, h in enumerate(headers):
        table.add_column(h, justify="right" if 3 <= i <= 5 else "left", no_wrap=i in (0, 1, 5))
    for row in rows:
        table.add_row(*row)
    console = Console(width=_width(), highlight=False, file=io.StringIO())
    with console.capture() as cap:
        console.print(breakeven_verdict(data), markup=False)
        console.print(table)
        for b in data.billing_models:
            wins = "; ".join(f"{_qpd_short(x.from_qpd)}-{_qpd_short(x.to_qpd)}: {x.billing_model}" for x in b["wins"])
            cross = ", ".join(f"{c.cheaper_below}->{c.cheaper_above} at {_qpd_short(c.qpd)}" for c in b["crossings"])
            console.print(
                f"{b['model']} vs {b['api']}, by billing model: {wins}. Crossings: {cross or 'none'}", markup=False
            )
            for m in b.get("monte_carlo", ()):
                console.print(f"  {m['billing_model']} {m['id']} over {m['draws']:,} draws: " + _platform_band(m),
                              markup=False)  # fmt: skip
        console.print("\nAssumptions", style="bold")
        for line in assumption_lines(data):
            console.print(f"  - {line}", markup=False)
    return _trimmed(cap.get())


def _band(m: Mapping[str, Any], key: str, fmt: Callable[[float], str]) -> str:
    """P10 / P50 / P90 of a Monte Carlo band ('-' for a percentile with no value)."""
    vals = [m.get(f"{key}_p{p}") for p in (10, 50, 90)]
    return "P10 / P50 / P90 " + " / ".join("-" if v is None else fmt(v) for v in vals)


def _platform_band(m: Mapping[str, Any]) -> str:
    out = (
        "break-even "
        + _band(m, "breakeven_qpd", _qpd_short)
        + f" (within the search in {m['p_breakeven_within_max']:.0%})"
    )
    if "monthly_cost_usd_p50" in m:
        out += f"; month {_band(m, 'monthly_cost_usd', usd)}, cheaper than the API in {m['p_cheaper_than_api']:.0%}"
    return out


def breakeven_markdown(data: BreakEvenResult) -> str:
    headers, rows = _breakeven_rows(data)
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(out) + "\n"


def _hybrid_rows(data: HybridResult) -> list[tuple[str, str]]:
    own, api = data.self_hosted, data.api
    return [
        ("self-hosted", f"{data.share:.0%} of queries on {own['id']}: {own['replicas']} replica(s) at "
         f"{own['utilization']:.0%}, {usd(own['monthly_cost_usd'])}/month"),
        ("API", f"{1 - data.share:.0%} of queries on {api['id']} at {usd(api['usd_per_query'] * 1000)} per 1k "
         f"queries: {usd(api['monthly_cost_usd'])}/month"),
        ("blended", f"{usd(data.monthly_cost_usd)}/month, {usd(data.blended_cost_per_query_usd * 1000)} per 1k "
         "queries"),
        ("all-API", f"{usd(data.all_api_monthly_cost_usd)}/month: hybrid saves "
         f"{signed_usd(data.saving_vs_all_api_usd)}"),
        ("cheapest share", f"{data.optimal_share:.1%}: {usd(data.optimal_monthly_cost_usd)}/month, saves "
         f"{signed_usd(data.optimal_saving_vs_all_api_usd)}"),
        *_hybrid_bands(data.monte_carlo),
    ]  # fmt: skip


def _hybrid_bands(mc: Mapping[str, float] | None) -> list[tuple[str, str]]:
    """Monte Carlo rows of the hybrid table: P10 / P50 / P90 in dollars, and the probability."""
    if not mc:
        return []

    def band(key: str, money: Callable[[float | None], str]) -> str:
        return " / ".join(money(mc[f"{key}_p{p}"]) for p in (10, 50, 90)) + " a month (P10 / P50 / P90)"

    return [
        ("blended, drawn", band("monthly_cost_usd", usd)),
        ("saving, drawn", band("saving_vs_all_api_usd", signed_usd)),
        ("P(hybrid cheaper)", f"{mc['p_hybrid_cheaper_than_all_api']:.0%} of draws cheaper than all-API"),
    ]


def hybrid_table(data: HybridResult) -> str:
    table = Table(title="Hybrid routing", box=HEAD_RULE, show_header=False, title_justify="left")
    table.add_column("")
    table.add_column("", overflow="fold")
    for k, v in _hybrid_rows(data):
        table.add_row(k, v)
    console = Console(width=_width(), highlight=False, file=io.StringIO())
    with console.capture() as cap:
        console.print(hybrid_verdict(data), markup=False)
        console.print(table)
        for p in data.platforms:
            at = usd(p["monthly_cost_usd"]) if p["monthly_cost_usd"] is not None else "misses the latency target"
            console.print(f"with {p['billing_model']} as the self-hosted side: {at} at this share; cheapest at "
                          f"{p['optimal_share']:.0%}, {usd(p['optimal_monthly_cost_usd'])}", markup=False)  # fmt: skip
            if p.get("monte_carlo"):
                m = p["monte_carlo"]
                band = _band(m, "monthly_cost_usd", usd)
                cheaper = f"cheaper than all-API in {m['p_cheaper_than_all_api']:.0%}"
                console.print(f"  {m['id']} over {m['draws']:,} draws: month {band}, {cheaper}", markup=False)
    return _trimmed(cap.get())


def hybrid_markdown(data: HybridResult) -> str:
    return "\n".join(["| | |", "|---|---|", *[f"| {k} | {v} |" for k, v in _hybrid_rows(data)]]) + "\n"


def tco_table(data: TcoResult) -> str:
    a = data.assumptions
    table = Table(
        title=f"Total cost over {a['months']} months: {data.self_hosted} vs {data.api}",
        box=HEAD_RULE,
        title_justify="left",
        **_narrow(),  # type: ignore[arg-type]
    )
    wide = _width() >= WIDE_COLUMNS
    names = ("month", "queries/day", "replicas", "API", "self-hosted", "cumulative API", "cumulative self-hosted")
    short = ("month", "q/day", "replicas", "API", "self", "total API", "total self")
    for h in names if wide else short:
        table.add_column(h, justify="right", no_wrap=True)
    for m in data.months:
        table.add_row(
            str(m.month),
            f"{m.queries_per_day:,.0f}",
            str(m.replicas),
            usd(m.api_usd),
            usd(m.self_hosted_usd),
            usd(m.cumulative_api_usd),
            usd(m.cumulative_self_hosted_usd),
        )
    console = Console(width=_width(), highlight=False, file=io.StringIO())
    with console.capture() as cap:
        console.print(tco_verdict(data), markup=False)
        console.print(table)
        if data.monte_carlo:
            console.print(_tco_bands(data.monte_carlo, data.assumptions["monte_carlo"]["draws"]), markup=False)
        for p in data.platforms:
            console.print(f"{p['billing_model']}: {p['id']} {usd(p['total_usd'])} over the months (compute only)"
                          + (f"; over the draws {_band(p['monte_carlo'], 'total_usd', usd)}, cheaper than the API "
                             f"in {p['monte_carlo']['p_cheaper_than_api_over_horizon']:.0%}"
                             if p.get("monte_carlo") else ""), markup=False)  # fmt: skip
        console.print(
            f"{data.reason}. One-time set-up {usd(data.one_time_setup_usd)} ({a['setup_weeks']:g} weeks x "
            f"{usd(a['engineer_usd_per_day'])}/day); model updates {usd(data.model_updates_usd_per_month)}/month "
            f"({a['updates_per_year']:g} a year x {a['days_per_update']:g} days); volume grows "
            f"{a['growth_per_month']:.1%} a month.",
            markup=False,
        )
        console.print(
            "Note: the DevOps hidden-cost line also mentions model updates; pass --updates-per-year 0 if it "
            "already covers them.",
            markup=False,
        )
    return _trimmed(cap.get())


def _tco_bands(mc: Mapping[str, Any], draws: Any) -> str:
    """The Monte Carlo line under the tco table: totals as P10 / P50 / P90, and how often it pays back."""

    def band(key: str) -> str:
        return " / ".join(usd(mc[f"{key}_p{p}"]) for p in (10, 50, 90))

    cheaper, paid = mc["p_self_hosted_cheaper_over_horizon"], mc["p_payback_within_horizon"]
    out = (
        f"Over {draws:,} draws (P10 / P50 / P90): self-hosted total {band('total_self_hosted_usd')}; API total "
        f"{band('total_api_usd')}; self-hosting cheaper over the horizon in {cheaper:.0%} of draws, paying "
        f"back within it in {paid:.0%}"
    )
    if mc.get("payback_month_p50") is not None:
        out += f" (median payback month of those: {mc['payback_month_p50']:g})"
    return out + "."


def tco_markdown(data: TcoResult) -> str:
    out = [
        "| month | queries/day | API | self-hosted | cumulative API | cumulative self-hosted |",
        "|---|---|---|---|---|---|",
    ]
    out += [
        f"| {m.month} | {m.queries_per_day:,.0f} | {usd(m.api_usd)} | {usd(m.self_hosted_usd)} | "
        f"{usd(m.cumulative_api_usd)} | {usd(m.cumulative_self_hosted_usd)} |"
        for m in data.months
    ]
    return "\n".join([*out, "", data.reason]) + "\n"


def _buy_rows(data: BuyVsRentResult) -> tuple[list[str], list[list[str]]]:
    headers = [
        "GPU",
        "owned $/GPU-h",
        "capex",
        "power",
        "colocation",
        "support",
        "on-demand",
        "1y reserved",
        "3y reserved",
        "spot",
    ]
    rows = []
    for g in data.gpus:
        o, r = g.owned, g.cheapest_rental_usd_per_gpu_hour
        parts = (
            [
                o[k]
                for k in ("capex_usd_per_hour", "power_usd_per_hour", "colocation_usd_per_hour", "support_usd_per_hour")
            ]
            if o
            else []
        )
        rows.append(
            [
                g.gpu,
                usd(g.owned_usd_per_gpu_hour),
                *([usd(x) for x in parts] if parts else [usd(None)] * 4),
                *[usd(r[p]) for p in ("on_demand", "reserved_1y", "reserved_3y", "spot")],
            ]
        )
    return headers, rows


def _compact_buy_vs_rent(data: BuyVsRentResult, width: int) -> list[str]:
    out = ["Owned vs rented, USD per GPU-hour", ""]
    for g in data.gpus:
        o, r = g.owned, g.cheapest_rental_usd_per_gpu_hour
        parts = (
            f" (capex {usd(o['capex_usd_per_hour'])}, power {usd(o['power_usd_per_hour'])}, colocation "
            f"{usd(o['colocation_usd_per_hour'])}, support {usd(o['support_usd_per_hour'])})"
            if o
            else f" ({g.reason})"
        )
        out += _wrap(f"{g.gpu}: owned {usd(g.owned_usd_per_gpu_hour)}{parts}", width, "", "    ")
        rents = ", ".join(
            f"{p.replace('_', ' ')} {usd(r[p])}" for p in ("on_demand", "reserved_1y", "reserved_3y", "spot")
        )
        out += _wrap(f"rented: {rents}", width, "    ")
    return out


def buy_vs_rent_table(data: BuyVsRentResult) -> str:
    if _width() < WIDE_COLUMNS:
        a = data.assumptions
        out = [*_compact_buy_vs_rent(data, _width()), ""]
        out += _wrap(_owned_note(a), _width())
        return "\n".join(out) + "\n"
    headers, rows = _buy_rows(data)
    table = Table(title="Owned vs rented, USD per GPU-hour", box=HEAD_RULE, title_justify="left", **_narrow())  # type: ignore[arg-type]
    for i, h in enumerate(headers):
        table.add_column(h, justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*row)
    a = data.assumptions
    console = Console(width=_width(), highlight=False, file=io.StringIO())
    with console.capture() as cap:
        console.print(table)
        console.print(_owned_note(a), markup=False)
    return _trimmed(cap.get())


def _owned_note(a: Mapping[str, float]) -> str:
    return (
        f"Owned: purchase over {a['depreciation_years']:g} years, GPU TDP + {a['server_overhead_w_per_gpu']:g} W "
        f"server share at PUE {a['pue']:g} and ${a['electricity_usd_per_kwh']:.4f}/kWh, colocation "
        f"${a['colocation_usd_per_kw_month']:.2f}/kW-month, support {a['support_fraction_per_year']:.0%} of "
        "the price a year; paid every hour, busy or not (midpoints of data/ownership.yaml)."
    )


def buy_vs_rent_markdown(data: BuyVsRentResult) -> str:
    headers, rows = _buy_rows(data)
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return "\n".join(out + ["| " + " | ".join(row) + " |" for row in rows]) + "\n"


def _tornado_value(x: float | None, metric: str) -> str:
    if x is None:  # no break-even, or (cost difference) a platform ruled out by its TTFT target
        return "never" if metric == "breakeven" else "misses TTFT"
    return f"{x:,.0f}/day" if metric == "breakeven" else signed_usd(x)


def _short(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def _tornado_rows(data: TornadoResult, bar: int = 30) -> list[list[str]]:
    widest = max((r.swing for r in data.inputs), default=0) or 1
    m = data.metric
    return [
        [
            r.input,
            f"{_short(r.low)} .. {_short(r.high)}",
            _tornado_value(r.result_at_low, m),
            _tornado_value(r.result_at_high, m),
            "#" * round(bar * r.swing / widest),
        ]
        for r in data.inputs
    ]


def tornado_table(data: TornadoResult) -> str:
    table = Table(
        title=f"Sensitivity of {data.unit}: {data.self_hosted} vs {data.api} "
        f"(point answer {_tornado_value(data.base, data.metric)})",
        box=HEAD_RULE,
        title_justify="left",
        **_narrow(),  # type: ignore[arg-type]
    )
    for h in ("input", "low .. high", "result at low", "result at high", "swing"):
        table.add_column(h, justify="left" if h in ("input", "swing") else "right", no_wrap=h != "input")
    for row in _tornado_rows(data, 30 if _width() >= WIDE_COLUMNS else 8):
        table.add_row(*row)
    console = Console(width=_width(), highlight=False, file=io.StringIO())
    with console.capture() as cap:
        console.print(table)
    return _trimmed(cap.get())


def tornado_markdown(data: TornadoResult) -> str:
    out = ["| input | low .. high | result at low | result at high | swing |", "|---|---|---|---|---|"]
    return "\n".join(out + ["| " + " | ".join(r) + " |" for r in _tornado_rows(data)]) + "\n"


def _plain_cell(value: Any) -> str:
    """A value for Markdown and list tables: exact (no rounding), one safe line, '-' for none."""
    from llmcost.text import shown

    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() and abs(value) < 1e15 else format(value, ",")
    return shown(value, 80)


def _price(value: Any) -> str:
    return "-" if value is None else "$" + _plain_cell(value)


def _elo_cell(value: Any) -> str:
    return "-" if value is None else f"{value:.0f}"


# kind -> its table columns (header, row field, format, right-aligned), in priority order: the id
# always, then as many of the rest as fit the width (at 80 columns, the compact set).
_LIST_COLUMNS: dict[str, list[tuple[str, str, Callable[[Any], str], bool]]] = {
    "models": [
        ("id", "id", _plain_cell, False),
        ("params B", "params_total_b", _plain_cell, True),
        ("active B", "params_active_b", _plain_cell, True),
        ("context", "max_context_tokens", _plain_cell, True),
        ("commercial", "commercial_use", _plain_cell, False),
        ("elo", "lmarena_elo", _elo_cell, True),
        ("as of", "as_of", _plain_cell, False),
        ("precision", "native_precision", _plain_cell, False),
        ("licence", "licence", _plain_cell, False),
        ("name", "name", _plain_cell, False),
    ],
    "apis": [
        ("id", "id", _plain_cell, False),
        ("in $/Mtok", "input_usd_per_mtok", _price, True),
        ("out $/Mtok", "output_usd_per_mtok", _price, True),
        ("cached", "cached_input_usd_per_mtok", _price, True),
        ("context", "context_window_tokens", _plain_cell, True),
        ("elo", "lmarena_elo", _elo_cell, True),
        ("batch", "batch_discount", lambda x: "-" if x is None else f"-{x:.0%}", True),
        ("status", "lifecycle", _plain_cell, False),
        ("open model", "open_model", _plain_cell, False),
        ("as of", "as_of", _plain_cell, False),
        ("name", "name", _plain_cell, False),
    ],
    "gpus": [
        ("id", "id", _plain_cell, False),
        ("memory GB", "memory_gb", _plain_cell, True),
        ("TB/s", "memory_bandwidth_tb_per_s", _plain_cell, True),
        ("bf16 TFLOPS", "bf16_dense_tflops", _plain_cell, True),
        ("fp8", "fp8_dense_tflops", _plain_cell, True),
        ("int4", "int4_dense_tflops", _plain_cell, True),
        ("TDP W", "tdp_w", _plain_cell, True),
        ("TP fabric", "multi_gpu", _plain_cell, False),
        ("form", "form_factor", _plain_cell, False),
        ("usable GiB", "usable_memory_gib", _plain_cell, True),
        ("interconnect", "interconnect", _plain_cell, False),
        ("vendor", "vendor", _plain_cell, False),
        ("name", "name", _plain_cell, False),
    ],
    "offers": [
        ("id", "id", _plain_cell, False),
        ("gpu", "gpu", _plain_cell, False),
        ("$/GPU-h", "usd_per_gpu_hour", usd, True),
        ("GPUs", "gpus_per_instance", _plain_cell, True),
        ("pricing", "pricing", _plain_cell, False),
        ("$/h", "usd_per_instance_hour", usd, True),
        ("region", "region", _plain_cell, False),
        ("as of", "as_of", _plain_cell, False),
    ],
    "reasoning": [
        ("id", "id", _plain_cell, False),
        ("tokens", "reasoning_tokens", lambda x: f"{x:,.0f}", True),
        ("P10", "reasoning_tokens_p10", lambda x: f"{x:,.0f}", True),
        ("P90", "reasoning_tokens_p90", lambda x: f"{x:,.0f}", True),
        ("default", "provider_default", _plain_cell, False),
        ("as of", "as_of", _plain_cell, False),
    ],
}


def _list_title(data: CatalogList[Any]) -> str:
    given = [f"{k} {_plain_cell(v)}" for k, v in data.filters.items() if v is not None and v is not False]
    kind = "reasoning figures (model/effort)" if data.kind == "reasoning" else data.kind
    return f"{len(data.rows)} {kind}" + (f" ({', '.join(given)})" if given else "")


def _list_grid(data: CatalogList[Any], columns: list[tuple[str, str, Callable[[Any], str], bool]]) -> Table:
    table = Table(
        title=_list_title(data),
        box=HEAD_RULE,
        title_justify="left",
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
    )
    for header, _, _, right in columns:
        table.add_column(header, justify="right" if right else "left", no_wrap=True)
    for row in data.rows:
        table.add_row(*(Text(fmt(getattr(row, name))) for _, name, fmt, _ in columns))
    return table


def list_table(data: CatalogList[Any], width: int | None = None) -> str:
    """The rows of `llmcost list` in the columns that fit the width with no cell wrapped or cut:
    the id always, then each of the kind's columns in order if it still fits (every field is in
    JSON, CSV and Markdown)."""
    from rich.measure import Measurement

    width = width or _width()
    console = Console(width=width, highlight=False, file=io.StringIO())
    unbounded = console.options.update_width(1_000_000)  # a table's natural width, nothing squeezed
    columns = _LIST_COLUMNS[data.kind]
    shown = columns[:1]
    for column in columns[1:]:
        if Measurement.get(console, unbounded, _list_grid(data, [*shown, column])).maximum <= width:
            shown.append(column)
    left_out = [header for header, *_ in columns if all(header != h for h, *_ in shown)]
    with console.capture() as cap:
        if not data.rows:
            console.print(f"No {data.kind} match: {_list_title(data)}", markup=False)
        else:
            console.print(_list_grid(data, shown))
            if left_out:
                console.print(
                    f"Not shown at this width: {', '.join(left_out)} (see --format json, csv or markdown)",
                    markup=False,
                )
    return _trimmed(cap.get())


def list_markdown(data: CatalogList[Any]) -> str:
    """Every field of every row (the CSV columns), one table."""
    out = [f"**{_list_title(data)}**", "", "| " + " | ".join(data.columns) + " |", "|" + "---|" * len(data.columns)]
    for row in data.rows:
        out.append("| " + " | ".join(_plain_cell(getattr(row, c)).replace("|", "\\|") for c in data.columns) + " |")
    return "\n".join(out) + "\n"


def to_csv(data: Result) -> str:
    import csv

    rows = [flatten(r) for r in records(data)]
    columns: list[str] = list(getattr(data, "columns", ()))  # a header even when no row matched
    for r in rows:
        columns += [k for k in r if k not in columns]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def key_value_table(title: str, data: Result) -> str:
    """A two-column table for single results (fit, capacity, workload, hybrid, validate)."""
    table = Table(title=title, box=HEAD_RULE, show_header=False, title_justify="left")
    table.add_column("field")
    table.add_column("value", overflow="fold")
    for key, value in flatten(data.to_dict()).items():
        if isinstance(value, float):
            value = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
        table.add_row(key, "-" if value is None else str(value))
    console = Console(width=min(_width(), 160), highlight=False, file=io.StringIO())
    with console.capture() as cap:
        console.print(table)
    return _trimmed(cap.get())


def key_value_markdown(title: str, data: Result) -> str:
    lines = [f"**{title}**", "", "| field | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in flatten(data.to_dict()).items()]
    return "\n".join(lines) + "\n"


def render(data: Result, fmt: str, table: Callable[[Any], str], markdown: Callable[[Any], str]) -> str:
    """One entry point for every command: the same result, four formats."""
    if fmt == "json":
        return json.dumps(data.to_dict(), indent=2, allow_nan=False) + "\n"
    if fmt == "csv":
        return to_csv(data)
    if fmt == "markdown":
        return markdown(data)
    return table(data)


def _accounting(engine: Mapping[str, Any]) -> str:
    """How the engine's KV pool is sized, for the assumptions line."""
    acct = engine.get("memory_accounting")
    if not acct:
        return " (weights and KV only: no memory accounting in the data)"
    return f" ({acct}: less weights, activation peak and CUDA graphs, as llmcost fit shows)"


def _counted(term: Mapping[str, Any]) -> str:
    """Whether a memory term is taken from the budget or must fit beside it ("" for the totals)."""
    if term["name"] in ("device memory", "headroom left", "KV pool") or term["name"].startswith("budget"):
        return ""
    return "in budget" if term["in_budget"] else "outside"


_LAYOUTS = {
    "tp": "tp",
    "ep": "ep: routed experts whole, E/N per GPU; attention and dense parts split N ways",
    "dp-attention": "dp-attention: attention, dense parts and each sequence's KV whole on one GPU; experts E/N",
}


def fit_table(title: str, data: Result) -> str:
    """`fit`: the plan in a few lines, then each memory term per GPU with where it comes from."""
    d = data.to_dict()
    gpus = d["gpus_per_replica"]
    head = [
        ("weights", f"{d['weights_gb']:.2f} GB in all ({d['weights_recipe'] or 'as stored'})"),
        (
            "KV cache",
            f"{d['kv_cache']}: {d['kv_bytes_per_element']:g} byte(s) per element, "
            f"{d['kv_bytes_per_token']:,.0f} B/token",
        ),
        ("engine memory", d["engine_memory"] or "none (weights-only budget)"),
        ("batched tokens", "-" if d["max_num_batched_tokens"] is None else f"{d['max_num_batched_tokens']:,}"),
        ("GPUs per replica", "-" if gpus is None else str(gpus)),
        *([("parallelism", _LAYOUTS[d["parallelism"]])] if d.get("parallelism", "tp") != "tp" else []),
        ("sequences that fit", f"{d['max_concurrent_sequences']:,} of {d['context_tokens']:,} tokens"),
        ("verdict", d["reason"]),
    ]
    table = Table(title=title, box=HEAD_RULE, show_header=False, title_justify="left")
    table.add_column("field")
    table.add_column("value", overflow="fold")
    for key, value in head:
        table.add_row(key, value)
    at = d["terms_at_gpus"]
    size = f"{at} GPU{'s' if at > 1 else ''}" + ("" if gpus else ", the largest size tried")
    terms = Table(title=f"Per GPU at {size}, GiB", box=HEAD_RULE, title_justify="left")
    terms.add_column("term")
    terms.add_column("GiB", justify="right")
    terms.add_column("counted")
    terms.add_column("source", overflow="fold")
    for t in d["terms"]:
        terms.add_row(t["name"], f"{t['gib']:.2f}", _counted(t), t["source"])
    console = Console(width=min(_width(), 160), highlight=False, file=io.StringIO())
    with console.capture() as cap:
        console.print(table)
        console.print(terms)
    return _trimmed(cap.get())


def fit_markdown(title: str, data: Result) -> str:
    """`fit` as markdown: the plan's fields, then the per-GPU terms as their own table."""
    d = data.to_dict()
    lines = [f"**{title}**", "", "| field | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in flatten({k: v for k, v in d.items() if k != "terms"}).items()]
    lines += ["", f"**Per GPU at {d['terms_at_gpus']} GPU(s), GiB**", "", "| term | GiB | counted | source |"]
    lines += ["|---|---:|---|---|"]
    for t in d["terms"]:
        lines.append(
            f"| {t['name']} | {t['gib']:.2f} | {'in budget' if t['in_budget'] else 'outside'} | {t['source']} |"
        )
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- platforms


def _qpd_short(x: float) -> str:
    for unit, size in (("M", 1e6), ("k", 1e3)):
        if x >= size:
            return f"{x / size:,.3g}{unit}"
    return f"{x:,.3g}"


def _platform_rows_table(options: Any, title: str) -> Table:
    """Rows of RunOption: cost, billed GPU-hours, cold starts and the latency check."""
    table = Table(title=title, box=HEAD_RULE, title_justify="left", **_narrow())  # type: ignore[arg-type]
    for h in ("option", "billing", "$/month", "$/1k q", "GPU-h billed", "cold/day", "wait cold", "cold TTFT"):
        table.add_column(h, justify="left" if h in ("option", "billing") else "right", no_wrap=h != "option")
    for o in options:
        band = f" ({usd(o.band['monthly_cost_usd_p10'])}-{usd(o.band['monthly_cost_usd_p90'])})" if o.band else ""
        short = f"short {o.short_time_share:.2%}" if o.short_time_share is not None else ""
        table.add_row(
            o.label + ("" if o.meets_latency else " (misses TTFT target)"),
            o.billing_model,
            usd(o.monthly_cost_usd) + band,
            f"{o.cost_per_1k_queries_usd:,.3f}",
            f"{o.billed_gpu_hours_per_month:,.0f}" if o.billed_gpu_hours_per_month is not None else "-",
            f"{o.cold_starts_per_day:,.1f}" if o.cold_starts_per_day is not None else "-",
            f"{o.cold_wait_share:.1%}" if o.cold_wait_share is not None else short or "-",
            f"{o.cold_ttft_ms / 1000:,.0f} s" if o.cold_ttft_ms is not None else "-",
        )
    return table


def platforms_table(data: Any) -> str:
    """Every way to run one model: cost, cold starts and the latency check, then where each billing model wins."""
    w = data.workload
    title = (
        f"Ways to run {data.model} at {w['queries_per_day']:,.0f} queries/day ({data.assumptions['profile']} profile)"
    )
    table = _platform_rows_table(data.options, title)
    console = Console(width=_width(), highlight=False, file=io.StringIO())
    with console.capture() as cap:
        console.print(table)
        wins = "; ".join(f"{_qpd_short(x.from_qpd)}-{_qpd_short(x.to_qpd)}: {x.billing_model}" for x in data.wins)
        console.print(f"Cheapest by volume (up to {_qpd_short(data.curves['qpd'][-1])}/day): {wins}", markup=False)
        if data.crossings:
            shown_ = ", ".join(
                f"{c.cheaper_below}->{c.cheaper_above} at {_qpd_short(c.qpd)}" for c in data.crossings[:12]
            )
            more = f" (+{len(data.crossings) - 12} more in --format json)" if len(data.crossings) > 12 else ""
            console.print(f"Crossings: {shown_}{more}", markup=False)
        if data.skipped:
            console.print("Not priced: " + "; ".join(f"{k} {v}" for k, v in data.skipped.items()), markup=False)
        cs = data.assumptions["cold_start"]
        console.print(
            f"Cold start = image pull {cs['image_pull_s']:g} s + weights at {cs['weights_load_gb_per_s']:.2f} GB/s + "
            f"engine start {cs['engine_start_s']:g} s ({cs['basis']}); spot: "
            f"{data.assumptions['spot_preemptions_per_month']} interruptions per replica-month. Rented rows include "
            "hidden costs; platform rows do not.",
            markup=False,
        )
    return cap.get()
