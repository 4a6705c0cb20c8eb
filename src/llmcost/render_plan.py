"""Table and Markdown views of a `plan` result (JSON and CSV come from render.render)."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from llmcost.render import HEAD_RULE, _trimmed, _width, usd
from llmcost.results.plan import PlanResult


def plan_verdict(data: PlanResult) -> str:
    """One sentence: the cheapest fleet's cost and what mixing GPU types saves, or why there is none."""
    if not data.feasible:
        return f"No fleet for {data.model}: {data.reason}"
    cost = usd(data.monthly_cost_usd)
    single = data.best_single_type
    if single is None:
        return f"Cheapest fleet for {data.model}: {cost}/month."
    share = data.saving_from_mixing_share or 0.0
    if share <= 0:
        return f"Cheapest fleet for {data.model}: {cost}/month, one GPU type ({single['gpu']}); mixing saves nothing."
    return (
        f"Cheapest fleet for {data.model}: {cost}/month, {share:.0%} less than the best single GPU type "
        f"({single['gpu']}, {usd(single['monthly_cost_usd'])}/month)."
    )


def _targets(data: PlanResult) -> str:
    a = data.assumptions
    parts = [f"TPOT <= {a['max_tpot_ms']:g} ms" if a.get("max_tpot_ms") is not None else "",
             f"TTFT <= {a['max_ttft_ms']:g} ms" if a.get("max_ttft_ms") is not None else ""]  # fmt: skip
    held = " and ".join(p for p in parts if p)
    return f"{held} for >= {a['slo_share']:.1%} of requests" if held else "no latency target"


def plan_table(data: PlanResult) -> str:
    console = Console(width=_width(), highlight=False, file=io.StringIO())
    with console.capture() as cap:
        console.print(plan_verdict(data), markup=False)
        console.print(f"Targets: {_targets(data)}; {data.workload['queries_per_day']:,.0f} queries/day.", markup=False)
        if data.rows:
            fleet = Table(title="Fleet", box=HEAD_RULE, title_justify="left", pad_edge=False, padding=(0, 1))
            for name, right in (("GPUs", False), ("TP", True), ("quant", False), ("engine", False),
                                ("pricing", False), ("serves in/out tokens", False), ("USD/month", True)):  # fmt: skip
                fleet.add_column(name, justify="right" if right else "left", overflow="fold")
            for r in data.rows:
                fleet.add_row(f"{r.gpus} x {r.gpu}", str(r.gpus_per_replica), r.quant, r.engine, r.pricing,
                              r.serves, usd(r.monthly_cost_usd))  # fmt: skip
            console.print(fleet)
        if any(s["monthly_cost_usd"] is not None for s in data.single_types):
            alone = Table(title="Each GPU type alone (cheapest 5)", box=HEAD_RULE, title_justify="left",
                          pad_edge=False, padding=(0, 1))  # fmt: skip
            alone.add_column("GPU")
            alone.add_column("USD/month", justify="right")
            alone.add_column("fleet", overflow="fold")
            for s in data.single_types[:5]:
                alone.add_row(s["gpu"], usd(s["monthly_cost_usd"]), s["fleet"] or s["reason"] or "-")
            console.print(alone)
        if data.frontier:
            front = Table(title="Cost vs latency (Pareto frontier)", box=HEAD_RULE, title_justify="left",
                          pad_edge=False, padding=(0, 1))  # fmt: skip
            front.add_column("TPOT target", justify="right")
            front.add_column("achieved", justify="right")
            front.add_column("USD/month", justify="right")
            front.add_column("fleet", overflow="fold")
            for p in data.frontier:
                t = p["max_tpot_ms_target"]
                front.add_row("none" if t is None else f"{t:g} ms", f"{p['achieved_tpot_ms']:.1f} ms",
                              usd(p["monthly_cost_usd"]), p["fleet"])  # fmt: skip
            console.print(front)
        s = data.searched
        console.print(
            f"Searched {s['configurations']:,} configurations (GPU x TP x quant x engine x request size), "
            f"{s['options']:,} rentable options ({s.get('options_after_pruning', 0):,} not dominated).",
            markup=False,
        )
        for note in data.notes:
            console.print(f"- {note}", markup=False)
    return _trimmed(cap.get())


def plan_markdown(data: PlanResult) -> str:
    lines = [f"**{plan_verdict(data)}**", "", f"Targets: {_targets(data)}.", ""]
    if data.rows:
        lines += ["| GPUs | TP | quant | engine | pricing | offer | serves (in/out tokens) | USD/month |",
                  "|---|---:|---|---|---|---|---|---:|"]  # fmt: skip
        lines += [f"| {r.gpus} x {r.gpu} | {r.gpus_per_replica} | {r.quant} | {r.engine} | {r.pricing} | {r.offer} | "
                  f"{r.serves} | {usd(r.monthly_cost_usd)} |" for r in data.rows]  # fmt: skip
        lines.append("")
    if data.frontier:
        lines += ["| TPOT target | achieved | USD/month | fleet |", "|---:|---:|---:|---|"]
        for p in data.frontier:
            t = p["max_tpot_ms_target"]
            lines.append(f"| {'none' if t is None else f'{t:g} ms'} | {p['achieved_tpot_ms']:.1f} ms | "
                         f"{usd(p['monthly_cost_usd'])} | {p['fleet']} |")  # fmt: skip
        lines.append("")
    lines += [f"- {n}" for n in data.notes]
    return "\n".join(lines) + "\n"
