"""DataFrames for notebooks (pandas is imported here only, and lazily by callers)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from llmcost.result import flatten, records

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


def to_frame(data: dict[str, Any]) -> pd.DataFrame:
    """Options (or a single result) as rows; nested fields flattened as `parent.child` columns."""
    frame = pd.DataFrame([flatten(r) for r in records(data)])
    first = [c for c in _COLUMNS if c in frame.columns]
    return frame[first + [c for c in frame.columns if c not in first]]
