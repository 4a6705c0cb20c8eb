"""`check`: a budget gate for CI: a checked-in scenario's monthly cost against a ceiling, and
against what the same scenario costs on the base data (the data before the change)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from llmcost.errors import UsageError
from llmcost.results.records import CheckResult


def _limit(name: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise UsageError(f"{name} must be a number >= 0, got {value!r}", param=name)
    return float(value)


def check(
    scenario: str | Path,
    *,
    option: str | None = None,
    fail_above_usd: float | None = None,
    fail_on_increase_pct: float | None = None,
    base_data: str | Path | None = None,
) -> CheckResult:
    """The monthly cost of `option` (default: the scenario's cheapest feasible option) for the
    compare scenario in the file `scenario`; a failure when it is above `fail_above_usd`, or when it
    rose by more than `fail_on_increase_pct` percent over the same scenario costed on `base_data`
    (a complete data directory, e.g. the base branch's `data/`)."""
    from llmcost.commands.compare import compare
    from llmcost.inputs import read_scenario_file

    above, rise = _limit("fail_above_usd", fail_above_usd), _limit("fail_on_increase_pct", fail_on_increase_pct)
    if above is None and rise is None:
        raise UsageError("check needs fail_above_usd or fail_on_increase_pct (with base_data)", param="fail_above_usd")
    if rise is not None and base_data is None:
        raise UsageError(
            "fail_on_increase_pct compares with base_data: give the base data directory", param="base_data"
        )
    settings = read_scenario_file(scenario)
    result = compare(scenario=settings)
    chosen = _option(result, option)
    failures = []
    if above is not None and chosen.monthly_cost_usd > above:
        failures.append(f"{chosen.id} costs ${chosen.monthly_cost_usd:,.0f} a month, above the ${above:,.0f} budget")
    base_cost = increase = None
    if base_data is not None:
        from llmcost.catalog import load_catalog

        base = compare(scenario=settings, catalog=load_catalog([base_data], include_shipped=False))
        base_cost = _option(base, chosen.id).monthly_cost_usd
        increase = (chosen.monthly_cost_usd / base_cost - 1) * 100 if base_cost else None
        if rise is not None and increase is not None and increase > rise:
            failures.append(
                f"{chosen.id} rose {increase:.1f}% (${base_cost:,.0f} -> ${chosen.monthly_cost_usd:,.0f} a month), "
                f"more than the {rise:g}% allowed"
            )
    return CheckResult(
        scenario=str(scenario),
        option=chosen.id,
        monthly_cost_usd=chosen.monthly_cost_usd,
        fail_above_usd=above,
        base_monthly_cost_usd=base_cost,
        increase_pct=increase,
        fail_on_increase_pct=rise,
        failures=tuple(failures),
    )


def _option(result: Any, option: str | None) -> Any:
    from llmcost.errors import UnknownIdError

    feasible = [o for o in result.options if o.feasible and o.monthly_cost_usd is not None]
    if not feasible:
        raise UsageError("the scenario has no feasible option to check")
    if option is None:
        return min(feasible, key=lambda o: o.monthly_cost_usd)
    for o in feasible:
        if o.id == option or o.id.split("@")[0] == option:
            return o
    raise UnknownIdError("option in this scenario", option, [o.id for o in feasible], param="option")
