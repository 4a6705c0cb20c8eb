"""Typed results: one frozen object per command, in one module per kind of result (so a command
imports only its own). `to_dict()` is the JSON contract (strict JSON:
finite numbers only); tables, CSV, Markdown, DataFrames, HTML and charts are functions over these
objects (llmcost.render, .frames, .charts). Notes are codes plus their numbers; `Note.message`
words them, the one place that does.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from llmcost.notes import Note
from llmcost.plain import plain

if TYPE_CHECKING:
    import pandas as pd  # noqa: TID251 - for the annotation only


class Result:
    """Base of every command's result: JSON, DataFrame, chart and notebook views."""

    KIND: ClassVar[str] = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = plain(self)
        return out

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def to_frame(self, table: str | None = None) -> pd.DataFrame:
        """A tidy pandas DataFrame: one row per option, pair, month or swing; breakeven also takes
        table="crossings" or "bands" (long format). Needs pandas: `pip install llmcost[frames]`."""
        from llmcost.frames import to_frame

        return to_frame(self, table)

    def plot(self, out: str | None = None) -> Any:
        """A matplotlib Figure of this result (needs `pip install llmcost[plot]`); saved when `out` is given."""
        from llmcost.charts import inline, plot

        return inline(plot(self, out))

    def _repr_html_(self) -> str:
        from llmcost.frames import to_html

        return to_html(self)


__all__ = ["Note", "Result", "plain"]
