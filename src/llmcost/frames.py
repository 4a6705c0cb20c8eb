"""DataFrames and HTML for notebooks (pandas is imported here only, and lazily by callers)."""

from __future__ import annotations

import pandas as pd

from llmcost.render import flatten, records
from llmcost.results import Result

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


def to_frame(result: Result) -> pd.DataFrame:
    """A result's rows (options, pairs, months, ...) as a DataFrame; nested fields as `parent.child`."""
    frame = pd.DataFrame([flatten(r) for r in records(result)])
    first = [c for c in _COLUMNS if c in frame.columns]
    return frame[first + [c for c in frame.columns if c not in first]]


def to_html(result: Result) -> str:
    return str(to_frame(result).to_html(index=False, float_format=lambda x: f"{x:,.4g}"))
