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
    assert "llmcost.commands.compare" in names, "no import-time report: is -X importtime still honoured?"
    return names


def test_compare_cold_start_imports_no_heavy_library() -> None:
    imported_modules("compare", "--qpd", "50000")  # the first run validates the YAML and caches it
    names = imported_modules("compare", "--qpd", "50000")
    loaded = {top for top in HEAVY if any(n == top or n.startswith(top + ".") for n in names)}
    assert not loaded, f"`llmcost compare --qpd 50000` imports {sorted(loaded)}"


# the model core behind one deterministic volume
CORE = (
    "llmcost.cli",
    "llmcost.render",
    "llmcost.billing",
    "llmcost.reasoning",
    "llmcost.commands.compare",
    "llmcost.inputs",
    "llmcost.memory",
    "llmcost.pairing",
    "llmcost.quantization",
    "llmcost.results",
    "llmcost.selfhost",
    "llmcost.throughput",
    "llmcost.demand",
)

SIZE_AND_COST_ONE_VOLUME = f"""
import sys
import {", ".join(CORE)}
from llmcost.catalog import load_catalog
from llmcost.inputs import SelfHostAssumptions
from llmcost.quantization import get_quantization
from llmcost.selfhost import Factors, curves, deployment_at
from llmcost.demand import Workload

cat, w = load_catalog(), Workload(50_000)
offers = {{"h200": tuple(cat.offers_for("h200", "on_demand"))}}
found, _ = curves(cat.model("deepseek-v3"), [get_quantization("fp8")], [cat.gpu("h200")], offers, w,
                  SelfHostAssumptions(engine=cat.engine("vllm")))
f = Factors(peak_factor=1.5)
d = deployment_at(found[0], w, f)
assert type(found[0].monthly_cost_usd(50_000.0, f)) is float and d.monthly_cost_usd > 0
heavy = sorted(m for m in ("numpy", "pandas", "matplotlib") if m in sys.modules)
assert not heavy, heavy
"""


def test_model_core_sizes_and_costs_one_volume_without_numpy() -> None:
    proc = subprocess.run([sys.executable, "-c", SIZE_AND_COST_ONE_VOLUME], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_import_llmcost_loads_no_submodule_until_asked() -> None:
    code = (
        "import sys, types, llmcost\n"
        "assert sorted(m for m in sys.modules if m.startswith('llmcost')) == ['llmcost'], sys.modules\n"
        "import llmcost.commands.compare\n"
        "for name in llmcost.__all__:\n"
        "    assert not isinstance(getattr(llmcost, name), types.ModuleType), name\n"
        "assert type(llmcost) is types.ModuleType  # no module-class tricks\n"
        "assert llmcost.Catalog.__name__ == 'Catalog' and 'breakeven' in dir(llmcost)\n"
        "assert callable(llmcost.workload) and callable(llmcost.plot) and callable(llmcost.validate)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_scalar_in_float_out_array_in_array_out(cat) -> None:
    import numpy as np

    from llmcost.demand import Workload
    from llmcost.inputs import SelfHostAssumptions
    from llmcost.memory import kv_bytes_per_sequence
    from llmcost.quantization import get_quantization
    from llmcost.selfhost import Factors, curves

    bf16, h100 = [get_quantization("bf16")], [cat.gpu("h100-sxm")]
    offers = {"h100-sxm": tuple(cat.offers_for("h100-sxm", "on_demand"))}
    a = SelfHostAssumptions(engine=cat.engine("vllm"))
    curve = curves(cat.model("llama-3.1-8b"), bf16, h100, offers, Workload(1000), a)[0][0]
    volumes = np.array([1.0, 1e5, 1e7])
    f = Factors()
    for fn in (curve.replicas, curve.gpu_cost_usd, curve.monthly_cost_usd):
        scalar, array = fn(1e5, f), fn(volumes, f)
        assert type(scalar) is float
        assert isinstance(array, np.ndarray) and array.shape == (3,) and array[1] == scalar
        assert type(fn(np.float64(1e5), f)) is float and type(fn(np.array(1e5), f)) is float
    sliding = cat.model("gpt-oss-120b")  # sliding-window layers cap the KV: min(context, window)
    scalar = kv_bytes_per_sequence(sliding, 1000.0, 2.0)
    array = kv_bytes_per_sequence(sliding, np.array([100.0, 1000.0]), 2.0)
    assert type(scalar) is float and isinstance(array, np.ndarray) and array[1] == scalar
