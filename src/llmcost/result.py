"""Result objects: a JSON-ready dict (canonical) plus notebook conveniences."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from llmcost.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd  # noqa: TID251 - for the annotation only


def flatten(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts to `parent.child` keys; lists joined with '; ' (for CSV and DataFrames)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        elif isinstance(value, list):
            out[prefix + key] = "; ".join(map(str, value))
        else:
            out[prefix + key] = value
    return out


def records(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The list a result is made of (options, pairs, months, GPUs, tornado inputs), or the result itself."""
    for key in ("options", "pairs", "months", "gpus", "inputs"):
        if key in data:
            return list(data[key])
    return [data]


@dataclass(frozen=True)
class Result:
    """Wraps the canonical dict; every renderer (table, CSV, Markdown, DataFrame) reads it."""

    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        copy: dict[str, Any] = json.loads(self.to_json())  # a deep copy callers may mutate
        return copy

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.data, indent=indent, allow_nan=False)

    def to_frame(self) -> pd.DataFrame:
        """A pandas DataFrame, one row per option (needs pandas: `pip install llmcost[frames]`)."""
        from llmcost.frames import to_frame

        return to_frame(self.data)

    def plot(self, out: str | None = None) -> Any:
        """A matplotlib Figure of this result (needs `pip install llmcost[plot]`); saved when `out` is given."""
        from llmcost.charts import plot_breakeven, plot_compare

        if "pairs" in self.data:
            return plot_breakeven(self.data, out)
        if "options" in self.data:
            return plot_compare(self.data, out)
        raise UsageError("charts exist for compare and breakeven results")

    def _repr_html_(self) -> str:
        return str(self.to_frame().to_html(index=False, float_format=lambda x: f"{x:,.4g}"))
