"""`plot`: a chart of a compare or breakeven result, written atomically."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from llmcost.catalog import Catalog
from llmcost.errors import UsageError
from llmcost.inputs import Scenario

CHARTS = ("breakeven", "compare", "tco", "hybrid", "sensitivity", "plan", "platforms")


def plot(
    chart: str,
    out: str | Path,
    *,
    scenario: Scenario | Mapping[str, Any] | None = None,
    catalog: Catalog | None = None,
    **options: Any,
) -> Path:
    """Draw `chart` to `out` (.png or .svg) and return the path: breakeven (cost against volume with
    crossings), compare (each option's cost split into tokens, GPUs and hidden costs), tco
    (cumulative cost and payback), hybrid (cost against the self-hosted share), sensitivity (tornado),
    plan (cost-latency frontier), platforms (cost against volume of the four billing models: API,
    rented, serverless, dedicated)."""
    from llmcost import charts

    if chart not in CHARTS:
        raise UsageError(f"chart must be one of {', '.join(CHARTS)}, got '{chart}'", param="chart")
    charts.check_path(out)
    run: Any
    if chart == "breakeven":
        from llmcost.commands.breakeven import breakeven as run
    elif chart == "compare":
        from llmcost.commands.compare import compare as run
    elif chart == "tco":
        from llmcost.commands.tco import tco as run
    elif chart == "hybrid":
        from llmcost.commands.hybrid import hybrid as run
    elif chart == "plan":
        from llmcost.commands.plan import plan as run
    elif chart == "platforms":
        from llmcost.commands.platforms import platforms as run
    else:
        from llmcost.commands.sensitivity import sensitivity as run
    charts.plot(run(scenario=scenario, catalog=catalog, **options), out)
    return Path(out)
