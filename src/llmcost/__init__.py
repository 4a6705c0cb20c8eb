"""llmcost: should we call an LLM API or self-host an open-weight model, and from what volume?

>>> import llmcost
>>> result = llmcost.compare(qpd=50_000, models=["llama-3.1-70b"])
>>> result.to_frame()  # doctest: +SKIP

The public names are imported on first use (PEP 562), so `import llmcost` and the command line
load only the modules a command needs.
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llmcost.breakeven import breakeven
    from llmcost.catalog import Catalog, load_catalog
    from llmcost.compare import Comparison, compare
    from llmcost.errors import CatalogError, InfeasibleError, LLMCostError, UnknownIdError, UsageError
    from llmcost.hybrid import hybrid
    from llmcost.result import Result
    from llmcost.scenario import Scenario
    from llmcost.serving import capacity, fit
    from llmcost.tco import tco
    from llmcost.throughput import Efficiency
    from llmcost.workload import Workload

__version__ = "0.1.0"

# public name -> the module defining it
_SOURCES = {
    "Catalog": "llmcost.catalog",
    "CatalogError": "llmcost.errors",
    "Comparison": "llmcost.compare",
    "Efficiency": "llmcost.throughput",
    "InfeasibleError": "llmcost.errors",
    "LLMCostError": "llmcost.errors",
    "Result": "llmcost.result",
    "Scenario": "llmcost.scenario",
    "UnknownIdError": "llmcost.errors",
    "UsageError": "llmcost.errors",
    "Workload": "llmcost.workload",
    "breakeven": "llmcost.breakeven",
    "capacity": "llmcost.serving",
    "compare": "llmcost.compare",
    "fit": "llmcost.serving",
    "hybrid": "llmcost.hybrid",
    "load_catalog": "llmcost.catalog",
    "tco": "llmcost.tco",
}

__all__ = [
    "Catalog",
    "CatalogError",
    "Comparison",
    "Efficiency",
    "InfeasibleError",
    "LLMCostError",
    "Result",
    "Scenario",
    "UnknownIdError",
    "UsageError",
    "Workload",
    "breakeven",
    "capacity",
    "compare",
    "fit",
    "hybrid",
    "load_catalog",
    "tco",
]


# functions named like their module (llmcost.compare.compare, ...): the package attribute is the function
_SAME_NAME = frozenset(name for name, source in _SOURCES.items() if source == f"{__name__}.{name}")


class _Package(ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        # importing the submodule llmcost.compare binds it here; keep the function instead, as an
        # eager `from llmcost.compare import compare` in this file would have
        if name in _SAME_NAME and isinstance(value, ModuleType):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


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
