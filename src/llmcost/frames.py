"""Rows, DataFrames and HTML of results (pandas is imported only when a DataFrame is made).

They read a result's rows through its JSON contract (`plain` of each row), so they work on any
result object and sit below llmcost.results, whose notebook methods call them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmcost.plain import plain

if TYPE_CHECKING:
    import pandas as pd


def flatten(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts to `parent.child` keys; lists joined with '; ' (for CSV and key-value tables)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        elif isinstance(value, list):
            out[prefix + key] = "; ".join(str(v["message"]) if isinstance(v, dict) and "message" in v else str(v)
                                          for v in value)  # fmt: skip
        else:
            out[prefix + key] = value
    return out


def records(result: Any) -> list[dict[str, Any]]:
    """The rows a result is made of (options, pairs, months, GPUs, tornado inputs, listed rows), or the result."""
    for name in ("options", "pairs", "months", "gpus", "inputs", "findings", "rows"):
        items = getattr(result, name, None)
        if isinstance(items, tuple):
            return [_ordered(plain(x)) for x in items]
    return [result.to_dict()]


_FIRST = ("id", "kind", "feasible", "api", "self_hosted")


def _ordered(row: dict[str, Any]) -> dict[str, Any]:
    """Identifying columns first (a dataclass lists fields with defaults last)."""
    return {**{k: row[k] for k in _FIRST if k in row}, **row}


# Option keys shown as columns, in order; the names already carry units.
_COLUMNS = (
    "id",
    "kind",
    "feasible",
    "monthly_cost_usd",
    "cost_per_query_usd",
    "cost_per_1k_queries_usd",
    "monthly_token_cost_usd",
    "monthly_gpu_cost_usd",
    "monthly_hidden_cost_usd",
    "model",
    "quantization",
    "gpu",
    "gpus_per_replica",
    "replicas",
    "gpu_count",
    "utilization",
    "quality_elo",
    "quality_tier",
    "comparable_api",
    "vs_comparable_api_usd",
    "commercial_use",
    "reason",
)


def to_frame(result: Any) -> pd.DataFrame:
    """A result's rows (options, pairs, months, ...) as a DataFrame; nested fields as `parent.child`."""
    import pandas as pd

    frame = pd.DataFrame([flatten(r) for r in records(result)])
    first = [c for c in _COLUMNS if c in frame.columns]
    return frame[first + [c for c in frame.columns if c not in first]]


def human(column: str, value: Any) -> Any:
    """A cell as people read it: money with a $ and thousands separators, counts whole, no 1.5e+04."""
    if not isinstance(value, float) or value != value:  # leave text, ints, bools and NaN (missing)
        return value
    if "usd" in column:
        return f"${value:,.0f}" if abs(value) >= 100 else f"${value:,.4f}".rstrip("0").rstrip(".")
    if value.is_integer() and abs(value) < 1e15:
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) >= 100 else f"{value:.4g}" if abs(value) >= 1e-4 else f"{value:.2e}"


def to_html(result: Any) -> str:
    """The DataFrame as an HTML table with money and counts formatted for people."""
    frame = to_frame(result)
    shown = frame.astype(object).apply(lambda col: col.map(lambda v, c=col.name: human(str(c), v)))
    return str(shown.to_html(index=False, na_rep=""))
