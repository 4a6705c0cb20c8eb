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
    "part",
    "month",
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


# columns that hold whole numbers: nullable integers, not floats with NaN where a row has none
_COUNTS = ("replicas", "gpu_count", "gpus_per_replica", "month", "batch_size", "max_batch_by_memory", "instances")
# per-pair lists that are tables of their own (`to_frame(table=...)`), not cells
_LISTS = ("crossings", "crossings_qpd", "self_hosted_step_usd_per_month", "bands")
TABLES = {"breakeven": ("pairs", "crossings", "bands")}


def _rows(result: Any, table: str | None) -> list[dict[str, Any]]:
    kind = getattr(result, "KIND", "")
    valid = TABLES.get(kind, (None,))
    if table is not None and table not in valid:
        from llmcost.errors import UsageError

        raise UsageError(f"table must be one of {', '.join(map(str, valid))} for a {kind} result", param="table")
    if kind == "breakeven":
        pairs = [p for p in records(result) if p.get("self_hosted")]
        if table == "crossings":  # long format: one row per crossing
            return [{"api": p["api"], "self_hosted": p["self_hosted"], **c} for p in pairs for c in p["crossings"]]
        if table == "bands":  # long format: one row per pair and volume
            return [
                {"api": p["api"], "self_hosted": p["self_hosted"], **dict(zip(b, values, strict=True))}
                for p in pairs
                if (b := p.get("bands"))
                for values in zip(*b.values(), strict=True)
            ]
        return [{k: v for k, v in r.items() if k not in _LISTS} for r in records(result)]
    if kind == "hybrid":  # one row per part of the routing, not one row of every field
        d = result.to_dict()
        own, api = d["self_hosted"], d["api"]
        return [
            {"part": "self-hosted", "id": own["id"], "share": d["share"], "monthly_cost_usd": own["monthly_cost_usd"],
             "replicas": own["replicas"], "utilization": own["utilization"]},
            {"part": "api", "id": api["id"], "share": 1 - d["share"], "monthly_cost_usd": api["monthly_cost_usd"]},
            {"part": "blended", "share": 1.0, "monthly_cost_usd": d["monthly_cost_usd"],
             "saving_vs_all_api_usd": d["saving_vs_all_api_usd"]},
            {"part": "cheapest share", "share": d["optimal_share"], "monthly_cost_usd": d["optimal_monthly_cost_usd"],
             "saving_vs_all_api_usd": d["optimal_saving_vs_all_api_usd"]},
        ]  # fmt: skip
    if kind == "tco":
        return [{**m, "paid_back": m["cumulative_self_hosted_usd"] <= m["cumulative_api_usd"]} for m in records(result)]
    return records(result)


def to_frame(result: Any, table: str | None = None) -> pd.DataFrame:
    """A result's rows as a tidy DataFrame: one row per option, pair, month, swing (or, for
    breakeven, `table="crossings"` or `"bands"`: one row per crossing or per volume); nested fields
    as `parent.child`; counts as integers; units in the column names."""
    try:
        import pandas as pd
    except ImportError:
        from llmcost.errors import UsageError

        raise UsageError("DataFrames need pandas: pip install 'llmcost[frames]'") from None

    frame = pd.DataFrame([flatten(r) for r in _rows(result, table)])
    for column in (c for c in frame.columns if c.rsplit(".", 1)[-1] in _COUNTS):
        frame[column] = frame[column].astype("Int64")
    first = [c for c in _COLUMNS if c in frame.columns]
    return frame[first + [c for c in frame.columns if c not in first]]


def human(column: str, value: Any) -> Any:
    """A cell as people read it: money with a $ and thousands separators, counts whole, no 1.5e+04."""
    if not isinstance(value, float) or value != value:  # leave text, ints, bools and NaN (missing)
        return value
    if column.rsplit(".", 1)[-1] in ("utilization", "share", "prefill_share"):
        return f"{value:.0%}"
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
