"""`plot`: a chart of a compare or breakeven result, written atomically."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from llmcost.catalog import Catalog
from llmcost.errors import UsageError
from llmcost.inputs import Scenario

CHARTS = ("breakeven", "compare")


def plot(
    chart: str,
    out: str | Path,
    *,
    scenario: Scenario | Mapping[str, Any] | None = None,
    catalog: Catalog | None = None,
    **options: Any,
) -> Path:
    """Draw `chart` (breakeven: cost against volume with crossings; compare: each option's cost
    split into tokens, GPUs and hidden costs) to `out` (.png or .svg); returns the path written."""
    from llmcost import charts

    if chart not in CHARTS:
        raise UsageError(f"chart must be breakeven or compare, got '{chart}'", param="chart")
    charts.check_path(out)
    if chart == "breakeven":
        from llmcost.commands.breakeven import breakeven

        result: Any = breakeven(scenario=scenario, catalog=catalog, **options)
    else:
        from llmcost.commands.compare import compare

        result = compare(scenario=scenario, catalog=catalog, **options)
    charts.plot(result, out)
    return Path(out)
