"""Cold start: the default `compare` imports only what a table of one volume needs.

numpy alone takes longer to import than typer and rich together, and pydantic, yaml, matplotlib
and pandas are not needed to cost one volume from the cached catalog either.
"""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("numpy", "pydantic", "yaml", "matplotlib", "pandas")


def imported_modules(*args: str) -> set[str]:
    """Modules a fresh `python -X importtime -m llmcost ARGS` imports (the report goes to stderr)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "llmcost", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":  # the header line
                names.add(name)
    assert "llmcost.compare" in names, "no import-time report: is -X importtime still honoured?"
    return names


def test_compare_cold_start_imports_no_heavy_library() -> None:
    imported_modules("compare", "--qpd", "50000")  # the first run validates the YAML and caches it
    names = imported_modules("compare", "--qpd", "50000")
    loaded = {top for top in HEAVY if any(n == top or n.startswith(top + ".") for n in names)}
    assert not loaded, f"`llmcost compare --qpd 50000` imports {sorted(loaded)}"


# the model core behind one deterministic volume; llmcost.scenario/uncertainty are not in it
CORE = (
    "llmcost.cli",
    "llmcost.render",
    "llmcost.api_cost",
    "llmcost.autoscale",
    "llmcost.memory",
    "llmcost.pairing",
    "llmcost.quantization",
    "llmcost.result",
    "llmcost.selfhost",
    "llmcost.throughput",
    "llmcost.workload",
)

SIZE_AND_COST_ONE_VOLUME = f"""
import sys
import {", ".join(CORE)}
from llmcost.catalog import load_catalog
from llmcost.quantization import get_quantization
from llmcost.selfhost import SelfHostAssumptions, curves, deployment_at
from llmcost.demand import Workload

cat, w = load_catalog(), Workload(50_000)
found, _ = curves(cat, cat.model("deepseek-v3"), [get_quantization("fp8")], [cat.gpu("h200")], w,
                  SelfHostAssumptions(), {{}})
d = deployment_at(found[0], w, 1.5)
assert type(found[0].monthly_cost_usd(50_000.0)) is float and d.monthly_cost_usd > 0
heavy = sorted(m for m in ("numpy", "pandas", "matplotlib") if m in sys.modules)
assert not heavy, heavy
"""


def test_model_core_sizes_and_costs_one_volume_without_numpy() -> None:
    proc = subprocess.run([sys.executable, "-c", SIZE_AND_COST_ONE_VOLUME], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_import_llmcost_loads_no_submodule_until_asked() -> None:
    code = (
        "import sys, llmcost\n"
        "assert sorted(m for m in sys.modules if m.startswith('llmcost')) == ['llmcost'], sys.modules\n"
        "import llmcost.compare\n"
        "assert callable(llmcost.compare) and llmcost.compare is llmcost.compare.__globals__['compare']\n"
        "assert llmcost.Catalog.__name__ == 'Catalog' and 'breakeven' in dir(llmcost)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_scalar_in_float_out_array_in_array_out(cat) -> None:
    import numpy as np

    from llmcost.memory import kv_bytes_per_sequence
    from llmcost.quantization import get_quantization
    from llmcost.selfhost import SelfHostAssumptions, curves, replicas_needed
    from llmcost.demand import Workload

    bf16, h100 = [get_quantization("bf16")], [cat.gpu("h100-sxm")]
    curve = curves(cat, cat.model("llama-3.1-8b"), bf16, h100, Workload(1000), SelfHostAssumptions(), {})[0][0]
    volumes = np.array([1.0, 1e5, 1e7])
    for fn in (curve.replicas, curve.gpu_cost_usd, curve.monthly_cost_usd):
        scalar, array = fn(1e5), fn(volumes)
        assert type(scalar) is float
        assert isinstance(array, np.ndarray) and array.shape == (3,) and array[1] == scalar
        assert type(fn(np.float64(1e5))) is float and type(fn(np.array(1e5))) is float
    assert replicas_needed(10, 4, 0.7) == 4.0 and type(replicas_needed(10, 4, 0.7)) is float
    assert list(replicas_needed(np.array([1e-6, 2.8, 10.0]), 4, 0.7)) == [1.0, 1.0, 4.0]
    sliding = cat.model("gpt-oss-120b")  # sliding-window layers cap the KV: min(context, window)
    scalar = kv_bytes_per_sequence(sliding, 1000.0, 2.0)
    array = kv_bytes_per_sequence(sliding, np.array([100.0, 1000.0]), 2.0)
    assert type(scalar) is float and isinstance(array, np.ndarray) and array[1] == scalar
