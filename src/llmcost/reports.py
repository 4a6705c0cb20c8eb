"""Reports a finance team can send around: one self-contained HTML page (verdict, tables, charts,
every assumption and source) or an Excel workbook (results, assumptions and sources sheets), for
a compare scenario. Written to a temporary file beside the target, then moved into place."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from llmcost.errors import UsageError
from llmcost.frames import flatten, human
from llmcost.results.compare import Comparison

FORMATS = ("html", "xlsx")
_CSS = (
    "body{font-family:system-ui,sans-serif;margin:2em;max-width:70em;color:#222}"
    "table{border-collapse:collapse;margin:1em 0}"
    "td,th{border-bottom:1px solid #ddd;padding:.3em .6em;text-align:right}td{white-space:nowrap}"
    "td:first-child,th:first-child{text-align:left}th{vertical-align:bottom}"
    ".verdict{font-size:1.2em;margin:1em 0}img{max-width:100%}"
)
_SHOWN = (
    "id",
    "kind",
    "monthly_cost_usd",
    "cost_per_1k_queries_usd",
    "monthly_gpu_cost_usd",
    "monthly_hidden_cost_usd",
    "replicas",
    "gpu",
    "utilization",
    "comparable_api",
    "vs_comparable_api_usd",
)


def sources(result: Comparison) -> list[dict[str, str]]:
    """Where each price came from: every API's and every rented offer's source and date."""
    rows = []
    for o in result.to_dict()["options"]:
        if o["kind"] == "api":
            rows.append({"for": o["id"], "what": "API prices", "source": o["source"], "as_of": o["as_of"]})
        elif o.get("offer"):
            offer = o["offer"]
            rows.append({"for": o["id"], "what": f"rental {offer['id']}", "source": offer["source"],
                         "as_of": offer["as_of"]})  # fmt: skip
    return rows


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    head = "".join(f"<th>{html.escape(c.replace('_usd', ' (USD)').replace('_', ' '))}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(human(c, r.get(c, ''))))}</td>" for c in columns) + "</tr>"
        for r in rows
    )
    return f'<div style="overflow-x:auto"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def html_report(result: Comparison, title: str) -> str:
    """The report as one HTML page with its charts embedded (no file or network needed to view it)."""
    from llmcost.charts import plot_compare
    from llmcost.render import assumption_lines, compare_verdict

    data = result.to_dict()
    options = [flatten(o) for o in data["options"]]
    chart = _png(plot_compare(result))
    assumptions = "".join(f"<li>{html.escape(line)}</li>" for line in assumption_lines(result))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{_CSS}</style>
</head><body>
<h1>{html.escape(title)}</h1>
<p class="verdict">{html.escape(compare_verdict(result))}</p>
<h2>Options</h2>
{_table(options, [c for c in _SHOWN if any(c in o for o in options)])}
<h2>Monthly cost by option</h2>
<img alt="monthly cost of each option: API tokens, GPUs, hidden costs" src="data:image/png;base64,{chart}">
<h2>Assumptions</h2>
<ul>{assumptions}</ul>
<h2>Sources</h2>
{_table(sources(result), ["for", "what", "source", "as_of"])}
<p><small>llmcost, {date.today().isoformat()}</small></p>
</body></html>
"""


def xlsx_report(result: Comparison) -> bytes:
    """The report as a workbook: Results (one row per option), Assumptions, Sources."""
    try:
        from openpyxl import Workbook
    except ImportError:
        raise UsageError("an xlsx report needs openpyxl: pip install 'llmcost[report]'", param="fmt") from None
    from llmcost.frames import records

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Results"
    rows = [flatten(r) for r in records(result)]
    columns: list[str] = []
    for r in rows:
        columns += [k for k in r if k not in columns]
    sheet.append(columns)
    for r in rows:
        sheet.append([r.get(c) if isinstance(r.get(c), int | float | str | bool) else None for c in columns])
    assumptions = book.create_sheet("Assumptions")
    assumptions.append(["assumption", "value"])
    for key, value in flatten({**result.to_dict()["assumptions"], "workload": result.to_dict()["workload"]}).items():
        assumptions.append([key, value if isinstance(value, int | float | str | bool) else str(value)])
    sheet_sources = book.create_sheet("Sources")
    sheet_sources.append(["for", "what", "source", "as_of"])
    for s in sources(result):
        sheet_sources.append([s["for"], s["what"], s["source"], s["as_of"]])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def report(scenario: str | Path, out: str | Path, *, fmt: str | None = None) -> Path:
    """Cost the compare scenario in the file `scenario` and write its report to `out` (.html, or
    .xlsx / fmt="xlsx"); returns the path written."""
    from llmcost.commands.compare import compare
    from llmcost.inputs import read_scenario_file
    from llmcost.io import atomic_write

    path = Path(out)
    fmt = fmt or ("xlsx" if path.suffix.lower() == ".xlsx" else "html")
    if fmt not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, got '{fmt}'", param="fmt")
    if not path.parent.is_dir():
        raise UsageError(f"cannot write the report to '{out}': its directory does not exist", param="out")
    result = compare(scenario=read_scenario_file(scenario))
    if fmt == "xlsx":
        atomic_write(path, xlsx_report(result))
    else:
        atomic_write(path, html_report(result, f"LLM serving cost: {Path(scenario).stem}"))
    return path
