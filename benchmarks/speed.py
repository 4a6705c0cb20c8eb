"""Speed of the vectorized core and of the command line's cold start.

    python benchmarks/speed.py [RUNS]

- Monte Carlo: 100,000 draws over the default comparison (`compare --qpd 50000`: every API and the
  default self-hosted selection), timed as compare with the draws minus compare without, in-process.
- Sweep: monthly API and self-hosted cost of one pair at 1,000,000 volumes, and the exact break-even.
- Cold start: `llmcost compare --qpd 50000` in a fresh interpreter against `python -c "import typer, rich"`,
  both as an installed package runs them: bytecode compiled (into a temporary PYTHONPYCACHEPREFIX, even
  where PYTHONDONTWRITEBYTECODE is set) and the compiled catalog cached, by one untimed warm-up run each.
  The two are run in turn, 3 x RUNS times each, so a change in the machine's load hits both alike,
  with a third: benchmarks/stack_floor.py, what Typer and rich alone cost for that command (the real
  app parsing its arguments, the real table drawn from a saved result, no model or data code).
Each figure is the median of RUNS runs (default 7); compare medians and ratios, not single timings.
"""

from __future__ import annotations

import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

import llmcost
from llmcost.catalog import load_catalog
from llmcost.commands.common import factors, inputs_for, model_curves
from llmcost.crossings import solve


def median_s(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cold_starts(cmds: list[list[str]], runs: int) -> list[float]:
    """Median seconds of each command in a fresh interpreter, run in turn so load drifts hit all alike."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env |= {"PYTHONPYCACHEPREFIX": f"{tmp}/pycache", "LLMCOST_CACHE_DIR": f"{tmp}/catalog"}
        runners = [partial(subprocess.run, cmd, check=True, stdout=subprocess.DEVNULL, env=env) for cmd in cmds]
        for run in runners:
            run()  # warm-up: compiles the bytecode and the catalog cache, as an installed package has them
        times: list[list[float]] = [[] for _ in cmds]
        for _ in range(runs):
            for run, spent in zip(runners, times, strict=True):
                start = time.perf_counter()
                run()
                spent.append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    cat = load_catalog()
    plain = median_s(lambda: llmcost.compare(50_000, catalog=cat), runs)
    with_mc = median_s(lambda: llmcost.compare(50_000, monte_carlo=100_000, seed=1, catalog=cat), runs)
    n_options = len(llmcost.compare(50_000, catalog=cat).options)
    print(f"compare --qpd 50000 ({n_options} options), in-process: median {plain * 1e3:.0f} ms")
    draws_ms = (with_mc - plain) * 1e3
    print(f"  + 100,000 Monte Carlo draws: median {with_mc * 1e3:.0f} ms, the draws alone {draws_ms:.0f} ms")

    inp = inputs_for("compare", None, cat, {"qpd": 50_000, "models": ["llama-3.1-70b"], "apis": ["openai/gpt-4o"]})
    f = factors(inp)
    curve = min(model_curves(inp, inp.models[0])[0], key=lambda c: float(c.monthly_cost_usd(50_000, f)))
    alpha = 0.01 * inp.workload.days_per_month
    volumes = np.geomspace(100, 10_000_000, 1_000_000)
    sweep = median_s(lambda: (alpha * volumes, curve.monthly_cost_usd(volumes, f)), runs)
    exact = median_s(lambda: solve(alpha, curve, f, 10_000_000), runs)
    print(f"sweep of 1,000,000 volumes for one pair ({curve.config.id} vs openai/gpt-4o): median {sweep * 1e3:.0f} ms")
    print(f"exact break-even up to 10,000,000 queries/day: median {exact * 1e3:.1f} ms")

    with tempfile.TemporaryDirectory() as tmp:
        saved = Path(tmp) / "compare.pickle"
        saved.write_bytes(pickle.dumps(llmcost.compare(50_000)))
        floor_script = str(Path(__file__).with_name("stack_floor.py"))
        baseline, cold, floor = cold_starts(
            [
                [sys.executable, "-c", "import typer, rich"],
                [sys.executable, "-m", "llmcost", "compare", "--qpd", "50000"],
                [sys.executable, floor_script, str(saved)],
            ],
            3 * runs,
        )
    print(f"python -c 'import typer, rich': median {baseline * 1e3:.0f} ms")
    print(f"llmcost compare --qpd 50000:    median {cold * 1e3:.0f} ms (ratio {cold / baseline:.1f}x)")
    print(
        f"Typer + rich alone for it:      median {floor * 1e3:.0f} ms (ratio {floor / baseline:.2f}x, stack_floor.py)"
    )


if __name__ == "__main__":
    main()
