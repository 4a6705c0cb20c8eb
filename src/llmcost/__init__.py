"""llmcost: should we call an LLM API or self-host an open-weight model, and from what volume?

>>> import llmcost
>>> result = llmcost.compare(qpd=50_000, models=["llama-3.1-70b"])
>>> result.to_frame()  # doctest: +SKIP
"""

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
