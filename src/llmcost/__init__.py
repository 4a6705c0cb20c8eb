"""llmcost: should we call an LLM API or self-host an open-weight model, and from what volume?

>>> import llmcost
>>> result = llmcost.compare(qpd=50_000, models=["llama-3.1-70b"])
>>> result.to_frame()  # doctest: +SKIP

Every command has a function here (compare, breakeven, hybrid, tco, sensitivity, fit, capacity,
workload, buy_vs_rent, validate, plan, plot, list_catalog), returning a typed result with `to_dict()`, `to_frame()`
and `plot()`. Names are imported on first use (PEP 562), so `import llmcost` and the command line
load only the modules a command needs. No submodule shares a name with a function.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llmcost.catalog import Catalog, load_catalog
    from llmcost.commands.breakeven import breakeven
    from llmcost.commands.check import check
    from llmcost.commands.compare import compare
    from llmcost.commands.data import buy_vs_rent, validate, workload
    from llmcost.commands.hybrid import hybrid
    from llmcost.commands.listing import list_catalog
    from llmcost.commands.plan import plan
    from llmcost.commands.plot import plot
    from llmcost.commands.sensitivity import sensitivity
    from llmcost.commands.serving import capacity, fit
    from llmcost.commands.tco import tco
    from llmcost.defaults import Efficiency
    from llmcost.demand import Workload
    from llmcost.errors import CatalogError, InfeasibleError, LLMCostError, OutputError, UnknownIdError, UsageError
    from llmcost.inputs import Scenario
    from llmcost.reports import report
    from llmcost.results import Result
    from llmcost.results.breakeven import BreakEvenResult
    from llmcost.results.compare import Comparison
    from llmcost.results.decisions import HybridResult, TcoResult, TornadoResult
    from llmcost.results.listing import CatalogList
    from llmcost.results.plan import PlanResult
    from llmcost.results.records import BuyVsRentResult, CapacityResult, FitResult, ValidationResult, WorkloadResult

__version__ = "0.1.0"

# public name -> the module defining it
_SOURCES = {
    "Catalog": "llmcost.catalog",
    "load_catalog": "llmcost.catalog",
    "check": "llmcost.commands.check",
    "compare": "llmcost.commands.compare",
    "breakeven": "llmcost.commands.breakeven",
    "hybrid": "llmcost.commands.hybrid",
    "tco": "llmcost.commands.tco",
    "sensitivity": "llmcost.commands.sensitivity",
    "fit": "llmcost.commands.serving",
    "capacity": "llmcost.commands.serving",
    "workload": "llmcost.commands.data",
    "buy_vs_rent": "llmcost.commands.data",
    "validate": "llmcost.commands.data",
    "plan": "llmcost.commands.plan",
    "plot": "llmcost.commands.plot",
    "report": "llmcost.reports",
    "list_catalog": "llmcost.commands.listing",
    "Efficiency": "llmcost.defaults",
    "Workload": "llmcost.demand",
    "Scenario": "llmcost.inputs",
    "CatalogError": "llmcost.errors",
    "InfeasibleError": "llmcost.errors",
    "LLMCostError": "llmcost.errors",
    "OutputError": "llmcost.errors",
    "UnknownIdError": "llmcost.errors",
    "UsageError": "llmcost.errors",
    "BreakEvenResult": "llmcost.results.breakeven",
    "BuyVsRentResult": "llmcost.results.records",
    "CapacityResult": "llmcost.results.records",
    "CatalogList": "llmcost.results.listing",
    "Comparison": "llmcost.results.compare",
    "FitResult": "llmcost.results.records",
    "HybridResult": "llmcost.results.decisions",
    "PlanResult": "llmcost.results.plan",
    "Result": "llmcost.results",
    "TcoResult": "llmcost.results.decisions",
    "TornadoResult": "llmcost.results.decisions",
    "ValidationResult": "llmcost.results.records",
    "WorkloadResult": "llmcost.results.records",
}

__all__ = [
    "BreakEvenResult",
    "BuyVsRentResult",
    "CapacityResult",
    "Catalog",
    "CatalogError",
    "CatalogList",
    "Comparison",
    "Efficiency",
    "FitResult",
    "HybridResult",
    "InfeasibleError",
    "LLMCostError",
    "OutputError",
    "PlanResult",
    "Result",
    "Scenario",
    "TcoResult",
    "TornadoResult",
    "UnknownIdError",
    "UsageError",
    "ValidationResult",
    "Workload",
    "WorkloadResult",
    "breakeven",
    "buy_vs_rent",
    "capacity",
    "check",
    "compare",
    "fit",
    "hybrid",
    "list_catalog",
    "load_catalog",
    "plan",
    "plot",
    "report",
    "sensitivity",
    "tco",
    "validate",
    "workload",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access and cache the name here."""
    source = _SOURCES.get(name)
    if source is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(source), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
